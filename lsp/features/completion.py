"""Completion.

What is offered depends on where the cursor is, decided from the text of the
line (robust while the line is half typed) and the syntax tree around it:

* after ``op.#`` / ``dagger.#``: the definitions of the bundled package;
  after ``pkg.`` for a package of the module: its top-level fields;
* at a field position inside an operation (``op.#Exec & {…}``, or a struct
  unified with a reference to one): the operation's fields not set yet, with
  their type and doc comment;
* the value of ``do:``: the operation names;
* inside the string of a platform field (``platform: "linux/|"``, ``arch:``,
  a ``platforms`` entry, a key of ``images``): the valid platforms;
* inside an import path: the bundled packages and the module's own packages;
* anywhere else: the names in scope.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Sequence

from lsprotocol import types

from plancheck.checker import platforms
from plancheck.checker.loader import BUNDLED, Loader
from plancheck.grammar import ast
from plancheck.lsp.analysis import FeatureContext
from plancheck.lsp.documents import is_file_uri
from plancheck.lsp.schema import OP_PACKAGE, PACKAGE_OF_IMPORT, SchemaDefinition, compact_source
from plancheck.lsp.syntax import (
    Binding,
    fields_set,
    node_path,
    op_struct_at,
    resolve_name,
    schema_package_of,
    struct_bindings,
    visible_names,
)

_WORD = re.compile(r"[#\w$]*$")
_MEMBER = re.compile(r"((?:_?#)?[A-Za-z_$][\w$]*)\.(#?[\w$]*)$")
_PLATFORM_VALUE = re.compile(r'(?:\bplatform|\barch|"platform"|"arch")\s*:\s*$')
_PLATFORMS_LIST = re.compile(r"\bplatforms\s*:\s*\[[^\]]*$")
_DO_VALUE = re.compile(r'\bdo\s*:\s*$')
_LABEL_POSITION = re.compile(r"(?:^|[{,])\s*[#\w$]*$")
#: module packages listed for import completion, at most
MAX_PACKAGES = 500

_BINDING_KIND = {
    "field": types.CompletionItemKind.Field,
    "let": types.CompletionItemKind.Variable,
    "alias": types.CompletionItemKind.Variable,
    "for": types.CompletionItemKind.Variable,
    "import": types.CompletionItemKind.Module,
}


def completion(ctx: FeatureContext, position: types.Position) -> types.CompletionList:
    offset = ctx.offset(position)
    items = _items(ctx, offset)
    return types.CompletionList(is_incomplete=False, items=items)


def _items(ctx: FeatureContext, offset: int) -> list[types.CompletionItem]:
    text = ctx.document.text
    line, line_start = ctx.document.line_text(offset)
    if _in_comment(line):
        return []
    string_start = _open_string(line)
    path = node_path(ctx.parsed.tree, offset)
    if string_start is not None:
        quote = line_start + string_start
        before = line[:string_start]
        typed = line[string_start + 1 :]
        end = _string_end(text, offset)
        replace = (quote + 1, end)
        if _in_import(ctx, offset, before):
            return import_items(ctx, typed, replace)
        if re.search(r'\bdo\s*:\s*$', before):
            return do_items(ctx, replace, quoted=False)
        if _PLATFORM_VALUE.search(before) or _PLATFORMS_LIST.search(before) or _is_images_key_position(path, before):
            return platform_items(ctx, typed, replace, quoted=False)
        return []
    word = _WORD.search(line).group()  # type: ignore[union-attr]
    word_range = (offset - len(word), offset)
    member = _MEMBER.search(line)
    if member is not None:
        return member_items(ctx, path, member.group(1), (offset - len(member.group(2)), offset))
    before_word = line[: len(line) - len(word)]
    if _DO_VALUE.search(before_word):
        return do_items(ctx, word_range, quoted=True)
    if _PLATFORM_VALUE.search(before_word):
        return platform_items(ctx, word, word_range, quoted=True)
    if _LABEL_POSITION.search(line):
        found = op_struct_at(path, ctx.source, ctx.package, ctx.schema)
        if found is not None:
            return op_field_items(ctx, found[0], found[1], word_range)
    return scope_items(ctx, path, word_range)


# ---------------------------------------------------------------------------
# Item makers


def op_field_items(
    ctx: FeatureContext, struct: ast.StructLit, definition: SchemaDefinition, replace: tuple[int, int]
) -> list[types.CompletionItem]:
    taken = fields_set(struct)
    items = []
    for index, field in enumerate(definition.fields):
        if field.name == "do" or field.name in taken:
            continue
        items.append(
            types.CompletionItem(
                label=field.name,
                kind=types.CompletionItemKind.Field,
                detail=f"{field.name}{'?' if field.optional else ''}: {field.type}",
                documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=field.doc),
                sort_text=f"{index:03d}",
                filter_text=field.name,
                text_edit=_edit(ctx, replace, f"{field.name}: "),
            )
        )
    return items


def definition_items(ctx: FeatureContext, package: str, replace: tuple[int, int]) -> list[types.CompletionItem]:
    items = []
    definitions = list(ctx.schema.definitions.get(package, {}).values())
    for index, definition in enumerate(definitions):
        is_operation = definition.do is not None
        items.append(
            types.CompletionItem(
                label=definition.name,
                kind=types.CompletionItemKind.Struct if is_operation else types.CompletionItemKind.Class,
                detail=f'{package}.{definition.name}' + (f' (do: "{definition.do}")' if is_operation else ""),
                documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=definition.doc),
                sort_text=f"{0 if is_operation or package != OP_PACKAGE else 1}{index:03d}",
                filter_text=definition.name,
                text_edit=_edit(ctx, replace, definition.name),
            )
        )
    return items


def do_items(ctx: FeatureContext, replace: tuple[int, int], quoted: bool) -> list[types.CompletionItem]:
    items = []
    for index, definition in enumerate(ctx.schema.operations()):
        assert definition.do is not None
        text = f'"{definition.do}"' if quoted else definition.do
        items.append(
            types.CompletionItem(
                label=definition.do,
                kind=types.CompletionItemKind.EnumMember,
                detail=f"op.{definition.name}",
                documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=definition.summary),
                sort_text=f"{index:03d}",
                filter_text=text,
                text_edit=_edit(ctx, replace, text),
            )
        )
    return items


def platform_items(ctx: FeatureContext, typed: str, replace: tuple[int, int], quoted: bool) -> list[types.CompletionItem]:
    items = []
    prefix = typed.strip('"')
    for index, candidate in enumerate(platforms.completion_candidates(prefix)):
        text = f'"{candidate.platform}"' if quoted else candidate.platform
        # An alias match (`linux/aarch` offers linux/arm64) must survive the editor's own filter.
        matches = candidate.platform.lower().startswith(prefix.lower())
        items.append(
            types.CompletionItem(
                label=candidate.platform,
                kind=types.CompletionItemKind.EnumMember,
                detail=candidate.description,
                sort_text=f"{index:03d}",
                filter_text=text if matches else (f'"{typed}' if quoted else typed),
                text_edit=_edit(ctx, replace, text),
            )
        )
    return items


def member_items(ctx: FeatureContext, path: Sequence[ast.Node], name: str, replace: tuple[int, int]) -> list[types.CompletionItem]:
    package = schema_package_of(name, ctx.source)
    if package is not None:
        return definition_items(ctx, package, replace)
    binding = resolve_name(name, path, ctx.source, ctx.package)
    if binding is None:
        return []
    if binding.kind == "import":
        spec = binding.node
        assert isinstance(spec, ast.ImportSpec)
        return _imported_package_items(ctx, spec, replace)
    value = binding.value
    if isinstance(value, ast.Unification):
        structs = [t for t in value.terms if isinstance(t, ast.StructLit)]
    else:
        structs = [value] if isinstance(value, ast.StructLit) else []
    bindings: dict[str, Binding] = {}
    for struct in structs:
        for key, found in struct_bindings(struct.decls, binding.path).items():
            bindings.setdefault(key, found)
    return _binding_items(ctx, bindings, replace)


def scope_items(ctx: FeatureContext, path: Sequence[ast.Node], replace: tuple[int, int]) -> list[types.CompletionItem]:
    return _binding_items(ctx, visible_names(path, ctx.source, ctx.package), replace)


def import_items(ctx: FeatureContext, typed: str, replace: tuple[int, int]) -> list[types.CompletionItem]:
    candidates: dict[str, str] = {}
    for path in BUNDLED:
        package = PACKAGE_OF_IMPORT[path]
        candidates[path] = f"bundled: {ctx.schema.package_docs.get(package, '').splitlines()[0] if ctx.schema.package_docs.get(package) else package}"
    for path, folder in module_packages(ctx):
        candidates.setdefault(path, f"module package ({folder})")
    items = []
    for index, (path, detail) in enumerate(candidates.items()):
        items.append(
            types.CompletionItem(
                label=path,
                kind=types.CompletionItemKind.Module,
                detail=detail,
                sort_text=f"{index:04d}",
                filter_text=path,
                text_edit=_edit(ctx, replace, path),
            )
        )
    return items


def module_packages(ctx: FeatureContext) -> list[tuple[str, str]]:
    """Import paths of the packages of the document's module (and those vendored in cue.mod)."""
    if not is_file_uri(ctx.document.uri):
        return []
    module = Loader(dict(ctx.overlays)).module_for(Path(ctx.document.folder))
    if module is None:
        return []
    out: list[tuple[str, str]] = []
    own_folder = os.path.abspath(ctx.document.folder)
    roots = [(module.root, module.path)] + [(module.root / "cue.mod" / sub, "") for sub in ("pkg", "gen", "usr")]
    for root, prefix in roots:
        if not root.is_dir():
            continue
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (Path(folder) == module.root and d == "cue.mod"))
            if folder == own_folder or not any(f.endswith(".cue") for f in files):
                continue
            rel = os.path.relpath(folder, root).replace(os.sep, "/")
            if rel == ".":
                if not prefix:
                    continue
                import_path = prefix
            else:
                import_path = f"{prefix}/{rel}" if prefix else rel
            out.append((import_path, os.path.relpath(folder, module.root)))
            if len(out) >= MAX_PACKAGES:
                return out
    return out


