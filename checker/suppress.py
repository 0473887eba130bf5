"""Suppression comments. This module owns them: rules never look at comments.

::

    base: "linux/aarch64"  // plancheck: ignore[PLT002]      this line
    // plancheck: ignore[PLT002, PLT007] our mirror uses it  the next code line
    // plancheck: ignore                                     every code, next code line
    // plancheck: file-ignore[CUE006]                        the whole file

A comment is a suppression when its text starts with ``plancheck:``. At the
end of a line it covers that line; on a line of its own it covers the next line
that holds code (blank lines and other comment lines are skipped, so several
suppressions can be stacked). A diagnostic is covered when it *starts* on that
line. Anything after the closing ``]`` (or after a blanket ``ignore``) is a free
reason. ``file-ignore`` always names its codes: a blanket for a whole file would
also hide every future mistake in it — use ``exclude`` in the configuration.

Syntax errors (CUE001) cannot be suppressed: a file that does not parse must
never pass. Every suppression is audited (SUP001): a code that suppressed
nothing, an unknown code, a code that cannot be suppressed, or a comment that is
not a valid suppression. Unused codes are not reported in a file with syntax
errors, where rules may not have seen every line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from plancheck.checker import rules
from plancheck.checker.diagnostics import Applicability, Diagnostic, Edit, Fix
from plancheck.grammar.span import LineIndex, Span

CODE = "SUP001"
#: codes no comment can hide
UNSUPPRESSIBLE = frozenset({"CUE001"})

_PRAGMA = re.compile(r"//[ \t]*plancheck[ \t]*:[ \t]*")
_KIND = re.compile(r"[A-Za-z][A-Za-z-]*")
_CODE_SHAPE = re.compile(r"[A-Za-z]+[0-9]+")


@dataclass(frozen=True, slots=True)
class CodeRef:
    code: str
    #: offsets of the code in the file's text
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Directive:
    """One valid suppression comment."""

    #: "line" or "file"
    scope: str
    #: the whole comment
    span: Span
    own_line: bool
    #: empty for a blanket ``ignore``
    codes: tuple[CodeRef, ...]
    #: offsets of the text between ``[`` and ``]`` (None for a blanket ``ignore``)
    list_range: tuple[int, int] | None
    #: the line it covers (``scope == "line"``); 0 when no code line follows
    line: int

    @property
    def blanket(self) -> bool:
        return not self.codes


@dataclass(frozen=True, slots=True)
class Malformed:
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class FileSuppressions:
    path: str
    text: str
    directives: tuple[Directive, ...] = ()
    malformed: tuple[Malformed, ...] = ()


def scan(path: str, text: str) -> FileSuppressions:
    """Every suppression comment of one file."""
    if "plancheck" not in text:
        # Most files have none; skip the scanner entirely.
        return FileSuppressions(path, text)
    from plancheck.grammar.lexer import tokenize

    comments = tokenize(text).comments
    pragmas = [c for c in comments if _PRAGMA.match(c.text)]
    if not pragmas:
        return FileSuppressions(path, text)
    index = LineIndex(text)
    comment_lines = {c.span.start.line for c in comments if c.own_line}
    directives: list[Directive] = []
    malformed: list[Malformed] = []
    for comment in pragmas:
        parsed = _parse(comment.text, comment.span.start.offset)
        if isinstance(parsed, str):
            malformed.append(Malformed(comment.span, parsed))
            continue
        scope, codes, list_range = parsed
        line = comment.span.start.line
        if scope == "line" and comment.own_line:
            line = _next_code_line(index, line, comment_lines)
        directives.append(Directive(scope, comment.span, comment.own_line, codes, list_range, line))
    return FileSuppressions(path, text, tuple(directives), tuple(malformed))


def _parse(text: str, base: int) -> tuple[str, tuple[CodeRef, ...], tuple[int, int] | None] | str:
    """(scope, codes, list range) of one comment's text, or why it is not a suppression."""
    i = _PRAGMA.match(text).end()
    kind_m = _KIND.match(text, i)
    expected = "expected 'ignore', 'ignore[CODE, ...]' or 'file-ignore[CODE, ...]'"
    if kind_m is None:
        return f"invalid suppression comment: {expected}"
    kind = kind_m.group()
    if kind not in ("ignore", "file-ignore"):
        return f"invalid suppression comment: {expected}, found {kind!r}"
    j = kind_m.end()
    while j < len(text) and text[j] in " \t":
        j += 1
    if j >= len(text) or text[j] != "[":
        if kind == "file-ignore":
            return "invalid suppression comment: 'file-ignore' needs the codes it ignores, e.g. 'file-ignore[CUE006]'"
        if j < len(text) and kind_m.end() == j and text[j] not in " \t":
            return f"invalid suppression comment: {expected}"
        return ("line", (), None)
    close = text.find("]", j + 1)
    if close < 0:
        return "invalid suppression comment: missing ']' after the codes"
    if not text[j + 1 : close].strip():
        return "invalid suppression comment: no codes between '[' and ']'"
    codes: list[CodeRef] = []
    pos = j + 1
    for part in text[j + 1 : close].split(","):
        stripped = part.strip()
        if not stripped:
            return "invalid suppression comment: empty code in the list"
        if not _CODE_SHAPE.fullmatch(stripped):
            return f"invalid suppression comment: {stripped!r} is not a rule code"
        start = pos + part.index(stripped)
        codes.append(CodeRef(stripped, base + start, base + start + len(stripped)))
        pos += len(part) + 1
    scope = "file" if kind == "file-ignore" else "line"
    return (scope, tuple(codes), (base + j + 1, base + close))


