"""``format_text``: CUE text printed exactly the way ``cue fmt`` (CUE v0.4) prints it.

``cue fmt`` is not a pretty-printer over an abstract tree: its printer replays the
source's own layout. Every token position carries the whitespace that preceded it
in the source (none, a blank, a newline, or a blank line), the printer combines
that with the spacing each construct asks for (a ``vtab`` before a field value, a
``formfeed`` after a multi-line struct, ``nooverride`` where the source must not
win), and Go's ``text/tabwriter`` turns the ``vtab`` cells into aligned columns.
Comments are attached to nodes by the parser, with a position index inside the
node, and printed when the printer reaches that index.

Matching its output therefore needs the same three pieces, so this module has its
own small pipeline, independent of :mod:`plancheck.grammar.parser` (whose AST
keeps neither the relative positions nor CUE's comment attachment):

1. ``_Scanner`` tokenizes like CUE's scanner, including automatic commas and the
   relative position of each token;
2. ``_Parser`` is a recursive-descent parser with CUE v0.4's productions and its
   comment bookkeeping (open comment states, lists, lead and line comments);
3. ``_Printer`` walks that tree issuing the same whitespace directives as
   ``cue/format``, and ``_tabwrite`` aligns the cells like ``text/tabwriter``
   (``StripEscape | TabIndent | DiscardEmptyColumns``, padding 1, spaces).

``cue fmt`` also applies the legacy rewrites of ``tools/fix`` first; the one that
matters for the supported subset turns ``X = expr`` declarations into ``let``.

The reference is ``cue fmt`` of CUE v0.4.0-beta.1; ``tests/grammar/test_format.py``
compares the two on every shipped plan and on deliberately mangled inputs.
"""

from __future__ import annotations

import bisect
import re
from typing import Any, Iterator

from plancheck.grammar import parse

__all__ = ["format_text"]


def format_text(text: str, *, check_syntax: bool = True) -> str | None:
    """``text`` formatted as ``cue fmt`` formats it; None if it does not parse.

    A text the supported grammar accepts but CUE v0.4 itself rejects (so that
    ``cue fmt`` would fail) also gives None. ``check_syntax=False`` skips the
    supported grammar's own parse, for a caller that already knows it succeeds.
    """
    if check_syntax and not parse(text).ok:
        return None
    try:
        tree = _Parser(text).parse_file()
        _fix_aliases(tree)
        return _Printer().format_file(tree)
    except (_SyntaxError, RecursionError):
        return None


class _SyntaxError(Exception):
    """The text is not CUE v0.4 (``cue fmt`` would refuse it)."""


# ---------------------------------------------------------------------------
# Positions

# Relative positions: the whitespace the scanner saw before a token.
NO_REL, ELIDED, NO_SPACE, BLANK_REL, NEWLINE_REL, NEW_SECTION = range(6)


class Pos:
    """A token position: offset, line and the whitespace that preceded it."""

    __slots__ = ("offset", "line", "rel")

    def __init__(self, offset: int, line: int, rel: int) -> None:
        self.offset = offset
        self.line = line
        self.rel = rel

    @property
    def valid(self) -> bool:
        return self.offset >= 0

    @property
    def has_rel(self) -> bool:
        return self.rel != NO_REL

    @property
    def is_newline(self) -> bool:
        return self.rel >= NEWLINE_REL

    def with_rel(self, rel: int) -> "Pos":
        return Pos(self.offset, self.line, rel)

    def add(self, n: int) -> "Pos":
        return Pos(self.offset + n, self.line, self.rel) if self.valid else self


NO_POS = Pos(-1, 0, NO_REL)


def _inc8(n: int) -> int:
    """n + 1 with Go int8 wrap-around (comment positions are int8 in CUE)."""
    return -128 if n == 127 else n + 1


# ---------------------------------------------------------------------------
# Scanner

_KEYWORDS = frozenset({"if", "for", "in", "let", "true", "false", "null"})
_OPERATORS = frozenset((
    "...", "&&", "||", "==", "!=", "<=", ">=", "=~", "!~", "<-", "::",
    "+", "-", "*", "/", "&", "|", "=", "<", ">", "!", "(", ")", "[", "]",
    "{", "}", ",", ".", ":", "?", ";", "^",
))  # fmt: skip
_INSERT_AFTER_PUNCT = frozenset({")", "]", "}", "?", "...", ";"})
_IDENT = re.compile(r"(?:_?#)?[^\W\d][\w$]*|(?:_?#)?\$[\w$]*|_\w*", re.UNICODE)
_NUMBER = re.compile(
    r"0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+"
    r"|(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]+)?(?:[KMGTP]i?)?"
)


