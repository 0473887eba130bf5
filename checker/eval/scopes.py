"""Lexical scopes.

Scopes are lexical and block based: the package (all files), a file
(imports, file-level ``let``), every struct literal, ``let``, aliases and
``for`` clauses. A struct literal's scope holds only its *identifier*
labels: quoted labels bind nothing, which is why ``"env": env`` refers to
the outer ``env`` (a trap real plans rely on).

A struct literal's frame is bound to the vertex it is being evaluated into,
so a reference to a sibling field reads the sibling in *that* vertex: the
definition ``#D: {x: int, y: x}`` used as ``a: #D & {x: 1}`` gives
``a.y == 1``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from plancheck.grammar import ast

if TYPE_CHECKING:  # pragma: no cover
    from plancheck.checker.eval.vertex import Vertex


class Env:
    """One frame of the scope chain."""

    __slots__ = ("parent", "file", "depth")

    def __init__(self, parent: "Env | None", file: str) -> None:
        self.parent = parent
        self.file = file
        self.depth = 0 if parent is None else parent.depth + 1


class PackageEnv(Env):
    """The package scope: top-level identifier labels of every file, bound to the root."""

    __slots__ = ("labels", "vertex")

    def __init__(self, labels: frozenset[str], vertex: "Vertex") -> None:
        super().__init__(None, "")
        self.labels = labels
        self.vertex = vertex


class FileEnv(Env):
    """A file's scope: its imports (name -> resolved package) and file-level lets."""

    __slots__ = ("imports", "used", "node")

    def __init__(self, parent: Env, file: str, imports: dict[str, Any], node: ast.File) -> None:
        super().__init__(parent, file)
        self.imports = imports
        self.used: set[str] = set()
        self.node = node


class StructEnv(Env):
    """A struct literal evaluated into ``vertex``."""

    __slots__ = ("node", "vertex", "decls", "let_cache")

    def __init__(self, parent: Env, node: Any, vertex: "Vertex") -> None:
        super().__init__(parent, parent.file)
        self.node = node
        self.vertex = vertex
        self.decls = declared(node)
        #: values of the literal's `let`s, computed once per evaluation of the literal
        self.let_cache: dict[str, Any] = {}


class BindEnv(Env):
    """Names bound to values or vertices: ``for`` variables, clause ``let``s,
    value aliases, the alias of a pattern constraint."""

    __slots__ = ("names",)

    def __init__(self, parent: Env, names: dict[str, Any]) -> None:
        super().__init__(parent, parent.file)
        self.names = names


class LetEnv(Env):
    """A comprehension ``let`` clause: evaluated lazily, once."""

    __slots__ = ("name", "expr", "env", "cache")

    def __init__(self, parent: Env, name: str, expr: Any) -> None:
        super().__init__(parent, parent.file)
        self.name = name
        self.expr = expr
        self.env = parent
        self.cache: Any = None


class Declared:
    """What a struct literal (or file) declares for scoping."""

    __slots__ = ("labels", "lets", "aliases", "comprehension_labels")

    def __init__(self) -> None:
        #: identifier labels -> the label name in the vertex
        self.labels: set[str] = set()
        #: let name -> expression (decl-level let and deprecated `X = e`)
        self.lets: dict[str, Any] = {}
        #: `X=label:` alias -> label name
        self.aliases: dict[str, str] = {}
        #: identifier labels declared inside comprehension bodies of this struct
        #: (not in scope, but a reference to one is not provably undefined)
        self.comprehension_labels: set[str] = set()


@lru_cache(maxsize=65536)
def _declared_cached(node: Any) -> Declared:
    return _compute_declared(node)


def declared(node: Any) -> Declared:
    try:
        return _declared_cached(node)
    except TypeError:  # unhashable (should not happen with frozen nodes)
        return _compute_declared(node)


def _compute_declared(node: Any) -> Declared:
    d = Declared()
    decls = node.decls
    for decl in decls:
        _declare(d, decl)
    return d


def _declare(d: Declared, decl: Any) -> None:
    if isinstance(decl, ast.Field):
        label = decl.label
        if label.binds and label.name is not None:
            d.labels.add(label.name)
        if label.alias is not None and label.kind is not ast.LabelKind.PATTERN:
            if label.name is not None:
                d.aliases[label.alias.name] = label.name
    elif isinstance(decl, (ast.LetClause, ast.AliasDecl)):
        d.lets[decl.name.name] = decl.value
    elif isinstance(decl, ast.Comprehension):
        for inner in decl.body.decls:
            if isinstance(inner, ast.Field) and inner.label.binds and inner.label.name:
                d.comprehension_labels.add(inner.label.name)
            elif isinstance(inner, ast.Comprehension):
                sub = _compute_declared(inner.body)
                d.comprehension_labels |= sub.labels | sub.comprehension_labels


def names_in_scope(env: Env | None) -> list[str]:
    """Every name visible from ``env``, innermost first (for "did you mean")."""
    out: list[str] = []
    seen: set[str] = set()
    e = env
    while e is not None:
        names: list[str] = []
        if isinstance(e, StructEnv):
            names = sorted(e.decls.labels) + sorted(e.decls.lets) + sorted(e.decls.aliases)
        elif isinstance(e, PackageEnv):
            names = sorted(e.labels)
        elif isinstance(e, FileEnv):
            names = sorted(e.imports)
        elif isinstance(e, BindEnv):
            names = sorted(e.names)
        elif isinstance(e, LetEnv):
            names = [e.name]
        for n in names:
            if n not in seen:
                seen.add(n)
                out.append(n)
        e = e.parent
    return out
