"""Hover: what the thing under the cursor is.

Each *contributor* answers for one kind of thing (an ``op.#X`` definition,
an operation's field, a platform string, a reference, a field holding
pipelines, a documented field, an import path) and the first that recognises
the cursor wins. The pipeline contributor reads the last check's plan model
(paths and effective platforms); a reference shows the value the last check
computed for the field it names (``plancheck.checker.query``).
"""

from __future__ import annotations

from typing import Callable, Sequence

from lsprotocol import types

from plancheck.checker import platforms
from plancheck.grammar import ast
from plancheck.lsp.analysis import FeatureContext
from plancheck.lsp.schema import PACKAGE_OF_IMPORT, SchemaDefinition, SchemaField, compact_source
from plancheck.lsp.syntax import node_path, op_struct_at, resolve_name, schema_reference

Contributor = Callable[[FeatureContext, Sequence[ast.Node], int], "tuple[str, ast.Node] | None"]


def hover(ctx: FeatureContext, position: types.Position) -> types.Hover | None:
    offset = ctx.offset(position)
    path = node_path(ctx.parsed.tree, offset)
    for contributor in CONTRIBUTORS:
        found = contributor(ctx, path, offset)
        if found is not None:
            markdown, node = found
            return types.Hover(
                contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown),
                range=ctx.range(node.span),
            )
    return None


# ---------------------------------------------------------------------------
# Contributors


def schema_definition(ctx: FeatureContext, path: Sequence[ast.Node], offset: int):
    if len(path) >= 2 and isinstance(path[-1], ast.Ident) and isinstance(path[-2], ast.Selector):
        return None  # on the package name of `op.#X`: the import is described instead
    for node in reversed(path):
        if isinstance(node, ast.Selector):
            found = schema_reference(node, ctx.source, ctx.schema)
            if found is not None:
                return definition_markdown(found), node
            return None
    return None


def operation_field(ctx: FeatureContext, path: Sequence[ast.Node], offset: int):
    if len(path) < 3 or not isinstance(path[-1], ast.Label) or not isinstance(path[-2], ast.Field):
        return None
    field = path[-2]
    found = op_struct_at(path[:-2], ctx.source, ctx.package, ctx.schema)
    if found is None or found[0] is not path[-3] or field.label.name is None:
        return None
    schema_field = found[1].field(field.label.name)
    if schema_field is None:
        return None
    return field_markdown(found[1], schema_field), path[-1]


def platform_string(ctx: FeatureContext, path: Sequence[ast.Node], offset: int):
    node = path[-1]
    text: str | None = None
    if isinstance(node, ast.String) and isinstance(node.value, str) and is_platform_position(path):
        text = node.value
    elif isinstance(node, ast.Label) and node.kind is ast.LabelKind.STRING and is_images_key(path):
        text = node.name
    if text is None:
        return None
    return platform_markdown(text), node


def reference(ctx: FeatureContext, path: Sequence[ast.Node], offset: int):
    node = path[-1]
    if not isinstance(node, ast.Ident):
        return None
    if len(path) >= 2 and isinstance(path[-2], ast.Selector) and path[-2].expr is node:
        package = PACKAGE_OF_IMPORT.get(_import_path_of(ctx, node.name) or "")
        if package is not None:
            doc = ctx.schema.package_docs.get(package, "")
            return f"```cue\nimport \"{_import_path_of(ctx, node.name)}\"\n```\n\n{doc}".rstrip(), node
    binding = resolve_name(node.name, path[:-1], ctx.source, ctx.package)
    if binding is None:
        return None
    if binding.kind == "import":
        spec = binding.node
        assert isinstance(spec, ast.ImportSpec)
        package = PACKAGE_OF_IMPORT.get(spec.import_path)
        doc = ctx.schema.package_docs.get(package, "") if package else ""
        return f"```cue\nimport \"{spec.path}\"\n```\n\n{doc}".rstrip(), node
    if binding.kind == "for":
        return f"```cue\n{node.name}\n```\n\nvariable of a `for` comprehension", node
    value = binding.value
    text = ctx.text_of(binding.path) or ""
    shown = compact_source(text[value.span.start.offset : value.span.end.offset]) if value is not None else ""
    keyword = "let " if binding.kind == "let" else ""
    sep = " = " if binding.kind == "let" else ": "
    body = f"```cue\n{keyword}{binding.name}{sep}{shown}\n```"
    evaluated = _evaluated(ctx, binding)
    if evaluated is not None and evaluated != shown:
        body += f"\n\nevaluates to (as last checked):\n```cue\n{evaluated}\n```"
    if binding.doc:
        body += "\n\n" + binding.doc
    return body, node


def _evaluated(ctx: FeatureContext, binding) -> str | None:
    """The value the last check computed for a field binding, if it is of this version."""
    if binding.kind != "field" or ctx.checked is None or not ctx.current:
        return None
    from plancheck.checker.query import field_value

    return field_value(ctx.checked.complete_report(), binding.path, binding.span.start.offset)