class _Scanner:
    """CUE v0.4's scanner, for text already known to be valid."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.n = len(src)
        self.off = 0
        self.insert_eol = False
        self.lines = 0
        self.spaces = 0
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", src)]
        # Open interpolations: (quote char, number of quote chars, hashes).
        self._interp: list[tuple[str, int, int]] = []
        self._lparen_at: int | None = None

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)

    def pos(self, offset: int, rel: int) -> Pos:
        return Pos(offset, self.line_of(offset), rel)

    def _skip_whitespace(self) -> None:
        src, n = self.src, self.n
        while self.off < n:
            c = src[self.off]
            if c == " " or c == "\t":
                self.spaces += 1
            elif c == "\n":
                self.lines += 1
                if self.insert_eol:
                    return
            elif c != "\r":
                return
            self.off += 1

    def scan(self) -> tuple[Pos, str, str]:
        if self._lparen_at is not None:
            # The '(' of an interpolation is part of the string token and is
            # also returned as a token of its own, as CUE's scanner does.
            at = self._lparen_at
            self._lparen_at = None
            self.insert_eol = False
            self.lines = self.spaces = 0
            return self.pos(at, NO_SPACE), "(", ""
        self._skip_whitespace()
        if self.lines > 1:
            rel = NEW_SECTION
        elif self.lines == 1:
            rel = NEWLINE_REL
        elif self.spaces > 0:
            rel = BLANK_REL
        else:
            rel = NO_SPACE
        src = self.src
        start = self.off
        if start >= self.n:
            if self.insert_eol:
                self.insert_eol = False
                return self.pos(start, ELIDED), ",", "\n"
            return self.pos(start, rel), "EOF", ""
        ch = src[start]
        insert = False
        tok: str
        lit = ""
        if ch == "\n":
            # Only reached when a comma is to be inserted.
            self.off += 1
            self.insert_eol = False
            p = self.pos(start, ELIDED)
            self._skip_whitespace()
            if self.off < self.n and src[self.off] in ",:":
                return self.scan()
            return p, ",", "\n"
        if ch.isdigit() or (ch == "." and start + 1 < self.n and src[start + 1].isdigit()):
            m = _NUMBER.match(src, start)
            if not m or m.end() == start:
                raise _SyntaxError("bad number")
            lit = m.group()
            self.off = m.end()
            if self.off < self.n and (src[self.off].isalnum() or src[self.off] == "_"):
                raise _SyntaxError("bad number")
            plain = lit.lower()
            is_float = (
                not plain.startswith(("0x", "0o", "0b"))
                and ("." in plain or "e" in plain)
                and not lit[-1] in "KMGTPi"
            )
            tok = "FLOAT" if is_float else "INT"
            insert = True
        elif src.startswith("_|_", start):
            self.off = start + 3
            tok, lit = "BOTTOM", "_|_"
            insert = True
        elif ch == "#" and start + 1 < self.n and src[start + 1] in "#\"'":
            tok, lit = self._scan_string(start)
            insert = True
        elif ch.isalpha() or ch in "_$#":
            m = _IDENT.match(src, start)
            if not m:
                raise _SyntaxError("bad identifier")
            lit = m.group()
            self.off = m.end()
            tok = lit if lit in _KEYWORDS else "IDENT"
            insert = True
        elif ch == '"' or ch == "'":
            tok, lit = self._scan_string(start)
            insert = True
        elif ch == "@":
            tok, lit = "ATTRIBUTE", self._scan_attribute(start)
            insert = True
        elif ch == "/" and src.startswith("//", start):
            if self.insert_eol:
                self.insert_eol = False
                return self.pos(start, ELIDED), ",", "\n"
            end = src.find("\n", start)
            if end < 0:
                end = self.n
            self.off = end
            tok, lit = "COMMENT", src[start:end].rstrip("\r")
        else:
            if src[start : start + 3] in _OPERATORS:
                op = src[start : start + 3]
            elif src[start : start + 2] in _OPERATORS:
                op = src[start : start + 2]
            elif ch in _OPERATORS:
                op = ch
            else:
                raise _SyntaxError(f"illegal character {ch!r}")
            self.off = start + len(op)
            tok = op
            lit = "," if op == "," else ""
            insert = op in _INSERT_AFTER_PUNCT
        self.insert_eol = insert
        self.lines = self.spaces = 0
        return self.pos(start, rel), tok, lit

    def _scan_string(self, start: int) -> tuple[str, str]:
        src = self.src
        i = start
        hashes = 0
        while i < self.n and src[i] == "#":
            hashes += 1
            i += 1
        q = src[i]
        if src.startswith(q * 3, i):
            num = 3
            i += 3
            if not src.startswith("\n", i) and not src.startswith("\r\n", i):
                raise _SyntaxError("expected newline after multiline quote")
        else:
            num = 1
            i += 1
        return self._scan_string_body(start, i, q, num, hashes)

    def _scan_string_body(self, start: int, i: int, q: str, num: int, hashes: int) -> tuple[str, str]:
        src, n = self.src, self.n
        close = q * num + "#" * hashes
        escape = "\\" + "#" * hashes
        while True:
            if i >= n:
                raise _SyntaxError("string literal not terminated")
            c = src[i]
            if c == "\n" and num == 1:
                raise _SyntaxError("string literal not terminated")
            if src.startswith(close, i):
                self.off = i + len(close)
                return "STRING", src[start : self.off]
            if src.startswith(escape, i):
                j = i + len(escape)
                if j < n and src[j] == "(":
                    self.off = j + 1
                    self._interp.append((q, num, hashes))
                    self._lparen_at = j
                    return "INTERPOLATION", src[start : self.off]
                i = j + 1
                continue
            i += 1

    def resume_interpolation(self) -> str:
        """The next piece of an interpolated string, from its ')'."""
        q, num, hashes = self._interp.pop()
        start = self.off - 1
        _, lit = self._scan_string_body(start, self.off, q, num, hashes)
        self.insert_eol = True
        return lit

    def _scan_attribute(self, start: int) -> str:
        src, n = self.src, self.n
        m = re.compile(r"@[^\W\d][\w$]*|@\$[\w$]*").match(src, start)
        if not m or m.end() >= n or src[m.end()] != "(":
            raise _SyntaxError("invalid attribute")
        i = m.end() + 1
        depth = 1
        while i < n and depth:
            c = src[i]
            if c == "\n":
                raise _SyntaxError("attribute not terminated")
            if c in "\"'":
                j = i + 1
                while j < n and src[j] != c:
                    if src[j] == "\n":
                        raise _SyntaxError("string not terminated")
                    j += 2 if src[j] == "\\" else 1
                i = j + 1
                continue
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            i += 1
        if depth:
            raise _SyntaxError("attribute not terminated")
        self.off = i
        return src[start:i]


# ---------------------------------------------------------------------------
# Syntax tree (the shape of CUE's cue/ast, as far as the printer needs it)


class _Node:
    __slots__ = ("comments",)

    def __init__(self) -> None:
        self.comments: list[_CommentGroup] = []

    def add_comment(self, cg: "_CommentGroup | None") -> None:
        if cg is None:
            return
        groups = self.comments
        groups.append(cg)
        i = len(groups) - 2
        while i >= 0 and groups[i].position > cg.position:
            groups[i], groups[i + 1] = groups[i + 1], groups[i]
            i -= 1

    def pos(self) -> Pos:
        raise NotImplementedError

    def end(self) -> Pos:
        raise NotImplementedError


class _Comment:
    __slots__ = ("slash", "text")

    def __init__(self, slash: Pos, text: str) -> None:
        self.slash = slash
        self.text = text


class _CommentGroup(_Node):
    __slots__ = ("doc", "line", "position", "list")

    def __init__(self, comments: list[_Comment]) -> None:
        super().__init__()
        self.doc = False
        self.line = False
        self.position = 0
        self.list = comments

    def pos(self) -> Pos:
        return self.list[0].slash


class _Ident(_Node):
    __slots__ = ("name_pos", "name")

    def __init__(self, name_pos: Pos, name: str) -> None:
        super().__init__()
        self.name_pos = name_pos
        self.name = name

    def pos(self) -> Pos:
        return self.name_pos

    def end(self) -> Pos:
        return self.name_pos.add(len(self.name))


class _BasicLit(_Node):
    __slots__ = ("value_pos", "kind", "value")

    def __init__(self, value_pos: Pos, kind: str, value: str) -> None:
        super().__init__()
        self.value_pos = value_pos
        self.kind = kind
        self.value = value

    def pos(self) -> Pos:
        return self.value_pos

    def end(self) -> Pos:
        return self.value_pos.add(len(self.value))


class _BottomLit(_Node):
    __slots__ = ("bottom",)

    def __init__(self, bottom: Pos) -> None:
        super().__init__()
        self.bottom = bottom

    def pos(self) -> Pos:
        return self.bottom

    def end(self) -> Pos:
        return self.bottom.add(1)


class _Interpolation(_Node):
    __slots__ = ("elts",)

    def __init__(self, elts: list[_Node]) -> None:
        super().__init__()
        self.elts = elts

    def pos(self) -> Pos:
        return self.elts[0].pos()

    def end(self) -> Pos:
        return self.elts[-1].pos()


class _StructLit(_Node):
    __slots__ = ("lbrace", "elts", "rbrace")

    def __init__(self, lbrace: Pos, elts: list[_Node], rbrace: Pos) -> None:
        super().__init__()
        self.lbrace = lbrace
        self.elts = elts
        self.rbrace = rbrace

    def pos(self) -> Pos:
        if not self.lbrace.valid and self.elts:
            return self.elts[0].pos()
        return self.lbrace

    def end(self) -> Pos:
        if not self.rbrace.valid and self.elts:
            return self.elts[-1].pos()
        return self.rbrace.add(1)


class _ListLit(_Node):
    __slots__ = ("lbrack", "elts", "rbrack")

    def __init__(self, lbrack: Pos, elts: list[_Node], rbrack: Pos) -> None:
        super().__init__()
        self.lbrack = lbrack
        self.elts = elts
        self.rbrack = rbrack

    def pos(self) -> Pos:
        return self.lbrack

    def end(self) -> Pos:
        return self.rbrack.add(1)


class _Ellipsis(_Node):
    __slots__ = ("ellipsis", "type")

    def __init__(self, ellipsis: Pos, type_: _Node | None = None) -> None:
        super().__init__()
        self.ellipsis = ellipsis
        self.type = type_

    def pos(self) -> Pos:
        return self.ellipsis

    def end(self) -> Pos:
        return self.type.end() if self.type is not None else self.ellipsis.add(3)


class _ParenExpr(_Node):
    __slots__ = ("lparen", "x", "rparen")

    def __init__(self, lparen: Pos, x: _Node, rparen: Pos) -> None:
        super().__init__()
        self.lparen = lparen
        self.x = x
        self.rparen = rparen

    def pos(self) -> Pos:
        return self.lparen

    def end(self) -> Pos:
        return self.rparen.add(1)


class _SelectorExpr(_Node):
    __slots__ = ("x", "sel")

    def __init__(self, x: _Node, sel: _Node) -> None:
        super().__init__()
        self.x = x
        self.sel = sel

    def pos(self) -> Pos:
        return self.x.pos()

    def end(self) -> Pos:
        return self.sel.end()


class _IndexExpr(_Node):
    __slots__ = ("x", "lbrack", "index", "rbrack")

    def __init__(self, x: _Node, lbrack: Pos, index: _Node, rbrack: Pos) -> None:
        super().__init__()
        self.x = x
        self.lbrack = lbrack
        self.index = index
        self.rbrack = rbrack

    def pos(self) -> Pos:
        return self.x.pos()

    def end(self) -> Pos:
        return self.rbrack.add(1)


class _SliceExpr(_Node):
    __slots__ = ("x", "lbrack", "low", "high", "rbrack")

    def __init__(self, x: _Node, lbrack: Pos, low: _Node | None, high: _Node | None, rbrack: Pos) -> None:
        super().__init__()
        self.x = x
        self.lbrack = lbrack
        self.low = low
        self.high = high
        self.rbrack = rbrack

    def pos(self) -> Pos:
        return self.x.pos()

    def end(self) -> Pos:
        return self.rbrack.add(1)


class _CallExpr(_Node):
    __slots__ = ("fun", "lparen", "args", "rparen")

    def __init__(self, fun: _Node, lparen: Pos, args: list[_Node], rparen: Pos) -> None:
        super().__init__()
        self.fun = fun
        self.lparen = lparen
        self.args = args
        self.rparen = rparen

    def pos(self) -> Pos:
        return self.fun.pos()

    def end(self) -> Pos:
        return self.rparen.add(1)


class _UnaryExpr(_Node):
    __slots__ = ("op_pos", "op", "x")

    def __init__(self, op_pos: Pos, op: str, x: _Node) -> None:
        super().__init__()
        self.op_pos = op_pos
        self.op = op
        self.x = x

    def pos(self) -> Pos:
        return self.op_pos

    def end(self) -> Pos:
        return self.x.end()


class _BinaryExpr(_Node):
    __slots__ = ("x", "op_pos", "op", "y")

    def __init__(self, x: _Node, op_pos: Pos, op: str, y: _Node) -> None:
        super().__init__()
        self.x = x
        self.op_pos = op_pos
        self.op = op
        self.y = y

    def pos(self) -> Pos:
        return self.x.pos()

    def end(self) -> Pos:
        return self.y.end()


class _Alias(_Node):
    __slots__ = ("ident", "equal", "expr")

    def __init__(self, ident: _Ident, equal: Pos, expr: _Node) -> None:
        super().__init__()
        self.ident = ident
        self.equal = equal
        self.expr = expr

    def pos(self) -> Pos:
        return self.ident.pos()

    def end(self) -> Pos:
        return self.expr.end()


class _Attribute(_Node):
    __slots__ = ("at", "text")

    def __init__(self, at: Pos, text: str) -> None:
        super().__init__()
        self.at = at
        self.text = text

    def pos(self) -> Pos:
        return self.at

    def end(self) -> Pos:
        return self.at.add(len(self.text))


class _Field(_Node):
    __slots__ = ("label", "optional", "token_pos", "value", "attrs")

    def __init__(self, label: _Node | None = None) -> None:
        super().__init__()
        self.label = label
        self.optional = NO_POS
        self.token_pos = NO_POS
        self.value: _Node | None = None
        self.attrs: list[_Attribute] = []

    def pos(self) -> Pos:
        return self.label.pos() if self.label is not None else NO_POS

    def end(self) -> Pos:
        if self.attrs:
            return self.attrs[-1].end()
        return self.value.end() if self.value is not None else NO_POS


class _Comprehension(_Node):
    __slots__ = ("clauses", "value")

    def __init__(self, clauses: list[_Node], value: _Node) -> None:
        super().__init__()
        self.clauses = clauses
        self.value = value

    def pos(self) -> Pos:
        return self.clauses[0].pos()

    def end(self) -> Pos:
        return self.value.end()


class _ForClause(_Node):
    __slots__ = ("for_pos", "key", "colon", "value", "in_pos", "source")

    def __init__(self, for_pos: Pos, key: _Ident | None, colon: Pos, value: _Ident, in_pos: Pos, source: _Node) -> None:
        super().__init__()
        self.for_pos = for_pos
        self.key = key
        self.colon = colon
        self.value = value
        self.in_pos = in_pos
        self.source = source

    def pos(self) -> Pos:
        return self.for_pos

    def end(self) -> Pos:
        return self.source.end()


class _IfClause(_Node):
    __slots__ = ("if_pos", "condition")

    def __init__(self, if_pos: Pos, condition: _Node) -> None:
        super().__init__()
        self.if_pos = if_pos
        self.condition = condition

    def pos(self) -> Pos:
        return self.if_pos

    def end(self) -> Pos:
        return self.condition.end()


class _LetClause(_Node):
    __slots__ = ("let", "ident", "equal", "expr")

    def __init__(self, let: Pos, ident: _Ident, equal: Pos, expr: _Node) -> None:
        super().__init__()
        self.let = let
        self.ident = ident
        self.equal = equal
        self.expr = expr

    def pos(self) -> Pos:
        return self.let

    def end(self) -> Pos:
        return self.expr.end()


class _EmbedDecl(_Node):
    __slots__ = ("expr",)

    def __init__(self, expr: _Node) -> None:
        super().__init__()
        self.expr = expr

    def pos(self) -> Pos:
        return self.expr.pos()

    def end(self) -> Pos:
        return self.expr.end()


class _ImportSpec(_Node):
    __slots__ = ("name", "path")

    def __init__(self, name: _Ident | None, path: _BasicLit) -> None:
        super().__init__()
        self.name = name
        self.path = path

    def pos(self) -> Pos:
        return self.name.pos() if self.name is not None else self.path.pos()

    def end(self) -> Pos:
        return self.path.end()


class _ImportDecl(_Node):
    __slots__ = ("import_pos", "lparen", "specs", "rparen")

    def __init__(self, import_pos: Pos, lparen: Pos, specs: list[_ImportSpec], rparen: Pos) -> None:
        super().__init__()
        self.import_pos = import_pos
        self.lparen = lparen
        self.specs = specs
        self.rparen = rparen

    def pos(self) -> Pos:
        return self.import_pos

    def end(self) -> Pos:
        return self.rparen.add(1) if self.rparen.valid else self.specs[0].end()


class _Package(_Node):
    __slots__ = ("package_pos", "name")

    def __init__(self, package_pos: Pos, name: _Ident) -> None:
        super().__init__()
        self.package_pos = package_pos
        self.name = name

    def pos(self) -> Pos:
        return self.package_pos

    def end(self) -> Pos:
        return self.name.end()


class _File(_Node):
    __slots__ = ("decls",)

    def __init__(self, decls: list[_Node]) -> None:
        super().__init__()
        self.decls = decls

    def pos(self) -> Pos:
        return self.decls[0].pos() if self.decls else NO_POS

    def end(self) -> Pos:
        return self.decls[-1].end() if self.decls else NO_POS


_LABEL_TYPES = (_Ident, _BasicLit, _Interpolation, _ListLit, _ParenExpr, _Alias)
_EMBED_START = frozenset({"IDENT", "[", "(", "STRING", "INTERPOLATION", "null", "true", "false", "for", "if", "let", "in"})


# ---------------------------------------------------------------------------
# Parser, with CUE's comment attachment


class _CommentState:
    __slots__ = ("parent", "pos", "groups", "is_list", "last_child", "last_pos")

    def __init__(self, parent: "_CommentState | None", pos: int = 0) -> None:
        self.parent = parent
        self.pos = pos
        self.groups: list[_CommentGroup] = []
        self.is_list = 0
        self.last_child: _Node | None = None
        self.last_pos = 0

    def add(self, cg: _CommentGroup) -> None:
        cg.position = self.pos
        self.groups.append(cg)

    def close_node(self, p: "_Parser", n: _Node | None) -> _Node | None:
        if p.comments is not self:
            raise _SyntaxError("unmatched comments")
        p.comments = self.parent
        if self.parent is not None:
            self.parent.last_child = n
            self.parent.last_pos = self.pos
            self.parent.pos = _inc8(self.parent.pos)
        if n is not None:
            for cg in self.groups:
                n.add_comment(cg)
        self.groups = []
        return n


_UNARY_OPS = frozenset({"+", "-", "!", "*", "<", "<=", ">=", ">", "!=", "=~", "!~"})
_PRECEDENCE = {
    "|": 1, "&": 2, "||": 3, "&&": 4,
    "==": 5, "!=": 5, "<": 5, "<=": 5, ">": 5, ">=": 5, "=~": 5, "!~": 5,
    "+": 6, "-": 6, "*": 7, "/": 7,
}  # fmt: skip
_WORD_OPS = {"quo": 7, "rem": 7, "div": 7, "mod": 7}
_LOWEST_PREC, _UNARY_PREC, _HIGHEST_PREC = 0, 8, 9


class _Parser:
    def __init__(self, src: str) -> None:
        self.scanner = _Scanner(src)
        self.comments = _CommentState(None, -1)
        self.lead_comment: _CommentGroup | None = None
        self.pos = NO_POS
        self.tok = ""
        self.lit = ""
        self.next()

    # -- tokens and comments -------------------------------------------------
    def _next0(self) -> None:
        self.pos, self.tok, self.lit = self.scanner.scan()

    def _consume_comment_group(self, prev_line: int, n: int) -> tuple[_CommentGroup, int]:
        endline = self.pos.line
        diff = endline - prev_line
        rel = BLANK_REL if diff == 0 else NEWLINE_REL if diff == 1 else NEW_SECTION
        comments: list[_Comment] = []
        while self.tok == "COMMENT" and self.pos.line <= endline + n:
            comments.append(_Comment(self.pos, self.lit))
            endline = self.pos.line
            self._next0()
        cg = _CommentGroup(comments)
        comments[0].slash = comments[0].slash.with_rel(rel)
        return cg, endline

    def next(self) -> None:
        if self.lead_comment is not None:
            self.comments.add(self.lead_comment)
        self.lead_comment = None
        prev = self.pos
        self._next0()
        self.comments.pos = _inc8(self.comments.pos)
        if self.tok != "COMMENT":
            return
        comment: _CommentGroup | None = None
        current_line = self.pos.line
        prev_line = prev.line
        if prev_line == current_line:
            comment, endline = self._consume_comment_group(prev_line, 0)
            if self.pos.line != endline:
                comment.line = True
        endline = -1
        while self.tok == "COMMENT":
            if comment is not None:
                self.comments.add(comment)
            comment, endline = self._consume_comment_group(prev_line, 1)
            prev_line = current_line
            current_line = self.pos.line
        assert comment is not None
        if endline + 1 == self.pos.line and self.tok != "EOF":
            comment.doc = True
            self.lead_comment = comment
        else:
            self.comments.add(comment)

    def open_comments(self) -> _CommentState:
        child = _CommentState(self.comments)
        c = self.comments
        if c is not None and c.is_list > 0:
            if c.last_child is not None:
                groups = [cg for cg in c.groups if cg.position == 0]
                groups.extend(c.last_child.comments)
                for cg in c.groups:
                    if cg.position != 0:
                        cg.position = c.last_pos
                        groups.append(cg)
                c.last_child.comments = groups
                c.groups = []
            else:
                c.last_child = None
                for cg in c.groups:
                    cg.position = 0
                child.groups = c.groups
                c.groups = []
        if self.lead_comment is not None:
            child.groups.append(self.lead_comment)
            self.lead_comment = None
        self.comments = child
        return child

    def open_list(self) -> None:
        if self.comments.is_list > 0:
            self.comments.is_list += 1
            return
        c = _CommentState(self.comments)
        c.is_list = 1
        self.comments = c

    def close_list(self) -> None:
        c = self.comments
        if c.last_child is not None:
            for cg in c.groups:
                cg.position = c.last_pos
                c.last_child.add_comment(cg)
            c.groups = []
        c.is_list -= 1
        if c.is_list < 0:
            raise _SyntaxError("unmatched close list")
        if c.is_list == 0:
            parent = c.parent
            assert parent is not None
            parent.groups.extend(c.groups)
            parent.pos = _inc8(parent.pos)
            self.comments = parent

    # -- helpers -------------------------------------------------------------
    def error(self, message: str) -> None:
        raise _SyntaxError(f"{self.pos.line}: {message}")

    def expect(self, tok: str) -> Pos:
        pos = self.pos
        if self.tok != tok:
            self.error(f"expected {tok!r}, found {self.tok!r}")
        self.next()
        return pos

    def expect_closing(self, tok: str) -> Pos:
        if self.tok != tok and self.tok == "," and self.lit == "\n":
            self.error("missing ',' before newline")
        return self.expect(tok)

    def expect_comma(self) -> None:
        if self.tok not in (")", "}", "EOF"):
            if self.tok == ",":
                self.next()
            else:
                self.error("expected ','")

    def at_comma(self, *follow: str) -> bool:
        if self.tok == ",":
            return True
        if self.tok in follow:
            return False
        self.error("missing ','")
        return True

    def consume_decl_comma(self) -> None:
        if self.at_comma("}", "EOF"):
            self.next()

    # -- identifiers and operands --------------------------------------------
    def parse_ident(self) -> _Ident:
        c = self.open_comments()
        pos = self.pos
        if self.tok != "IDENT":
            self.error("expected identifier")
        name = self.lit
        self.next()
        ident = _Ident(pos, name)
        c.close_node(self, ident)
        return ident

    def parse_key_ident(self) -> _Ident:
        c = self.open_comments()
        pos, name = self.pos, self.tok
        self.next()
        ident = _Ident(pos, name)
        c.close_node(self, ident)
        return ident

    def parse_operand(self) -> _Node:
        tok = self.tok
        if tok == "IDENT":
            return self.parse_ident()
        if tok == "{":
            return self.parse_struct()
        if tok == "[":
            return self.parse_list()
        if tok == "BOTTOM":
            c = self.open_comments()
            x: _Node = _BottomLit(self.pos)
            self.next()
            c.close_node(self, x)
            return x
        if tok in ("null", "true", "false", "INT", "FLOAT", "STRING"):
            c = self.open_comments()
            x = _BasicLit(self.pos, tok, self.lit if tok in ("INT", "FLOAT", "STRING") else tok)
            self.next()
            c.close_node(self, x)
            return x
        if tok == "INTERPOLATION":
            return self.parse_interpolation()
        if tok == "(":
            c = self.open_comments()
            lparen = self.pos
            self.next()
            self.open_list()
            inner = self.parse_rhs()
            self.close_list()
            rparen = self.expect(")")
            x = _ParenExpr(lparen, inner, rparen)
            c.close_node(self, x)
            return x
        if tok in _KEYWORDS:
            return self.parse_key_ident()
        self.error("expected operand")
        raise AssertionError  # unreachable

    def parse_index_or_slice(self, x: _Node) -> _Node:
        c = self.open_comments()
        c.pos = 1
        lbrack = self.expect("[")
        index: list[_Node | None] = [None, None]
        if self.tok != ":":
            index[0] = self.parse_rhs()
        colons = 0
        while self.tok == ":" and colons < 1:
            colons += 1
            self.next()
            if self.tok not in (":", "]", "EOF"):
                index[colons] = self.parse_rhs()
        rbrack = self.expect("]")
        if colons:
            node: _Node = _SliceExpr(x, lbrack, index[0], index[1], rbrack)
        else:
            assert index[0] is not None
            node = _IndexExpr(x, lbrack, index[0], rbrack)
        c.close_node(self, node)
        return node

    def parse_call(self, fun: _Node) -> _Node:
        c = self.open_comments()
        self.open_list()
        lparen = self.expect("(")
        args: list[_Node] = []
        while self.tok not in (")", "EOF"):
            args.append(self.parse_rhs())
            if not self.at_comma(")"):
                break
            self.next()
        rparen = self.expect_closing(")")
        node = _CallExpr(fun, lparen, args, rparen)
        self.close_list()
        c.close_node(self, node)
        return node

    # -- declarations --------------------------------------------------------
    def parse_field_list(self) -> list[_Node]:
        self.open_list()
        decls: list[_Node] = []
        while self.tok not in ("}", "EOF"):
            if self.tok == "ATTRIBUTE":
                decls.append(self.parse_attribute())
                self.consume_decl_comma()
            elif self.tok == "...":
                c = self.open_comments()
                e = _Ellipsis(self.pos)
                self.next()
                c.close_node(self, e)
                decls.append(e)
                self.consume_decl_comma()
            else:
                decls.append(self.parse_field())
        self.close_list()
        return decls

    def parse_let_decl(self) -> tuple[_Node | None, _Ident | None]:
        c = self.open_comments()
        let_pos = self.expect("let")
        if self.tok != "IDENT":
            c.close_node(self, None)
            return None, _Ident(let_pos, "let")
        ident = self.parse_ident()
        equal = self.expect("=")
        expr = self.parse_rhs()
        self.consume_decl_comma()
        decl = _LetClause(let_pos, ident, equal, expr)
        c.close_node(self, decl)
        return decl, None

    def parse_comprehension(self) -> tuple[_Node | None, _Ident | None]:
        c = self.open_comments()
        tok, pos = self.tok, self.pos
        clauses, fc = self.parse_comprehension_clauses(True)
        if fc is not None:
            ident = _Ident(pos, tok)
            fc.close_node(self, ident)
            c.close_node(self, None)
            return None, ident
        sc = self.open_comments()
        body = self.parse_struct()
        sc.close_node(self, body)
        if self.at_comma("}"):
            self.next()
        assert clauses
        decl = _Comprehension(clauses, body)
        c.close_node(self, decl)
        return decl, None

    def parse_field(self) -> _Node:
        c = self.open_comments()
        decl = self._parse_field_body()
        c.close_node(self, decl)
        return decl

    def _parse_field_body(self) -> _Node:
        this = _Field()
        m = this
        first_tok = self.tok
        label, expr, decl, ok = self.parse_label(False)
        if decl is not None:
            return decl
        m.label = label
        if not ok:
            if expr is None:
                expr = self.parse_rhs()
            if isinstance(expr, _Alias):
                self.consume_decl_comma()
                return expr
            embed = _EmbedDecl(expr)
            self.consume_decl_comma()
            return embed
        if self.tok == "?":
            m.optional = self.pos
            self.next()
        if self.tok != ":":
            # A label alone is an embedded value (`a` or `"s"` on a line of its own).
            if self.tok in (",", "}", "EOF"):
                if self.tok == ",":
                    self.expect_comma()
                if isinstance(expr, _Alias):
                    return expr
                if expr is not None and first_tok in _EMBED_START:
                    return _EmbedDecl(expr)
            self.error("expected label or ':'")
        m.token_pos = self.pos
        self.next()
        while True:
            label, expr, _, ok = self.parse_label(True)
            if not ok or self.tok not in (":", "?"):
                if expr is None:
                    expr = self.parse_rhs()
                m.value = expr
                break
            field = _Field(label)
            m.value = _StructLit(NO_POS, [field], NO_POS)
            m = field
            if self.tok == "?":
                m.optional = self.pos
                self.next()
            m.token_pos = self.pos
            if self.tok != ":":
                self.error("expected ':'")
            self.next()
        attrs = self.parse_attributes()
        if attrs:
            m.attrs = attrs
        self.consume_decl_comma()
        return this

    def parse_attributes(self) -> list[_Attribute]:
        self.open_list()
        attrs = []
        while self.tok == "ATTRIBUTE":
            attrs.append(self.parse_attribute())
        self.close_list()
        return attrs

    def parse_attribute(self) -> _Attribute:
        c = self.open_comments()
        a = _Attribute(self.pos, self.lit)
        self.next()
        c.close_node(self, a)
        return a

    def parse_label(self, rhs: bool) -> tuple[_Node | None, _Node | None, _Node | None, bool]:
        tok = self.tok
        label: _Node | None = None
        expr: _Node | None = None
        ok = False
        if tok in ("for", "if"):
            if rhs:
                expr = self.parse_expr()
            else:
                comp, ident = self.parse_comprehension()
                if comp is not None:
                    return None, None, comp, False
                expr = ident
        elif tok == "let":
            let, ident = self.parse_let_decl()
            if let is not None:
                return None, None, let, False
            expr = ident
        elif tok in ("IDENT", "STRING", "INTERPOLATION", "(", "null", "true", "false", "in"):
            expr = self.parse_expr()
        elif tok == "[":
            expr = self.parse_rhs()
            if isinstance(expr, _ListLit):
                label, ok = expr, True
        if isinstance(expr, _BasicLit):
            if expr.kind in ("STRING", "null", "true", "false"):
                label, ok = expr, True
        elif isinstance(expr, _Ident):
            if expr.name.startswith("__"):
                self.error("identifiers starting with '__' are reserved")
            alias = self.parse_alias(expr)
            expr = alias
            if isinstance(alias, _Alias):
                if isinstance(alias.expr, _LABEL_TYPES):
                    label, ok = alias, True
            else:
                label, ok = alias, True
        elif isinstance(expr, _LABEL_TYPES):
            label, ok = expr, True
        return label, expr, None, ok

    def parse_struct(self) -> _Node:
        lbrace = self.expect("{")
        elts: list[_Node] = []
        if self.tok != "}":
            elts = self.parse_field_list()
        rbrace = self.expect_closing("}")
        return _StructLit(lbrace, elts, rbrace)

    def parse_comprehension_clauses(self, first: bool) -> tuple[list[_Node], _CommentState | None]:
        clauses: list[_Node] = []
        while True:
            if self.tok == "for":
                c = self.open_comments()
                for_pos = self.expect("for")
                if first and self.tok in (":", "::", "=", "?", ",", "EOF"):
                    return [], c
                value = self.parse_ident()
                key = None
                colon = NO_POS
                if self.tok == ",":
                    colon = self.expect(",")
                    key = value
                    value = self.parse_ident()
                c.pos = 4
                in_pos = self.expect("in")
                source = self.parse_rhs()
                clause: _Node = _ForClause(for_pos, key, colon, value, in_pos, source)
                c.close_node(self, clause)
            elif self.tok == "if":
                c = self.open_comments()
                if_pos = self.expect("if")
                if first and self.tok in (":", "::", "=", "?", ",", "EOF"):
                    return [], c
                clause = _IfClause(if_pos, self.parse_rhs())
                c.close_node(self, clause)
            elif self.tok == "let":
                c = self.open_comments()
                let_pos = self.expect("let")
                ident = self.parse_ident()
                equal = self.expect("=")
                clause = _LetClause(let_pos, ident, equal, self.parse_rhs())
                c.close_node(self, clause)
            else:
                return clauses, None
            clauses.append(clause)
            if self.tok == ",":
                self.next()
            first = False

    def parse_list(self) -> _Node:
        lbrack = self.expect("[")
        elts = self.parse_list_elements()
        if self.tok == "...":
            e = _Ellipsis(self.pos)
            elts.append(e)
            self.next()
            if self.tok not in (",", "]"):
                e.type = self.parse_rhs()
            if self.at_comma("]"):
                self.next()
        rbrack = self.expect_closing("]")
        return _ListLit(lbrack, elts, rbrack)

    def parse_list_elements(self) -> list[_Node]:
        self.open_list()
        elts: list[_Node] = []
        while self.tok not in ("]", "...", "EOF"):
            expr, more = self.parse_list_element()
            elts.append(expr)
            if not more:
                break
        self.close_list()
        return elts

    def parse_list_element(self) -> tuple[_Node, bool]:
        c = self.open_comments()
        expr, more = self._parse_list_element_body()
        c.close_node(self, expr)
        return expr, more

    def _parse_list_element_body(self) -> tuple[_Node, bool]:
        if self.tok in ("for", "if"):
            tok, pos = self.tok, self.pos
            clauses, fc = self.parse_comprehension_clauses(True)
            if clauses:
                sc = self.open_comments()
                body = self.parse_struct()
                sc.close_node(self, body)
                if self.at_comma("]"):
                    self.next()
                return _Comprehension(clauses, body), True
            expr: _Node = _Ident(pos, tok)
            assert fc is not None
            fc.close_node(self, expr)
        else:
            expr = self.parse_unary_expr()
        expr = self.parse_binary_expr_tail(_LOWEST_PREC + 1, expr)
        expr = self.parse_alias(expr)
        if self.tok == "," and self.lit != ",":
            self.next()
            if self.tok in ("]", "for", "if"):
                return expr, False
            self.error("missing ',' before newline in list literal")
        elif not self.at_comma("]", "for", "if"):
            return expr, False
        self.next()
        return expr, True

    def parse_alias(self, lhs: _Node) -> _Node:
        if self.tok != "=":
            return lhs
        pos = self.pos
        self.next()
        expr = self.parse_rhs()
        if isinstance(lhs, _Ident):
            return _Alias(lhs, pos, expr)
        self.error("expected identifier for alias")
        return expr

    def parse_primary_expr(self) -> _Node:
        x = self.parse_operand()
        while True:
            if self.tok == ".":
                c = self.open_comments()
                c.pos = 1
                self.next()
                if self.tok == "IDENT":
                    x = _SelectorExpr(x, self.parse_ident())
                elif self.tok == "STRING" and self.lit.startswith('"') and not self.lit.startswith('""'):
                    sel = _BasicLit(self.pos, "STRING", self.lit)
                    self.next()
                    x = _SelectorExpr(x, sel)
                else:
                    self.error("expected selector")
                c.close_node(self, x)
            elif self.tok == "[":
                x = self.parse_index_or_slice(x)
            elif self.tok == "(":
                x = self.parse_call(x)
            else:
                return x

    def parse_unary_expr(self) -> _Node:
        if self.tok in _UNARY_OPS:
            pos, op = self.pos, self.tok
            c = self.open_comments()
            self.next()
            x = _UnaryExpr(pos, op, self.parse_unary_expr())
            c.close_node(self, x)
            return x
        return self.parse_primary_expr()

    def _tok_prec(self) -> tuple[str, int]:
        if self.tok == "IDENT":
            return self.lit, _WORD_OPS.get(self.lit, 0)
        return self.tok, _PRECEDENCE.get(self.tok, 0)

    def parse_binary_expr(self, prec1: int) -> _Node:
        self.open_list()
        x = self.parse_binary_expr_tail(prec1, self.parse_unary_expr())
        self.close_list()
        return x

    def parse_binary_expr_tail(self, prec1: int, x: _Node) -> _Node:
        while True:
            op, prec = self._tok_prec()
            if prec < prec1:
                return x
            c = self.open_comments()
            c.pos = 1
            pos = self.expect(self.tok)
            y = self.parse_binary_expr(prec + 1)
            x = _BinaryExpr(x, pos, op, y)
            c.close_node(self, x)

    def parse_interpolation(self) -> _Node:
        c = self.open_comments()
        self.open_list()
        cc = self.open_comments()
        lit, pos = self.lit, self.pos
        self.next()
        last = _BasicLit(pos, "STRING", lit)
        elts: list[_Node] = [last]
        while self.tok == "(":
            c.pos = 1
            self.expect("(")
            cc.close_node(self, last)
            elts.append(self.parse_rhs())
            cc = self.open_comments()
            if self.tok != ")":
                self.error("expected ')' for string interpolation")
            lit = self.scanner.resume_interpolation()
            pos = self.pos
            self.next()
            last = _BasicLit(pos, "STRING", lit)
            elts.append(last)
        cc.close_node(self, last)
        x = _Interpolation(elts)
        self.close_list()
        c.close_node(self, x)
        return x

    def parse_expr(self) -> _Node:
        c = self.open_comments()
        x = self.parse_binary_expr(_LOWEST_PREC + 1)
        c.close_node(self, x)
        return x

    def parse_rhs(self) -> _Node:
        return self.parse_expr()

    # -- files ----------------------------------------------------------------
    def parse_import_spec(self) -> _ImportSpec:
        c = self.open_comments()
        ident = self.parse_ident() if self.tok == "IDENT" else None
        pos = self.pos
        if self.tok != "STRING":
            self.error("expected import path")
        path = self.lit
        self.next()
        self.expect_comma()
        spec = _ImportSpec(ident, _BasicLit(pos, "STRING", path))
        c.close_node(self, spec)
        return spec

    def parse_imports(self) -> _ImportDecl:
        c = self.open_comments()
        ident = self.parse_ident()
        lparen = rparen = NO_POS
        specs: list[_ImportSpec] = []
        if self.tok == "(":
            lparen = self.pos
            self.next()
            self.open_list()
            while self.tok not in (")", "EOF"):
                specs.append(self.parse_import_spec())
            self.close_list()
            rparen = self.expect(")")
            self.expect_comma()
        else:
            specs.append(self.parse_import_spec())
        decl = _ImportDecl(ident.pos(), lparen, specs, rparen)
        c.close_node(self, decl)
        return decl

    def parse_file(self) -> _File:
        root = self.comments
        self.open_list()
        decls: list[_Node] = []
        while self.tok == "ATTRIBUTE":
            decls.append(self.parse_attribute())
            self.consume_decl_comma()
        if self.tok == "IDENT" and self.lit == "package":
            c = self.open_comments()
            pos = self.pos
            self.expect("IDENT")
            name = self.parse_ident()
            pkg = _Package(pos, name)
            decls.append(pkg)
            self.expect_comma()
            c.close_node(self, pkg)
        while self.tok == "ATTRIBUTE":
            decls.append(self.parse_attribute())
            self.consume_decl_comma()
        while self.tok == "IDENT" and self.lit == "import":
            decls.append(self.parse_imports())
        decls.extend(self.parse_field_list())
        self.expect("EOF")
        self.close_list()
        tree = _File(decls)
        root.close_node(self, tree)
        return tree


def _fix_aliases(tree: _File) -> None:
    """``cue fmt`` rewrites old-style ``X = expr`` declarations to ``let X = expr``."""
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        decls = node.decls if isinstance(node, _File) else node.elts if isinstance(node, _StructLit) else None
        if decls is not None:
            for i, d in enumerate(decls):
                if isinstance(d, _Alias):
                    # tools/fix copies the alias's position (and comments) onto the let.
                    let = _LetClause(d.pos(), d.ident, d.equal, d.expr)
                    let.comments = d.comments
                    decls[i] = let
        stack.extend(_children(node))


def _children(node: Any) -> Iterator[Any]:
    for name in getattr(type(node), "__slots__", ()):
        if name == "comments":
            continue
        value = getattr(node, name, None)
        if isinstance(value, _Node):
            yield value
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, _Node))


# ---------------------------------------------------------------------------
# Printer

# Whitespace directives (bit flags), as in cue/format.
BLANK = 1 << 1
VTAB = 1 << 2
NOBLANK = 1 << 3
NOOVERRIDE = 1 << 4
COMMA = 1 << 5
TRAILCOMMA = 1 << 6
DECLCOMMA = 1 << 7
NEWLINE = 1 << 8
FORMFEED = 1 << 9
NEWSECTION = 1 << 10
INDENT = 1 << 11
UNINDENT = 1 << 12
INDENTED = 1 << 13


class _WS(int):
    """A whitespace directive passed to ``print``."""


class _Tok(str):
    """A token passed to ``print`` (as opposed to literal text)."""


class _LineRef:
    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class _Frame:
    __slots__ = ("cg", "pos", "node_sep", "parent_sep")

    def __init__(self, node_sep: int, parent_sep: int) -> None:
        self.cg: list[_CommentGroup] = []
        self.pos = 0
        self.node_sep = node_sep
        self.parent_sep = parent_sep


_T = {s: _Tok(s) for s in ("(", ")", "[", "]", "{", "}", ":", "?", "=", ",", ".", "...", "_|_", "let", "EOF")}


class _Printer:
    def __init__(self) -> None:
        self.allowed = 0
        self.indent_stack: list[int] = []
        self.lineout = 0
        self.last_tok = ""
        self.out: list[tuple[str, bool]] = []
        self.out_len = 0
        self.indent = 0
        self.space_before = False
        self.stack: list[_Frame] = []
        self.cur = _Frame(NEWLINE, NEWLINE)

    def format_file(self, tree: _File) -> str:
        self.allowed = NOOVERRIDE
        self.before(tree)
        self.walk_decl_list(tree.decls)
        self.after(tree)
        self.print(_T["EOF"])
        return _tabwrite(self.out)

    # -- low-level printing (cue/format's printer.Print) ------------------------
    def emit(self, v: Any) -> None:
        is_lit = False
        next_ws = 0
        if isinstance(v, _LineRef):
            v.value = self.lineout
            return
        if isinstance(v, _WS):
            self.allowed |= int(v)
            return
        if isinstance(v, Pos):
            if v.has_rel and not self.allowed & NOOVERRIDE:
                requested = self.allowed
                rel = v.rel
                if rel == NO_SPACE:
                    requested &= ~(NEWLINE | NEWSECTION | FORMFEED)
                elif rel == BLANK_REL:
                    requested |= BLANK
                    requested &= ~(NEWLINE | NEWSECTION | FORMFEED)
                elif rel == NEWLINE_REL:
                    requested |= NEWLINE
                elif rel == NEW_SECTION:
                    requested |= NEWSECTION
                self.write_whitespace(requested)
                self.allowed = 0
            return
        if isinstance(v, _CommentGroup):
            rel = BLANK_REL if v.line else v.pos().rel
            if rel in (BLANK_REL, ELIDED):
                self.allowed |= BLANK
            if rel in (BLANK_REL, ELIDED, NO_SPACE):
                self.allowed &= ~(NEWLINE | NEWSECTION | FORMFEED | DECLCOMMA)
            return
        if isinstance(v, _Tok):
            before, after = _may_combine(self.last_tok, v)
            if before and not self.space_before:
                self.allowed |= BLANK
            if after:
                next_ws = BLANK
            data = str(v)
            if v == "EOF":
                data = ""
                self.allowed = NEWLINE
            self.last_tok = str(v)
        elif isinstance(v, _BasicLit):
            data = _normalize_literal(v.kind, v.value, self.indent)
            is_lit = True
            self.last_tok = v.kind
        elif isinstance(v, _Ident):
            data = v.name
            self.last_tok = "IDENT"
        elif isinstance(v, str):
            data = v
            self.last_tok = "STRING"
        elif isinstance(v, _Attribute):
            data = v.text
            self.last_tok = "ATTRIBUTE"
        elif isinstance(v, _Comment):
            data = v.text
            self.last_tok = "COMMENT"
        else:  # pragma: no cover - programming error
            raise TypeError(f"cannot print {v!r}")
        self.write_whitespace(self.allowed)
        self.allowed = 0
        if data:
            self.space_before = False
        self._write(data, is_lit)
        self.allowed = next_ws

    def _write(self, data: str, is_lit: bool) -> None:
        if data:
            self.out.append((data, is_lit))
            self.out_len += len(data)

    def write_byte(self, ch: str, n: int) -> None:
        text = ch * n
        if ch in "\n\f":
            text += "\t" * self.indent
        self._write(text, False)

    def write_whitespace(self, ws: int) -> None:
        if ws & COMMA:
            if ws & (NEWSECTION | NEWLINE | FORMFEED) or not ws & TRAILCOMMA:
                self.write_byte(",", 1)
        if ws & INDENT:
            self.indent_stack.append(ws)
        if ws & UNINDENT:
            self.mark_unindent_line()
        if ws & NEWSECTION:
            self.maybe_indent_line(ws)
            self.write_byte("\f", 2)
            self.lineout += 2
            self.space_before = True
        elif ws & FORMFEED:
            self.maybe_indent_line(ws)
            self.write_byte("\f", 1)
            self.lineout += 1
            self.space_before = True
        elif ws & NEWLINE:
            self.maybe_indent_line(ws)
            self.write_byte("\n", 1)
            self.lineout += 1
            self.space_before = True
        elif ws & DECLCOMMA:
            self.write_byte(",", 1)
            self.write_byte(" ", 1)
            self.space_before = True
        elif ws & NOBLANK:
            pass
        elif ws & VTAB:
            self.write_byte("\v", 1)
            self.space_before = True
        elif ws & BLANK:
            self.write_byte(" ", 1)
            self.space_before = True

    def mark_unindent_line(self) -> None:
        ws = self.indent_stack.pop()
        if ws & INDENTED:
            self.indent -= 1

    def maybe_indent_line(self, ws: int) -> None:
        if not ws & UNINDENT and self.indent_stack:
            top = self.indent_stack[-1]
            if top & INDENTED or not top & INDENT:
                return
            self.indent_stack[-1] = top | INDENTED
            self.indent += 1

    def match_unindent(self) -> None:
        self.allowed |= UNINDENT

    # -- the formatter's bookkeeping (cue/format's formatter) ---------------
    def print(self, *items: Any) -> None:
        for x in items:
            self.emit(x)
            if isinstance(x, str) and not isinstance(x, _WS):
                self.cur.pos = _inc8(self.cur.pos)
        self.visit_comments(self.cur.pos)

    def formfeed(self) -> int:
        return BLANK if self.cur.node_sep == BLANK else FORMFEED

    def before(self, node: _Node | None) -> bool:
        self.stack.append(self.cur)
        parent = self.cur
        self.cur = _Frame(parent.node_sep, parent.node_sep)
        if node is None:
            return False
        if (
            isinstance(node, _StructLit)
            and len(node.elts) <= 1
            and self.cur.node_sep != BLANK
            and _on_one_line(node)
        ):
            self.cur.node_sep = BLANK
        self.cur.cg = list(node.comments)
        self.visit_comments(self.cur.pos)
        return True

    def after(self, node: _Node | None) -> None:
        self.visit_comments(127)
        self.cur = self.stack.pop()
        self.cur.pos = _inc8(self.cur.pos)
        self.visit_comments(self.cur.pos)

    def visit_comments(self, until: int) -> None:
        cgs = self.cur.cg
        printed = False
        while cgs and cgs[0].position <= until:
            if printed:
                self.emit(_WS(NEWSECTION))
            printed = True
            self.print_comment(cgs.pop(0))

    def print_comment(self, cg: _CommentGroup) -> None:
        self.emit(cg)
        print_blank = False
        if cg.doc and self.out_len > 0:
            self.emit(_WS(NEWLINE))
            print_blank = True
        for c in cg.list:
            is_end = c.text.startswith("//")
            if not print_blank:
                self.emit(_WS(VTAB if is_end else BLANK))
            self.emit(c.slash)
            self.emit(c)
            if is_end:
                self.emit(_WS(NEWLINE))
                if cg.doc:
                    self.emit(_WS(NOOVERRIDE))

    # -- declarations -----------------------------------------------------------
    def walk_decl_list(self, decls: list[_Node]) -> None:
        self.before(None)
        d = 0
        for i, x in enumerate(decls):
            if i > 0:
                self.print(_WS(DECLCOMMA))
                nd = _nest_depth(x) if isinstance(x, _Field) else 0
                if self.cur.parent_sep == NEWLINE and (d == 0 or nd != d):
                    self.print(_WS(self.formfeed()))
                if _has_doc_comments(x):
                    prev = decls[i - 1]
                    if not isinstance(prev, _Field) or _is_definition(prev.label):
                        self.print(_WS(NEWSECTION))
            self.decl(x)
            d = _nest_depth(x) if isinstance(x, _Field) else 0
            if i + 1 < len(decls):
                nxt = decls[i + 1]
                if isinstance(nxt, _Field):
                    value = nxt.value
                    if isinstance(value, _StructLit):
                        if value.lbrace.valid or len(value.elts) != 1:
                            self.print(_WS(self.formfeed()))
                            continue
                    elif isinstance(value, _ListLit):
                        self.print(_WS(self.formfeed()))
                        continue
            self.print(_WS(self.cur.parent_sep))
        self.after(None)

    def walk_spec_list(self, specs: list[_ImportSpec]) -> None:
        self.before(None)
        for x in specs:
            self.before(x)
            self.import_spec(x)
            self.after(x)
        self.after(None)

    def walk_clause_list(self, clauses: list[_Node], ws: int) -> None:
        self.before(None)
        for x in clauses:
            self.before(x)
            self.print(_WS(ws))
            self.clause(x)
            self.after(x)
        self.after(None)

    def walk_list_elems(self, elts: list[_Node]) -> None:
        self.before(None)
        for x in elts:
            self.before(x)
            if isinstance(x, _Comprehension):
                self.walk_clause_list(x.clauses, BLANK)
                self.print(_WS(BLANK), _WS(NOOVERRIDE))
                self.expr(x.value)
            elif isinstance(x, _Ellipsis):
                self.ellipsis(x)
            elif isinstance(x, _Alias):
                self.expr(x.ident)
                self.print(x.equal, _T["="])
                self.expr(x.expr)
            else:
                self.expr_raw(x, _LOWEST_PREC, 1)
            self.print(_WS(COMMA), _WS(BLANK))
            self.after(x)
        self.after(None)

    def walk_args_list(self, args: list[_Node], depth: int) -> None:
        self.before(None)
        for x in args:
            self.before(x)
            self.expr_raw(x, _LOWEST_PREC, depth)
            self.print(_WS(COMMA), _WS(BLANK))
            self.after(x)
        self.after(None)

    def inline_field(self, n: _Field) -> _Field | None:
        if n.label is None or not n.label.pos().valid:
            return None
        obj = n.value
        if not isinstance(obj, _StructLit) or len(obj.elts) != 1 or obj.lbrace.valid or n.attrs:
            return None
        mem = obj.elts[0]
        if not isinstance(mem, _Field) or mem.attrs:
            return None
        if _has_doc_comments(mem):
            return None
        return mem

    def decl(self, decl: _Node) -> None:
        if not self.before(decl):
            self.after(decl)
            return
        if isinstance(decl, _Field):
            self.field(decl)
        elif isinstance(decl, _Package):
            self.print(decl.package_pos, "package")
            self.print(_WS(BLANK), decl.name, _WS(NEWSECTION), _WS(NOOVERRIDE))
        elif isinstance(decl, _ImportDecl):
            self.print(decl.import_pos, "import")
            if len(decl.specs) == 1 and not decl.specs[0].comments and not decl.lparen.valid:
                self.print(_WS(BLANK))
                self.walk_spec_list(decl.specs)
            else:
                self.print(_WS(BLANK), decl.lparen, _T["("], _WS(NEWLINE), _WS(INDENT))
                self.walk_spec_list(decl.specs)
                self.print(_WS(UNINDENT), _WS(NEWLINE), decl.rparen, _T[")"], _WS(NEWLINE))
            self.print(_WS(NEWSECTION), _WS(NOOVERRIDE))
        elif isinstance(decl, _LetClause):
            p = decl.pos()
            if not p.has_rel or p.rel >= NEWLINE_REL:
                self.print(_WS(FORMFEED))
            self.print(decl.let, _T["let"], _WS(BLANK), _WS(NOOVERRIDE))
            self.expr(decl.ident)
            self.print(_WS(BLANK), _WS(NOOVERRIDE), decl.equal, _T["="], _WS(BLANK))
            self.expr(decl.expr)
            self.print(_WS(DECLCOMMA))
        elif isinstance(decl, _EmbedDecl):
            p = decl.pos()
            if not p.has_rel or p.rel >= NEWLINE_REL:
                self.print(_WS(FORMFEED))
            self.expr(decl.expr)
            self.print(_WS(NEWLINE), _WS(NOBLANK))
        elif isinstance(decl, _Attribute):
            self.print(decl.at, decl)
        elif isinstance(decl, _CommentGroup):
            self.print_comment(decl)
            self.print(_WS(NEWSECTION))
        else:
            self.embedding(decl)
        self.after(decl)

    def field(self, n: _Field) -> None:
        assert n.label is not None and n.value is not None
        self.label(n.label, n.optional.valid)
        self.print(_WS(NOBLANK), _WS(NOOVERRIDE), n.token_pos, _T[":"])
        mem = self.inline_field(n)
        if mem is not None:
            # `a: b: c` stays chained; a chain broken over lines keeps its break.
            if mem.pos().is_newline:
                self.print(_WS(INDENT), _WS(FORMFEED))
                self.decl(mem)
                self.indent -= 1
            else:
                self.print(_WS(BLANK), _WS(NOOVERRIDE))
                self.decl(mem)
            return
        next_ff = _next_needs_formfeed(n.value)
        tab = BLANK if next_ff else VTAB
        self.print(_WS(tab))
        if isinstance(n.value, (_ListLit, _StructLit)):
            self.expr(n.value)
        else:
            self.print(_WS(INDENT))
            self.expr(n.value)
            self.mark_unindent_line()
        space = tab
        for a in n.attrs:
            if self.before(a):
                self.print(_WS(space), a.at, a)
            self.after(a)
            space = BLANK
        if next_ff:
            self.print(_WS(FORMFEED))

    def embedding(self, decl: _Node) -> None:
        if isinstance(decl, _Comprehension):
            p = decl.pos()
            if not p.has_rel or p.rel >= NEWLINE_REL:
                self.print(_WS(FORMFEED))
            self.walk_clause_list(decl.clauses, BLANK)
            self.print(_WS(BLANK), _WS(NOOVERRIDE))
            self.expr(decl.value)
        elif isinstance(decl, _Ellipsis):
            self.ellipsis(decl)
        elif isinstance(decl, _Alias):
            p = decl.pos()
            if not p.has_rel or p.rel >= NEWLINE_REL:
                self.print(_WS(FORMFEED))
            self.expr(decl.ident)
            self.print(_WS(BLANK), decl.equal, _T["="], _WS(BLANK))
            self.expr(decl.expr)
            self.print(_WS(DECLCOMMA))
        else:
            self.expr_raw(decl, _LOWEST_PREC, 1)

    def import_spec(self, x: _ImportSpec) -> None:
        if x.name is not None:
            self.label(x.name, False)
            self.print(_WS(BLANK))
        else:
            self.cur.pos = _inc8(self.cur.pos)
            self.visit_comments(self.cur.pos)
        self.expr(x.path)
        self.print(_WS(NEWLINE))

    def label(self, lab: _Node, optional: bool) -> None:
        self.before(lab)
        if isinstance(lab, _Ident):
            self.print(lab.name_pos, lab.name)
        elif isinstance(lab, _BasicLit):
            text = lab.value
            if text.startswith('"""') or text.startswith("#"):
                text = _requote_label(text)
            self.print(lab.value_pos, text)
        else:
            self.expr(lab)
        if optional:
            self.print(_T["?"])
        self.after(lab)

    def ellipsis(self, x: _Ellipsis) -> None:
        self.print(x.ellipsis, _T["..."])
        if x.type is not None and not (isinstance(x.type, _Ident) and x.type.name == "_"):
            self.expr(x.type)

    # -- expressions --------------------------------------------------------------
    def expr(self, x: _Node) -> None:
        self.expr1(x, _LOWEST_PREC, 1)

    def expr0(self, x: _Node, depth: int) -> None:
        self.expr1(x, _LOWEST_PREC, depth)

    def expr1(self, x: _Node, prec1: int, depth: int) -> None:
        if self.before(x):
            self.expr_raw(x, prec1, depth)
        self.after(x)

    def expr_raw(self, x: _Node, prec1: int, depth: int) -> None:
        if isinstance(x, _BottomLit):
            self.print(x.bottom, _T["_|_"])
        elif isinstance(x, _Alias):
            self.label(x.ident, False)
            self.print(x.equal, _T["="])
            self.expr(x.expr)
        elif isinstance(x, _Ident):
            self.print(x.name_pos, x)
        elif isinstance(x, _BinaryExpr):
            self.binary_expr(x, prec1, _cutoff(x, depth), max(depth, 1))
        elif isinstance(x, _UnaryExpr):
            if _UNARY_PREC < prec1:
                self.print(_T["("], _WS(NOOVERRIDE))
                self.expr(x)
                self.print(_T[")"])
            else:
                self.print(x.op_pos, _Tok(x.op), _WS(NOOVERRIDE))
                self.expr1(x.x, _UNARY_PREC, depth)
        elif isinstance(x, _BasicLit):
            self.print(x.value_pos, x)
        elif isinstance(x, _Interpolation):
            self.before(None)
            for e in x.elts:
                self.expr0(e, depth + 1)
            self.after(None)
        elif isinstance(x, _ParenExpr):
            if isinstance(x.x, _ParenExpr):
                self.expr0(x.x, depth)
            else:
                self.print(x.lparen, _T["("])
                self.expr0(x.x, _reduce_depth(depth))
                self.print(x.rparen, _T[")"])
        elif isinstance(x, _SelectorExpr):
            self.selector_expr(x, depth)
        elif isinstance(x, _IndexExpr):
            self.expr1(x.x, _HIGHEST_PREC, 1)
            self.print(x.lbrack, _T["["])
            self.expr0(x.index, depth + 1)
            self.print(x.rbrack, _T["]"])
        elif isinstance(x, _SliceExpr):
            self.expr1(x.x, _HIGHEST_PREC, 1)
            self.print(x.lbrack, _T["["])
            if x.low is not None:
                self.expr0(x.low, depth + 1)
            if depth <= 1 and x.low is not None and x.high is not None and (
                isinstance(x.low, _BinaryExpr) or isinstance(x.high, _BinaryExpr)
            ):
                self.print(_WS(BLANK), _T[":"], _WS(BLANK))
            else:
                self.print(_T[":"])
            if x.high is not None:
                self.expr0(x.high, depth + 1)
            self.print(x.rbrack, _T["]"])
        elif isinstance(x, _CallExpr):
            if len(x.args) > 1:
                depth += 1
            was_indented = self.possible_selector_expr(x.fun, _HIGHEST_PREC, depth)
            self.print(x.lparen, _T["("])
            self.walk_args_list(x.args, depth)
            self.print(_WS(TRAILCOMMA), _WS(NOBLANK), x.rparen, _T[")"])
            if was_indented:
                self.print(_WS(UNINDENT))
        elif isinstance(x, _StructLit):
            self.struct_lit(x)
        elif isinstance(x, _ListLit):
            self.print(x.lbrack, _T["["], _WS(INDENT))
            self.walk_list_elems(x.elts)
            self.print(_WS(TRAILCOMMA), _WS(NOBLANK))
            self.visit_comments(self.cur.pos)
            self.match_unindent()
            self.print(_WS(NOBLANK), x.rbrack, _T["]"])
        elif isinstance(x, _Ellipsis):
            self.ellipsis(x)
        else:  # pragma: no cover - the parser makes no other expressions
            raise _SyntaxError(f"cannot format {type(x).__name__}")

    def struct_lit(self, x: _StructLit) -> None:
        line = _LineRef()
        ws = NOBLANK
        ff = self.formfeed()
        if not x.elts:
            if not x.rbrace.has_rel:
                ff = BLANK | NOOVERRIDE
                for c in x.comments:
                    if c.position == 1:
                        ff = self.formfeed()
        elif not x.rbrace.has_rel or not x.elts[0].pos().has_rel:
            ws |= NEWLINE | NOOVERRIDE
        self.print(x.lbrace, _T["{"], line, _WS(ws), _WS(ff), _WS(INDENT))
        self.walk_decl_list(x.elts)
        self.match_unindent()
        ws = NOBLANK
        if self.lineout != line.value:
            ws |= NEWLINE
            if self.last_tok not in ("}", "]"):
                ws |= NOOVERRIDE
        self.print(_WS(ws), x.rbrace, _T["}"])

    def clause(self, n: _Node) -> None:
        if isinstance(n, _ForClause):
            self.print(n.for_pos, "for", _WS(BLANK))
            self.print(_WS(INDENT))
            if n.key is not None:
                self.label(n.key, False)
                self.print(n.colon, _T[","], _WS(BLANK))
            else:
                self.cur.pos = _inc8(self.cur.pos)
                self.visit_comments(self.cur.pos)
            self.label(n.value, False)
            self.print(_WS(BLANK), n.in_pos, "in", _WS(BLANK))
            self.expr(n.source)
            self.mark_unindent_line()
        elif isinstance(n, _IfClause):
            self.print(n.if_pos, "if", _WS(BLANK))
            self.print(_WS(INDENT))
            self.expr(n.condition)
            self.mark_unindent_line()
        elif isinstance(n, _LetClause):
            self.print(n.let, _T["let"], _WS(BLANK), _WS(NOOVERRIDE))
            self.print(_WS(INDENT))
            self.expr(n.ident)
            self.print(_WS(BLANK), _WS(NOOVERRIDE), n.equal, _T["="], _WS(BLANK))
            self.expr(n.expr)
            self.mark_unindent_line()

    def binary_expr(self, x: _BinaryExpr, prec1: int, cutoff: int, depth: int) -> None:
        prec = _op_prec(x.op)
        if prec < prec1:
            self.print(_T["("], _WS(NOOVERRIDE))
            self.expr0(x, _reduce_depth(depth))
            self.print(_T[")"])
            return
        print_blank = prec < cutoff
        self.expr1(x.x, prec, depth + _diff_prec(x.x, prec))
        self.print(_WS(NOOVERRIDE))
        if print_blank:
            self.print(_WS(BLANK))
        self.print(x.op_pos, _Tok(x.op))
        if x.y.pos().is_newline:
            self.print(_WS(FORMFEED))
            print_blank = False
        else:
            self.print(_WS(NOOVERRIDE))
        if print_blank:
            self.print(_WS(BLANK))
        self.expr1(x.y, prec + 1, depth + 1)

    def possible_selector_expr(self, x: _Node, prec1: int, depth: int) -> bool:
        if isinstance(x, _SelectorExpr):
            return self.selector_expr(x, depth)
        self.expr1(x, prec1, depth)
        return False

    def selector_expr(self, x: _SelectorExpr, depth: int) -> bool:
        self.expr1(x.x, _HIGHEST_PREC, depth)
        self.print(_T["."])
        if x.sel.pos().is_newline:
            self.print(_WS(INDENT), _WS(FORMFEED))
            self.expr(x.sel)
            self.print(_WS(UNINDENT))
            return True
        self.print(_WS(NOBLANK))
        self.expr(x.sel)
        return False


