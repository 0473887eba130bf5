"""The bundled schema (``alpha.dagger.io/dagger`` and ``…/dagger/op``) as data for editor features.

Completion, hover and go-to-definition read the definitions, their fields,
types and doc comments from the very CUE files the checker serves, so the
editor never shows documentation that disagrees with what is checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from plancheck.checker.loader import BUNDLED, SCHEMA_ROOT
from plancheck.grammar import ast, parse
from plancheck.grammar.span import Span

OP_PACKAGE = "op"
DAGGER_PACKAGE = "dagger"

#: import path -> the bundled package it names
PACKAGE_OF_IMPORT: Mapping[str, str] = {
    path: (OP_PACKAGE if path.endswith("/op") else DAGGER_PACKAGE) for path in BUNDLED
}


@dataclass(frozen=True)
class SchemaField:
    name: str
    optional: bool
    #: the field's type as written in the schema, on one line (`string | *"/"`)
    type: str
    doc: str
    path: str
    #: span of the field's label in :attr:`path`
    span: Span


@dataclass(frozen=True)
class SchemaDefinition:
    package: str
    #: ``#Exec``
    name: str
    doc: str
    path: str
    span: Span
    fields: tuple[SchemaField, ...] = ()
    #: the fixed ``do`` value of an operation (``"exec"``), None for other definitions
    do: str | None = None

    def field(self, name: str) -> SchemaField | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def summary(self) -> str:
        """The first sentence of the doc comment."""
        first = self.doc.split("\n\n", 1)[0].replace("\n", " ").strip()
        return first


@dataclass(frozen=True)
class Schema:
    #: package ("op", "dagger") -> definition name -> definition
    definitions: Mapping[str, Mapping[str, SchemaDefinition]]
    #: package -> folder holding its files
    folders: Mapping[str, Path] = field(default_factory=dict)
    #: package -> the package's doc comment
    package_docs: Mapping[str, str] = field(default_factory=dict)

    def definition(self, package: str, name: str) -> SchemaDefinition | None:
        return self.definitions.get(package, {}).get(name)

    def operations(self) -> list[SchemaDefinition]:
        """The op definitions that are operations (have a fixed ``do``), in schema order."""
        return [d for d in self.definitions.get(OP_PACKAGE, {}).values() if d.do is not None]

    def operation_for_do(self, do: str) -> SchemaDefinition | None:
        for d in self.operations():
            if d.do == do:
                return d
        return None


@lru_cache(maxsize=1)
def load_schema() -> Schema:
    """The bundled schema, parsed once (it is immutable package data)."""
    definitions: dict[str, dict[str, SchemaDefinition]] = {}
    folders: dict[str, Path] = {}
    docs: dict[str, str] = {}
    for package, folder in ((DAGGER_PACKAGE, SCHEMA_ROOT / "alpha.dagger.io" / "dagger"), (OP_PACKAGE, SCHEMA_ROOT / "alpha.dagger.io" / "dagger" / "op")):
        folders[package] = folder
        found = definitions.setdefault(package, {})
        for file in sorted(folder.glob("*.cue")):
            text = file.read_text("utf-8")
            result = parse(text, str(file))
            if result.file.file_attribute("if") is not None:
                continue  # the @if(fullop) variant redefines #Op; the open one is documented
            if package not in docs:
                docs[package] = _package_doc(result.file)
            for decl in result.file.decls:
                if isinstance(decl, ast.Field) and decl.label.kind is ast.LabelKind.DEFINITION and decl.label.name:
                    found.setdefault(decl.label.name, _definition(package, decl, text, str(file)))
    return Schema(definitions, folders, docs)


def _package_doc(file: ast.File) -> str:
    if file.package is None:
        return ""
    lines = []
    line = file.package.span.start.line - 1
    by_line = {c.span.start.line: c for c in file.comments if c.own_line}
    while line in by_line:
        lines.append(by_line[line].text)
        line -= 1
    lines.reverse()
    return "\n".join(_strip_marker(t) for t in lines)


def _strip_marker(text: str) -> str:
    body = text[2:]
    return body[1:] if body.startswith(" ") else body


def _definition(package: str, decl: ast.Field, text: str, path: str) -> SchemaDefinition:
    fields: list[SchemaField] = []
    do: str | None = None
    value = decl.value
    if isinstance(value, ast.StructLit):
        for member in value.decls:
            if not isinstance(member, ast.Field) or member.label.name is None:
                continue
            if member.label.kind is ast.LabelKind.PATTERN:
                continue
            if member.label.name == "do" and isinstance(member.value, ast.String) and isinstance(member.value.value, str):
                do = member.value.value
            fields.append(
                SchemaField(
                    name=member.label.name,
                    optional=member.label.optional,
                    type=compact_source(text[member.value.span.start.offset : member.value.span.end.offset]),
                    doc=member.doc or "",
                    path=path,
                    span=member.label.span,
                )
            )
    return SchemaDefinition(package, decl.label.name or "", decl.doc or "", path, decl.label.span, tuple(fields), do)


def compact_source(text: str, limit: int = 120) -> str:
    """CUE source on one line: nested structs become ``{…}``, whitespace collapses."""
    out: list[str] = []
    depth = 0
    quote = ""
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            if depth == 0:
                out.append(c)
            if c == "\\" and i + 1 < len(text):
                if depth == 0:
                    out.append(text[i + 1])
                i += 2
                continue
            if c == quote:
                quote = ""
        elif c == '"':
            quote = c
            if depth == 0:
                out.append(c)
        elif c == "{":
            if depth == 0:
                out.append("{…}")
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            out.append(" " if c in "\t\n" else c)
        i += 1
    one_line = " ".join("".join(out).split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"
