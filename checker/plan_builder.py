"""Building the plan model (:mod:`plancheck.checker.plan`) from an evaluated package.

Pipelines are found by walking the data of the package: every value whose
struct has a concrete ``#up`` list. Executable fields of ops (``from``,
``context``, mount ``from``, ``images`` values) become :class:`PipelineRef`
edges: to the referenced pipeline when the value is a reference to data
(``from: base``), or to an inline pipeline named by the field's own path
when the value is written in place (a single op, a list of ops, or a value
with ``#up``) or instantiates a definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from plancheck.checker import platforms
from plancheck.checker.eval.evaluator import Evaluator
from plancheck.checker.eval.values import (
    Bool, Bytes, Float, Int, ListRef, Null, Origin as VOrigin, Str, StructRef, Value, resolve_default,
)
from plancheck.checker.eval.vertex import Vertex, format_path, is_regular
from plancheck.checker.evaluate import iter_data
from plancheck.checker.loader import is_bundled_path
from plancheck.grammar.span import Position, Span
from plancheck.checker.plan import UNKNOWN, Op, OpField, Origin, Pipeline, PipelineRef, Plan, SecretRef

#: do value -> op definition
OPS = {
    "fetch-container": "#FetchContainer",
    "push-container": "#PushContainer",
    "docker-build": "#DockerBuild",
    "fetch-git": "#FetchGit",
    "fetch-http": "#FetchHTTP",
    "exec": "#Exec",
    "copy": "#Copy",
    "load": "#Load",
    "local": "#Local",
    "subdir": "#Subdir",
    "workdir": "#Workdir",
    "mkdir": "#Mkdir",
    "write-file": "#WriteFile",
    "export": "#Export",
    "docker-login": "#DockerLogin",
    "save-image": "#SaveImage",
}

#: op fields that hold something to run
EXECUTABLE_FIELDS = {"from", "context"}

MAX_DEPTH = 60

_START = Position(1, 1, 0, 0)
#: the span of an op or pipeline whose text cannot be found (never in practice)
_NOWHERE = Span(_START, _START)


@dataclass
class OpSite:
    """Where an op lives in the evaluated tree (for rules that need vertices)."""

    vertex: Vertex
    struct: Vertex
    pipeline: str
    op: Op


@dataclass
class BuiltPlan:
    plan: Plan
    #: pipeline path -> the vertex carrying ``#up``
    vertices: dict[str, Vertex] = field(default_factory=dict)
    #: every op, with its vertices
    sites: list[OpSite] = field(default_factory=list)


class PlanBuilder:
    def __init__(self, ev: Evaluator, root: Vertex, package: str, folder: str, default_platform: str, default_source: str) -> None:
        self.ev = ev
        self.root = root
        self.package = package
        self.folder = folder
        self.default_platform = default_platform
        self.default_source = default_source
        self.pipelines: dict[str, Pipeline] = {}
        self.vertices: dict[str, Vertex] = {}
        self.sites: list[OpSite] = []
        self._by_vertex: dict[int, str] = {}
        self._pending: list[tuple[str, Vertex, bool]] = []
        self._platform_cache: dict[str, tuple[str | None, str, Origin | None]] = {}

    # -- discovery -----------------------------------------------------------------
    def build(self) -> BuiltPlan:
        self._discover(self.root)
        while self._pending:
            path, v, inline = self._pending.pop(0)
            if path in self.pipelines:
                continue
            self._build_pipeline(path, v, inline)
        final: dict[str, Pipeline] = {}
        for path, p in self.pipelines.items():
            platform, source, origin = self._platform(path, set())
            final[path] = Pipeline(p.path, p.origin, p.ops, p.depends_on, platform, source, origin, p.inline)
        plan = Plan(self.package, self.folder, final, self.default_platform, self.default_source)
        # Ops are numbered by their element: an element that is not an op leaves a gap.
        by_index = {path: {op.index: op for op in p.ops} for path, p in final.items()}
        sites = [
            OpSite(s.vertex, s.struct, s.pipeline, by_index[s.pipeline][s.op.index])
            for s in self.sites
            if s.op.index in by_index.get(s.pipeline, {})
        ]
        return BuiltPlan(plan, dict(self.vertices), sites)

    def _discover(self, root: Vertex) -> None:
        ev = self.ev
        for v in iter_data(ev, root):
            sv = ev.struct_of(v)
            if sv is not None:
                up = sv.arcs.get("#up")
                if up is not None and ev.list_of(up) is not None:
                    self._queue(format_path(v.path), v, False)

    def _queue(self, path: str, v: Vertex, inline: bool) -> None:
        if id(v) not in self._by_vertex:
            self._by_vertex[id(v)] = path
            self._pending.append((path, v, inline))

    # -- pipelines ---------------------------------------------------------------------
    def _build_pipeline(self, path: str, v: Vertex, inline: bool) -> None:
        elements = self._op_vertices(v)
        ops: list[Op] = []
        deps: list[str] = []
        self.vertices[path] = v
        for i, el in enumerate(elements):
            op = self._op(i, el, path, deps)
            if op is not None:
                ops.append(op)
        origin = _vertex_origin(v) or Origin("", _NOWHERE)
        self.pipelines[path] = Pipeline(path, origin, tuple(ops), tuple(dict.fromkeys(deps)), None, "default", None, inline)

    def _op_vertices(self, v: Vertex) -> list[Vertex]:
        """The op vertices of an executable value: ``#up`` elements, a list of ops, or one op."""
        ev = self.ev
        sv = ev.struct_of(v)
        if sv is not None:
            up = sv.arcs.get("#up")
            if up is not None:
                lv = ev.list_of(up)
                return list(lv.elements or []) if lv is not None else []
            if "do" in sv.arcs:
                return [v]
        lv = ev.list_of(v)
        if lv is not None:
            return list(lv.elements or [])
        return []

    def _op(self, index: int, el: Vertex, pipeline: str, deps: list[str]) -> Op | None:
        ev = self.ev
        sv = ev.struct_of(el)
        origin = _vertex_origin(el) or Origin("", _NOWHERE)
        if sv is None:
            return None
        do_v = sv.arcs.get("do")
        do = resolve_default(ev.finalize(do_v)) if do_v is not None else None
        do_text = do.value if isinstance(do, Str) else ""
        fields: dict[str, OpField] = {}
        for label in sv.arcs:
            if not is_regular(label) or label in sv.optional:
                continue
            arc = sv.arcs[label]
            if label in EXECUTABLE_FIELDS:
                value = self._executable(arc, deps)
            elif label == "mount" and do_text == "exec":
                value = self._mounts(arc, deps)
            elif label == "images" and do_text == "push-container":
                value = self._images(arc, deps)
            else:
                value = self._data(arc, 0)
            fields[label] = OpField(label, value, _value_origin(ev, arc), _is_default(ev, arc))
        op = Op(index, do_text, OPS.get(do_text), fields, origin)
        self.sites.append(OpSite(el, sv, pipeline, op))
        return op

    def _executable(self, arc: Vertex, deps: list[str]) -> Any:
        ev = self.ev
        value = resolve_default(ev.finalize(arc))
        if not isinstance(value, (StructRef, ListRef)):
            return UNKNOWN
        target = self._referenced_pipeline(arc)
        if target is not None:
            deps.append(target)
            return PipelineRef(target)
        if not self._op_vertices(arc):
            return UNKNOWN
        path = format_path(arc.path)
        self._queue(path, arc, True)
        deps.append(self._by_vertex[id(arc)])
        return PipelineRef(self._by_vertex[id(arc)])

    def _referenced_pipeline(self, arc: Vertex) -> str | None:
        """The data pipeline a value refers to (``from: base``), following reference chains.

        A value may also refer to a pipeline through an enclosing reference:
        in ``images: images`` each key of the op's map is the pipeline under
        the same key of the referenced map.
        """
        found = self._direct_reference(arc)
        if found is not None:
            return found
        rel: list = []
        a = arc
        for _ in range(8):
            if a.parent is None:
                break
            rel.insert(0, a.label)
            a = a.parent
            for w in reversed(a.ref_targets):
                if w.is_definition_path:
                    continue
                target = self._descend(w, rel)
                if target is not None:
                    got = self._direct_reference(target) if id(target) not in self._by_vertex else self._by_vertex[id(target)]
                    if got is None and self._op_vertices(target) and not _temporary(target):
                        path = format_path(target.path)
                        self._queue(path, target, False)
                        got = path
                    if got is not None:
                        return got
        return None

    def _descend(self, v: Vertex, rel: list) -> Vertex | None:
        for label in rel:
            if isinstance(label, int):
                lv = self.ev.list_of(v)
                if lv is None or lv.elements is None or label >= len(lv.elements):
                    return None
                v = lv.elements[label]
            else:
                sv = self.ev.struct_of(v)
                if sv is None or label not in sv.arcs:
                    return None
                v = sv.arcs[label]
        return v

    def _direct_reference(self, arc: Vertex) -> str | None:
        seen: set[int] = set()
        frontier = [arc]
        while frontier:
            v = frontier.pop()
            if id(v) in seen:
                continue
            seen.add(id(v))
            for w in reversed(v.ref_targets):
                if w.is_definition_path or w.path[:1] == ("<expr>",):
                    continue
                if id(w) in self._by_vertex:
                    return self._by_vertex[id(w)]
                if self._op_vertices(w) and not _temporary(w):
                    path = format_path(w.path)
                    self._queue(path, w, False)
                    return path
                frontier.append(w)
        return None

    def _mounts(self, arc: Vertex, deps: list[str]) -> Any:
        ev = self.ev
        sv = ev.struct_of(arc)
        if sv is None:
            return UNKNOWN
        out: dict[str, Any] = {}
        for target in sv.arcs:
            if not is_regular(target) or target in sv.optional:
                continue
            m = sv.arcs[target]
            msv = ev.struct_of(m)
            if msv is not None and "from" in msv.arcs:
                entry = {"from": self._executable(msv.arcs["from"], deps)}
                if "path" in msv.arcs:
                    entry["path"] = self._data(msv.arcs["path"], 0)
                out[target] = entry
            elif msv is not None and "secret" in msv.arcs:
                out[target] = {"secret": self._secret(msv.arcs["secret"])}
            else:
                out[target] = self._data(m, 0)
        return out

    def _images(self, arc: Vertex, deps: list[str]) -> Any:
        ev = self.ev
        sv = ev.struct_of(arc)
        if sv is None:
            lv = ev.list_of(arc)
            if lv is not None:
                return [self._executable(el, deps) for el in (lv.elements or [])]
            return UNKNOWN
        out: dict[str, Any] = {}
        for key in sv.arcs:
            if not is_regular(key) or key in sv.optional:
                continue
            out[key] = self._executable(sv.arcs[key], deps)
        return out

    def _secret(self, arc: Vertex) -> Any:
        sv = self.ev.struct_of(arc)
        if sv is not None and "id" in sv.arcs:
            ident = self._data(sv.arcs["id"], 0)
            return SecretRef(ident)
        return SecretRef(UNKNOWN)

    def _data(self, v: Vertex, depth: int) -> Any:
        ev = self.ev
        if depth > MAX_DEPTH:
            return UNKNOWN
        value = resolve_default(ev.finalize(v))
        return self._py(value, v, depth)

    def _py(self, value: Value, v: Vertex | None, depth: int) -> Any:
        if isinstance(value, Null):
            return None
        if isinstance(value, (Str, Int, Float, Bool, Bytes)):
            return value.value
        if isinstance(value, StructRef):
            sv = value.vertex
            if "id" in sv.arcs and any(c.env.file and is_bundled_path(c.env.file) for c in sv.arcs["id"].conjuncts) and len(sv.regular_labels()) == 1:
                return SecretRef(self._data(sv.arcs["id"], depth + 1))
            if sv.incomplete:
                return UNKNOWN
            return {label: self._data(sv.arcs[label], depth + 1) for label in sv.regular_labels()}
        if isinstance(value, ListRef):
            lv = value.vertex
            if lv.list_open and not lv.elements:
                return UNKNOWN
            return [self._data(el, depth + 1) for el in (lv.elements or [])]
        return UNKNOWN

    # -- platforms ------------------------------------------------------------------
    def _platform(self, path: str, visiting: set[str]) -> tuple[str | None, str, Origin | None]:
        if path in self._platform_cache:
            return self._platform_cache[path]
        if path in visiting:
            return None, "default", None
        visiting.add(path)
        result: tuple[str | None, str, Origin | None] = (self.default_platform, "default", None)
        pipeline = self.pipelines.get(path)
        if pipeline is not None:
            for op in pipeline.ops:
                got = self._op_platform(op, visiting)
                if got is not None:
                    result = got
                    break
        visiting.discard(path)
        self._platform_cache[path] = result
        return result

    def _op_platform(self, op: Op, visiting: set[str]) -> tuple[str | None, str, Origin | None] | None:
        if op.do in ("fetch-container", "docker-build"):
            for name in ("platform", "arch"):
                f = op.fields.get(name)
                if f is None or f.value is None:
                    continue
                if not isinstance(f.value, str):
                    return None, "op", f.origin
                return _canonical_or_none(f.value), "op", f.origin
            if op.do == "docker-build":
                f = op.fields.get("platforms")
                if f is not None and isinstance(f.value, list) and len(f.value) == 1 and isinstance(f.value[0], str):
                    return _canonical_or_none(f.value[0]), "op", f.origin
            return None
        if op.do == "load":
            ref = op.get("from")
            if isinstance(ref, PipelineRef):
                platform, source, origin = self._platform(ref.pipeline, visiting)
                if source != "default":
                    return platform, "load", origin
        return None


