"""Document symbols: the file's fields as an outline, pipelines (values with ``#up``) and their ops.

The outline follows the source, so it exists for files with syntax errors and
shows pipelines written inside definitions and comprehensions too.
"""

from __future__ import annotations

from typing import Iterable

from lsprotocol import types

from plancheck.grammar import ast
from plancheck.lsp.analysis import FeatureContext
from plancheck.lsp.schema import compact_source
from plancheck.lsp.syntax import schema_reference

#: nested fields deeper than this are left out of the outline
MAX_DEPTH = 8


def document_symbols(ctx: FeatureContext) -> list[types.DocumentSymbol]:
    return _symbols(ctx, ctx.parsed.tree.decls, 0)


def _symbols(ctx: FeatureContext, decls: Iterable[ast.Decl], depth: int) -> list[types.DocumentSymbol]:
    out: list[types.DocumentSymbol] = []
    for decl in decls:
        if isinstance(decl, ast.Field):
            out.append(_field_symbol(ctx, decl, depth))
        elif isinstance(decl, ast.LetClause):
            out.append(
                types.DocumentSymbol(
                    name=decl.name.name,
                    kind=types.SymbolKind.Variable,
                    range=ctx.range(decl.span),
                    selection_range=ctx.range(decl.name.span),
                    detail=_detail(ctx, decl.value),
                )
            )
        elif isinstance(decl, ast.Comprehension) and depth < MAX_DEPTH:
            # What a comprehension produces belongs to the struct around it.
            out.extend(_symbols(ctx, decl.body.decls, depth + 1))
    return out


def _field_symbol(ctx: FeatureContext, field: ast.Field, depth: int) -> types.DocumentSymbol:
    structs = list(_struct_terms(field.value))
    pipeline = next((d for s in structs for d in s.decls if _is_up(d)), None)
    children: list[types.DocumentSymbol] = []
    if isinstance(pipeline, ast.Field):
        children.extend(_op_symbols(ctx, pipeline.value))
    if depth < MAX_DEPTH:
        for struct in structs:
            children.extend(c for c in _symbols(ctx, struct.decls, depth + 1) if c.name != "#up")
    label = field.label
    if pipeline is not None:
        kind = types.SymbolKind.Function
        ops = sum(1 for c in children if c.kind == types.SymbolKind.Method)
        detail = f"pipeline, {ops} op{'s' if ops != 1 else ''}"
    elif label.kind in (ast.LabelKind.DEFINITION, ast.LabelKind.HIDDEN_DEFINITION):
        kind = types.SymbolKind.Class
        detail = _detail(ctx, field.value)
    elif structs:
        kind = types.SymbolKind.Struct
        detail = _detail(ctx, field.value)
    else:
        kind = types.SymbolKind.Field
        detail = _detail(ctx, field.value)
    return types.DocumentSymbol(
        name=_label_text(ctx, label),
        kind=kind,
        range=ctx.range(field.span),
        selection_range=ctx.range(label.span),
        detail=detail,
        children=children or None,
    )


def _is_up(decl: ast.Decl) -> bool:
    return isinstance(decl, ast.Field) and decl.label.name == "#up" and decl.label.kind is ast.LabelKind.DEFINITION


def _struct_terms(value: ast.Expr) -> Iterable[ast.StructLit]:
    """The struct literals a value unifies (``dagger.#Artifact & {…}`` has one)."""
    if isinstance(value, ast.StructLit):
        yield value
    elif isinstance(value, ast.Unification):
        for term in value.terms:
            yield from _struct_terms(term)
    elif isinstance(value, ast.Paren):
        yield from _struct_terms(value.expr)


def _op_symbols(ctx: FeatureContext, value: ast.Expr) -> list[types.DocumentSymbol]:
    if not isinstance(value, ast.ListLit):
        return []
    out = []
    for index, element in enumerate(value.elements):
        if isinstance(element, (ast.Ellipsis, ast.Comprehension)):
            continue
        definition, selector = _op_of(ctx, element)
        name = f"op.{definition}" if definition else f"op {index + 1}"
        out.append(
            types.DocumentSymbol(
                name=name,
                kind=types.SymbolKind.Method,
                range=ctx.range(element.span),
                selection_range=ctx.range(selector.span if selector is not None else element.span),
                detail=_op_detail(ctx, element),
            )
        )
    return out


def _op_of(ctx: FeatureContext, element: ast.Expr) -> tuple[str | None, ast.Node | None]:
    terms = element.terms if isinstance(element, ast.Unification) else (element,)
    for term in terms:
        if isinstance(term, ast.Selector):
            found = schema_reference(term, ctx.source, ctx.schema)
            if found is not None or term.name.startswith("#"):
                return term.name, term
    return None, None


def _op_detail(ctx: FeatureContext, element: ast.Expr) -> str | None:
    """The field that says most about an op: what it fetches, builds, runs or pushes."""
    for struct in _struct_terms(element):
        values = {d.label.name: d.value for d in struct.decls if isinstance(d, ast.Field) and d.label.name}
        for key in ("ref", "remote", "url", "args", "context", "platform", "from", "dir", "path"):
            if key in values:
                return f"{key}: {_detail(ctx, values[key])}"
    return None


def _label_text(ctx: FeatureContext, label: ast.Label) -> str:
    if label.kind in (ast.LabelKind.PATTERN, ast.LabelKind.INTERPOLATED, ast.LabelKind.EXPRESSION) or label.name is None:
        return compact_source(ctx.document.text[label.span.start.offset : label.span.end.offset], 60) or "?"
    if label.kind is ast.LabelKind.STRING:
        return f'"{label.name}"'
    return label.name + ("?" if label.optional else "")


def _detail(ctx: FeatureContext, value: ast.Node) -> str | None:
    text = compact_source(ctx.document.text[value.span.start.offset : value.span.end.offset], 60)
    return text or None
