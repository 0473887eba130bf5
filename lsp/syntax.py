"""Questions editor features ask of the syntax tree: what is at an offset, what a name means.

Everything here works on the parser's AST alone, which the parser builds even
for files with syntax errors, so completion, hover and go-to-definition keep
working while a file is being typed. Scopes follow CUE's lexical rules: a
struct literal binds its identifier labels (quoted labels bind nothing), its
``let`` clauses and label aliases; a comprehension binds its ``for``
variables in later clauses and its body; the package scope spans the
top-level fields of every file of the package; imports are per file.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Iterable, Sequence

from plancheck.grammar import ast
from plancheck.grammar.lexer import Tok
from plancheck.grammar.span import Span

from plancheck.lsp.schema import PACKAGE_OF_IMPORT, Schema, SchemaDefinition

_BINDING_KINDS = (
    ast.LabelKind.IDENT,
    ast.LabelKind.DEFINITION,
    ast.LabelKind.HIDDEN,
    ast.LabelKind.HIDDEN_DEFINITION,
)


@dataclass(frozen=True)
class SourceFile:
    """A parsed file of the package: what scope resolution needs."""

    path: str
    text: str
    tree: ast.File


@dataclass(frozen=True)
class Binding:
    """A name in scope and where it is declared."""

    name: str
    #: "field", "let", "alias", "for", "import"
    kind: str
    path: str
    #: the declaring name's span (a field's label, a let's identifier, an import spec)
    span: Span
    node: ast.Node
    doc: str | None = None

    @property
    def value(self) -> ast.Node | None:
        node = self.node
        if isinstance(node, ast.Field):
            return node.value
        if isinstance(node, (ast.LetClause, ast.AliasDecl)):
            return node.value
        return None


# ---------------------------------------------------------------------------
# Locating


def contains(span: Span, offset: int) -> bool:
    return span.start.offset <= offset <= span.end.offset


def node_path(root: ast.Node, offset: int) -> list[ast.Node]:
    """The nodes whose spans hold ``offset``, outermost first.

    Ends are inclusive, so the cursor just after an identifier is on it; when
    two children touch, the one starting later (nearer the cursor) wins.
    """
    path = [root]
    node = root
    while True:
        best: ast.Node | None = None
        for child in node.children():
            if contains(child.span, offset) and (best is None or child.span.start.offset >= best.span.start.offset):
                best = child
        if best is None:
            return path
        path.append(best)
        node = best


def token_index_at(tokens: Sequence[Tok], offset: int) -> int:
    """Index of the last real token starting at or before ``offset`` (-1 if none)."""
    starts = [t.start.offset for t in tokens]
    return bisect.bisect_right(starts, offset) - 1


def token_at(tokens: Sequence[Tok], offset: int) -> Tok | None:
    """The token under ``offset`` (its end inclusive), ignoring inserted commas."""
    i = token_index_at(tokens, offset)
    while i >= 0:
        tok = tokens[i]
        if not tok.inserted and tok.type != "COMMA":
            return tok if tok.start.offset <= offset <= tok.end.offset else None
        i -= 1
    return None


# ---------------------------------------------------------------------------
# Scopes


def import_bindings(source: SourceFile) -> dict[str, Binding]:
    out: dict[str, Binding] = {}
    for spec in source.tree.import_specs:
        name = spec.default_name
        out.setdefault(name, Binding(name, "import", source.path, spec.span, spec))
    return out


def struct_bindings(decls: Iterable[ast.Decl], path: str) -> dict[str, Binding]:
    """The names a struct literal (or a file body) binds."""
    out: dict[str, Binding] = {}
    for decl in decls:
        if isinstance(decl, ast.Field):
            label = decl.label
            if label.kind in _BINDING_KINDS and label.name:
                out.setdefault(label.name, Binding(label.name, "field", path, _label_name_span(label), decl, decl.doc))
            if label.alias is not None and label.kind is not ast.LabelKind.PATTERN:
                out.setdefault(label.alias.name, Binding(label.alias.name, "alias", path, label.alias.span, decl, decl.doc))
        elif isinstance(decl, ast.LetClause):
            out.setdefault(decl.name.name, Binding(decl.name.name, "let", path, decl.name.span, decl))
        elif isinstance(decl, ast.AliasDecl):
            out.setdefault(decl.name.name, Binding(decl.name.name, "let", path, decl.name.span, decl))
    return out


def _label_name_span(label: ast.Label) -> Span:
    """The span of the name itself (without an alias prefix or a ``?``)."""
    span = label.span
    if label.alias is not None and label.name:
        start = span.end.offset - len(label.name) - (1 if label.optional else 0)
        if start >= span.start.offset:
            return Span(span.start._replace(offset=start, column=span.end.column - (span.end.offset - start)), span.end)
    return span


def scope_chain(path_nodes: Sequence[ast.Node], source: SourceFile, package: Sequence[SourceFile]) -> list[dict[str, Binding]]:
    """Scopes visible at the end of ``path_nodes``, innermost first."""
    chain: list[dict[str, Binding]] = []
    for i in range(len(path_nodes) - 1, -1, -1):
        node = path_nodes[i]
        below = path_nodes[i + 1] if i + 1 < len(path_nodes) else None
        if isinstance(node, ast.StructLit):
            chain.append(struct_bindings(node.decls, source.path))
        elif isinstance(node, ast.Comprehension) and below is not None:
            chain.append(_clause_bindings(node, below, source.path))
        elif isinstance(node, ast.Field) and below is node.value and node.label.kind is ast.LabelKind.PATTERN and node.label.alias is not None:
            alias = node.label.alias
            chain.append({alias.name: Binding(alias.name, "alias", source.path, alias.span, node)})
        elif isinstance(node, ast.ListLit) and below is not None:
            for element in node.elements:
                if isinstance(element, ast.Comprehension) and element is below:
                    chain.append(_clause_bindings(element, below, source.path))
        elif isinstance(node, ast.File):
            chain.append(struct_bindings(node.decls, source.path))
            chain.append(import_bindings(source))
            others: dict[str, Binding] = {}
            for other in package:
                if other.path != source.path:
                    for name, binding in struct_bindings(other.tree.decls, other.path).items():
                        others.setdefault(name, binding)
            chain.append(others)
    return chain


def _clause_bindings(comp: ast.Comprehension, below: ast.Node, path: str) -> dict[str, Binding]:
    out: dict[str, Binding] = {}
    for clause in comp.clauses:
        if clause is below:
            break
        if isinstance(clause, ast.ForClause):
            for ident in (clause.key, clause.value):
                if ident is not None:
                    out[ident.name] = Binding(ident.name, "for", path, ident.span, clause)
        elif isinstance(clause, ast.LetClause):
            out[clause.name.name] = Binding(clause.name.name, "let", path, clause.name.span, clause)
    return out


def resolve_name(name: str, path_nodes: Sequence[ast.Node], source: SourceFile, package: Sequence[SourceFile]) -> Binding | None:
    for scope in scope_chain(path_nodes, source, package):
        found = scope.get(name)
        if found is not None:
            return found
    return None


def visible_names(path_nodes: Sequence[ast.Node], source: SourceFile, package: Sequence[SourceFile]) -> dict[str, Binding]:
    """Every name visible at the end of ``path_nodes`` (the innermost binding of each)."""
    out: dict[str, Binding] = {}
    for scope in scope_chain(path_nodes, source, package):
        for name, binding in scope.items():
            out.setdefault(name, binding)
    return out


# ---------------------------------------------------------------------------
# Schema references


def schema_package_of(name: str, source: SourceFile) -> str | None:
    """The bundled package ("op", "dagger") an identifier names through this file's imports."""
    for spec in source.tree.import_specs:
        if spec.default_name == name:
            return PACKAGE_OF_IMPORT.get(spec.import_path)
    return None