def pipeline(ctx: FeatureContext, path: Sequence[ast.Node], offset: int):
    """A field holding pipelines: what the last check evaluated them to (path and platform)."""
    if len(path) < 2 or not isinstance(path[-1], ast.Label) or not isinstance(path[-2], ast.Field):
        return None
    if ctx.checked is None or not ctx.current:
        return None  # spans of another version of the buffer would not match
    field = path[-2]

    def inside(origin) -> bool:
        return (
            origin is not None
            and origin.path == ctx.document.path
            and field.span.start.offset <= origin.span.start.offset <= field.span.end.offset
        )

    found = []
    for plan in ctx.checked.complete_report().plans.values():
        for item in getattr(plan, "pipelines", {}).values():
            # The value may come from elsewhere (a comprehension) while its ops are written here.
            if inside(item.origin) or any(inside(f.origin) for op in item.ops for f in op.fields.values()):
                found.append(item)
    if not found:
        return None
    source = {"op": "set by an op", "load": "from the pipeline it loads", "default": "the default platform"}
    lines = [f"pipeline{'s' if len(found) > 1 else ''} (as last checked):", ""]
    for item in found[:20]:
        platform = f"`{item.platform}`" if item.platform else "unknown platform"
        lines.append(f"- `{item.path}`: {len(item.ops)} op{'s' if len(item.ops) != 1 else ''}, {platform} ({source.get(item.platform_source, item.platform_source)})")
    if len(found) > 20:
        lines.append(f"- … and {len(found) - 20} more")
    if field.doc:
        lines += ["", field.doc]
    return "\n".join(lines), path[-1]


def documented_field(ctx: FeatureContext, path: Sequence[ast.Node], offset: int):
    if len(path) < 2 or not isinstance(path[-1], ast.Label) or not isinstance(path[-2], ast.Field):
        return None
    field = path[-2]
    value = field.value
    shown = compact_source(ctx.document.text[value.span.start.offset : value.span.end.offset])
    label = ctx.document.text[field.label.span.start.offset : field.label.span.end.offset]
    body = f"```cue\n{label}: {shown}\n```"
    if field.doc:
        body += "\n\n" + field.doc
    return body, path[-1]


def import_path(ctx: FeatureContext, path: Sequence[ast.Node], offset: int):
    for node in reversed(path):
        if isinstance(node, ast.ImportSpec) and node.path_span.start.offset <= offset <= node.path_span.end.offset:
            package = PACKAGE_OF_IMPORT.get(node.import_path)
            if package is not None:
                return f"bundled package `{node.import_path}`\n\n{ctx.schema.package_docs.get(package, '')}".rstrip(), node
            return f"package `{node.import_path}`", node
    return None


CONTRIBUTORS: tuple[Contributor, ...] = (
    import_path,
    schema_definition,
    operation_field,
    platform_string,
    reference,
    pipeline,
    documented_field,
)


# ---------------------------------------------------------------------------
# Markdown


def definition_markdown(definition: SchemaDefinition) -> str:
    lines = [f"```cue\n{definition.package}.{definition.name}\n```", "", definition.doc]
    shown = [f for f in definition.fields if f.name != "do"]
    if shown:
        lines += ["", "| field | type |", "|---|---|"]
        for f in shown:
            lines.append(f"| `{f.name}{'?' if f.optional else ''}` | `{f.type.replace('|', '&#124;')}` |")
    return "\n".join(lines).strip()


def field_markdown(definition: SchemaDefinition, field: SchemaField) -> str:
    optional = "?" if field.optional else ""
    return f"```cue\n{definition.name}.{field.name}{optional}: {field.type}\n```\n\n{field.doc}".strip()


def platform_markdown(text: str) -> str:
    try:
        canonical = platforms.canonical(text)
    except platforms.PlatformError as exc:
        return f"**invalid platform** `{text}`\n\n{exc}"
    description = platforms.describe(canonical)
    if canonical == text:
        return f"platform `{canonical}`: {description}"
    return f"platform `{text}`, canonical form `{canonical}`: {description}"


# ---------------------------------------------------------------------------
# Where platforms are written

PLATFORM_FIELDS = frozenset({"platform", "arch"})


def is_platform_position(path: Sequence[ast.Node]) -> bool:
    """Whether the innermost node of ``path`` is a string that names a container platform:
    the value of a ``platform``/``arch`` field or an entry of a ``platforms`` list."""
    if len(path) < 2:
        return False
    parent = path[-2]
    if isinstance(parent, ast.Field) and parent.value is path[-1]:
        return parent.label.name in PLATFORM_FIELDS
    if isinstance(parent, ast.ListLit) and len(path) >= 3:
        grand = path[-3]
        return isinstance(grand, ast.Field) and grand.label.name == "platforms"
    return False


def is_images_key(path: Sequence[ast.Node]) -> bool:
    """Whether the innermost node of ``path`` is the label of a field of an ``images`` map."""
    if len(path) < 4 or not isinstance(path[-2], ast.Field) or path[-2].label is not path[-1]:
        return False
    struct = path[-3]
    owner = path[-4]
    return isinstance(struct, ast.StructLit) and isinstance(owner, ast.Field) and owner.label.name == "images"


def _import_path_of(ctx: FeatureContext, name: str) -> str | None:
    for spec in ctx.source.tree.import_specs:
        if spec.default_name == name:
            return spec.import_path
    return None