def _may_combine(prev: str, nxt: str) -> tuple[bool, bool]:
    s = "EOF" if nxt == "EOF" else nxt
    if "a" <= s[0] < "z":
        return True, True
    if prev in ("quo", "rem", "div", "mod"):
        return False, False
    if prev == "INT":
        return nxt == ".", False
    if prev == "+":
        return s[0] == "+", False
    if prev == "-":
        return s[0] == "-", False
    if prev == "/":
        return s[0] == "*", False
    return False, False


def _op_prec(op: str) -> int:
    return _WORD_OPS.get(op) or _PRECEDENCE.get(op, 0)


def _walk_binary(e: _BinaryExpr) -> tuple[bool, bool, bool, int]:
    prec = _op_prec(e.op)
    has6, has7, has8 = prec == 6, prec == 7, prec == 8
    max_problem = 0
    left = e.x
    if isinstance(left, _BinaryExpr) and not _op_prec(left.op) < prec:
        h6, h7, h8, mp = _walk_binary(left)
        has6, has7, has8 = has6 or h6, has7 or h7, has8 or h8
        max_problem = max(max_problem, mp)
    right = e.y
    if isinstance(right, _BinaryExpr):
        if not _op_prec(right.op) <= prec:
            h6, h7, h8, mp = _walk_binary(right)
            has6, has7, has8 = has6 or h6, has7 or h7, has8 or h8
            max_problem = max(max_problem, mp)
    elif isinstance(right, _UnaryExpr):
        pair = e.op + right.op
        if pair == "/*":
            max_problem = 8
        elif pair in ("++", "--"):
            max_problem = max(max_problem, 6)
    return has6, has7, has8, max_problem


