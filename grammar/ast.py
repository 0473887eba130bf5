"""Typed, immutable AST of the CUE subset.

Every node has a ``span`` (see :mod:`plancheck.grammar.span`). Nodes compare
and hash by identity (as Python's own ``ast`` nodes do): checkers key caches
by node, and a structural hash would walk whole subtrees. Declarations
and expressions are separate families; a struct or file body is a tuple of
declarations. Chained labels ``a: b: c: v`` become nested fields whose inner
structs are marked ``implicit`` (as CUE's own AST does). n-ary ``|`` and
``&`` chains keep the grouping written in the source: ``a | (b | *c)`` is a
two-term :class:`Disjunction` whose second term is a :class:`Paren`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Iterator, Union

from plancheck.grammar.span import Span


class LabelKind(str, enum.Enum):
    IDENT = "ident"  # regular identifier: binds a name in its scope
    DEFINITION = "definition"  # #X
    HIDDEN = "hidden"  # _x
    HIDDEN_DEFINITION = "hidden_definition"  # _#X
    STRING = "string"  # "x": binds nothing (the trap `"env": env` relies on)
    PATTERN = "pattern"  # [expr]: constraint on every matching field
    INTERPOLATED = "interpolated"  # "\(k)": computed label
    EXPRESSION = "expression"  # (expr): outside the supported subset
    KEYWORD = "keyword"  # null/true/false used as a label


def ident_kind(name: str) -> LabelKind:
    if name.startswith("_#"):
        return LabelKind.HIDDEN_DEFINITION
    if name.startswith("#"):
        return LabelKind.DEFINITION
    if name.startswith("_") and name != "_":
        return LabelKind.HIDDEN
    return LabelKind.IDENT


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    span: Span

    def children(self) -> Iterator["Node"]:
        """Direct child nodes, in source order."""
        for name in self.__dataclass_fields__:  # type: ignore[attr-defined]
            if name == "span":
                continue
            value = getattr(self, name)
            if isinstance(value, Node):
                yield value
            elif isinstance(value, tuple):
                for item in value:
                    if isinstance(item, Node):
                        yield item


# --------------------------------------------------------------------------
# Expressions


@dataclass(frozen=True, slots=True, eq=False)
class Ident(Node):
    """A reference to a name (or a binding occurrence in a clause or alias)."""

    name: str


@dataclass(frozen=True, slots=True, eq=False)
class Top(Node):
    """``_``: any value."""


@dataclass(frozen=True, slots=True, eq=False)
class Bottom(Node):
    """``_|_``: an error value."""


@dataclass(frozen=True, slots=True, eq=False)
class Null(Node):
    pass


@dataclass(frozen=True, slots=True, eq=False)
class Bool(Node):
    value: bool


@dataclass(frozen=True, slots=True, eq=False)
class Int(Node):
    value: int | None  # None for literals outside the subset (SI multipliers)
    text: str


@dataclass(frozen=True, slots=True, eq=False)
class Float(Node):
    value: float | None
    text: str


@dataclass(frozen=True, slots=True, eq=False)
class String(Node):
    """A string or bytes literal without interpolation; ``value`` is decoded."""

    value: str | bytes
    multiline: bool = False
    hashes: int = 0
    is_bytes: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class StringPart(Node):
    """A decoded literal piece of an interpolated string."""

    value: str | bytes


@dataclass(frozen=True, slots=True, eq=False)
class Interpolation(Node):
    """``"a\\(x)b"``: parts alternate between :class:`StringPart` and expressions."""

    parts: tuple["Expr | StringPart", ...]
    multiline: bool = False
    hashes: int = 0
    is_bytes: bool = False

    @property
    def exprs(self) -> tuple["Expr", ...]:
        return tuple(p for p in self.parts if not isinstance(p, StringPart))


@dataclass(frozen=True, slots=True, eq=False)
class ListLit(Node):
    elements: tuple["Expr | Comprehension | Ellipsis", ...]

    @property
    def ellipsis(self) -> "Ellipsis | None":
        if self.elements and isinstance(self.elements[-1], Ellipsis):
            return self.elements[-1]
        return None


@dataclass(frozen=True, slots=True, eq=False)
class StructLit(Node):
    decls: tuple["Decl", ...]
    #: True for the struct a chained label creates (``a: b: 1``): no braces in the source.
    implicit: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class Paren(Node):
    expr: "Expr"


@dataclass(frozen=True, slots=True, eq=False)
class Unary(Node):
    """``op`` is one of ``+ - ! *`` or a bound operator ``< <= > >= != =~ !~``."""

    op: str
    operand: "Expr"


@dataclass(frozen=True, slots=True, eq=False)
class Binary(Node):
    """``|| && == != < <= > >= =~ !~ + - * /`` (left-associative chains)."""

    op: str
    left: "Expr"
    right: "Expr"
    op_span: Span


@dataclass(frozen=True, slots=True, eq=False)
class Disjunction(Node):
    """``a | b | *c`` (n-ary; a parenthesised sub-chain is a separate node)."""

    terms: tuple["Expr", ...]


@dataclass(frozen=True, slots=True, eq=False)
class Unification(Node):
    """``a & b & c`` (n-ary)."""

    terms: tuple["Expr", ...]


@dataclass(frozen=True, slots=True, eq=False)
class Selector(Node):
    expr: "Expr"
    name: str
    name_span: Span
    quoted: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class Index(Node):
    expr: "Expr"
    index: "Expr"


@dataclass(frozen=True, slots=True, eq=False)
class Slice(Node):
    """``a[lo:hi]``: parsed, but outside the supported subset."""

    expr: "Expr"
    low: "Expr | None"
    high: "Expr | None"


@dataclass(frozen=True, slots=True, eq=False)
class Call(Node):
    func: "Expr"
    args: tuple["Expr", ...]


@dataclass(frozen=True, slots=True, eq=False)
class Alias(Node):
    """``X=expr`` in a value position: ``X`` names the value."""

    name: Ident
    expr: "Expr"


@dataclass(frozen=True, slots=True, eq=False)
class BadExpr(Node):
    """Text the parser skipped after a syntax error."""


Expr = Union[
    Ident, Top, Bottom, Null, Bool, Int, Float, String, Interpolation, ListLit, StructLit,
    Paren, Unary, Binary, Disjunction, Unification, Selector, Index, Slice, Call, Alias, BadExpr,
]


# --------------------------------------------------------------------------
# Declarations


@dataclass(frozen=True, slots=True, eq=False)
class Attribute(Node):
    """``@name(body)``; ``body`` is the raw text between the parentheses."""

    name: str
    body: str

    def args(self) -> list[tuple[str, str | None]]:
        """Comma-separated ``key`` or ``key=value`` arguments (the usual convention)."""
        out: list[tuple[str, str | None]] = []
        for part in _split_attr_args(self.body):
            part = part.strip()
            if not part:
                continue
            key, eq, value = part.partition("=")
            out.append((key.strip(), value.strip() if eq else None))
        return out

    def has_arg(self, key: str) -> bool:
        return any(k == key for k, _ in self.args())


@dataclass(frozen=True, slots=True, eq=False)
class Label(Node):
    kind: LabelKind
    #: The label's name for identifier, definition, hidden, string and keyword labels.
    name: str | None
    optional: bool = False
    #: ``X=label:`` binds X to the field; ``[X=expr]:`` binds X to the matched label.
    alias: Ident | None = None
    #: The constraint of a pattern label, or the expression of an interpolated/expression label.
    expr: "Expr | None" = None

    @property
    def binds(self) -> bool:
        """Whether the label introduces its name into the enclosing scope."""
        return self.kind in (
            LabelKind.IDENT, LabelKind.DEFINITION, LabelKind.HIDDEN, LabelKind.HIDDEN_DEFINITION
        )


@dataclass(frozen=True, slots=True, eq=False)
class Field(Node):
    label: Label
    value: Expr
    attributes: tuple[Attribute, ...] = ()
    #: The ``//`` comment lines directly above the field, without the markers.
    doc: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Embedding(Node):
    expr: Expr


@dataclass(frozen=True, slots=True, eq=False)
class Ellipsis(Node):
    """``...`` or ``...T`` in a struct or at the end of a list."""

    type: Expr | None = None


@dataclass(frozen=True, slots=True, eq=False)
class LetClause(Node):
    """``let x = e`` as a declaration or as a comprehension clause."""

    name: Ident
    value: Expr


@dataclass(frozen=True, slots=True, eq=False)
class AliasDecl(Node):
    """Deprecated ``X = expr`` declaration (outside the subset; acts as ``let``)."""

    name: Ident
    value: Expr


@dataclass(frozen=True, slots=True, eq=False)
class AttributeDecl(Node):
    attribute: Attribute


@dataclass(frozen=True, slots=True, eq=False)
class ForClause(Node):
    key: Ident | None
    value: Ident
    source: Expr


@dataclass(frozen=True, slots=True, eq=False)
class IfClause(Node):
    condition: Expr


Clause = Union[ForClause, IfClause, LetClause]


@dataclass(frozen=True, slots=True, eq=False)
class Comprehension(Node):
    clauses: tuple[Clause, ...]
    body: StructLit


@dataclass(frozen=True, slots=True, eq=False)
class BadDecl(Node):
    """A declaration the parser skipped after a syntax error."""


Decl = Union[Field, Embedding, Ellipsis, LetClause, AliasDecl, AttributeDecl, Comprehension, BadDecl]


# --------------------------------------------------------------------------
# Files


@dataclass(frozen=True, slots=True, eq=False)
class PackageClause(Node):
    name: Ident


@dataclass(frozen=True, slots=True, eq=False)
class ImportSpec(Node):
    alias: Ident | None
    path: str
    path_span: Span

    @property
    def import_path(self) -> str:
        """The path without a ``:pkg`` qualifier."""
        return self.path.split(":", 1)[0]

    @property
    def qualifier(self) -> str | None:
        return self.path.split(":", 1)[1] if ":" in self.path else None

    @property
    def default_name(self) -> str:
        """The name a file uses for the import when it gives no alias."""
        if self.alias is not None:
            return self.alias.name
        if self.qualifier:
            return self.qualifier
        last = self.import_path.rstrip("/").rsplit("/", 1)[-1]
        return last.split("@", 1)[0]


@dataclass(frozen=True, slots=True, eq=False)
class ImportDecl(Node):
    specs: tuple[ImportSpec, ...]
    grouped: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class Comment(Node):
    text: str
    own_line: bool = True


@dataclass(frozen=True, slots=True, eq=False)
class File(Node):
    path: str
    attributes: tuple[Attribute, ...]
    package: PackageClause | None
    imports: tuple[ImportDecl, ...]
    decls: tuple[Decl, ...]
    comments: tuple[Comment, ...] = field(default=())

    @property
    def import_specs(self) -> tuple[ImportSpec, ...]:
        return tuple(spec for decl in self.imports for spec in decl.specs)

    @property
    def package_name(self) -> str | None:
        return self.package.name.name if self.package else None

    def file_attribute(self, name: str) -> Attribute | None:
        for attr in self.attributes:
            if attr.name == name:
                return attr
        return None


def walk(node: Node) -> Iterator[Node]:
    """Every node under ``node`` (included), depth first, in source order.

    Iterative, so arbitrarily deep trees cannot exhaust the Python stack.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        kids = list(current.children())
        kids.reverse()
        stack.extend(kids)


def _split_attr_args(body: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    quote = ""
    cur: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if quote:
            cur.append(c)
            if c == "\\" and i + 1 < len(body):
                cur.append(body[i + 1])
                i += 2
                continue
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
            cur.append(c)
        elif c in "([{":
            depth += 1
            cur.append(c)
        elif c in ")]}":
            depth -= 1
            cur.append(c)
        elif c == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts
