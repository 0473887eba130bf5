"""Every place a plan names a container platform, with the text that produced it.

Only real platform fields count (SPEC §4): ``platform``/``arch`` of
``#FetchContainer``, ``platform`` and the ``platforms`` entries of
``#DockerBuild``, and the keys of a ``#PushContainer``'s ``images`` map —
never a field named ``platform`` in some unrelated struct.

A platform value keeps the origin of each of its pieces through references,
interpolation and comprehensions, so :func:`span_of` can point a diagnostic
at the exact characters that produced a bad part: the ``"arm65"`` in the list
a ``for`` loop ran over, rather than the ``"linux/\\(arch)"`` that used it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from plancheck.checker.eval.evaluator import Evaluator
from plancheck.checker.eval.values import Origin, Str, resolve_default
from plancheck.checker.eval.vertex import Vertex, is_regular
from plancheck.checker.plan_builder import BuiltPlan, OpSite
from plancheck.grammar.span import Position, Span


@dataclass(frozen=True)
class PlatformUse:
    #: "op-field", "platforms-entry" or "images-key"
    kind: str
    value: Str
    site: OpSite
    #: the op field ("platform", "arch", "platforms", "images")
    field: str
    #: for images keys: the arc of the pipeline under that key
    arc: Vertex | None = None
    #: origin of the whole written value (the literal or the label)
    origin: Origin | None = None


def platform_uses(ev: Evaluator, built: BuiltPlan) -> Iterator[PlatformUse]:
    seen: set[tuple] = set()
    for site in built.sites:
        op = site.op
        sv = site.struct
        if op.do in ("fetch-container", "docker-build"):
            for name in ("platform", "arch") if op.do == "fetch-container" else ("platform",):
                arc = sv.arcs.get(name)
                if arc is None or name in sv.optional:
                    continue
                value = resolve_default(ev.finalize(arc))
                if isinstance(value, Str):
                    key = ("op", id(arc))
                    if key not in seen:
                        seen.add(key)
                        yield PlatformUse("op-field", value, site, name, origin=value.origin)
        if op.do == "docker-build":
            arc = sv.arcs.get("platforms")
            if arc is not None and "platforms" not in sv.optional:
                lv = ev.list_of(arc)
                for el in (lv.elements or []) if lv is not None else []:
                    value = resolve_default(ev.finalize(el))
                    if isinstance(value, Str):
                        yield PlatformUse("platforms-entry", value, site, "platforms", origin=value.origin)
        if op.do == "push-container":
            arc = sv.arcs.get("images")
            if arc is None or "images" in sv.optional:
                continue
            isv = ev.struct_of(arc)
            if isv is None:
                continue
            for label, child in isv.arcs.items():
                if not is_regular(label) or label in isv.optional:
                    continue
                value = _label_value(label, child)
                if value is None:
                    continue
                key = ("key", id(child))
                if key not in seen:
                    seen.add(key)
                    yield PlatformUse("images-key", value, site, "images", child, value.origin)


def _label_value(label: str, arc: Vertex) -> Str | None:
    """The label as a value with the origin of its text (a computed label keeps its pieces)."""
    for lv in arc.label_values:
        if isinstance(lv, Str) and lv.value == label:
            return lv
    for file, decl in arc.decls:
        if decl.label.name == label:
            return Str(label, Origin(file, decl.label.span))
    return None


def span_of(value: Str, start: int, end: int, text_of) -> Origin | None:
    """The source range of ``value.value[start:end]``, or of its piece when not exact.

    ``text_of(path)`` returns a file's text, used to check that a literal's
    source is the decoded text itself (no escapes), so offsets map one to one.
    """
    pieces = [p for p in value.piece_list() if p.text] or list(value.piece_list())
    pos = 0
    for piece in pieces:
        nxt = pos + len(piece.text)
        if start < nxt or (start == pos == nxt) or (start == nxt and piece is pieces[-1]):
            origin = piece.origin
            if origin is None:
                return None
            src = text_of(origin.path)
            if src is None:
                return origin
            raw = src[origin.span.start.offset : origin.span.end.offset]
            inner = _inner(raw, piece.text)
            if inner is None:
                return origin
            a = inner + (start - pos)
            b = inner + (min(end, nxt) - pos)
            s0 = origin.span.start
            return Origin(origin.path, Span(_shift(s0, a, src), _shift(s0, b, src)))
        pos = nxt
    return value.origin


def _inner(raw: str, text: str) -> int | None:
    """Where ``text`` starts inside the source ``raw`` when it is written verbatim."""
    if raw == text:
        return 0
    if len(raw) == len(text) + 2 and raw[0] == raw[-1] == '"' and raw[1:-1] == text:
        return 1
    return None


def _shift(p: Position, delta: int, src: str) -> Position:
    # The piece is written verbatim on one line (checked by _inner): columns move with offsets.
    moved = src[p.offset : p.offset + delta]
    return Position(p.line, p.column + delta, p.offset + delta, p.byte + len(moved.encode("utf-8", "surrogatepass")))


def literal_text_span(value: Str, text_of) -> Origin | None:
    """The span of the whole literal when the value is exactly one written literal (fixable)."""
    pieces = value.piece_list()
    if len(pieces) != 1 or pieces[0].origin is None:
        return None
    origin = pieces[0].origin
    src = text_of(origin.path)
    if src is None:
        return None
    raw = src[origin.span.start.offset : origin.span.end.offset]
    if raw == '"' + value.value + '"' or raw == value.value and raw.isidentifier():
        return origin
    return None
