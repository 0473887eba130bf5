"""Values of the partial evaluator.

A small closed set of immutable kinds (see ../shared/EVALUATOR.md):

* :data:`TOP` (``_``) and :class:`Bottom` (an error, with the conflict's origins);
* concrete scalars :class:`Null`, :class:`Bool`, :class:`Int`, :class:`Float`,
  :class:`Str` (with the origin of every piece, for interpolated strings),
  :class:`Bytes`; each remembers where it was written (:class:`Origin`);
* :class:`Kind` — a type such as ``string`` or ``number``, optionally narrowed
  by bounds (``=~"^a"``, ``>=0``), i.e. a value that is not concrete;
* :class:`Unknown` — a value that exists but cannot be known statically (an
  input, an unsupported builtin, a reference cycle); every rule skips it;
* :class:`StructRef` / :class:`ListRef` — a struct or list: the vertex that holds
  its fields or elements (see :mod:`.vertex`);
* :class:`Disj` — a disjunction whose terms survived unification, with defaults.

Scalar unification lives here; struct and list unification is done by the
evaluator on conjuncts, so that definitions are re-evaluated in context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from plancheck.grammar.span import Span

if TYPE_CHECKING:  # pragma: no cover
    from plancheck.checker.eval.vertex import Vertex


@dataclass(frozen=True, slots=True)
class Origin:
    path: str
    span: Span


class Value:
    __slots__ = ()
    concrete = False

    def kind_name(self) -> str:
        return "_"


class _Top(Value):
    __slots__ = ()

    def __repr__(self) -> str:
        return "_"


TOP = _Top()


@dataclass(frozen=True, slots=True)
class Bottom(Value):
    """An error value. ``incomplete`` marks a missing field (not a conflict)."""

    message: str
    origins: tuple[Origin, ...] = ()
    incomplete: bool = False

    def kind_name(self) -> str:
        return "_|_"


@dataclass(frozen=True, slots=True)
class Unknown(Value):
    """Exists, but cannot be known statically. ``kinds`` narrows it when known."""

    reason: str = ""
    kinds: frozenset[str] | None = None

    def kind_name(self) -> str:
        return "|".join(sorted(self.kinds)) if self.kinds else "_"


@dataclass(frozen=True, slots=True)
class Null(Value):
    origin: Origin | None = None
    concrete = True

    def kind_name(self) -> str:
        return "null"


@dataclass(frozen=True, slots=True)
class Bool(Value):
    value: bool
    origin: Origin | None = None
    concrete = True

    def kind_name(self) -> str:
        return "bool"


@dataclass(frozen=True, slots=True)
class Int(Value):
    value: int
    origin: Origin | None = None
    concrete = True

    def kind_name(self) -> str:
        return "int"


@dataclass(frozen=True, slots=True)
class Float(Value):
    value: float
    origin: Origin | None = None
    concrete = True

    def kind_name(self) -> str:
        return "float"


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of a string's characters and the text that produced them."""

    text: str
    origin: Origin | None


@dataclass(frozen=True, slots=True)
class Str(Value):
    value: str
    origin: Origin | None = None
    #: for strings built by interpolation or ``+``: where each run of characters came from
    pieces: tuple[Piece, ...] = ()
    concrete = True

    def kind_name(self) -> str:
        return "string"

    def origin_of(self, start: int, end: int) -> Origin | None:
        """The origin of the characters ``value[start:end]`` (the piece holding ``start``)."""
        if not self.pieces:
            return self.origin
        pos = 0
        for piece in self.pieces:
            nxt = pos + len(piece.text)
            if start < nxt or (start == nxt == len(self.value)):
                return piece.origin
            pos = nxt
        return self.origin

    def piece_list(self) -> tuple[Piece, ...]:
        return self.pieces or (Piece(self.value, self.origin),)


@dataclass(frozen=True, slots=True)
class Bytes(Value):
    value: bytes
    origin: Origin | None = None
    concrete = True

    def kind_name(self) -> str:
        return "bytes"


