"""The CUE v0.4 scanner: tokens for the LALR parser.

Lark's own lexers cannot do three things CUE needs, so this module scans the
text itself and hands Lark a finished token list (Lark's documented custom
lexer hook):

* automatic comma insertion at newlines and at end of file, after the
  tokens the v0.4 scanner names (identifiers and keywords, literals, ``)``,
  ``]``, ``}``, ``?``, ``...``, ``_|_``, attributes), except when the next
  non-blank character is ``,`` or ``:``;
* string literals with nested ``\\(…)`` interpolation (``\\#(…)`` in raw
  strings), tracked with a stack of open strings;
* ``\"\"\"`` multi-line strings with CUE's indentation rule (the closing quote's
  indentation is removed from every line; a line that does not start with
  it is an error);
* attributes ``@name(…)`` as single tokens.

It also settles the context-dependent keywords before the parser sees them:
``package`` and ``import`` are keywords only in the preamble, ``for``, ``if``,
``let`` and ``in`` are labels when a ``:``, ``?``, ``=`` or ``,`` follows, and
brackets are balanced (a missing closer is reported and supplied, a stray one
reported and dropped) so that the parser's error recovery never has to
guess across bracket boundaries. Nesting is capped at :data:`MAX_NESTING`.

Every problem is collected as a :class:`LexIssue`; the scanner never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plancheck.grammar.span import Position, Span

#: Deeper bracket nesting is reported as an error and the rest of the file is
#: not parsed. Real plans nest about ten levels; the cap keeps every
#: recursive consumer of the AST far from Python's recursion limit.
MAX_NESTING = 1000

# Named tuples are built with tuple.__new__ directly: the generated __new__
# is a Python function, and the scanner makes two positions per token.
_new_position = tuple.__new__

KEYWORDS = frozenset({"package", "import", "for", "in", "if", "let", "null", "true", "false"})

# Token types after which a newline or EOF inserts a comma.
_INSERT_AFTER = frozenset(
    {
        "IDENT", "PACKAGE", "IMPORT", "FOR", "IN", "IF", "LET", "NULL", "TRUE", "FALSE",
        "INT", "FLOAT", "STRING", "INTERP_END", "BOTTOM", "ATTRIBUTE",
        "RPAREN", "RBRACK", "RBRACE", "QMARK", "ELLIPSIS",
    }
)

_PUNCT = {
    "...": "ELLIPSIS", "&&": "LAND", "||": "LOR", "==": "EQL", "!=": "NEQ",
    "<=": "LEQ", ">=": "GEQ", "=~": "MAT", "!~": "NMAT",
    "+": "ADD", "-": "SUB", "*": "MUL", "/": "QUO", "&": "AND", "|": "OR",
    "!": "NOT", "<": "LSS", ">": "GTR", "=": "EQUAL",
    "(": "LPAREN", ")": "RPAREN", "[": "LBRACK", "]": "RBRACK",
    "{": "LBRACE", "}": "RBRACE", ",": "COMMA", ":": "COLON", "?": "QMARK", ".": "DOT",
}

# Punctuation without side effects on the bracket stack (the scanner's fast path).
_SIMPLE_PUNCT = {
    p: t for p, t in _PUNCT.items()
    if t not in ("LBRACE", "LBRACK", "LPAREN", "RBRACE", "RBRACK", "RPAREN")
}

_CLOSER_OF = {"LBRACE": "RBRACE", "LBRACK": "RBRACK", "LPAREN": "RPAREN"}
_CLOSER_TEXT = {"RBRACE": "}", "RBRACK": "]", "RPAREN": ")"}
_OPENER_TEXT = {"LBRACE": "{", "LBRACK": "[", "LPAREN": "("}

# `#` and `_#` alone are identifiers too (the v0.4 scanner); `#1` is `#` then 1.
_IDENT = re.compile(r"_?\#(?:(?:[^\W\d]|\$)[\w$]*)?|(?:[^\W\d]|\$)[\w$]*")
_IDENT_ASCII = re.compile(r"_?\#(?:[A-Za-z_$][\w$]*)?|[A-Za-z_$][\w$]*", re.ASCII)
_STRING_STOPS = {q: re.compile("[\n\\\\" + q + "]").search for q in "\"'"}
_BLANKS = re.compile(r"[ \t\r]*")
_BLANK_LINES = re.compile(r"[ \t\r\n]*")
_PUNCT_RE = re.compile(r"\.\.\.|&&|\|\||==|!=|<=|>=|=~|!~|::|<-|[-+*/&|!<>=(){}\[\],:?.;]")

# What a character can start (ASCII); other characters are letters (identifiers) or illegal.
_CHAR_KIND: dict[str, str] = {}
for _c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$#":
    _CHAR_KIND[_c] = "ident"
for _c in "0123456789":
    _CHAR_KIND[_c] = "num"
for _c in "+-*/&|!<>=(){}[],:?.;~":
    _CHAR_KIND[_c] = "punct"
_CHAR_KIND.update({" ": "ws", "\t": "ws", "\r": "ws", "\n": "nl", '"': "str", "'": "str", "@": "attr", "`": "tick"})
del _c

_ATTR_NAME = re.compile(r"[\w$]*")

_ESCAPES = {
    "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
    "/": "/", "\\": "\\",
}


class Tok:
    """A token. ``value`` is the decoded value for literals (str, int, float, bytes)."""

    __slots__ = ("type", "value", "start", "end", "inserted")

    def __init__(self, type: str, value: object, start: Position, end: Position, inserted: bool = False):
        self.type = type
        self.value = value
        self.start = start
        self.end = end
        self.inserted = inserted

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)

    def __repr__(self) -> str:
        return f"Tok({self.type}, {self.value!r}, {self.start})"


@dataclass(frozen=True, slots=True)
class StrPart:
    """Decoded text of one literal piece of a string (between interpolations)."""

    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class StringInfo:
    """What the parser needs to know about a string token beyond its value."""

    kind: str  # "simple", "multiline"
    quote: str  # '"' or "'"
    hashes: int
    raw_text: str


@dataclass(frozen=True, slots=True)
class AttrValue:
    name: str
    body: str


@dataclass(frozen=True, slots=True)
class Comment:
    text: str
    span: Span
    #: True when nothing but whitespace precedes the comment on its line.
    own_line: bool


@dataclass(frozen=True, slots=True)
class LexIssue:
    code: str  # CUE001 (syntax error) or CUE006 (outside the supported subset)
    message: str
    span: Span


@dataclass(slots=True)
class _Frame:
    kind: str  # LBRACE, LBRACK, LPAREN, INTERP
    open_tok: Tok | None
    elem_start: bool = True
    comprehension: bool = False
    quote: "_Quote | None" = None
    parts: list | None = None  # (raw text, offset) of each literal piece (INTERP)
    part_tokens: list | None = None  # the string's INTERP_* tokens (INTERP)


@dataclass(slots=True)
class _Quote:
    char: str
    num_char: int  # 1 or 3
    hashes: int
    start: int  # offset of the opening quote (incl. hashes)


class LexResult:
    __slots__ = ("tokens", "comments", "issues")

    def __init__(self, tokens: list[Tok], comments: list[Comment], issues: list[LexIssue]):
        self.tokens = tokens
        self.comments = comments
        self.issues = issues


def tokenize(text: str) -> LexResult:
    return _Scanner(text).run()


def tokenize_range(text: str, start: Position, end: int, preamble: bool) -> LexResult:
    """Tokens of ``text[start.offset:end]`` with positions in the whole ``text``.

    ``start`` must be the first column of a line outside any bracket or
    string (a top-level declaration's first line); ``preamble`` says whether
    ``package`` and ``import`` may still be keywords there. A token that runs
    past ``end`` (an unterminated multi-line string) ends past ``end``: callers
    check that the range holds whole declarations.
    """
    return _Scanner(text, start, end, preamble).run()


class _Scanner:
    def __init__(self, text: str, start: Position | None = None, end: int | None = None, preamble: bool = True) -> None:
        self.text = text
        self.n = len(text) if end is None else end
        # Byte offsets equal character offsets only if everything before is ASCII.
        self.ascii = text.isascii()
        self.begin = 0 if start is None else start.offset
        self.tokens: list[Tok] = []
        self.comments: list[Comment] = []
        self.issues: list[LexIssue] = []
        self.line = 1 if start is None else start.line
        self.line_start = self.begin
        self.line_byte = 0 if start is None else start.byte  # byte offset of line_start (non-ASCII texts)
        self.insert_eol = False
        self.frames: list[_Frame] = []
        # Preamble tracking: `package`/`import` are keywords only before the
        # first ordinary declaration of the file.
        self.preamble = preamble
        self.preamble_state = 0
        self.at_decl_start = True
        self.truncated = False

    # -- positions --------------------------------------------------------
    def pos(self, offset: int) -> Position:
        if offset < self.line_start:
            return self._pos_slow(offset)
        if self.ascii:
            return _new_position(Position, (self.line, offset - self.line_start + 1, offset, offset))
        return _new_position(
            Position,
            (
                self.line,
                offset - self.line_start + 1,
                offset,
                self.line_byte + len(self.text[self.line_start : offset].encode("utf-8", "surrogatepass")),
            ),
        )

    def _pos_slow(self, offset: int) -> Position:
        before = self.text[:offset]
        line = before.count("\n") + 1
        ls = before.rfind("\n") + 1
        return Position(line, offset - ls + 1, offset, len(before.encode("utf-8", "surrogatepass")))

    def newline_at(self, offset: int) -> None:
        """Record that the character at ``offset`` is a newline."""
        if not self.ascii:
            self.line_byte += len(self.text[self.line_start : offset + 1].encode("utf-8", "surrogatepass"))
        self.line += 1
        self.line_start = offset + 1

    def issue(self, message: str, start: int, end: int | None = None, code: str = "CUE001") -> None:
        s = self.pos(start)
        e = self.pos(end) if end is not None and end >= start else s
        self.issues.append(LexIssue(code, message, Span(s, e)))

    def issue_span(self, message: str, span: Span, code: str = "CUE001") -> None:
        self.issues.append(LexIssue(code, message, span))

    # -- emission ---------------------------------------------------------
    def emit(self, type_: str, value: object, start: int, end: int) -> Tok:
        tok = Tok(type_, value, self.pos(start), self.pos(end))
        self._push(tok)
        return tok

    def _push(self, tok: Tok) -> None:
        type_ = tok.type
        frames = self.frames
        if frames:
            top = frames[-1]
            if top.kind == "LBRACK" and top.elem_start and type_ != "COMMA":
                top.comprehension = type_ in ("FOR", "IF")
                top.elem_start = False
        elif type_ != "COMMA":
            self._track_preamble(tok)
        if type_ == "COMMA":
            if frames:
                frames[-1].elem_start = True
            else:
                self.at_decl_start = True
        self.tokens.append(tok)
        self.insert_eol = type_ in _INSERT_AFTER

    def _track_preamble(self, tok: Tok) -> None:
        # The preamble is `{attribute} [package] {import}` (the v0.4 parser):
        # state 0 takes attributes, the package clause and imports; after
        # either of the latter, state 1 takes imports only.
        if not self.preamble or not self.at_decl_start:
            return
        self.at_decl_start = False
        t = tok.type
        if self.preamble_state == 0 and t == "ATTRIBUTE":
            return
        if t == "PACKAGE" and self.preamble_state == 0 or t == "IMPORT":
            self.preamble_state = 1
            return
        self.preamble = False

    def insert_comma(self, at: int) -> None:
        """Automatic comma after the previous token (zero-width, at its end)."""
        prev_end = self.tokens[-1].end
        frames = self.frames
        if frames and frames[-1].kind == "LBRACK":
            top = frames[-1]
            nxt = self._next_significant(at)
            if nxt not in ("]", "") and not top.comprehension:
                p = self.tokens[-1].end
                self.issue_span("missing ',' before newline in list literal", Span(p, p))
        tok = Tok("COMMA", "\n", prev_end, prev_end, inserted=True)
        self._push(tok)

    def _next_significant(self, i: int) -> str:
        text, n = self.text, self.n
        while i < n:
            c = text[i]
            if c in " \t\r\n\ufeff":
                i += 1
                continue
            if text.startswith("//", i):
                j = text.find("\n", i)
                if j < 0:
                    return ""
                i = j + 1
                continue
            return c
        return ""

    # -- main loop --------------------------------------------------------
    def run(self) -> LexResult:
        text, n = self.text, self.n
        i = self.begin
        nul = text.find("\x00", i, n)
        while nul >= 0:
            # CUE refuses NUL anywhere in the input, strings and comments included.
            self.issues.append(LexIssue("CUE001", "illegal character NUL", Span(self._pos_slow(nul), self._pos_slow(nul + 1))))
            nul = text.find("\x00", nul + 1, n)
        if i == 0 and text.startswith("\ufeff"):
            i = 1
        fast = self.ascii
        new = _new_position
        append = self.tokens.append
        ident_match = _IDENT_ASCII.match if fast else _IDENT.match
        punct_match = _PUNCT_RE.match
        kinds = _CHAR_KIND
        blanks = _BLANKS.match
        blank_lines = _BLANK_LINES.match
        while i < n:
            c = text[i]
            kind = kinds.get(c)
            if kind is None:
                kind = "ident" if (c.isalpha() or c == "_") else "bad"
            if kind == "ident":
                if c == "#" and text.startswith(('#"', "#'", "##"), i):
                    j = i + 1
                    while j < n and text[j] == "#":
                        j += 1
                    if j < n and text[j] in "\"'":
                        i = self.scan_string_start(i, j + 1)
                        continue
                    self.issue("illegal character '#'", i, i + 1)
                    i += 1
                    continue
                if c == "_" and text.startswith("_|_", i):
                    self.emit("BOTTOM", "_|_", i, i + 3)
                    i += 3
                    continue
                m = ident_match(text, i)
                if m is None:
                    self.issue(f"illegal character {_describe_char(c)}", i, i + 1)
                    i += 1
                    continue
                j = m.end()
                word = text[i:j]
                if fast and word not in KEYWORDS and word[:2] != "__":
                    # Inlined emit() for the most common token.
                    ls = self.line_start
                    line = self.line
                    tok = Tok("IDENT", word, new(Position, (line, i - ls + 1, i, i)), new(Position, (line, j - ls + 1, j, j)))
                    frames = self.frames
                    if frames:
                        top = frames[-1]
                        if top.elem_start:
                            top.elem_start = False
                            top.comprehension = False
                    elif self.preamble:
                        self._track_preamble(tok)
                    append(tok)
                    self.insert_eol = True
                    i = j
                else:
                    i = self.scan_ident(i, j)
            elif kind == "ws":
                i = blanks(text, i).end()
            elif kind == "punct":
                if c == "/" and text.startswith("//", i):
                    i = self.scan_comment(i)
                    continue
                if c == "." and i + 1 < n and text[i + 1] in "0123456789":
                    i = self.scan_number(i)
                    continue
                p = punct_match(text, i).group()
                type_ = _SIMPLE_PUNCT.get(p)
                if fast and type_ is not None:
                    j = i + len(p)
                    ls = self.line_start
                    line = self.line
                    tok = Tok(type_, p, new(Position, (line, i - ls + 1, i, i)), new(Position, (line, j - ls + 1, j, j)))
                    frames = self.frames
                    if type_ == "COMMA":
                        if self.tokens and self.tokens[-1].type == "ELLIPSIS" and (not frames or frames[-1].kind == "LBRACE"):
                            # CUE v0.4 takes `...` before an explicit ',' as a `...T` missing its T.
                            self.issue("expected operand after '...', found ','", i, j)
                        if frames:
                            frames[-1].elem_start = True
                        else:
                            self.at_decl_start = True
                    elif frames:
                        top = frames[-1]
                        if top.elem_start:
                            top.elem_start = False
                            top.comprehension = False
                    elif self.preamble:
                        self._track_preamble(tok)
                    append(tok)
                    self.insert_eol = type_ in _INSERT_AFTER
                    i = j
                else:
                    i = self.scan_punct(p, i)
            elif kind == "nl":
                if self.insert_eol:
                    j = blank_lines(text, i + 1).end()
                    if j >= n or text[j] not in ",:":
                        self.insert_comma(i)
                    else:
                        self.insert_eol = False
                self.newline_at(i)
                # The next line's indentation goes with its newline.
                i = blanks(text, i + 1).end()
            elif kind == "str":
                i = self.scan_string_start(i, i + 1)
            elif kind == "num":
                i = self.scan_number(i)
            elif kind == "attr":
                i = self.scan_attribute(i)
            elif kind == "tick":
                i = self.scan_backquoted(i)
            elif c == "\ufeff":
                self.issue("illegal byte order mark", i, i + 1)
                i += 1
            elif c == "\x00":
                i += 1  # reported above
            else:
                self.issue(f"illegal character {_describe_char(c)}", i, i + 1)
                i += 1
            if self.truncated:
                break
        self.finish()
        return LexResult(self.tokens, self.comments, self.issues)

    def scan_comment(self, i: int) -> int:
        if self.insert_eol:
            self.insert_comma(i)
        text = self.text
        j = text.find("\n", i)
        if j < 0:
            j = self.n
        own = text[self.line_start : i].strip(" \t\r\ufeff") == ""
        self.comments.append(Comment(text[i:j].rstrip("\r"), Span(self.pos(i), self.pos(j)), own))
        return j

    def finish(self) -> None:
        n = self.n
        if self.insert_eol and not self.frames:
            self.insert_comma(n)
        # Close every bracket still open, innermost first.
        while self.frames:
            frame = self.frames.pop()
            if frame.kind == "INTERP":
                if not self.truncated:
                    self.issue("string literal not terminated", frame.quote.start, n)
                # Close the interpolated string so the parser sees a whole literal.
                p = self.pos(n)
                frame.parts.append(("", n, Span(p, p)))
                tok = Tok("INTERP_END", None, p, p, inserted=True)
                self._push(tok)
                frame.part_tokens.append(tok)
                self.finish_interpolation(frame)
                continue
            closer = _CLOSER_OF[frame.kind]
            if not self.truncated:
                ot = frame.open_tok
                self.issue_span(
                    f"missing '{_CLOSER_TEXT[closer]}' to close the '{_OPENER_TEXT[frame.kind]}' opened at line {ot.start.line}, column {ot.start.column}",
                    Span(ot.start, ot.end),
                )
            p = self.pos(n)
            if self.insert_eol and frame.kind != "LPAREN":
                self.tokens.append(Tok("COMMA", "\n", self.tokens[-1].end, self.tokens[-1].end, inserted=True))
            self.tokens.append(Tok(closer, _CLOSER_TEXT[closer], p, p, inserted=True))
            self.insert_eol = True
        if self.insert_eol:
            self.insert_comma(n)

    # -- identifiers and keywords -----------------------------------------
    def scan_ident(self, i: int, j: int) -> int:
        text = self.text
        word = text[i:j]
        if word in KEYWORDS:
            type_ = self.keyword_type(word, j)
        else:
            type_ = "IDENT"
            if word.startswith("__"):
                self.issue("identifiers starting with '__' are reserved", i, j)
        self.emit(type_, word, i, j)
        return j

    def keyword_type(self, word: str, j: int) -> str:
        if word in ("null", "true", "false"):
            return word.upper()
        prev = self.tokens[-1].type if self.tokens else None
        if prev == "DOT":
            return "IDENT"
        nxt = self._next_on_line(j)
        if word in ("package", "import"):
            # Keywords wherever the preamble allows them (`package: 1` as the
            # first declaration is an error in CUE v0.4), labels elsewhere.
            if self.frames or not self.preamble or not self.at_decl_start:
                return "IDENT"
            if word == "package":
                return "PACKAGE" if self.preamble_state == 0 else "IDENT"
            return "IMPORT"
        # for/if/let/in act as labels before ':', '?', '=' (not '==', '=~'), ',' or a line end.
        if nxt in (":", "?", ",", ""):
            return "IDENT"
        if nxt == "=" and not self.text.startswith(("==", "=~"), self._skip_blanks(j)):
            return "IDENT"
        return word.upper()

    def _skip_blanks(self, j: int) -> int:
        text, n = self.text, self.n
        while j < n and text[j] in " \t\r":
            j += 1
        return j

    def _next_on_line(self, j: int) -> str:
        j = self._skip_blanks(j)
        if j >= self.n or self.text[j] == "\n" or self.text.startswith("//", j):
            return ""
        return self.text[j]

    def scan_backquoted(self, i: int) -> int:
        j = self.text.find("`", i + 1)
        nl = self.text.find("\n", i + 1)
        if j < 0 or (0 <= nl < j):
            self.issue("quoted identifier not terminated", i, i + 1)
            return i + 1
        self.issue("backquoted identifiers are not supported by CUE v0.4", i, j + 1)
        self.emit("IDENT", self.text[i + 1 : j], i, j + 1)
        return j + 1

    # -- punctuation and brackets -----------------------------------------
    def scan_punct(self, p: str, i: int) -> int:
        j = i + len(p)
        if p == "::":
            self.issue("'::' definitions are outside the supported subset; use '#name:' instead", i, j, code="CUE006")
            self.emit("COLON", ":", i, j)
            return j
        if p == ";":
            self.issue("';' is not a separator in CUE: use ',' or a newline", i, j)
            self.emit("COMMA", ",", i, j)
            return j
        if p == "<-":
            self.issue("illegal token '<-'", i, j)
            return j
        type_ = _PUNCT[p]
        if type_ in ("LBRACE", "LBRACK", "LPAREN"):
            if len(self.frames) >= MAX_NESTING:
                self.issue(f"brackets nested more than {MAX_NESTING} levels deep; the rest of the file is not parsed", i, j)
                self.truncated = True
                return j
            tok = self.emit(type_, p, i, j)
            self.frames.append(_Frame(type_, tok))
            return j
        if type_ in ("RBRACE", "RBRACK", "RPAREN"):
            return self.close_bracket(type_, p, i, j)
        self.emit(type_, p, i, j)
        return j

    def close_bracket(self, type_: str, p: str, i: int, j: int) -> int:
        frames = self.frames
        if frames and frames[-1].kind == "INTERP" and type_ == "RPAREN":
            return self.scan_string_resume(i)
        if frames and _CLOSER_OF.get(frames[-1].kind) == type_:
            frames.pop()
            self.emit(type_, p, i, j)
            return j
        # A closer that does not match the innermost bracket: if it closes an
        # outer one, the inner ones are missing their closers; otherwise it
        # is stray.
        for depth in range(len(frames) - 1, -1, -1):
            if frames[depth].kind == "INTERP":
                break
            if _CLOSER_OF.get(frames[depth].kind) == type_:
                while len(frames) > depth + 1:
                    frame = frames.pop()
                    closer = _CLOSER_OF[frame.kind]
                    ot = frame.open_tok
                    self.issue_span(
                        f"missing '{_CLOSER_TEXT[closer]}' to close the '{_OPENER_TEXT[frame.kind]}' opened at line {ot.start.line}, column {ot.start.column}",
                        Span(ot.start, ot.end),
                    )
                    at = self.pos(i)
                    if self.insert_eol and frame.kind != "LPAREN":
                        self.tokens.append(Tok("COMMA", "\n", self.tokens[-1].end, self.tokens[-1].end, inserted=True))
                    self.tokens.append(Tok(closer, _CLOSER_TEXT[closer], at, at, inserted=True))
                    self.insert_eol = True
                frames.pop()
                self.emit(type_, p, i, j)
                return j
        self.issue(f"unexpected '{p}' with no matching opening bracket", i, j)
        # Stand in for the stray closer so that the line still ends its
        # declaration; the parser takes ERROR as a skipped operand.
        self.emit("ERROR", p, i, j)
        self.insert_eol = True
        return j

    # -- numbers ------------------------------------------------------------
    def scan_number(self, i: int) -> int:
        text, n = self.text, self.n
        start = i
        is_float = False

        def mantissa(k: int, digits: str) -> int:
            last = ""
            while k < n and (text[k] in digits or text[k] == "_"):
                if last == "_" and text[k] == "_":
                    self.issue("illegal '_' in number", k, k + 1)
                last = text[k]
                k += 1
            if last == "_":
                self.issue("illegal '_' in number", k - 1, k)
            return k

        dec = "0123456789"
        if text[i] == ".":
            is_float = True
            i = mantissa(i + 1, dec)
            i = self._exponent(i)
        elif text[i] == "0" and i + 1 < n and text[i + 1] in "xXob":
            kind = text[i + 1]
            digits = {"x": "0123456789abcdefABCDEF", "X": "0123456789abcdefABCDEF", "o": "01234567", "b": "01"}[kind]
            j = mantissa(i + 2, digits)
            name = {"x": "hexadecimal", "X": "hexadecimal", "o": "octal", "b": "binary"}[kind]
            if j == i + 2:
                self.issue(f"illegal {name} number", start, j)
            i = j
        else:
            leading_zero = text[i] == "0"
            i = mantissa(i, dec)
            if i < n and text[i] == "." and not text.startswith("..", i):
                is_float = True
                i = mantissa(i + 1, dec)
            elif leading_zero and i - start > 1 and not (i < n and text[i] in "eE"):
                self.issue("illegal integer number (leading zero)", start, i)
            if i < n and text[i] in "KMGTP":
                i += 1
                if i < n and text[i] == "i":
                    i += 1
                lit = text[start:i]
                self.issue(f"number with a multiplier ({lit}) is outside the supported subset", start, i, code="CUE006")
                self.emit("INT", None, start, i)
                return i
            if i < n and text[i] in "eE":
                is_float = True
                i = self._exponent(i)
        lit = text[start:i]
        clean = lit.replace("_", "")
        value: object
        try:
            if is_float:
                value = float(clean)
            elif clean[:2] in ("0x", "0X"):
                value = int(clean[2:], 16)
            elif clean[:2] == "0o":
                value = int(clean[2:], 8)
            elif clean[:2] == "0b":
                value = int(clean[2:], 2)
            else:
                value = int(clean)
        except ValueError:
            value = None
        self.emit("FLOAT" if is_float else "INT", value, start, i)
        return i

    def _exponent(self, i: int) -> int:
        text, n = self.text, self.n
        if i < n and text[i] in "eE":
            i += 1
            if i < n and text[i] in "+-":
                i += 1
            if i >= n or not text[i].isdigit():
                self.issue("illegal exponent in number", i, i)
            while i < n and (text[i].isdigit() or text[i] == "_"):
                i += 1
        return i

    # -- attributes ---------------------------------------------------------
    def scan_attribute(self, i: int) -> int:
        """``@name(tokens)`` as one token: brackets balanced, strings and ``//`` comments skipped."""
        text, n = self.text, self.n
        m = _ATTR_NAME.match(text, i + 1)
        name = m.group()
        j = m.end()
        k = j
        while k < n and text[k] in " \t":
            k += 1
        if k >= n or text[k] != "(":
            self.issue("invalid attribute: expected '('", j, j)
            self.emit("ATTRIBUTE", AttrValue(name, ""), i, j)
            return j
        open_at = k
        stack = [")"]
        k += 1
        closers = {"(": ")", "[": "]", "{": "}"}
        while k < n and stack:
            c = text[k]
            if c in closers:
                stack.append(closers[c])
            elif c in ")]}":
                if c == stack[-1]:
                    stack.pop()
                else:
                    self.issue(f"unexpected '{c}' in attribute", k, k + 1)
            elif c == '"' or c == "'":
                end = _skip_simple_string(text, k)
                if end < 0:
                    self.issue("string literal not terminated", k, k + 1)
                    break
                if "\\(" in text[k:end]:
                    self.issue("interpolation not allowed in attribute", k, end)
                k = end
                continue
            elif c == "/" and text.startswith("//", k):
                # Attribute bodies are scanned as tokens: `//` starts a comment.
                nl = text.find("\n", k)
                k = n if nl < 0 else nl
                continue
            elif c == "\n":
                self.newline_at(k)
            k += 1
        if stack:
            self.issue("attribute missing ')'", i, k)
            body = text[open_at + 1 : k]
        else:
            body = text[open_at + 1 : k - 1]
        self.emit("ATTRIBUTE", AttrValue(name, body), i, k)
        return k

    # -- strings ------------------------------------------------------------
    def scan_string_start(self, i: int, j: int) -> int:
        """``text[i:j]`` is ``#*`` followed by the first quote character."""
        text, n = self.text, self.n
        hashes = j - 1 - i
        q = text[j - 1]
        if text.startswith(q * 3, j - 1):
            k = j + 2
            # Multi-line: a newline must follow the opening quotes immediately.
            nl = k + 1 if text.startswith("\r\n", k) else k
            if nl >= n or text[nl] != "\n":
                self.issue(f"expected newline after multiline quote {text[i:k]}", i, k)
                return self.scan_string_body(i, k, _Quote(q, 1, hashes, i))
            self.newline_at(nl)
            return self.scan_string_body(i, nl + 1, _Quote(q, 3, hashes, i))
        if text.startswith(q * 2, j - 1):
            if hashes == 0:
                self.emit_string("", i, j + 1, q, 0, "simple")
                return j + 1
            if text.startswith("#" * hashes, j + 1):
                self.emit_string("", i, j + 1 + hashes, q, hashes, "simple")
                return j + 1 + hashes
            # `#""…"#`: a raw string whose content starts with a quote.
        return self.scan_string_body(i, j, _Quote(q, 1, hashes, i))

    def scan_string_body(self, tok_start: int, i: int, quote: _Quote, frame: _Frame | None = None) -> int:
        """Scan from ``i`` to the string's end or its next interpolation.

        ``tok_start`` is where this token starts (the opening quote, or the
        ``)`` that ends an interpolation).
        """
        text, n = self.text, self.n
        body_pos = self.pos(i)
        q = quote.char
        close = q * quote.num_char + "#" * quote.hashes
        esc = "\\" + "#" * quote.hashes
        stop = _STRING_STOPS[q]
        k = i
        while True:
            if k >= n:
                self.issue("string literal not terminated", quote.start, n)
                self.end_string(tok_start, i, n, n, quote, frame, body_pos)
                return n
            c = text[k]
            if c == "\n":
                if quote.num_char == 1:
                    self.issue("string literal not terminated", quote.start, k)
                    self.end_string(tok_start, i, k, k, quote, frame, body_pos)
                    return k
                self.newline_at(k)
                k += 1
                continue
            if c == q and text.startswith(close, k):
                if quote.num_char == 3:
                    # The spec wants the closing quotes on their own line; CUE
                    # v0.4 closes the string wherever they appear (and then
                    # strips nothing), so plancheck does too, with a warning.
                    ls = text.rfind("\n", 0, k) + 1
                    if text[ls:k].strip(" \t") != "":
                        self.issue(
                            "the closing quotes of a multi-line string should stand on their own line",
                            k, k + len(close), code="CUE006",
                        )
                self.end_string(tok_start, i, k, k + len(close), quote, frame, body_pos)
                return k + len(close)
            if c == "\\" and text.startswith(esc, k):
                after = k + len(esc)
                if after < n and text[after] == "(":
                    return self.begin_interpolation(tok_start, i, k, after + 1, quote, frame, body_pos)
                k = after + 1
                continue
            # Jump to the next character that can matter.
            m = stop(text, k + 1)
            k = m.start() if m is not None else n

    def end_string(
        self, tok_start: int, body_start: int, body_end: int, end: int, quote: _Quote, frame: _Frame | None, body_pos: Position
    ) -> None:
        raw = self.text[body_start:body_end]
        if frame is None:
            kind = "multiline" if quote.num_char == 3 else "simple"
            if quote.num_char == 3:
                value = self.decode_multiline([(raw, body_start)], quote)[0]
            else:
                value = self.decode(raw, body_start, quote)
            self.emit_string(value, tok_start, end, quote.char, quote.hashes, kind)
            return
        # The last part of an interpolated string.
        frame.parts.append((raw, body_start, Span(body_pos, self.pos(body_end))))
        tok = Tok("INTERP_END", None, self.pos(tok_start), self.pos(end))
        self._push(tok)
        frame.part_tokens.append(tok)
        self.finish_interpolation(frame)

    def emit_string(self, value: str, start: int, end: int, q: str, hashes: int, kind: str) -> None:
        if q == "'":
            value = _to_bytes(value)
        self.emit("STRING", (value, StringInfo(kind, q, hashes, self.text[start:end])), start, end)

    def begin_interpolation(
        self, tok_start: int, body_start: int, esc_at: int, after: int, quote: _Quote, frame: _Frame | None, body_pos: Position
    ) -> int:
        raw = self.text[body_start:esc_at]
        part = (raw, body_start, Span(body_pos, self.pos(esc_at)))
        if frame is None:
            frame = _Frame("INTERP", None, quote=quote, parts=[], part_tokens=[])
            tok = Tok("INTERP_START", None, self.pos(tok_start), self.pos(after))
            frame.parts.append(part)
            self._push(tok)
            frame.part_tokens.append(tok)
            frame.open_tok = tok
        else:
            frame.parts.append(part)
            tok = Tok("INTERP_MID", None, self.pos(tok_start), self.pos(after))
            self._push(tok)
            frame.part_tokens.append(tok)
        if len(self.frames) >= MAX_NESTING:
            self.issue(f"brackets nested more than {MAX_NESTING} levels deep; the rest of the file is not parsed", esc_at, after)
            self.truncated = True
            return after
        self.frames.append(frame)
        self.insert_eol = False
        return after

    def scan_string_resume(self, i: int) -> int:
        frame = self.frames.pop()
        return self.scan_string_body(i, i + 1, frame.quote, frame)

    def finish_interpolation(self, frame: _Frame) -> None:
        quote = frame.quote
        parts = frame.parts
        if quote.num_char == 3:
            values = self.decode_multiline(parts, quote)
        else:
            values = [self.decode(raw, off, quote) for raw, off, _ in parts]
        for tok, value, (_, _, span) in zip(frame.part_tokens, values, parts):
            if quote.char == "'":
                value = _to_bytes(value)
            tok.value = StrPart(value, span)
        kind = "multiline" if quote.num_char == 3 else "simple"
        first = frame.part_tokens[0]
        first.value = (first.value, StringInfo(kind, quote.char, quote.hashes, ""))

    def decode_multiline(self, parts: list[tuple], quote: _Quote) -> list[str]:
        """Apply the indentation rule across all literal parts of a ``\"\"\"`` string.

        The closing quotes' indentation is removed from the start of every
        line; escapes are decoded per line afterwards, so an escaped newline
        is never mistaken for a line start.
        """
        last_raw = parts[-1][0]
        nl = last_raw.rfind("\n")
        if nl >= 0:
            closing, cut = last_raw[nl + 1 :], nl
        elif len(parts) == 1:
            closing, cut = last_raw, 0  # the closing quotes are on the first line of the body
        else:
            closing, cut = "", None  # right after an interpolation, on its line
        if closing.strip(" \t") == "":
            indent = closing
        else:
            # Text before the closing quotes: CUE v0.4 keeps everything as written.
            indent, cut = "", None
        out: list[str] = []
        last = len(parts) - 1
        for idx, (raw, off, *_) in enumerate(parts):
            if idx == last and cut is not None:
                raw = raw[:cut]
            decoded: list[str] = []
            line_off = off
            for li, line in enumerate(raw.split("\n")):
                content = line.replace("\r", "")
                skip = 0
                if (li > 0 or idx == 0) and content != "":
                    if content.startswith(indent):
                        skip = len(indent)
                    else:
                        ws = len(content) - len(content.lstrip(" \t"))
                        self.issue(
                            "line of a multi-line string does not start with the indentation of its closing quotes"
                            + (" (invalid whitespace)" if ws else ""),
                            line_off,
                            line_off + max(ws, 1),
                        )
                        skip = ws
                decoded.append(self.decode(content[skip:], line_off + skip, quote))
                line_off += len(line) + 1
            out.append("\n".join(decoded))
        return out

    def decode(self, raw: str, off: int, quote: _Quote) -> str:
        """Decode the escapes of one literal piece (``off`` locates errors)."""
        esc = "\\" + "#" * quote.hashes
        if esc not in raw:
            return raw
        out: list[str] = []
        i = 0
        n = len(raw)
        le = len(esc)
        while i < n:
            j = raw.find(esc, i)
            if j < 0:
                out.append(raw[i:])
                break
            out.append(raw[i:j])
            k = j + le
            if k >= n:
                self.issue("escape sequence not terminated", off + j, off + k)
                break
            c = raw[k]
            if c in _ESCAPES:
                out.append(_ESCAPES[c])
                i = k + 1
            elif c == quote.char:
                out.append(c)
                i = k + 1
            elif c in "uU":
                width = 4 if c == "u" else 8
                digits = raw[k + 1 : k + 1 + width]
                if len(digits) < width or not all(ch in "0123456789abcdefABCDEF" for ch in digits):
                    self.issue("illegal character in escape sequence", off + j, off + k + 1 + len(digits))
                    i = k + 1
                    continue
                cp = int(digits, 16)
                if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
                    self.issue("escape sequence is invalid Unicode code point", off + j, off + k + 1 + width)
                    cp = 0xFFFD
                out.append(chr(cp))
                i = k + 1 + width
            elif c == "x" and quote.char == "'":
                digits = raw[k + 1 : k + 3]
                if len(digits) < 2 or not all(ch in "0123456789abcdefABCDEF" for ch in digits):
                    self.issue("illegal character in escape sequence", off + j, off + k + 3)
                    i = k + 1
                    continue
                out.append(_byte_char(int(digits, 16)))
                i = k + 3
            elif c in "01234567" and quote.char == "'":
                digits = raw[k : k + 3]
                if len(digits) < 3 or not all(ch in "01234567" for ch in digits) or int(digits, 8) > 255:
                    self.issue("illegal octal escape sequence", off + j, off + k + 3)
                    i = k + 1
                    continue
                out.append(_byte_char(int(digits, 8)))
                i = k + 3
            elif c == "x":
                self.issue("hexadecimal escape not allowed in string literal", off + j, off + k + 1)
                i = k + 1
            elif c in "01234567":
                self.issue("octal escape not allowed in string literal", off + j, off + k + 1)
                i = k + 1
            else:
                self.issue(f"unknown escape sequence '{esc}{c}'", off + j, off + k + 1)
                i = k + 1
        return "".join(out)


def _byte_char(b: int) -> str:
    # Raw byte values of bytes literals travel as lone surrogates (Python's
    # surrogateescape) until _to_bytes turns the literal into bytes.
    return chr(b) if b < 0x80 else chr(0xDC00 + b)


def _to_bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")


def _skip_simple_string(text: str, k: int) -> int:
    """End offset (past the closing quote) of the simple string at ``k``, or -1."""
    q = text[k]
    i = k + 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == q:
            return i + 1
        if c == "\n":
            return -1
        i += 1
    return -1


def _describe_char(c: str) -> str:
    if c == "\x00":
        return "NUL"
    if c.isprintable():
        return f"'{c}' (U+{ord(c):04X})"
    return f"U+{ord(c):04X}"
