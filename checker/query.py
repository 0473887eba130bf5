"""Questions the language server asks the last check: the evaluated value of a field.

``field_value(report, path, offset)`` finds the field whose label starts at
``offset`` in file ``path`` among everything the check evaluated (data fields,
pipelines, op fields), and renders its value the way a hover shows it:
concrete values as CUE (``"linux/arm64"``, ``[1, 2]``), structs and lists
compactly, non-concrete values by their type (``string``), inputs as such.
"""

from __future__ import annotations

from typing import Any

from plancheck.checker.eval.evaluator import Evaluator
from plancheck.checker.eval.values import (
    Bool, Bytes, Disj, Float, Int, Kind, ListRef, Null, Str, StructRef, Unknown, Value, describe, resolve_default,
)
from plancheck.checker.eval.vertex import Vertex, is_regular

_MAX_VERTICES = 200_000


def field_value(report: Any, path: str, offset: int) -> str | None:
    """The rendered value of the field declared with its label at ``offset`` in ``path``."""
    for evaluated in getattr(report, "evaluated", ()):
        vertex = _find(evaluated.evaluator, evaluated.root, path, offset)
        if vertex is not None:
            return render(evaluated.evaluator, vertex)
    return None


def _find(ev: Evaluator, root: Vertex, path: str, offset: int) -> Vertex | None:
    stack = [root]
    seen: set[int] = set()
    while stack and len(seen) < _MAX_VERTICES:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        for file, decl in v.decls:
            if file == path and decl.label.span.start.offset == offset:
                return v
        if v.state != 2:  # only what the check evaluated: hover never evaluates more
            continue
        sv = ev.struct_of(v)
        if sv is not None:
            stack.extend(sv.arcs.values())
        lv = ev.list_of(v)
        if lv is not None and lv.elements:
            stack.extend(lv.elements)
    return None


def render(ev: Evaluator, v: Vertex, depth: int = 0, budget: list[int] | None = None) -> str:
    budget = budget if budget is not None else [40]
    value = resolve_default(v.value if v.value is not None else ev.finalize(v))
    return _render(ev, value, depth, budget)


def _render(ev: Evaluator, value: Value, depth: int, budget: list[int]) -> str:
    budget[0] -= 1
    if isinstance(value, (Str, Int, Float, Bool, Null, Bytes)):
        return describe(value)
    if isinstance(value, Unknown):
        return "_ (not known statically)" if not value.kinds else "|".join(sorted(value.kinds)) + " (not known statically)"
    if isinstance(value, (Kind, Disj)):
        return describe(value)
    if isinstance(value, StructRef):
        sv = value.vertex
        labels = [l for l in sv.arcs if (is_regular(l) or l == "#up") and l not in sv.optional]
        if depth >= 2 or budget[0] <= 0:
            return "{...}" if labels else "{}"
        parts = []
        for label in labels:
            if budget[0] <= 0:
                parts.append("...")
                break
            parts.append(f"{label}: {render(ev, sv.arcs[label], depth + 1, budget)}")
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, ListRef):
        lv = value.vertex
        elements = lv.elements or []
        if depth >= 2 or budget[0] <= 0:
            return "[...]" if elements or lv.list_open else "[]"
        parts = []
        for el in elements:
            if budget[0] <= 0:
                parts.append("...")
                break
            parts.append(render(ev, el, depth + 1, budget))
        if lv.list_open:
            parts.append("...")
        return "[" + ", ".join(parts) + "]"
    return describe(value)
