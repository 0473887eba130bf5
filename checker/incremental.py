"""Re-checking a package after an edit by re-checking only what the edit can change.

The language server re-checks a package on every keystroke; a whole check of
a 2,000-line plan costs a few hundred milliseconds, most of it parsing and
evaluating declarations the edit did not touch. :class:`IncrementalChecker`
keeps the last check of one package and, when exactly one file changed:

1. **Chunks.** Each file is cut into top-level *chunks*: runs of lines from one
   line that starts a declaration (or the comment block above one) at column 1
   to the next. The first chunk is the preamble (package clause, imports). The
   cut of a fully parsed file comes from its syntax tree; after an edit only
   the edited region (plus one chunk on either side) is cut again, by looking
   at the first character of each line, and parsed on its own where it stands
   (:func:`~plancheck.grammar.parser.parse_range`). A piece that does not parse
   cleanly on its own, or a cut that could join two declarations, falls back
   to a whole check, so re-cut text always parses as it would in the file.
2. **What can change.** A chunk declares top-level names (its field labels,
   aliases and ``let`` names) and mentions identifiers. The *dirty* chunks are
   the re-cut ones plus, transitively, every chunk that declares or mentions a
   name declared by a chunk whose text changed (before or after the edit).
   Every other chunk's value is what it was. The *supporting* chunks are what
   the dirty ones (and the old text of the changed ones) refer to,
   transitively: the evaluation of the dirty chunks needs them.
3. **A smaller check.** The package is checked as if it held only the
   preamble, the dirty and the supporting chunks (declarations re-used from
   earlier parses where they have not moved). Its diagnostics are taken for
   the dirty chunks; the other chunks keep the diagnostics they had, moved
   with their text.

A diagnostic can lie in a chunk other than the one whose evaluation found it
(a non-canonical platform in a constant is reported where the constant is
written, because a pipeline uses it). Such a chunk is supporting, so the
smaller check finds everything the dirty chunks cause there; what it cannot
tell is whether a diagnostic the chunk had before came from the old text of a
dirty chunk or from a chunk outside the smaller check. So when a supporting
chunk had a diagnostic the smaller check does not find again, the result is
not trusted and the whole package is checked; likewise when the import
names the package uses change (unused imports), when a declaration can add
fields under any name (embeddings, comprehensions, pattern labels), when the
options, another file or the preamble changed, and when most chunks are
dirty anyway. Equivalence with a whole check is tested on random edits.
"""

from __future__ import annotations

import bisect
import logging
import os
import re
import threading
from dataclasses import dataclass, field, replace
from typing import Iterable

from plancheck.checker.check import CheckOptions, Report, check_sources
from plancheck.checker.diagnostics import Diagnostic, Edit, Fix, Related
from plancheck.checker.sources import Source
from plancheck.grammar import ast
from plancheck.grammar.collection import paused_gc
from plancheck.grammar.lexer import Tok
from plancheck.grammar.parser import OVERRUN, ParseResult, SyntaxIssue, end_position, parse_range
from plancheck.grammar.span import Position, Span

log = logging.getLogger(__name__)

#: first characters of a line that may start a top-level declaration
_DECL_START = frozenset("_#$\"'([@") | frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
#: a message that names a line ("... opened at line 12, column 3")
_MENTIONS_LINE = re.compile(r"\bline \d")
#: a name a reference can reach (label names may be any string)
_IDENTIFIER = re.compile(r"[#_]*[^\W\d]\w*|_")
#: tokens the scanner supplies when a bracket or string is left open
_CLOSERS = frozenset({"RBRACE", "RBRACK", "RPAREN", "INTERP_END"})
#: a smaller check is not worth it when more than this share of chunks must be checked
_MAX_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class ChunkInfo:
    """What a chunk's declarations mean for the others, independent of where it stands."""

    #: top-level names it declares (labels, label aliases, let names)
    labels: frozenset[str]
    #: every identifier written in it (an over-approximation of what it refers to)
    refs: frozenset[str]
    #: False if a declaration can add fields under names not known in advance
    closed: bool