@dataclass(frozen=True, slots=True)
class Bound:
    op: str  # < <= > >= != =~ !~
    operand: Value

    def __str__(self) -> str:
        return f"{self.op}{describe(self.operand)}"


#: every kind a value can have
ALL_KINDS = frozenset({"null", "bool", "int", "float", "string", "bytes", "struct", "list"})


@dataclass(frozen=True, slots=True)
class Kind(Value):
    """A non-concrete value: one of ``kinds``, satisfying every bound."""

    kinds: frozenset[str]
    bounds: tuple[Bound, ...] = ()
    origin: Origin | None = None
    name: str = ""

    def kind_name(self) -> str:
        return self.name or "|".join(sorted(self.kinds))


@dataclass(frozen=True, slots=True)
class StructRef(Value):
    vertex: "Vertex"

    def kind_name(self) -> str:
        return "struct"


@dataclass(frozen=True, slots=True)
class ListRef(Value):
    vertex: "Vertex"

    def kind_name(self) -> str:
        return "list"


@dataclass(frozen=True, slots=True)
class Disj(Value):
    """Terms that survived unification; ``defaults`` marks the ``*`` ones."""

    terms: tuple[Value, ...]
    defaults: tuple[bool, ...]

    def kind_name(self) -> str:
        return " | ".join(t.kind_name() for t in self.terms)

    def default(self) -> Value | None:
        """The value used where a concrete one is needed (CUE's default rule)."""
        marked = [t for t, d in zip(self.terms, self.defaults) if d]
        if len(marked) == 1:
            return marked[0]
        if len(self.terms) == 1:
            return self.terms[0]
        return None


SCALAR_KINDS = {Null: "null", Bool: "bool", Int: "int", Float: "float", Str: "string", Bytes: "bytes"}

BASIC_TYPES: dict[str, frozenset[str]] = {
    "string": frozenset({"string"}),
    "bytes": frozenset({"bytes"}),
    "bool": frozenset({"bool"}),
    "int": frozenset({"int"}),
    "float": frozenset({"float"}),
    "number": frozenset({"int", "float"}),
    "null": frozenset({"null"}),
}
# Sized integer types: an int with bounds.
INT_RANGES: dict[str, tuple[int, int]] = {
    "uint": (0, 2**200),
    "uint8": (0, 255), "int8": (-128, 127), "uint16": (0, 65535), "int16": (-32768, 32767),
    "uint32": (0, 2**32 - 1), "int32": (-(2**31), 2**31 - 1), "rune": (0, 0x10FFFF),
    "uint64": (0, 2**64 - 1), "int64": (-(2**63), 2**63 - 1),
    "uint128": (0, 2**128 - 1), "int128": (-(2**127), 2**127 - 1),
}
FLOAT_TYPES = ("float32", "float64")


def kind_of(v: Value) -> frozenset[str] | None:
    """The kinds ``v`` may have (None: any)."""
    t = SCALAR_KINDS.get(type(v))
    if t is not None:
        return frozenset((t,))
    if isinstance(v, Kind):
        return v.kinds
    if isinstance(v, StructRef):
        return frozenset(("struct",))
    if isinstance(v, ListRef):
        return frozenset(("list",))
    if isinstance(v, Unknown):
        return v.kinds
    if isinstance(v, Disj):
        out: set[str] = set()
        for t in v.terms:
            k = kind_of(t)
            if k is None:
                return None
            out |= k
        return frozenset(out)
    return None


def origin_of(v: Value) -> Origin | None:
    return getattr(v, "origin", None)


