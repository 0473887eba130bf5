"""Go to definition.

* a reference: the field, ``let``, alias, ``for`` variable or import it names,
  in this file or another file of the package;
* ``op.#X`` / ``dagger.#X``: the definition in the bundled schema file, and
  an operation's field label: that field in the schema;
* ``pkg.#X`` for an imported package of the module: its declaration there;
  ``a.b`` for a local struct: the field ``b`` of ``a``;
* an import path: the files of the imported package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from lsprotocol import types

from plancheck.checker.loader import Loader
from plancheck.grammar import ast
from plancheck.grammar.span import Position, Span
from plancheck.lsp.analysis import FeatureContext
from plancheck.lsp.documents import path_to_uri
from plancheck.lsp.syntax import node_path, op_struct_at, resolve_name, schema_reference, struct_bindings


def definition(ctx: FeatureContext, position: types.Position) -> list[types.Location]:
    offset = ctx.offset(position)
    path = node_path(ctx.parsed.tree, offset)
    node = path[-1]
    for spec in ctx.parsed.tree.import_specs:
        if spec.path_span.start.offset <= offset <= spec.path_span.end.offset:
            return import_locations(ctx, spec)
    if isinstance(node, ast.Label) and len(path) >= 3 and isinstance(path[-2], ast.Field):
        found = op_struct_at(path[:-2], ctx.source, ctx.package, ctx.schema)
        if found is not None and found[0] is path[-3] and node.name:
            schema_field = found[1].field(node.name)
            if schema_field is not None:
                return [ctx.location(schema_field.path, schema_field.span)]
        return []
    if isinstance(node, ast.Selector):
        return selector_locations(ctx, path, node)
    if isinstance(node, ast.Ident):
        binding = resolve_name(node.name, path[:-1], ctx.source, ctx.package)
        if binding is not None:
            return [ctx.location(binding.path, binding.span)]
    return []


def selector_locations(ctx: FeatureContext, path: Sequence[ast.Node], node: ast.Selector) -> list[types.Location]:
    found = schema_reference(node, ctx.source, ctx.schema)
    if found is not None:
        return [ctx.location(found.path, found.span)]
    if not isinstance(node.expr, ast.Ident):
        return []
    binding = resolve_name(node.expr.name, path, ctx.source, ctx.package)
    if binding is None:
        return []
    if binding.kind == "import":
        spec = binding.node
        assert isinstance(spec, ast.ImportSpec)
        package = Loader(dict(ctx.overlays)).load_import(spec.path, Path(ctx.document.folder))
        if package is None:
            return []
        for unit in package.files:
            member = struct_bindings(unit.ast.decls, unit.path).get(node.name)
            if member is not None:
                return [ctx.location(member.path, member.span)]
        return []
    value = binding.value
    terms = value.terms if isinstance(value, ast.Unification) else (value,)
    for term in terms:
        if isinstance(term, ast.StructLit):
            member = struct_bindings(term.decls, binding.path).get(node.name)
            if member is not None:
                return [ctx.location(member.path, member.span)]
    return []


def import_locations(ctx: FeatureContext, spec: ast.ImportSpec) -> list[types.Location]:
    package = Loader(dict(ctx.overlays)).load_import(spec.path, Path(ctx.document.folder))
    if package is None:
        return []
    start = Position(1, 1, 0, 0)
    return [types.Location(uri=path_to_uri(unit.path), range=ctx.location(unit.path, Span(start, start)).range) for unit in package.files]