@dataclass(slots=True)
class Chunk:
    start: Position
    end: int
    text: str
    info: ChunkInfo
    #: declarations and syntax warnings parsed at ``start`` (None once the chunk has moved)
    decls: tuple | None
    warnings: tuple[SyntaxIssue, ...]
    #: raw diagnostics whose span starts in the chunk, positioned for ``start``
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(slots=True)
class FileState:
    path: str
    text: str
    #: the preamble chunk first
    chunks: list[Chunk]
    #: the whole parse's file node (its package clause, imports and attributes are re-used)
    head: ast.File
    #: the names the file's imports are known by
    import_names: frozenset[str]


@dataclass(slots=True)
class _State:
    options: CheckOptions
    files: dict[str, FileState]
    #: the last whole report's files read besides the package (kept for partial reports)
    dependencies: list[str]


@dataclass(frozen=True)
class IncrementalResult:
    report: Report
    #: True when only part of the package was evaluated (its evaluations and plans are partial)
    partial: bool


class IncrementalChecker:
    """The last check of one package, and re-checks after an edit (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: _State | None = None

    def invalidate(self) -> None:
        """Forget the last check (a file outside the package, the settings or the disk changed)."""
        with self._lock:
            self._state = None

    def check(self, sources: list[Source], options: CheckOptions) -> IncrementalResult:
        # As in check_sources: no cyclic collection in the middle (with a large
        # state alive, one full collection costs more than the check).
        with paused_gc(), self._lock:
            state, self._state = self._state, None
            if state is not None:
                try:
                    done = _recheck(state, sources, options)
                except Exception:  # noqa: BLE001 - a bug here must cost time, not correctness
                    log.exception("incremental check failed; checking the whole package")
                    done = None
                if done is not None:
                    report, self._state = done
                    return IncrementalResult(report, True)
            report = check_sources(sources, options)
            self._state = _initial_state(sources, options, report)
            return IncrementalResult(report, False)


# ---------------------------------------------------------------------------
# State from a whole check


def _initial_state(sources: list[Source], options: CheckOptions, report: Report) -> _State | None:
    files: dict[str, FileState] = {}
    for source in sources:
        result = report.parses.get(source.path)
        if not isinstance(result, ParseResult) or source.bad_utf8_at is not None:
            return None
        state = _file_state(source.path, source.text, result)
        if state is None:
            return None
        files[source.path] = state
    for d in report.diagnostics:
        state = files.get(d.path)
        if state is None:
            return None  # a diagnostic outside the package: keep it simple, check whole
        state.chunks[_chunk_index(state.chunks, d.span.start.offset)].diagnostics.append(d)
    return _State(_options_key(options, sources), files, list(report.dependencies))


def _file_state(path: str, text: str, result: ParseResult) -> FileState | None:
    tree = result.file
    if tree.package is None:
        return None
    preamble_end = max(
        [tree.package.span.end.offset]
        + [d.span.end.offset for d in tree.imports]
        + [a.span.end.offset for a in tree.attributes]
    )
    decls = tree.decls
    # Cut points: candidate line starts after the preamble that no declaration spans.
    points = [0]
    k = 0
    for point in _candidates(text, 0, len(text)):
        if point < preamble_end:
            continue
        while k < len(decls) and decls[k].span.end.offset <= point:
            k += 1
        if k < len(decls) and decls[k].span.start.offset < point:
            continue  # inside a declaration
        points.append(point)
    ends = points[1:] + [len(text)]
    starts = _positions_from(text, Position(1, 1, 0, 0), points)
    tokens = result.tokens
    token_starts = [t.start.offset for t in tokens]
    # Syntax issues go with the chunk they start in (one at the very end, with the last).
    issues: list[list[SyntaxIssue]] = [[] for _ in points]
    for issue in result.errors:
        issues[bisect.bisect_right(points, issue.span.start.offset) - 1].append(issue)
    chunks: list[Chunk] = []
    d = 0
    for index, (start, end) in enumerate(zip(starts, ends)):
        own = []
        while d < len(decls) and decls[d].span.start.offset < end:
            own.append(decls[d])
            d += 1
        lo = bisect.bisect_left(token_starts, start.offset)
        hi = bisect.bisect_left(token_starts, end)
        info = _info(own, tokens[lo:hi])
        chunks.append(Chunk(start, end, text[start.offset : end], info, tuple(own), tuple(issues[index])))
    return FileState(path, text, chunks, tree, _import_names(tree))


def _candidates(text: str, lo: int, hi: int) -> Iterable[int]:
    """Line starts in ``[lo, hi)`` where a top-level chunk may begin: a line whose
    first character can start a declaration, or a ``//`` comment line, unless
    the line above is a ``//`` comment at column 1 (a comment block goes with
    the declaration below it)."""
    find = text.find
    s = lo
    above_comment = False
    while s < hi:
        c = text[s]
        comment = c == "/" and text.startswith("//", s)
        if (comment or c in _DECL_START) and not above_comment:
            yield s
        above_comment = comment
        nl = find("\n", s, hi)
        if nl < 0:
            return
        s = nl + 1


def _info(decls: Iterable, tokens: Iterable) -> ChunkInfo:
    labels: set[str] = set()
    closed = True
    for decl in decls:
        if isinstance(decl, ast.Field):
            label = decl.label
            if label.kind in (ast.LabelKind.PATTERN, ast.LabelKind.INTERPOLATED, ast.LabelKind.EXPRESSION) or label.name is None:
                closed = False
            else:
                labels.add(label.name)
            if label.alias is not None:
                labels.add(label.alias.name)
        elif isinstance(decl, (ast.LetClause, ast.AliasDecl)):
            labels.add(decl.name.name)
        elif not isinstance(decl, (ast.AttributeDecl, ast.BadDecl)):
            closed = False  # embedding, comprehension, `...`
    refs = frozenset(t.value for t in tokens if t.type == "IDENT")
    return ChunkInfo(frozenset(labels), refs, closed)


def _import_names(tree: ast.File) -> frozenset[str]:
    """Every name an import may be known by (alias, last path element, qualifier)."""
    names: set[str] = set()
    for spec in tree.import_specs:
        if spec.alias is not None:
            names.add(spec.alias.name)
        path = spec.path
        base, _, qualifier = path.partition(":")
        names.add(base.rsplit("/", 1)[-1])
        if qualifier:
            names.add(qualifier)
    return frozenset(names)


def _chunk_index(chunks: list[Chunk], offset: int) -> int:
    lo, hi = 0, len(chunks)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if chunks[mid].start.offset <= offset:
            lo = mid
        else:
            hi = mid
    return lo


# ---------------------------------------------------------------------------
# A re-check after an edit


@dataclass
class _Edit:
    """How one file's chunks changed."""

    path: str
    old: FileState
    new_text: str
    #: the new chunk list; chunks [first, last) are the re-cut ones
    chunks: list[Chunk]
    first: int
    last: int
    #: re-cut chunks whose text no chunk of the replaced region had, and replaced chunks whose text went
    added: list[Chunk]
    removed: list[Chunk]
    #: (old start, old end, (lines, characters, bytes)): old text that is still there, and how it moved
    segments: list[tuple[int, int, tuple[int, int, int]]]

    def move(self, d: Diagnostic) -> Diagnostic | None:
        """``d`` moved with its text (None if one of its spans lies in text that changed)."""
        main = self._span(d.span, d.path)
        if main is None:
            return None
        related = []
        for r in d.related:
            moved = self._span(r.span, r.path)
            if moved is None:
                return None
            related.append(Related(r.path, moved, r.message))
        fix = d.fix
        if fix is not None:
            edits = []
            for e in fix.edits:
                moved = self._span(e.span, d.path)
                if moved is None:
                    return None
                edits.append(Edit(moved, e.text))
            fix = Fix(fix.applicability, fix.message, tuple(edits))
        if main is d.span and related == list(d.related) and fix is d.fix:
            return d
        if main.start.line != d.span.start.line and _MENTIONS_LINE.search(d.message):
            return None  # "opened at line 12" would be wrong once moved
        return replace(d, span=main, related=tuple(related), fix=fix)

    def _span(self, s: Span, path: str) -> Span | None:
        if path != self.path:
            return s
        for lo, hi, (lines, chars, nbytes) in self.segments:
            if lo <= s.start.offset and s.end.offset <= hi:
                if not (lines or chars or nbytes):
                    return s
                a, b = s.start, s.end
                return Span(
                    Position(a.line + lines, a.column, a.offset + chars, a.byte + nbytes),
                    Position(b.line + lines, b.column, b.offset + chars, b.byte + nbytes),
                )
        return None