def describe(v: Value) -> str:
    """How a value reads in a message: ``"linux/arm64"``, ``1``, ``string``."""
    if isinstance(v, Str):
        return _quote(v.value)
    if isinstance(v, Bool):
        return "true" if v.value else "false"
    if isinstance(v, Int):
        return str(v.value)
    if isinstance(v, Float):
        return repr(v.value)
    if isinstance(v, Null):
        return "null"
    if isinstance(v, Bytes):
        return "'" + v.value.decode("utf-8", "replace") + "'"
    if isinstance(v, Kind):
        if v.name:
            return v.name
        base = "|".join(sorted(v.kinds)) if v.kinds != ALL_KINDS else "_"
        if v.bounds:
            parts = ([base] if base != "_" else []) + [str(b) for b in v.bounds]
            return " & ".join(parts)
        return base
    if isinstance(v, StructRef):
        return "{...}"
    if isinstance(v, ListRef):
        return "[...]"
    if isinstance(v, Disj):
        return " | ".join(("*" if d else "") + describe(t) for t, d in zip(v.terms, v.defaults))
    if isinstance(v, Bottom):
        return "_|_"
    if v is TOP:
        return "_"
    return "unknown"


def _quote(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    if len(out) > 60:
        out = out[:57] + "..."
    return f'"{out}"'


# ---------------------------------------------------------------------------
# Scalar unification


def conflict(a: Value, b: Value, note: str = "") -> Bottom:
    ka, kb = kind_of(a), kind_of(b)
    msg = f"conflicting values {describe(a)} and {describe(b)}"
    if note:
        msg += f" ({note})"
    elif ka and kb and not (ka & kb):
        msg += f" (mismatched types {'|'.join(sorted(ka))} and {'|'.join(sorted(kb))})"
    origins = tuple(o for o in (origin_of(a), origin_of(b)) if o is not None)
    return Bottom(msg, origins)


def unify_scalars(a: Value, b: Value) -> Value:
    """Unify two non-struct, non-list values (one may be TOP, a Kind, Unknown, …)."""
    if a is TOP:
        return b
    if b is TOP:
        return a
    if isinstance(a, Bottom):
        return a
    if isinstance(b, Bottom):
        return b
    if isinstance(a, Disj) or isinstance(b, Disj):
        return _unify_disj(a, b)
    if isinstance(a, Unknown):
        return _unify_unknown(a, b)
    if isinstance(b, Unknown):
        return _unify_unknown(b, a)
    if a.concrete and b.concrete:
        return _unify_concrete(a, b)
    if isinstance(a, Kind) and isinstance(b, Kind):
        kinds = a.kinds & b.kinds
        if not kinds:
            return conflict(a, b)
        bounds = a.bounds + tuple(x for x in b.bounds if x not in a.bounds)
        name = a.name if (a.name and not b.bounds and kinds == a.kinds) else (b.name if b.name and not a.bounds and kinds == b.kinds else "")
        return Kind(kinds, bounds, a.origin or b.origin, name)
    if isinstance(a, Kind):
        return _check_kind(a, b)
    if isinstance(b, Kind):
        return _check_kind(b, a)
    return conflict(a, b)


def _unify_unknown(u: Unknown, other: Value) -> Value:
    # An unknown value could be anything of its kinds: it can only be proved
    # wrong against a value of another kind.
    if u.kinds is None:
        return other if not isinstance(other, Unknown) else u
    k = kind_of(other)
    if k is not None and not (k & u.kinds):
        return conflict(u, other)
    if isinstance(other, Unknown):
        kinds = u.kinds if other.kinds is None else (u.kinds & other.kinds)
        return Unknown(u.reason or other.reason, kinds)
    return other


def _unify_concrete(a: Value, b: Value) -> Value:
    ta, tb = type(a), type(b)
    if ta is Float and tb is Int or ta is Int and tb is Float:
        if float(a.value) == float(b.value):  # type: ignore[attr-defined]
            return a if ta is Float else b
        return conflict(a, b)
    if ta is not tb:
        return conflict(a, b)
    if ta is Null:
        return a
    if a.value == b.value:  # type: ignore[attr-defined]
        return a
    return conflict(a, b)


def _check_kind(k: Kind, v: Value) -> Value:
    """Unify a non-concrete Kind with a concrete scalar."""
    vk = SCALAR_KINDS.get(type(v))
    if vk is None:
        return conflict(k, v)
    if vk not in k.kinds:
        return conflict(k, v)
    for b in k.bounds:
        ok = check_bound(b, v)
        if ok is False:
            return Bottom(f"invalid value {describe(v)} (does not satisfy {b})", tuple(o for o in (v.origin, k.origin) if o))  # type: ignore[attr-defined]
    return v


def check_bound(b: Bound, v: Value) -> bool | None:
    """Whether concrete ``v`` satisfies ``b`` (None if it cannot be decided)."""
    op = b.op
    x = b.operand
    if op in ("=~", "!~"):
        if not isinstance(v, Str) or not isinstance(x, Str):
            return False if not isinstance(v, (Str, Bytes)) else None
        try:
            # RE2 and Python agree on the syntax plans use.
            matched = re.search(x.value, v.value) is not None
        except re.error:
            return None  # RE2 syntax Python does not share: cannot decide
        return matched if op == "=~" else not matched
    if op == "!=":
        if type(v) is type(x) or isinstance(v, (Int, Float)) and isinstance(x, (Int, Float)):
            return v.value != x.value  # type: ignore[attr-defined]
        return True
    if isinstance(v, (Int, Float)) and isinstance(x, (Int, Float)):
        a, c = v.value, x.value
    elif isinstance(v, Str) and isinstance(x, Str):
        a, c = v.value, x.value  # type: ignore[assignment]
    else:
        return False
    if op == "<":
        return a < c
    if op == "<=":
        return a <= c
    if op == ">":
        return a > c
    if op == ">=":
        return a >= c
    return None


def _unify_disj(a: Value, b: Value) -> Value:
    if isinstance(a, Disj) and isinstance(b, Disj):
        terms: list[Value] = []
        defaults: list[bool] = []
        any_default_a = any(a.defaults)
        any_default_b = any(b.defaults)
        for ta, da in zip(a.terms, a.defaults):
            for tb, db in zip(b.terms, b.defaults):
                r = unify_scalars(ta, tb)
                if not isinstance(r, Bottom):
                    _add_term(terms, defaults, r, (da or not any_default_a) and (db or not any_default_b))
        return make_disj(terms, defaults, a, b)
    d, other = (a, b) if isinstance(a, Disj) else (b, a)
    terms, defaults = [], []
    for t, dflt in zip(d.terms, d.defaults):  # type: ignore[union-attr]
        r = unify_scalars(t, other)
        if not isinstance(r, Bottom):
            _add_term(terms, defaults, r, dflt)
    return make_disj(terms, defaults, d, other)


def _add_term(terms: list[Value], defaults: list[bool], v: Value, d: bool) -> None:
    for i, t in enumerate(terms):
        if _same(t, v):
            defaults[i] = defaults[i] or d
            return
    terms.append(v)
    defaults.append(d)


def _same(a: Value, b: Value) -> bool:
    if type(a) is not type(b):
        return False
    if a.concrete:
        return a.value == b.value if not isinstance(a, Null) else True  # type: ignore[attr-defined]
    if isinstance(a, Kind):
        return a.kinds == b.kinds and a.bounds == b.bounds  # type: ignore[attr-defined]
    return a is b


def make_disj(terms: list[Value], defaults: list[bool], a: Value, b: Value) -> Value:
    if not terms:
        origins = tuple(o for o in (origin_of(a), origin_of(b)) if o is not None)
        return Bottom(f"{describe(b)} does not match any of {describe(a)}" if isinstance(a, Disj) else f"conflicting values {describe(a)} and {describe(b)}", origins)
    if len(terms) == 1:
        return terms[0]
    return Disj(tuple(terms), tuple(defaults))


def resolve_default(v: Value) -> Value:
    """The value a rule sees: a disjunction's default, else the value itself."""
    if isinstance(v, Disj):
        d = v.default()
        return d if d is not None else v
    return v
