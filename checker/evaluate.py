"""Evaluating a package: roots, imports, and the walk over its data.

:func:`evaluate_package` builds the root vertex of a package (one conjunct
per file, each file with its own import scope over the shared package
scope), resolves imports through the :class:`~plancheck.checker.loader.Loader`
(standard library, bundled schema, module and vendored packages), and
evaluates every data field (regular and hidden, not definitions: a
definition is a schema, checked where it is used).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from plancheck.checker.eval import builtins as bi
from plancheck.checker.eval.evaluator import Evaluator, ImportedPackage, Issue
from plancheck.checker.eval.scopes import FileEnv, PackageEnv, declared
from plancheck.checker.eval.vertex import Conjunct, Vertex, is_definition
from plancheck.checker.loader import FileUnit, Loader, Package
from plancheck.grammar import ast

#: how deep the data walk goes (structure deeper than this is left unevaluated)
MAX_WALK_DEPTH = 60


@dataclass
class ImportInfo:
    unit: FileUnit
    spec: ast.ImportSpec
    name: str
    target: object | None  # ImportedPackage | BuiltinPackage | None (not found)


@dataclass
class EvaluatedPackage:
    package: Package
    root: Vertex
    evaluator: Evaluator
    imports: list[ImportInfo] = field(default_factory=list)

    @property
    def issues(self) -> list[Issue]:
        return self.evaluator.issues


class Evaluation:
    """One evaluator and the package roots it has built, shared by every package
    of one check: a package imported by several others is evaluated once."""

    def __init__(self, loader: Loader, is_user_file) -> None:
        self.loader = loader
        self.evaluator = Evaluator(is_user_file)
        self._roots: dict[tuple[str, str], tuple[Vertex, list[ImportInfo]]] = {}
        self._folders: dict[int, str] = {}

    def _key(self, pkg: Package) -> tuple[str, str]:
        folder = self._folders.get(id(pkg))
        if folder is None:
            folder = self._folders[id(pkg)] = str(Path(pkg.folder).resolve())
        return (folder, pkg.name)

    def root(self, pkg: Package) -> Vertex:
        return self._built(pkg)[0]

    def _built(self, pkg: Package) -> tuple[Vertex, list[ImportInfo]]:
        key = self._key(pkg)
        got = self._roots.get(key)
        if got is None:
            got = build_root(pkg, self.loader, self.evaluator, self)
            self._roots[key] = got
        return got

    def evaluate(self, pkg: Package) -> "EvaluatedPackage":
        key = self._key(pkg)
        built = self._roots.get(key)
        if built is not None and {id(c.expr) for c in built[0].conjuncts} != {id(u.ast) for u in pkg.files}:
            # Loaded earlier as an import, but from other files (another set of
            # siblings, or text an editor has changed since): the checked
            # package wins.
            del self._roots[key]
        root, infos = self._built(pkg)
        walk_data(self.evaluator, root)
        return EvaluatedPackage(pkg, root, self.evaluator, infos)


def build_root(pkg: Package, loader: Loader, evaluator: Evaluator, roots: "Evaluation") -> tuple[Vertex, list[ImportInfo]]:
    root = Vertex((), None)
    labels: set[str] = set()
    for unit in pkg.files:
        labels |= declared(unit.ast).labels
    penv = PackageEnv(frozenset(labels), root)
    infos: list[ImportInfo] = []
    folder = Path(os.path.dirname(os.path.abspath(pkg.files[0].path))) if pkg.files else pkg.folder
    for unit in pkg.files:
        imports: dict[str, object] = {}
        for spec in unit.ast.import_specs:
            target = _resolve_import(spec, folder, loader, evaluator, roots)
            name = spec.alias.name if spec.alias is not None else (
                target.root_name if isinstance(target, _Named) else spec.default_name
            )
            value = target.value if isinstance(target, _Named) else target
            if value is not None:
                imports[name] = value
            infos.append(ImportInfo(unit, spec, name, value))
        fenv = FileEnv(penv, unit.path, imports, unit.ast)
        root.conjuncts.append(Conjunct(unit.ast, fenv))
    return root, infos


@dataclass
class _Named:
    value: object
    root_name: str


def _resolve_import(spec: ast.ImportSpec, folder: Path, loader: Loader, evaluator: Evaluator, roots: "Evaluation") -> object | None:
    path = spec.import_path
    if path in bi.STDLIB:
        return bi.BuiltinPackage(path)
    pkg = loader.load_import(spec.path, folder)
    if pkg is None:
        return None
    return _Named(ImportedPackage(path, roots.root(pkg), evaluator), pkg.name)


def evaluate_package(pkg: Package, loader: Loader, is_user_file) -> EvaluatedPackage:
    """Evaluate one package on its own (tests, one-off uses)."""
    return Evaluation(loader, is_user_file).evaluate(pkg)


def iter_data(ev: Evaluator, root: Vertex) -> Iterator[Vertex]:
    """Every data vertex under ``root``, evaluated, depth first in declaration order.

    Data is regular and hidden fields and list elements; definitions and
    optional fields are not (a definition is checked where it is used).
    Iterative and depth-limited, so no plan can exhaust the Python stack.
    """
    stack: list[tuple[Vertex, int]] = [(root, 0)]
    seen: set[int] = set()
    while stack:
        v, depth = stack.pop()
        if id(v) in seen or depth > MAX_WALK_DEPTH:
            continue
        seen.add(id(v))
        ev.finalize(v)
        yield v
        sv = ev.struct_of(v)
        if sv is not None:
            for label, arc in reversed(list(sv.arcs.items())):
                if is_definition(label) or label in sv.optional:
                    continue
                stack.append((arc, depth + 1))
        lv = ev.list_of(v)
        if lv is not None and lv.elements:
            for el in reversed(lv.elements):
                stack.append((el, depth + 1))


def walk_data(ev: Evaluator, root: Vertex) -> None:
    """Evaluate every data field under ``root``."""
    for _ in iter_data(ev, root):
        pass