def _recheck(state: _State, sources: list[Source], options: CheckOptions) -> tuple[Report, _State] | None:
    if _options_key(options, sources) != state.options or {s.path for s in sources} != set(state.files):
        return _fallback("the options or the package's files changed")
    changed = [s for s in sources if s.text != state.files[s.path].text]
    if len(changed) != 1 or changed[0].bad_utf8_at is not None:
        # Nothing changed (a deliberate re-check: the disk or settings moved), or several files did.
        return _fallback("not exactly one file changed")
    edit = _recut(state.files[changed[0].path], changed[0].text)
    if edit is None:
        return _fallback("the edit could not be re-cut")
    old_files = state.files
    files = dict(old_files)
    files[edit.path] = FileState(edit.path, edit.new_text, edit.chunks, edit.old.head, edit.old.import_names)

    universe = [(path, i, c) for path, fs in files.items() for i, c in enumerate(fs.chunks) if i > 0]
    if not all(c.info.closed for _, _, c in universe):
        return _fallback("a declaration can add fields under any name")
    if any(fs.chunks[0].decls for fs in files.values()):
        return _fallback("declarations in the preamble chunk")  # rare, not worth tracking
    # Which imports are used decides CUE004 in the preamble: it must not change.
    used_imports = {path: _used_imports(fs) for path, fs in files.items()}
    if used_imports[edit.path] != _used_imports(old_files[edit.path]):
        return _fallback("the import names in use changed")

    affected: set[str] = set()
    for c in edit.added + edit.removed:
        affected |= c.info.labels
    added = {id(c) for c in edit.added}
    dirty = {(edit.path, i) for i in range(edit.first, edit.last) if id(edit.chunks[i]) in added}
    if _labels(edit.added) ^ _labels(edit.removed):
        # A name came or went: an undefined reference's "did you mean" looks at every name.
        dirty |= {(path, i) for path, i, c in universe if any(d.code == "CUE002" for d in c.diagnostics)}
    # Whatever declares or mentions an affected name is dirty, and what it
    # declares is affected in turn.
    grew = True
    while grew:
        grew = False
        for path, i, c in universe:
            if (path, i) in dirty:
                continue
            if c.info.labels & affected or c.info.refs & affected:
                dirty.add((path, i))
                if not c.info.labels <= affected:
                    affected |= c.info.labels
                    grew = True
    # Supporting: what the dirty chunks (and the old text of changed ones) refer to.
    declaring: dict[str, list[tuple[str, int]]] = {}
    for path, i, c in universe:
        for name in c.info.labels:
            declaring.setdefault(name, []).append((path, i))
    included = set(dirty)
    wanted: set[str] = set()
    for path, i in dirty:
        wanted |= files[path].chunks[i].info.refs
    for c in edit.removed:
        wanted |= c.info.refs
    seen: set[str] = set()
    while wanted:
        name = wanted.pop()
        seen.add(name)
        for key in declaring.get(name, ()):
            if key not in included:
                included.add(key)
                wanted |= files[key[0]].chunks[key[1]].info.refs - seen
    if len(included) > _MAX_SHARE * len(universe):
        return _fallback("most chunks need checking")

    # Declarations of every included chunk, parsed where the chunk now stands.
    for path, i in sorted(included):
        chunk = files[path].chunks[i]
        if chunk.decls is None:
            result = parse_range(files[path].text, chunk.start, chunk.end, path)
            if not _self_contained(result, chunk.end):
                return _fallback("a moved chunk no longer parses alone")
            chunk.decls = result.file.decls
            chunk.warnings = tuple(result.errors)
    parses = {path: _reduced_parse(fs, included, used_imports[path]) for path, fs in files.items()}
    report = check_sources(sources, options, parses)

    # Diagnostics: the smaller check's for the dirty and supporting chunks, the
    # earlier ones (moved with their text) elsewhere.
    found: dict[tuple[str, int], list[Diagnostic]] = {}
    for d in report.diagnostics:
        fs = files.get(d.path)
        if fs is None:
            return _fallback("a diagnostic outside the package")
        found.setdefault((d.path, _chunk_index(fs.chunks, d.span.start.offset)), []).append(d)
    for path, fs in files.items():
        for i, c in enumerate(fs.chunks):
            key = (path, i)
            mine = found.get(key, [])
            if key in dirty:
                c.diagnostics = mine
                continue
            previous = c.diagnostics
            if previous:  # moved with their text (a related span may point into the edited file)
                previous = [edit.move(d) for d in previous]
                if any(d is None for d in previous):
                    return _fallback("a diagnostic lies in text that changed")
            if i == 0 or key in included:
                # Found again by the smaller check, or its cause may be gone.
                if not _keys(previous) <= _keys(mine):
                    return _fallback("a diagnostic of a supporting chunk was not found again")
                c.diagnostics = mine
            else:
                c.diagnostics = previous
    merged = [d for fs in files.values() for c in fs.chunks for d in c.diagnostics]
    merged.sort(key=Diagnostic.sort_key)
    out = Report(
        diagnostics=merged,
        sources=report.sources,
        dependencies=sorted(set(report.dependencies) | set(state.dependencies)),
        plans=report.plans,
        parses=report.parses,
        evaluated=report.evaluated,
    )
    return out, _State(state.options, files, state.dependencies)