def _cutoff(e: _BinaryExpr, depth: int) -> int:
    has6, has7, has8, max_problem = _walk_binary(e)
    if max_problem > 0:
        return max_problem + 1
    if (has6 or has7) and has8:
        if depth == 1:
            return 8
        return 7 if has7 else 6
    if has6 and has7:
        return 7 if depth == 1 else 6
    return 8 if depth == 1 else 6


def _diff_prec(x: _Node, prec: int) -> int:
    if not isinstance(x, _BinaryExpr) or prec != _op_prec(x.op):
        return 1
    return 0


def _reduce_depth(depth: int) -> int:
    return max(depth - 1, 1)


def _nest_depth(f: _Field) -> int:
    d = 1
    value = f.value
    if isinstance(value, _StructLit):
        if len(value.elts) != 1:
            d = 0
        elif isinstance(value.elts[0], _Field):
            d += _nest_depth(value.elts[0])
    return d


def _has_doc_comments(d: _Node) -> bool:
    if d.comments:
        return True
    if isinstance(d, _Field) and d.label is not None:
        return bool(d.label.comments)
    if isinstance(d, (_Alias, _LetClause)):
        return bool(d.ident.comments)
    return False


def _is_definition(label: _Node | None) -> bool:
    if isinstance(label, _Alias):
        label = label.expr
    return isinstance(label, _Ident) and (label.name.startswith("#") or label.name.startswith("_#"))


