"""``parse(text, path)``: CUE text to an AST plus every syntax error.

The LALR(1) tables come from ``cue.lark`` through Lark; tokens come from
:mod:`plancheck.grammar.lexer`; AST nodes are built by callbacks during the
parse (no intermediate parse tree). The parse is driven here rather than
by ``Lark.parse`` so that errors can be recovered from the way the language
server needs: the bad text is skipped up to the next ``,`` or closing
bracket of the same level, and the parser either continues from there or
records an :class:`~plancheck.grammar.ast.BadExpr` / ``BadDecl`` in its place.
Everything before and after the mistake stays in the AST.

``parse`` never raises: an internal failure becomes a located error too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from plancheck.grammar import ast, lalr
from plancheck.grammar.collection import paused_gc
from plancheck.grammar.ast import LabelKind
from plancheck.grammar.lexer import AttrValue, LexResult, StrPart, Tok, tokenize, tokenize_range
from plancheck.grammar.span import Position, Span



@dataclass(frozen=True, slots=True)
class SyntaxIssue:
    """A problem found while parsing: ``CUE001`` (error) or ``CUE006`` (outside the subset)."""

    code: str
    message: str
    span: Span

    @property
    def severity(self) -> str:
        return "error" if self.code == "CUE001" else "warning"


@dataclass(frozen=True, slots=True)
class ParseResult:
    file: ast.File
    errors: tuple[SyntaxIssue, ...]
    tokens: tuple[Tok, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(e.code == "CUE001" for e in self.errors)


# ---------------------------------------------------------------------------
# Tables



_tables_lock = threading.Lock()


@lru_cache(maxsize=1)
def _tables():
    from plancheck.grammar import tables

    with _tables_lock:
        return tables.build()


# ---------------------------------------------------------------------------
# Driving the parse


_OPENERS = frozenset({"LBRACE", "LBRACK", "LPAREN", "INTERP_START"})
_CLOSERS = frozenset({"RBRACE", "RBRACK", "RPAREN", "INTERP_END"})
_OPERAND_START = frozenset(
    {"IDENT", "INT", "FLOAT", "STRING", "INTERP_START", "NULL", "TRUE", "FALSE", "BOTTOM", "LBRACE"}
)
_DECL_START = _OPERAND_START | {"LBRACK", "LPAREN", "ELLIPSIS", "FOR", "IF", "LET", "ATTRIBUTE"}
_TOKEN_TEXT = {
    "COLON": "':'", "COMMA": "','", "RBRACE": "'}'", "RBRACK": "']'", "RPAREN": "')'",
    "LBRACE": "'{'", "LBRACK": "'['", "LPAREN": "'('", "EQUAL": "'='", "IN": "'in'",
    "QMARK": "'?'", "DOT": "'.'", "ELLIPSIS": "'...'",
    "IDENT": "identifier", "STRING": "string", "$END": "end of file",
}
_EXPECT_ORDER = ["COLON", "LBRACE", "COMMA", "RBRACE", "RBRACK", "RPAREN", "IN", "EQUAL", "STRING", "IDENT", "$END"]


class _End:
    """The ``$END`` token."""

    __slots__ = ("type", "value", "start", "end", "inserted")

    def __init__(self, pos: Position) -> None:
        self.type = "$END"
        self.value = ""
        self.start = pos
        self.end = pos
        self.inserted = True


def parse(text: str, path: str = "<input>") -> ParseResult:
    """Parse CUE ``text``; never raises.

    Returns the AST of everything that could be parsed and the list of
    syntax errors (``CUE001``) and out-of-subset warnings (``CUE006``),
    sorted by position.
    """
    return _guarded(text, path, lambda: _parse(text, path, tokenize(text), end_position(text)))


#: the error of a range whose last token runs past its end
OVERRUN = "declaration runs past the end of its range"


def parse_range(text: str, start: Position, end: int, path: str = "<input>", preamble: bool = False) -> ParseResult:
    """Parse the declarations of ``text[start.offset:end]`` where they stand in ``text``.

    Spans are positions in the whole ``text``, so declarations parsed this way
    can stand beside those of other ranges in one :class:`~plancheck.grammar.ast.File`
    (the language server re-parses only the top-level declarations an edit
    touched). ``start`` is the first column of a line outside any bracket;
    ``preamble`` says whether a package clause and imports may appear. A token
    running past ``end`` is reported as an error (:data:`OVERRUN`), so an
    ``ok`` result holds whole declarations. Never raises.
    """

    def work() -> ParseResult:
        result = _parse(text, path, tokenize_range(text, start, end, preamble), _range_end(text, start, end))
        tokens = result.tokens
        if tokens and tokens[-1].end.offset > end:
            overrun = SyntaxIssue("CUE001", OVERRUN, Span(tokens[-1].start, tokens[-1].end))
            return ParseResult(result.file, result.errors + (overrun,), tokens)
        return result

    return _guarded(text, path, work)


def _guarded(text: str, path: str, work: Callable[[], ParseResult]) -> ParseResult:
    # The parse allocates hundreds of thousands of small objects and no
    # cycles; pausing the cyclic collector saves about a third of the time.
    try:
        with paused_gc():
            return work()
    except RecursionError:
        return _failed(text, path, "input nested too deeply to parse")
    except Exception as exc:  # pragma: no cover - a bug; still never raise
        return _failed(text, path, f"internal parser error ({type(exc).__name__}: {exc})")


def _range_end(text: str, start: Position, end: int) -> Position:
    piece = text[start.offset : end]
    newlines = piece.count("\n")
    line_start = piece.rfind("\n") + 1
    byte = start.byte + (len(piece) if piece.isascii() else len(piece.encode("utf-8", "surrogatepass")))
    return Position(start.line + newlines, len(piece) - line_start + 1, end, byte)


def _failed(text: str, path: str, message: str) -> ParseResult:
    start = Position(1, 1, 0, 0)
    span = Span(start, start)
    file = ast.File(Span(start, end_position(text)), path, (), None, (), ())
    return ParseResult(file, (SyntaxIssue("CUE001", message, span),))


def end_position(text: str) -> Position:
    """The position just past the last character of ``text``."""
    line = text.count("\n") + 1
    col = len(text) - (text.rfind("\n") + 1) + 1
    return Position(line, col, len(text), len(text.encode("utf-8", "surrogatepass")))


def _parse(text: str, path: str, lexed: LexResult, end_pos: Position) -> ParseResult:
    tables = _tables()
    builder = _Builder(text, path, lexed)
    callbacks = lalr.bind_callbacks(tables, builder)
    tokens: list = lexed.tokens
    tokens.append(_End(end_pos))
    issues: list[SyntaxIssue] = [SyntaxIssue(i.code, i.message, i.span) for i in lexed.issues]
    states: list[int] = [tables.start]
    values: list = []
    n_tokens = len(tokens)
    last_error_at = -1
    budget = n_tokens * 2 + 16
    i = 0
    result = None
    while True:
        i, result = lalr.run(tables, callbacks, tokens, i, states, values)
        if i < 0 or i >= n_tokens:
            break
        tok = tokens[i]
        budget -= 1
        if budget < 0:
            issues.append(SyntaxIssue("CUE001", "too many syntax errors; the rest of the file is not parsed", Span(tok.start, tok.end)))
            result = None
            break
        if i != last_error_at:
            expected = lalr.expected(tables, states[-1])
            issue, insert = _describe(expected, tokens, i, text)
            if issue is not None:
                issues.append(issue)
            if insert is not None:
                # A missing ':' or ',' is supplied and the token retried.
                last_error_at = i
                if lalr.feed_one(tables, callbacks, Tok(insert, None, tok.start, tok.start, inserted=True), states, values):
                    continue
        i = _recover(tables, callbacks, states, values, tokens, i, i == last_error_at)
        last_error_at = i
    tokens.pop()
    file = builder.make_file(result if isinstance(result, list) else [], end_pos)
    issues.extend(builder.issues)
    issues.sort(key=lambda e: (e.span.start.offset, e.span.end.offset))
    return ParseResult(file, tuple(_dedupe(issues)), tuple(tokens))


def _dedupe(issues: list[SyntaxIssue]) -> list[SyntaxIssue]:
    seen = set()
    out = []
    for issue in issues:
        key = (issue.code, issue.message, issue.span.start.offset)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out


def _recover(tables, callbacks, states: list[int], values: list, tokens: list, i: int, repeated: bool) -> int:
    """Skip the bad text at ``tokens[i]``; return the index to continue from."""
    n = len(tokens)
    # The synchronisation point: the next ',' of this level, the closer of
    # the enclosing bracket or string, or the end.
    depth = 0
    j = i
    while j < n - 1:
        t = tokens[j].type
        if t in _OPENERS:
            depth += 1
        elif t in _CLOSERS:
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and t in ("COMMA", "INTERP_MID"):
            break
        j += 1
    if repeated and j == i and i < n - 1:
        # The synchronisation token itself keeps failing: drop it.
        return i + 1
    actions = tables.actions
    sync = tokens[j]
    if (j > i or repeated) and sync.type in actions[states[-1]]:
        # (a) Drop the bad tokens; the parser takes the sync token here.
        return j
    # (b) Unwind to a state that accepts a placeholder and feed it, covering
    # the unwound values and the skipped tokens.
    depth_ok = None
    for k in range(len(states) - 1, -1, -1):
        if "ERROR" in actions[states[k]]:
            depth_ok = k
            break
    if depth_ok is None:
        return min(j + 1, n - 1) if j == i else j
    start = _first_start(values[depth_ok:]) or tokens[i].start
    end = tokens[j - 1].end if j > i else start
    if end.offset < start.offset:
        end = start
    del states[depth_ok + 1 :]
    del values[depth_ok:]
    if not lalr.feed_one(tables, callbacks, Tok("ERROR", None, start, end), states, values):
        return min(j + 1, n - 1) if j == i else j
    return j


def _first_start(values: list) -> Position | None:
    for v in values:
        if isinstance(v, Tok):
            return v.start
        if isinstance(v, ast.Node):
            return v.span.start
        if isinstance(v, list):
            p = _first_start(v)
            if p is not None:
                return p
    return None


def _describe(expected_terms: frozenset[str], tokens: list, i: int, text: str) -> tuple[SyntaxIssue | None, str | None]:
    """The error message for ``tokens[i]``, and a token to insert if one is evidently missing."""
    tok = tokens[i]
    if tok.type == "ERROR" or (tok.inserted and tok.type in _CLOSERS):
        # A stray closer, or one supplied for an unclosed bracket: the scanner
        # has reported both already.
        return None, None
    expected = set(expected_terms) - {"ERROR"}
    found = _found(tok, text)
    prev = tokens[i - 1] if i > 0 else None
    span = Span(tok.start, tok.end)
    if tok.type == "COMMA" and tok.inserted:
        span = Span(tok.start, tok.start)
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if (
        "COMMA" in expected
        and prev is not None
        and prev.end.line == tok.start.line
        and tok.type in ("IDENT", "STRING", "NULL", "TRUE", "FALSE")
        and nxt is not None
        and nxt.type in ("COLON", "QMARK")
    ):
        # `a: 1 b: 2`: a new field starts on the same line.
        return SyntaxIssue("CUE001", f"missing ',' before {found}", span), "COMMA"
    # `ref "alpine"`: a label without its colon.
    if (
        prev is not None
        and prev.type in ("IDENT", "STRING")
        and "COLON" in expected
        and (i < 2 or tokens[i - 2].type in ("COMMA", "LBRACE", "COLON"))
    ):
        label = prev.value if prev.type == "IDENT" else prev.value[0]
        issue = SyntaxIssue("CUE001", f"expected ':' or ',' after label \"{label}\", found {found}", span)
        same_line = prev.end.line == tok.start.line
        return issue, ("COLON" if same_line and tok.type in _OPERAND_START | {"LBRACK", "LPAREN"} else None)
    if (
        "COMMA" in expected
        and prev is not None
        and tok.type in _DECL_START
        and prev.end.line == tok.start.line
        and not (tok.type == "COMMA")
    ):
        return SyntaxIssue("CUE001", f"missing ',' before {found}", span), "COMMA"
    names: list[str] = []
    if {"FOR", "IF", "LET"} <= expected and not expected & _OPERAND_START:
        # Between a comprehension's clauses and its body.
        return SyntaxIssue("CUE001", f"expected '{{' or another for, if or let clause, found {found}", span), None
    if expected & (_OPERAND_START - {"LBRACE"}):
        names.append("expression")
    for name in _EXPECT_ORDER:
        if name in expected and len(names) < 4:
            if "expression" in names and name in ("IDENT", "STRING", "LBRACE"):
                continue
            names.append(_TOKEN_TEXT.get(name, name))
    if not names:
        names = sorted(_TOKEN_TEXT.get(e, e.lower()) for e in expected)[:4]
    return SyntaxIssue("CUE001", f"expected {_join_or(names)}, found {found}", span), None


def _join_or(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


def _found(tok, text: str) -> str:
    if tok.type == "$END":
        return "end of file"
    if tok.type == "COMMA" and tok.inserted:
        return "newline"
    if getattr(tok, "inserted", False):
        return "end of file"
    src = text[tok.start.offset : tok.end.offset]
    if len(src) > 40:
        src = src[:37] + "..."
    if "\n" in src:
        src = src.split("\n", 1)[0] + "..."
    return f"'{src}'"


# ---------------------------------------------------------------------------
# Building the AST


def _start_of(x) -> Position:
    return x.start if isinstance(x, Tok) else x.span.start


def _end_of(x) -> Position:
    return x.end if isinstance(x, Tok) else x.span.end


def _span(first, last) -> Span:
    return Span(_start_of(first), _end_of(last))


class _Builder:
    """Reduction callbacks that build :mod:`~plancheck.grammar.ast` nodes."""

    def __init__(self, text: str, path: str, lexed: LexResult) -> None:
        self.text = text
        self.path = path
        self.issues: list[SyntaxIssue] = []
        self.comments = lexed.comments
        self._doc_lines = {c.span.start.line: c for c in lexed.comments if c.own_line}

    def issue(self, message: str, span: Span, code: str = "CUE001") -> None:
        self.issues.append(SyntaxIssue(code, message, span))

    # -- file -------------------------------------------------------------
    def start(self, c):
        return c[0]

    def decl_list(self, c):
        return [x for x in c if not isinstance(x, Tok)]

    def make_file(self, decls: list, end: Position) -> ast.File:
        attributes: list[ast.Attribute] = []
        package = None
        imports: list[ast.ImportDecl] = []
        body: list = []
        leading_attrs: list[ast.AttributeDecl] = []
        seen_other = False
        for d in decls:
            if isinstance(d, ast.PackageClause):
                if package is not None:
                    self.issue("a file can have only one package clause", d.span)
                elif imports or seen_other:
                    self.issue("the package clause must come before imports and declarations", d.span)
                else:
                    package = d
                    attributes.extend(a.attribute for a in leading_attrs)
                    leading_attrs = []
            elif isinstance(d, ast.ImportDecl):
                if seen_other:
                    self.issue("imports must come before other declarations", d.span)
                imports.append(d)
            elif isinstance(d, ast.AttributeDecl) and not seen_other and package is None and not imports:
                leading_attrs.append(d)
            else:
                if leading_attrs:
                    body.extend(leading_attrs)
                    leading_attrs = []
                seen_other = True
                body.append(d)
        body = leading_attrs + body if leading_attrs else body
        comments = tuple(ast.Comment(c.span, c.text, c.own_line) for c in self.comments)
        start = Position(1, 1, 0, 0)
        return ast.File(Span(start, end), self.path, tuple(attributes), package, tuple(imports), tuple(body), comments)

    def package_clause(self, c):
        name = c[1]
        return ast.PackageClause(_span(c[0], name), ast.Ident(name.span, name.value))

    def import_decl(self, c):
        specs = tuple(x for x in c if isinstance(x, ast.ImportSpec))
        grouped = len(c) > 1 and isinstance(c[1], Tok) and c[1].type == "LPAREN"
        return ast.ImportDecl(_span(c[0], c[-1]), specs, grouped)

    def import_spec(self, c):
        if c[0].type == "ERROR":
            return c[0]  # skipped; the error is already reported
        alias = None
        if len(c) == 2:
            alias = ast.Ident(c[0].span, c[0].value)
        s = c[-1]
        value, info = s.value
        if info.kind != "simple" or info.hashes or info.quote != '"':
            self.issue("import path must be a simple double-quoted string", s.span)
        if not value:
            self.issue("empty import path", s.span)
        return ast.ImportSpec(_span(c[0], s), alias, value, s.span)

    def attribute_decl(self, c):
        attr = _attribute(c[0])
        return ast.AttributeDecl(attr.span, attr)

    # -- fields -----------------------------------------------------------
    def field(self, c):
        labels = [x for x in c if isinstance(x, ast.Label)]
        attrs = tuple(_attribute(x) for x in c if isinstance(x, Tok) and x.type == "ATTRIBUTE")
        value_index = max(i for i, x in enumerate(c) if not (isinstance(x, Tok) and x.type == "ATTRIBUTE"))
        value = c[value_index]
        end = _end_of(c[-1])
        node = ast.Field(Span(labels[-1].span.start, end), labels[-1], value, attrs)
        for label in reversed(labels[:-1]):
            inner = ast.StructLit(node.span, (node,), implicit=True)
            node = ast.Field(Span(label.span.start, end), label, inner)
        doc = self._doc_for(node.span.start)
        if doc is not None:
            node = ast.Field(node.span, node.label, node.value, node.attributes, doc)
        return node

    def _doc_for(self, start: Position) -> str | None:
        line = start.line - 1
        if line not in self._doc_lines:
            return None
        # Only a field that starts its line gets the comment above it.
        line_start = start.offset - (start.column - 1)
        if self.text[line_start : start.offset].strip(" \t") != "":
            return None
        lines = []
        while line in self._doc_lines:
            lines.append(self._doc_lines[line].text)
            line -= 1
        lines.reverse()
        return "\n".join(_strip_comment(t) for t in lines)

    def label(self, c):
        lab: ast.Label = c[-1]
        if len(c) == 3:
            alias = ast.Ident(c[0].span, c[0].value)
            return ast.Label(Span(c[0].start, lab.span.end), lab.kind, lab.name, lab.optional, alias, lab.expr)
        return lab

    def label_expr(self, c):
        lab: ast.Label = c[0]
        if len(c) == 2:
            return ast.Label(Span(lab.span.start, c[1].end), lab.kind, lab.name, True, lab.alias, lab.expr)
        return lab

    def label_name(self, c):
        x = c[0]
        if isinstance(x, ast.Interpolation):
            return ast.Label(x.span, LabelKind.INTERPOLATED, None, expr=x)
        if len(c) == 3:  # (expr)
            span = _span(c[0], c[2])
            self.issue("labels of the form (expr) are outside the supported subset", span, "CUE006")
            return ast.Label(span, LabelKind.EXPRESSION, None, expr=c[1])
        t: Tok = x
        if t.type == "IDENT":
            return ast.Label(t.span, ast.ident_kind(t.value), t.value)
        if t.type == "STRING":
            value, info = t.value
            return ast.Label(t.span, LabelKind.STRING, value if isinstance(value, str) else value.decode("utf-8", "replace"))
        return ast.Label(t.span, LabelKind.KEYWORD, t.value)

    def pattern_label(self, c):
        lst: ast.ListLit = c[0]  # a `?` after it (c[1]) changes nothing in v0.4
        elems = lst.elements
        if len(elems) != 1 or isinstance(elems[0], (ast.Ellipsis, ast.Comprehension)):
            self.issue("a pattern label [expr] must hold exactly one expression", lst.span)
            return ast.Label(lst.span, LabelKind.PATTERN, None, expr=ast.BadExpr(lst.span))
        e = elems[0]
        if isinstance(e, ast.Alias):
            return ast.Label(lst.span, LabelKind.PATTERN, None, alias=e.name, expr=e.expr)
        return ast.Label(lst.span, LabelKind.PATTERN, None, expr=e)

    def embedding(self, c):
        e = c[0]
        if isinstance(e, ast.BadExpr):
            return ast.BadDecl(e.span)
        return ast.Embedding(e.span, e)

    def alias_decl(self, c):
        span = _span(c[0], c[-1])
        self.issue("the alias declaration 'X = expr' is outside the supported subset; use 'let X = expr'", span, "CUE006")
        return ast.AliasDecl(span, ast.Ident(c[0].span, c[0].value), c[2])

    def ellipsis(self, c):
        return ast.Ellipsis(_span(c[0], c[-1]), c[1] if len(c) > 1 else None)

    def alias_expr(self, c):
        return ast.Alias(_span(c[0], c[2]), ast.Ident(c[0].span, c[0].value), c[2])

    # -- comprehensions ---------------------------------------------------
    def comprehension(self, c):
        clauses = tuple(x for x in c[:-1] if not isinstance(x, Tok))
        return ast.Comprehension(_span(c[0], c[-1]), clauses, c[-1])

    def for_clause(self, c):
        idents = [x for x in c if isinstance(x, Tok) and x.type == "IDENT"]
        source = c[-1]
        if len(idents) == 2:
            key = ast.Ident(idents[0].span, idents[0].value)
            value = ast.Ident(idents[1].span, idents[1].value)
        else:
            key = None
            value = ast.Ident(idents[0].span, idents[0].value)
        return ast.ForClause(_span(c[0], source), key, value, source)

    def if_clause(self, c):
        return ast.IfClause(_span(c[0], c[1]), c[1])

    def let_clause(self, c):
        return ast.LetClause(_span(c[0], c[3]), ast.Ident(c[1].span, c[1].value), c[3])

    # -- expressions ------------------------------------------------------
    def disjunction(self, c):
        terms = tuple(c[::2])
        return ast.Disjunction(_span(c[0], c[-1]), terms)

    def unification(self, c):
        terms = tuple(c[::2])
        return ast.Unification(_span(c[0], c[-1]), terms)

    def _binary(self, c):
        left = c[0]
        for k in range(1, len(c), 2):
            op: Tok = c[k]
            right = c[k + 1]
            left = ast.Binary(Span(_start_of(left), _end_of(right)), op.value, left, right, op.span)
        return left

    logical_or = logical_and = comparison = additive = multiplicative = _binary

    def unary_expr(self, c):
        return ast.Unary(_span(c[0], c[1]), c[0].value, c[1])

    def selector(self, c):
        name: Tok = c[2]
        if name.type == "STRING":
            value, info = name.value
            if info.kind != "simple" or info.hashes or info.quote != '"':
                self.issue("a selector must be an identifier or a simple double-quoted string", name.span)
            return ast.Selector(_span(c[0], name), c[0], value if isinstance(value, str) else "", name.span, True)
        return ast.Selector(_span(c[0], name), c[0], name.value, name.span)

    def selector_name(self, c):
        return c[0]

    def index(self, c):
        return ast.Index(_span(c[0], c[3]), c[0], c[2])

    def slice(self, c):
        colon = next(k for k, x in enumerate(c) if isinstance(x, Tok) and x.type == "COLON")
        low = c[2] if colon == 3 else None
        high = c[colon + 1] if not (isinstance(c[colon + 1], Tok) and c[colon + 1].type == "RBRACK") else None
        span = _span(c[0], c[-1])
        self.issue("slice expressions are outside the supported subset", span, "CUE006")
        return ast.Slice(span, c[0], low, high)

    def call(self, c):
        args = tuple(x for x in c[2:-1] if not isinstance(x, Tok))
        return ast.Call(_span(c[0], c[-1]), c[0], args)

    def reference(self, c):
        t: Tok = c[0]
        if t.value == "_":
            return ast.Top(t.span)
        return ast.Ident(t.span, t.value)

    def paren(self, c):
        return ast.Paren(_span(c[0], c[2]), c[1])

    def bad_expr(self, c):
        return ast.BadExpr(c[0].span)

    def literal(self, c):
        t: Tok = c[0]
        type_ = t.type
        span = t.span
        if type_ == "STRING":
            value, info = t.value
            return ast.String(span, value, info.kind == "multiline", info.hashes, info.quote == "'")
        if type_ == "INT":
            return ast.Int(span, t.value, self.text[span.start.offset : span.end.offset])
        if type_ == "FLOAT":
            return ast.Float(span, t.value, self.text[span.start.offset : span.end.offset])
        if type_ == "NULL":
            return ast.Null(span)
        if type_ == "TRUE":
            return ast.Bool(span, True)
        if type_ == "FALSE":
            return ast.Bool(span, False)
        return ast.Bottom(span)

    def interpolation(self, c):
        first_part, info = c[0].value
        parts: list = [ast.StringPart(first_part.span, first_part.text)]
        for x in c[1:]:
            if isinstance(x, Tok):
                part: StrPart = x.value
                parts.append(ast.StringPart(part.span, part.text))
            else:
                parts.append(x)
        return ast.Interpolation(_span(c[0], c[-1]), tuple(parts), info.kind == "multiline", info.hashes, info.quote == "'")

    def struct_lit(self, c):
        return ast.StructLit(_span(c[0], c[2]), tuple(c[1]))

    def list_lit(self, c):
        elems = tuple(x for x in c if not isinstance(x, Tok))
        for e in elems[:-1]:
            if isinstance(e, ast.Ellipsis):
                self.issue("'...' must be the last element of a list", e.span)
        return ast.ListLit(_span(c[0], c[-1]), elems)


def _attribute(t: Tok) -> ast.Attribute:
    v: AttrValue = t.value
    return ast.Attribute(t.span, v.name, v.body)


def _strip_comment(text: str) -> str:
    body = text[2:]
    return body[1:] if body.startswith(" ") else body