def _temporary(v: Vertex) -> bool:
    """A vertex of an expression's value rather than of the package's data."""
    return any(isinstance(p, str) and p.startswith("<") for p in v.path)


def _canonical_or_none(spec: str) -> str | None:
    try:
        return platforms.canonical(spec)
    except platforms.PlatformError:
        return None


def _vertex_origin(v: Vertex) -> Origin | None:
    for file, decl in v.decls:
        return Origin(file, decl.value.span)
    for c in v.conjuncts:
        return Origin(c.env.file, c.expr.span)
    return None


def _value_origin(ev: Evaluator, arc: Vertex) -> Origin | None:
    value = resolve_default(ev.finalize(arc))
    o = getattr(value, "origin", None)
    if isinstance(o, VOrigin):
        return Origin(o.path, o.span)
    for file, decl in arc.decls:
        if not is_bundled_path(file):
            return Origin(file, decl.value.span)
    return None


def _is_default(ev: Evaluator, arc: Vertex) -> bool:
    """The value comes from the schema (a default), not from the plan."""
    for file, _ in arc.decls:
        if not is_bundled_path(file):
            return False
    for c in arc.conjuncts:
        if not is_bundled_path(c.env.file):
            return False
    return True


def build_plan(ev: Evaluator, root: Vertex, package: str, folder: str, default_platform: str, default_source: str = "builtin") -> BuiltPlan:
    return PlanBuilder(ev, root, package, folder, default_platform, default_source).build()