def _next_needs_formfeed(n: _Node) -> bool:
    if isinstance(n, (_StructLit, _ListLit)):
        return True
    if isinstance(n, _BasicLit):
        return "\n" in n.value
    return False


def _on_one_line(node: _Node) -> bool:
    a, b = node.pos(), node.end()
    if a.valid and b.valid:
        return a.line == b.line
    return False


# ---------------------------------------------------------------------------
# Literals


def _normalize_literal(kind: str, data: str, indent: int) -> str:
    if kind == "STRING":
        if indent < 6:
            return _indent_tabs(data, indent + 1)
        return data
    if kind == "INT":
        if len(data) > 1 and data[0] == "0" and data[1].isdigit():
            data = "0o" + data[1:]
        p = data.find(".")
        if p >= 0 and p + 1 < len(data) and data[p + 1] > "9":
            data = data[: p + 1] + "0" + data[p + 1 :]
        p = data.find("E")
        if p != -1 and p < len(data) - 1:
            data = data.lower()
        return data
    if kind == "FLOAT":
        p = data.find(".")
        if p == 0:
            data = "0" + data
        elif p >= 0 and p == len(data) - 1:
            data += "0"
        elif p >= 0 and data[p + 1] > "9":
            data = data[: p + 1] + "0" + data[p + 1 :]
        if "E" in data:
            data = data.lower()
        return data
    return data