def _fallback(reason: str) -> None:
    log.debug("whole check: %s", reason)
    return None


def _options_key(options: CheckOptions, sources: list[Source]) -> CheckOptions:
    """The options without the package's own buffers (those are the sources compared)."""
    own = {os.path.abspath(s.path) for s in sources}
    return replace(options, overlays={k: v for k, v in options.overlays.items() if os.path.abspath(k) not in own})


def _labels(chunks: list[Chunk]) -> frozenset[str]:
    return frozenset().union(*(c.info.labels for c in chunks))


def _used_imports(fs: FileState) -> frozenset[str]:
    used: set[str] = set()
    for c in fs.chunks[1:]:
        used |= c.info.refs & fs.import_names
    return frozenset(used)


def _keys(diagnostics: Iterable[Diagnostic]) -> set[tuple]:
    return {(d.code, d.path, d.span, d.message) for d in diagnostics}


def _reduced_parse(fs: FileState, included: set[tuple[str, int]], used_imports: frozenset[str]) -> ParseResult:
    """The file as if it held only its preamble and the included chunks.

    The names the other chunks declare stay declared, as ``let name = _``: nothing
    included refers to them (they would be included), but "did you mean"
    suggestions for an undefined name look at every name in scope. Their
    diagnostics lie in chunks whose earlier diagnostics are kept.

    The tokens are one identifier per import name the whole file uses: the
    unused-import rule reads identifiers from the tokens, and must see the
    uses in the chunks left out.
    """
    decls: list = []
    warnings: list[SyntaxIssue] = []
    for i, c in enumerate(fs.chunks):
        if i == 0 or (fs.path, i) in included:
            assert c.decls is not None
            decls.extend(c.decls)
            warnings.extend(c.warnings)
        else:
            at = Span(c.start, c.start)
            for name in sorted(c.info.labels):
                if _IDENTIFIER.fullmatch(name):
                    # `let`, not a field: in scope, but no data to evaluate and walk.
                    decls.append(ast.LetClause(at, ast.Ident(at, name), ast.Top(at)))
    head = fs.head
    end = end_position(fs.text)
    tree = ast.File(Span(head.span.start, end), fs.path, head.attributes, head.package, head.imports, tuple(decls))
    tokens = tuple(Tok("IDENT", name, end, end) for name in sorted(used_imports))
    return ParseResult(tree, tuple(warnings), tokens)