def schema_reference(node: ast.Node, source: SourceFile, schema: Schema) -> SchemaDefinition | None:
    """The bundled definition a ``op.#X`` / ``dagger.#X`` selector names."""
    if isinstance(node, ast.Selector) and isinstance(node.expr, ast.Ident):
        package = schema_package_of(node.expr.name, source)
        if package is not None:
            return schema.definition(package, node.name)
    return None


def definition_of_value(
    value: ast.Node | None,
    path_nodes: Sequence[ast.Node],
    source: SourceFile,
    package: Sequence[SourceFile],
    schema: Schema,
    depth: int = 0,
) -> SchemaDefinition | None:
    """The operation a value is unified with: ``op.#X``, or a reference to a value that is."""
    if value is None or depth > 8:
        return None
    found = schema_reference(value, source, schema)
    if found is not None:
        return found
    if isinstance(value, ast.Unification):
        for term in value.terms:
            found = definition_of_value(term, path_nodes, source, package, schema, depth + 1)
            if found is not None:
                return found
    if isinstance(value, ast.Paren):
        return definition_of_value(value.expr, path_nodes, source, package, schema, depth + 1)
    if isinstance(value, ast.Ident):
        binding = resolve_name(value.name, path_nodes, source, package)
        if binding is not None and binding.kind in ("field", "let"):
            target = _source_of(binding.path, source, package)
            if target is not None:
                inner = node_path(target.tree, binding.node.span.start.offset)
                return definition_of_value(binding.value, inner, target, package, schema, depth + 1)
    return None


def _source_of(path: str, source: SourceFile, package: Sequence[SourceFile]) -> SourceFile | None:
    if path == source.path:
        return source
    for other in package:
        if other.path == path:
            return other
    return None


def op_struct_at(
    path_nodes: Sequence[ast.Node], source: SourceFile, package: Sequence[SourceFile], schema: Schema
) -> tuple[ast.StructLit, SchemaDefinition] | None:
    """The innermost struct around the end of ``path_nodes`` that is unified with an operation.

    ``op.#Exec & {…}``, ``#Build & {…}`` where ``#Build: op.#DockerBuild``, and
    a struct that is a term of a longer unification all count.
    """
    for i in range(len(path_nodes) - 1, 0, -1):
        node = path_nodes[i]
        if not isinstance(node, ast.StructLit) or node.implicit:
            continue
        parent = path_nodes[i - 1]
        if isinstance(parent, ast.Unification):
            for term in parent.terms:
                if term is node:
                    continue
                found = definition_of_value(term, path_nodes[: i - 1], source, package, schema)
                if found is not None:
                    return node, found
        return None
    return None


def fields_set(struct: ast.StructLit) -> set[str]:
    return {d.label.name for d in struct.decls if isinstance(d, ast.Field) and d.label.name}


def enclosing_field(path_nodes: Sequence[ast.Node], node: ast.Node) -> ast.Field | None:
    """The field whose value is ``node`` (directly), if any."""
    for i in range(len(path_nodes) - 1, 0, -1):
        if path_nodes[i] is node:
            parent = path_nodes[i - 1]
            if isinstance(parent, ast.Field) and parent.value is node:
                return parent
            return None
    return None