def _multiline_whitespace(s: str) -> str | None:
    """The indentation of a multi-line string's closing quote (CUE's ParseQuotes)."""
    hashes = len(s) - len(s.lstrip("#"))
    body = s[hashes:]
    if not body or body[0] not in "\"'":
        return None
    q = body[0]
    if not (len(body) > 3 and body.startswith(q * 3)):
        return None
    if body[3] == "\n":
        n_start = 3 + hashes + 1
    elif body[3] == "\r" and len(body) > 4 and body[4] == "\n":
        n_start = 4 + hashes + 1
    else:
        return None
    quote = s[: 3 + hashes]
    closing = quote[::-1]
    if not s.endswith(closing) or len(s) < len(quote) + len(closing):
        return None
    i = len(s) - len(closing)
    while i > 0:
        ch = s[i - 1]
        if ch == "\n" or not ch.isspace():
            break
        i -= 1
    ws = s[i : len(s) - len(closing)]
    if len(s) > n_start and s[n_start] != "\n" and not s[n_start:].startswith(ws):
        return None
    return ws


def _indent_tabs(s: str, n: int) -> str:
    indent = "\t" * n
    ws = _multiline_whitespace(s)
    if ws is None or ws == indent:
        return s
    return s.replace("\n" + ws, "\n" + indent)