def _next_code_line(index: LineIndex, line: int, comment_lines: set[int]) -> int:
    for n in range(line + 1, index.line_count + 1):
        if n in comment_lines or not index.line_text(n).strip():
            continue
        return n
    return 0


# -- applying ------------------------------------------------------------------


def apply(diagnostics: Sequence[Diagnostic], texts: Mapping[str, str]) -> list[Diagnostic]:
    """``diagnostics`` without the suppressed ones, plus SUP001 for every useless suppression.

    ``texts`` maps the path of every checked file to its text; diagnostics of
    other paths pass unchanged.
    """
    files = {path: scan(path, text) for path, text in texts.items()}
    used: set[tuple[str, int, str | None]] = set()
    kept: list[Diagnostic] = []
    for d in diagnostics:
        fs = files.get(d.path)
        if fs is None or not fs.directives or not _suppressed(d, fs, used):
            kept.append(d)
    syntax_broken = {d.path for d in diagnostics if d.code == "CUE001"}
    audits: list[Diagnostic] = []
    for path, fs in files.items():
        audits.extend(_audit(fs, used, path in syntax_broken))
    for d, directive in audits:
        # SUP001 itself can be suppressed (never by the comment it is about);
        # such a use is not audited again.
        if not _suppressed(d, files[d.path], used, directive):
            kept.append(d)
    return kept


def _suppressed(d: Diagnostic, fs: FileSuppressions, used: set, about: Directive | None = None) -> bool:
    if d.code in UNSUPPRESSIBLE:
        return False
    hit = False
    for n, directive in enumerate(fs.directives):
        if directive is about:
            continue
        if directive.scope == "line" and directive.line != d.span.start.line:
            continue
        if directive.blanket:
            used.add((fs.path, n, None))
            hit = True
        elif any(ref.code == d.code for ref in directive.codes):
            used.add((fs.path, n, d.code))
            hit = True
    return hit


def _audit(fs: FileSuppressions, used: set, syntax_broken: bool) -> list[tuple[Diagnostic, Directive | None]]:
    """SUP001 for each useless suppression of ``fs``, with the directive it is about."""
    info = rules.info(CODE)
    out: list[tuple[Diagnostic, Directive | None]] = []
    index: LineIndex | None = None
    for bad in fs.malformed:
        out.append((Diagnostic(CODE, info.severity, fs.path, bad.span, bad.message), None))
    for n, directive in enumerate(fs.directives):
        if index is None:
            index = LineIndex(fs.text)
        where = "file suppression" if directive.scope == "file" else "suppression"
        if directive.blanket:
            if (fs.path, n, None) in used or syntax_broken:
                continue
            target = f"line {directive.line}" if directive.line else "the lines after it"
            message = f"unused blanket suppression: nothing is reported on {target}"
            fix = Fix(Applicability.SAFE, "remove the unused suppression", (_remove_comment(fs.text, index, directive),))
            out.append((Diagnostic(CODE, info.severity, fs.path, directive.span, message, fix, tags=("unnecessary",)), directive))
            continue
        unused: list[str] = []
        unknown: list[str] = []
        fixed: list[str] = []
        keep: list[str] = []
        seen: set[str] = set()
        for ref in directive.codes:
            code = ref.code
            if code in seen:
                unused.append(code)
            elif not rules.is_known(code):
                unknown.append(code)
            elif code in UNSUPPRESSIBLE:
                fixed.append(code)
            elif code == CODE or (fs.path, n, code) in used or syntax_broken:
                keep.append(code)
            else:
                unused.append(code)
            seen.add(code)
        if not (unused or unknown or fixed):
            continue
        parts = []
        if unused:
            parts.append("unused: " + ", ".join(unused))
        if unknown:
            parts.append("unknown: " + ", ".join(unknown))
        if fixed:
            parts.append("cannot be suppressed: " + ", ".join(fixed))
        message = f"unused {where} ({'; '.join(parts)})"
        span = directive.span
        if keep:
            start, end = directive.list_range
            dropped = ", ".join(c for c in unused + unknown + fixed)
            edit = Edit(index.span(start, end), ", ".join(keep))
            fix = Fix(Applicability.SAFE, f"remove {dropped} from the suppression", (edit,))
            # Point at the codes that go, not at the ones that stay.
            bad = [ref for ref in directive.codes if ref.code not in keep or ref.code in unused]
            span = index.span(bad[0].start, bad[-1].end)
        else:
            fix = Fix(Applicability.SAFE, "remove the unused suppression", (_remove_comment(fs.text, index, directive),))
        out.append((Diagnostic(CODE, info.severity, fs.path, span, message, fix, tags=("unnecessary",)), directive))
    return out


def _remove_comment(text: str, index: LineIndex, directive: Directive) -> Edit:
    """An edit deleting the comment: its whole line when it stands alone, else the comment."""
    start, end = directive.span.start.offset, directive.span.end.offset
    if directive.own_line:
        line = directive.span.start.line
        start = index.line_start(line)
        if line < index.line_count:
            end = index.line_start(line + 1)
    else:
        while start > 0 and text[start - 1] in " \t":
            start -= 1
    return Edit(index.span(start, end), "")