# ---------------------------------------------------------------------------
# Re-cutting the edited region


def _common_prefix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # the longest k with a[:k] == b[:k], by bisection on slices (C speed)
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, limit
    la, lb = len(a), len(b)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[la - mid :] == b[lb - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _recut(old: FileState, text: str) -> _Edit | None:
    """Cut the edited region of ``text`` again; None if it cannot be done safely."""
    old_text = old.text
    chunks = old.chunks
    p = _common_prefix(old_text, text)
    q = _common_suffix(old_text, text, min(len(old_text), len(text)) - p)
    delta = len(text) - len(old_text)
    # The chunks holding the changed text [p, len - q) ...
    first = _chunk_index(chunks, p)
    last = _chunk_index(chunks, max(len(old_text) - q - 1, p)) + 1
    # ... widened while the region's edges are not chunk edges in the new text
    # (a line indented, a newline removed, a comment written above a declaration).
    while True:
        if first == 0:
            return _fallback("the preamble changed")
        lo = chunks[first].start
        hi = chunks[last - 1].end + delta
        end_ok = hi == len(text) or (lo.offset < hi and text[hi - 1] == "\n" and not _last_line_is_comment(text, lo.offset, hi))
        points = list(_candidates(text, lo.offset, hi)) if end_ok else []
        start_ok = bool(points) and points[0] == lo.offset
        if start_ok and end_ok:
            break
        if not start_ok and first > 0:
            first -= 1
        if not end_ok:
            if last >= len(chunks):
                return _fallback("the edit reaches the end unevenly")
            last += 1
    # The replaced chunks by text, in order; those no re-cut chunk matches were removed.
    by_text: dict[str, list[Chunk]] = {}
    for c in chunks[first:last]:
        by_text.setdefault(c.text, []).append(c)
    recut: list[Chunk] = []
    added: list[Chunk] = []
    segments: list[tuple[int, int, tuple[int, int, int]]] = [(0, lo.offset, (0, 0, 0))]
    positions = _positions_from(text, lo, points)
    for index, start in enumerate(positions):
        end = points[index + 1] if index + 1 < len(points) else hi
        if _word_end(text, start.offset):
            return _fallback("`import` or `package` outside the preamble")
        result = parse_range(text, start, end, old.path)
        tokens = result.tokens
        if not _self_contained(result, end):
            return _fallback("a re-cut piece does not parse on its own")
        tree = result.file
        piece = text[start.offset : end]
        chunk = Chunk(start, end, piece, _info(tree.decls, tokens), tree.decls, tuple(result.errors))
        if by_text.get(piece):
            # The same text as a replaced chunk: it keeps that chunk's diagnostics, moved.
            same = by_text[piece].pop(0)
            chunk.diagnostics = same.diagnostics
            moved = (start.line - same.start.line, start.offset - same.start.offset, start.byte - same.start.byte)
            segments.append((same.start.offset, same.end, moved))
        else:
            added.append(chunk)
        recut.append(chunk)
    removed = [c for texts in by_text.values() for c in texts]
    # The chunks after the region keep their text and move.
    following: list[Chunk] = []
    if last < len(chunks):
        old_next = chunks[last].start
        new_next = _advance(text, positions[-1], hi)
        shift = (new_next.line - old_next.line, delta, new_next.byte - old_next.byte)
        segments.append((old_next.offset, len(old_text), shift))
        for c in chunks[last:]:
            start = Position(c.start.line + shift[0], 1, c.start.offset + delta, c.start.byte + shift[2])
            following.append(Chunk(start, c.end + delta, c.text, c.info, None, c.warnings, c.diagnostics))
    new_chunks = chunks[:first] + recut + following
    return _Edit(old.path, old, text, new_chunks, first, first + len(recut), added, removed, segments)


def _self_contained(result: ParseResult, end: int) -> bool:
    """Whether a piece parses the same on its own as inside its file: it ends
    with a ``,`` at the top level and the scanner did not have to close a
    bracket or string at its end (in the file, that one would stay open into
    the next chunk). Its syntax errors, if any, are then its own: a bracket
    closed early by a mismatched closer inside the piece is closed the same
    way in the file, since the scanner starts both at the top level."""
    tokens = result.tokens
    if tokens and tokens[-1].type != "COMMA":
        return False  # a declaration that would run into the next chunk
    if any(t.inserted and t.type in _CLOSERS and t.start.offset >= end for t in tokens):
        return False
    return not any(e.message == OVERRUN for e in result.errors)


def _last_line_is_comment(text: str, lo: int, hi: int) -> bool:
    """Whether the last line of ``text[lo:hi]`` is a ``//`` comment at column 1
    (it would belong to the chunk below)."""
    start = text.rfind("\n", lo, hi - 1) + 1
    return text.startswith("//", max(start, lo))


def _word_end(text: str, offset: int) -> bool:
    """Whether a whole word ``import`` or ``package`` starts at ``offset``."""
    for word in ("import", "package"):
        if text.startswith(word, offset):
            after = offset + len(word)
            return after >= len(text) or not (text[after].isalnum() or text[after] in "_#$")
    return False


def _positions_from(text: str, base: Position, offsets: list[int]) -> list[Position]:
    out = []
    current = base
    for offset in offsets:
        current = _advance(text, current, offset)
        out.append(current)
    return out


def _advance(text: str, at: Position, offset: int) -> Position:
    """The position of line start ``offset`` counted from the line start ``at``."""
    piece = text[at.offset : offset]
    byte = len(piece) if piece.isascii() else len(piece.encode("utf-8", "surrogatepass"))
    return Position(at.line + piece.count("\n"), 1, offset, at.byte + byte)