def _requote_label(text: str) -> str:
    """A multi-line or raw string label rewritten as a plain double-quoted one."""
    from plancheck.grammar.lexer import tokenize

    toks = [t for t in tokenize(text).tokens if t.type == "STRING"]
    if len(toks) != 1:
        return text
    value = toks[0].value[0]
    if not isinstance(value, str):
        return text
    out = ['"']
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


# ---------------------------------------------------------------------------
# text/tabwriter (StripEscape | TabIndent | DiscardEmptyColumns; minwidth 0,
# tabwidth 8, padding 1, padchar ' ')

_TABWIDTH = 8
_PADDING = 1


class _Cell:
    __slots__ = ("text", "width", "htab")

    def __init__(self, text: str, width: int, htab: bool) -> None:
        self.text = text
        self.width = width
        self.htab = htab


class _TabWriter:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.lines: list[list[_Cell]] = [[]]
        self.cell: list[str] = []
        self.cell_width = 0
        self.widths: list[int] = []

    def write(self, text: str, escaped: bool) -> None:
        if escaped:
            self.cell.append(text)
            self.cell_width += len(text)
            return
        start = 0
        for i, ch in enumerate(text):
            if ch in "\t\v\n\f":
                if i > start:
                    self.cell.append(text[start:i])
                    self.cell_width += i - start
                start = i + 1
                ncells = self._terminate_cell(ch == "\t")
                if ch in "\n\f":
                    self.lines.append([])
                    if ch == "\f" or ncells == 1:
                        self._flush()
        if start < len(text):
            self.cell.append(text[start:])
            self.cell_width += len(text) - start

    def _terminate_cell(self, htab: bool) -> int:
        line = self.lines[-1]
        line.append(_Cell("".join(self.cell), self.cell_width, htab))
        self.cell = []
        self.cell_width = 0
        return len(line)

    def _flush(self) -> None:
        if self.cell:
            self._terminate_cell(False)
        self._format(0, len(self.lines))
        self.lines = [[]]
        self.widths = []

    def finish(self) -> str:
        self._flush()
        return "".join(self.out)

    def _format(self, line0: int, line1: int) -> None:
        column = len(self.widths)
        this = line0
        while this < line1:
            line = self.lines[this]
            if column >= len(line) - 1:
                this += 1
                continue
            self._write_lines(line0, this)
            line0 = this
            width = 0
            discardable = True
            while this < line1:
                line = self.lines[this]
                if column >= len(line) - 1:
                    break
                c = line[column]
                width = max(width, c.width + _PADDING)
                if c.width > 0 or c.htab:
                    discardable = False
                this += 1
            if discardable:
                width = 0
            self.widths.append(width)
            self._format(line0, this)
            self.widths.pop()
            line0 = this
        self._write_lines(line0, line1)

    def _write_lines(self, line0: int, line1: int) -> None:
        out = self.out
        for i in range(line0, line1):
            line = self.lines[i]
            use_tabs = True
            for j, c in enumerate(line):
                if not c.text:
                    if j < len(self.widths):
                        self._pad(c.width, self.widths[j], use_tabs)
                else:
                    use_tabs = False
                    out.append(c.text)
                    if j < len(self.widths):
                        self._pad(c.width, self.widths[j], False)
            if i + 1 == len(self.lines):
                out.append("".join(self.cell))
                self.cell = []
                self.cell_width = 0
            else:
                out.append("\n")

    def _pad(self, textw: int, cellw: int, use_tabs: bool) -> None:
        if use_tabs:
            cellw = (cellw + _TABWIDTH - 1) // _TABWIDTH * _TABWIDTH
            n = cellw - textw
            self.out.append("\t" * ((n + _TABWIDTH - 1) // _TABWIDTH))
        else:
            self.out.append(" " * (cellw - textw))


def _tabwrite(segments: list[tuple[str, bool]]) -> str:
    tw = _TabWriter()
    for text, escaped in segments:
        tw.write(text, escaped)
    return tw.finish()