def _imported_package_items(ctx: FeatureContext, spec: ast.ImportSpec, replace: tuple[int, int]) -> list[types.CompletionItem]:
    package = Loader(dict(ctx.overlays)).load_import(spec.path, Path(ctx.document.folder))
    if package is None:
        return []
    bindings: dict[str, Binding] = {}
    for unit in package.files:
        for key, found in struct_bindings(unit.ast.decls, unit.path).items():
            bindings.setdefault(key, found)
    return _binding_items(ctx, bindings, replace, exported_only=True)


def _binding_items(
    ctx: FeatureContext, bindings: dict[str, Binding], replace: tuple[int, int], exported_only: bool = False
) -> list[types.CompletionItem]:
    items = []
    for name, binding in sorted(bindings.items()):
        if exported_only and name.startswith("_"):
            continue
        value = binding.value
        detail = None
        if value is not None:
            text = ctx.text_of(binding.path) or ""
            detail = compact_source(text[value.span.start.offset : value.span.end.offset], 60)
        elif binding.kind == "import":
            spec = binding.node
            detail = f'import "{spec.path}"' if isinstance(spec, ast.ImportSpec) else None
        items.append(
            types.CompletionItem(
                label=name,
                kind=_BINDING_KIND.get(binding.kind, types.CompletionItemKind.Text),
                detail=detail,
                documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=binding.doc) if binding.doc else None,
                filter_text=name,
                text_edit=_edit(ctx, replace, name),
            )
        )
    return items


