"""Vertices: the nodes of an evaluated package.

A vertex is the value at one CUE path. It collects *conjuncts* — expressions
with the scope they were written in — from every place that contributes to
it (a field declared in two files, a definition it is unified with, a
pattern constraint, a comprehension). Evaluating it unifies them lazily and
once. A reference to another vertex adds that vertex's conjuncts, so
definitions are re-evaluated in the context of the value that uses them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from plancheck.checker.eval.values import Origin, Value

if TYPE_CHECKING:  # pragma: no cover
    from plancheck.checker.eval.scopes import Env

Label = Any  # str for struct fields, int for list elements

UNEVALUATED, RUNNING, DONE = 0, 1, 2


class Conjunct:
    """An expression to unify into a vertex, in the scope it was written in."""

    __slots__ = ("expr", "env", "decl", "embedded")

    def __init__(self, expr: Any, env: "Env", decl: Any = None, embedded: bool = False) -> None:
        self.expr = expr
        self.env = env
        #: the Field declaration that produced it (label spans, attributes, docs)
        self.decl = decl
        #: came from an embedding (closedness does not apply to its own fields)
        self.embedded = embedded

    @property
    def origin(self) -> Origin:
        return Origin(self.env.file, self.expr.span)

    def __repr__(self) -> str:
        return f"Conjunct({type(self.expr).__name__} at {self.env.file}:{self.expr.span.start})"


class ValueExpr:
    """A computed value standing where a conjunct expects an expression
    (the elements of a list a builtin returned)."""

    __slots__ = ("value", "span")

    def __init__(self, value: Value, span: Any) -> None:
        self.value = value
        self.span = span


class Pattern:
    """``[expr]: value`` (or the type of a ``...T``) declared in a struct literal."""

    __slots__ = ("label", "value", "env", "alias", "decl")

    def __init__(self, label: Any, value: Any, env: "Env", alias: str | None, decl: Any) -> None:
        self.label = label
        self.value = value
        self.env = env
        self.alias = alias
        self.decl = decl


class Closedness:
    """A closed definition ``vertex`` that restricts the labels of a struct."""

    __slots__ = ("vertex",)

    def __init__(self, vertex: "Vertex") -> None:
        self.vertex = vertex


class Vertex:
    __slots__ = (
        "path", "parent", "conjuncts", "state", "value", "arcs", "optional", "patterns",
        "closed", "open", "elements", "list_open", "list_tail", "incomplete", "attrs",
        "decls", "ref_targets", "scalar_with_defs", "is_definition_path", "label_values",
    )

    def __init__(self, path: tuple, parent: "Vertex | None") -> None:
        self.path = path
        self.parent = parent
        self.conjuncts: list[Conjunct] = []
        self.state = UNEVALUATED
        self.value: Value | None = None
        #: struct fields, in declaration order
        self.arcs: dict[str, Vertex] = {}
        #: labels all of whose declarations are optional (``x?:``)
        self.optional: set[str] = set()
        self.patterns: list[Pattern] = []
        self.closed: list[Closedness] = []
        #: the struct holds `...` (or embeds a non-struct): any label is allowed
        self.open = False
        #: list elements (None: not a list)
        self.elements: list[Vertex] | None = None
        self.list_open = False
        self.list_tail: list[Conjunct] = []
        #: fields may be missing: a comprehension or label could not be evaluated
        self.incomplete = False
        #: attributes of the fields and struct declarations that contributed
        self.attrs: list[Any] = []
        #: the field declarations (with their file) that contributed to this vertex
        self.decls: list[tuple[str, Any]] = []
        #: vertices this one was unified with by reference (`from: base`)
        self.ref_targets: list[Vertex] = []
        #: a scalar embedded next to definitions (`{string, #up: [...]}`)
        self.scalar_with_defs = False
        #: the evaluated labels of computed (interpolated) declarations, with their origins
        self.label_values: list[Any] = []
        self.is_definition_path = bool(parent and parent.is_definition_path) or _is_def_label(path[-1] if path else None)

    def __repr__(self) -> str:
        return f"Vertex({format_path(self.path)})"

    @property
    def label(self) -> Label:
        return self.path[-1] if self.path else None

    def arc(self, label: str) -> "Vertex":
        """The child vertex for ``label``, created on first use."""
        v = self.arcs.get(label)
        if v is None:
            v = Vertex(self.path + (label,), self)
            self.arcs[label] = v
        return v

    def is_ancestor_of(self, other: "Vertex") -> bool:
        p: Vertex | None = other
        while p is not None:
            if p is self:
                return True
            p = p.parent
        return False

    def regular_labels(self) -> list[str]:
        """Data fields: not definitions, not hidden, not optional."""
        return [l for l in self.arcs if is_regular(l) and l not in self.optional]


def _is_def_label(label: Any) -> bool:
    return isinstance(label, str) and (label.startswith("#") or label.startswith("_#"))


def is_regular(label: Any) -> bool:
    return isinstance(label, str) and not label.startswith("#") and not label.startswith("_")


def is_definition(label: Any) -> bool:
    return _is_def_label(label)


def format_path(path: tuple) -> str:
    """``images.arm64``, ``release.#up[0].from``, ``"my-field".x``."""
    out: list[str] = []
    for p in path:
        if isinstance(p, int):
            out.append(f"[{p}]")
            continue
        text = p if _is_identifier(p) else '"' + p.replace('"', '\\"') + '"'
        out.append(("." if out else "") + text)
    return "".join(out)


def _is_identifier(s: str) -> bool:
    return bool(_IDENT_RE.match(s)) and s != "_"


_IDENT_RE = re.compile(r"^(?:_?#)?[A-Za-z_$][A-Za-z0-9_$]*$")
