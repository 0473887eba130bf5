"""PLT003's unsafe fix: split a several-platform ``#DockerBuild`` pipeline.

``x: #up: [op.#DockerBuild & {platforms: [A, B], …}, …]`` becomes a map of
pipelines keyed by platform, ``x: {A: #up: [… platform: A …], B: …}``; a
``#PushContainer`` that was part of the pipeline moves to a new pipeline
``xPush`` that pushes the map with ``images: x`` (one manifest list). Only
this plain shape is rewritten; anything else gets no fix.
"""

from __future__ import annotations

from plancheck.checker.diagnostics import Applicability, Edit, Fix
from plancheck.grammar import ast
from plancheck.grammar.span import LineIndex


def split_fix(ctx, site, platforms_field: ast.Field, file: str) -> Fix | None:
    text = ctx.text(file)
    if text is None:
        return None
    pipeline_vertex = ctx.built.vertices.get(site.pipeline)
    if pipeline_vertex is None:
        return None
    outer = _user_field(ctx, pipeline_vertex)
    if outer is None:
        return None
    up_list = _up_list(outer)
    if up_list is None or not isinstance(platforms_field.value, ast.ListLit):
        return None
    entries = platforms_field.value.elements
    if any(not isinstance(e, (ast.String, ast.Interpolation, ast.Ident, ast.Selector)) for e in entries):
        return None
    entry_texts = [text[e.span.start.offset : e.span.end.offset] for e in entries]
    label = outer.label
    if label.kind is not ast.LabelKind.IDENT or outer.label.optional:
        return None
    name = label.name
    index = LineIndex(text)
    indent = _indent_of(text, index, outer.span.start.line)
    # Ops of the pipeline that push: they move to the new push pipeline.
    push_elems = []
    for el in up_list.elements:
        for s in ctx.built.sites:
            if s.pipeline == site.pipeline and s.op.do == "push-container" and s.op.origin.span == el.span:
                push_elems.append(el)
    list_start = up_list.span.start.offset
    list_text = text[list_start : up_list.span.end.offset]
    removals = [(platforms_field.span.start.offset - list_start, platforms_field.span.end.offset - list_start)]
    for el in push_elems:
        a, b = _element_extent(text, el)
        removals.append((a - list_start, b - list_start))
    bodies = []
    for entry in entry_texts:
        body = list_text
        for (a, b) in sorted(removals, reverse=True):
            replacement = f"platform: {entry}" if (a, b) == removals[0] else ""
            body = body[:a] + replacement + body[b:]
        bodies.append(body.replace("\n", "\n\t"))
    inner = "".join(f"\n{indent}\t{entry}: #up: {body}" for entry, body in zip(entry_texts, bodies))
    new = f"{name}: {{{inner}\n{indent}}}"
    for el in push_elems:
        el_text = text[el.span.start.offset : el.span.end.offset]
        if not el_text.endswith("}"):
            return None
        if "\n" in el_text:
            pushed = el_text[:-1].rstrip() + f"\n{indent}\t\timages: {name}\n{indent}\t}}"
        else:
            pushed = el_text[:-1].rstrip() + f", images: {name}}}"
        new += f"\n{indent}{name}Push: #up: [\n{indent}\t{pushed},\n{indent}]"
    message = f"split into one pipeline per platform under {name}" + (f", pushed by {name}Push" if push_elems else "")
    return Fix(Applicability.UNSAFE, message, (Edit(outer.span, new),))


def _user_field(ctx, vertex) -> ast.Field | None:
    for file, decl in vertex.decls:
        if ctx.is_user(file):
            return decl
    return None


def _up_list(field: ast.Field) -> ast.ListLit | None:
    value = field.value
    if isinstance(value, ast.StructLit) and len(value.decls) == 1:
        up = value.decls[0]
        if isinstance(up, ast.Field) and up.label.name == "#up" and isinstance(up.value, ast.ListLit):
            return up.value
    return None


def _indent_of(text: str, index: LineIndex, line: int) -> str:
    line_text = index.line_text(line)
    return line_text[: len(line_text) - len(line_text.lstrip(" \t"))]


def _element_extent(text: str, el) -> tuple[int, int]:
    """The element with its trailing comma and, on its own line, the whole line."""
    a, b = el.span.start.offset, el.span.end.offset
    j = b
    while j < len(text) and text[j] in " \t":
        j += 1
    if j < len(text) and text[j] == ",":
        j += 1
    k = j
    while k < len(text) and text[k] in " \t":
        k += 1
    i = a
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    if (i == 0 or text[i - 1] == "\n") and k < len(text) and text[k] == "\n":
        return i, k + 1
    return a, j