# ---------------------------------------------------------------------------
# Reading the line


def _edit(ctx: FeatureContext, replace: tuple[int, int], text: str) -> types.TextEdit:
    return types.TextEdit(range=ctx.document.range_of(replace[0], replace[1], ctx.encoding), new_text=text)


def _open_string(line: str) -> int | None:
    """Index of the quote that opens a string still open at the end of ``line``."""
    start = None
    i = 0
    while i < len(line):
        c = line[i]
        if c == "\\" and start is not None:
            i += 2
            continue
        if c == '"':
            if line.startswith('"""', i) and start is None:
                return None  # a multi-line string: nothing to complete in it
            start = i if start is None else None
        elif c == "/" and start is None and line.startswith("//", i):
            return None
        i += 1
    return start


def _in_comment(line: str) -> bool:
    """Whether ``line`` (up to the cursor) ends inside a ``//`` comment."""
    in_string = False
    i = 0
    while i < len(line):
        c = line[i]
        if in_string:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif line.startswith("//", i):
            return True
        i += 1
    return False


def _string_end(text: str, offset: int) -> int:
    """Where the string around ``offset`` ends: before its closing quote on this line, else here."""
    i = offset
    while i < len(text) and text[i] != "\n":
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return offset


def _in_import(ctx: FeatureContext, offset: int, before: str) -> bool:
    if re.match(r"\s*import\b", before):
        return True
    return any(decl.span.start.offset <= offset <= decl.span.end.offset for decl in ctx.parsed.tree.imports)


def _is_images_key_position(path: Sequence[ast.Node], before: str) -> bool:
    """A string at a label position of the struct that is the value of ``images``."""
    if not re.search(r"(?:^|[{,])\s*$", before):
        return False
    for i in range(len(path) - 1, 0, -1):
        node = path[i]
        if isinstance(node, ast.StructLit) and not node.implicit:
            parent = path[i - 1]
            return isinstance(parent, ast.Field) and parent.label.name == "images" and parent.value is node
    return False

