"""Predeclared identifiers and the standard library, as far as plans need them.

A few functions are computed (``len``, ``strings.Join``, ``strings.Split``
and other pure string helpers, ``strconv.FormatInt``, ``json.Marshal``, …);
every other function of CUE's standard library gives an :class:`Unknown`
value — correct CUE that plancheck does not compute, so nothing that depends
on it is checked. A member a package does not have is an error (CUE002).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from plancheck.checker.eval.values import (
    BASIC_TYPES, FLOAT_TYPES, INT_RANGES, Bool, Bound, Bottom, Bytes, Int, Kind, ListRef,
    Null, Origin, Piece, Str, StructRef, Unknown, Value,
)

if TYPE_CHECKING:  # pragma: no cover
    from plancheck.checker.eval.evaluator import Evaluator

# CUE v0.4's standard library packages.
STDLIB = frozenset(
    {
        "crypto/hmac", "crypto/md5", "crypto/sha1", "crypto/sha256", "crypto/sha512",
        "encoding/base64", "encoding/csv", "encoding/hex", "encoding/json", "encoding/yaml",
        "html", "list", "math", "math/bits", "net", "path", "regexp", "strconv", "strings",
        "struct", "text/tabwriter", "text/template", "time", "tool", "tool/cli", "tool/exec",
        "tool/file", "tool/http", "tool/os", "uuid",
    }
)

# Every member of the packages whose members plancheck knows completely;
# a name outside these lists is reported as undefined.
MEMBERS: dict[str, frozenset[str]] = {
    "strings": frozenset(
        "ByteAt ByteSlice Compare Contains ContainsAny ContainsRune Count EqualFold Fields HasPrefix "
        "HasSuffix Index IndexAny IndexByte IndexRune Join LastIndex LastIndexAny LastIndexByte "
        "MaxRunes MinRunes Repeat Replace Runes SliceRunes Split SplitAfter SplitAfterN SplitN Title "
        "ToCamel ToLower ToTitle ToUpper Trim TrimLeft TrimPrefix TrimRight TrimSpace TrimSuffix".split()
    ),
    "strconv": frozenset(
        "Atoi FormatBool FormatFloat FormatInt FormatUint IntSize IsGraphic IsPrint Itoa ParseBool "
        "ParseFloat ParseInt ParseUint Quote QuoteRune QuoteRuneToASCII QuoteRuneToGraphic QuoteToASCII "
        "QuoteToGraphic Unquote UnquoteChar".split()
    ),
    "list": frozenset(
        "Avg Concat Contains Drop FlattenN IsSorted IsSortedStrings Max MaxItems Min MinItems Product "
        "Range Slice Sort SortStable SortStrings Sum Take UniqueItems Ascending Descending".split()
    ),
    "encoding/json": frozenset("Compact HTMLEscape Indent Marshal MarshalStream Unmarshal Valid Validate".split()),
    "encoding/yaml": frozenset("Marshal MarshalStream Unmarshal Validate ValidatePartial".split()),
    "regexp": frozenset("Find FindAll FindAllNamedSubmatch FindAllSubmatch FindNamedSubmatch FindSubmatch Match QuoteMeta ReplaceAll ReplaceAllLiteral Valid".split()),
    "path": frozenset("Base Clean Dir Ext IsAbs Join Match Split SplitList Rel Resolve ToSlash FromSlash VolumeName Unix Windows Plan9".split()),
    "encoding/base64": frozenset("Decode Encode EncodedLen DecodedLen".split()),
    "encoding/hex": frozenset("Decode Dump Encode EncodedLen DecodedLen DecodeString".split()),
}

UNIVERSE_FUNCS = frozenset({"len", "close", "and", "or", "div", "mod", "quo", "rem"})


@dataclass(frozen=True, slots=True)
class Builtin(Value):
    """A callable builtin (``len``, ``strings.Join``)."""

    name: str
    func: Callable[..., Value] | None

    def kind_name(self) -> str:
        return "func"


@dataclass(frozen=True, slots=True)
class BuiltinPackage(Value):
    """An imported standard-library package."""

    path: str

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def member(self, name: str) -> Value | None:
        """The member ``name``; None when the package has no such member."""
        known = MEMBERS.get(self.path)
        if known is not None and name not in known:
            return None
        func = _FUNCS.get((self.path, name))
        return Builtin(f"{self.name}.{name}", func)


def universe(name: str, origin: Origin | None) -> Value | None:
    """The predeclared identifier ``name`` (types and builtin functions), or None."""
    kinds = BASIC_TYPES.get(name)
    if kinds is not None:
        return Kind(kinds, (), origin, name)
    rng = INT_RANGES.get(name)
    if rng is not None:
        lo, hi = rng
        return Kind(frozenset({"int"}), (Bound(">=", Int(lo)), Bound("<=", Int(hi))), origin, name)
    if name in FLOAT_TYPES:
        return Kind(frozenset({"int", "float"}), (), origin, name)
    if name in UNIVERSE_FUNCS:
        return Builtin(name, _UNIVERSE.get(name))
    return None


# ---------------------------------------------------------------------------
# Computed functions. Each takes evaluated argument values (already resolved
# to defaults) and the call's origin; a non-concrete argument gives Unknown.


def _unknown(kinds: set[str] | None = None) -> Unknown:
    return Unknown("computed from a value that is not known", frozenset(kinds) if kinds else None)


def _str_args(args: list[Value], n: int) -> list[str] | None:
    if len(args) != n or not all(isinstance(a, Str) for a in args):
        return None
    return [a.value for a in args]  # type: ignore[union-attr]


def _list_items(v: Value, ev: "Evaluator") -> list[Value] | None:
    """Concrete element values of a list (None if it is not a known, closed list)."""
    if not isinstance(v, ListRef):
        return None
    from plancheck.checker.eval.evaluator import element_values

    return element_values(v.vertex, ev)


def _len(args: list[Value], origin: Origin, ev: "Evaluator") -> Value:
    if len(args) != 1:
        return Bottom("len takes one argument", (origin,))
    a = args[0]
    if isinstance(a, Str):
        return Int(len(a.value.encode("utf-8")), origin)
    if isinstance(a, Bytes):
        return Int(len(a.value), origin)
    if isinstance(a, ListRef):
        v = a.vertex
        if v.elements is not None and not v.list_open:
            return Int(len(v.elements), origin)
        return _unknown({"int"})
    if isinstance(a, StructRef):
        v = a.vertex
        if v.incomplete:
            return _unknown({"int"})
        return Int(len(v.regular_labels()), origin)
    return _unknown({"int"})


def _join(args: list[Value], origin: Origin, ev: "Evaluator") -> Value:
    if len(args) != 2 or not isinstance(args[1], Str):
        return _unknown({"string"})
    items = _list_items(args[0], ev)
    if items is None or not all(isinstance(i, Str) for i in items):
        return _unknown({"string"})
    sep = args[1]
    pieces: list[Piece] = []
    for k, item in enumerate(items):
        if k:
            pieces.extend(sep.piece_list())  # type: ignore[union-attr]
        pieces.extend(item.piece_list())  # type: ignore[union-attr]
    text = "".join(p.text for p in pieces)
    return Str(text, origin, tuple(pieces))


def _split(args: list[Value], origin: Origin, ev: "Evaluator") -> Value:
    s = _str_args(args, 2)
    if s is None:
        return _unknown({"list"})
    from plancheck.checker.eval.evaluator import make_list

    return make_list([Str(part, origin) for part in s[0].split(s[1])] if s[1] else [Str(c, origin) for c in s[0]], origin)


def _str_fn(fn: Callable[..., object], n: int, kind: str = "string") -> Callable[[list[Value], Origin, "Evaluator"], Value]:
    def call(args: list[Value], origin: Origin, ev: "Evaluator") -> Value:
        s = _str_args(args, n)
        if s is None:
            return _unknown({kind})
        result = fn(*s)
        return _py_to_value(result, origin)

    return call


def _replace(args: list[Value], origin: Origin, ev: "Evaluator") -> Value:
    if len(args) != 4 or not all(isinstance(a, Str) for a in args[:3]) or not isinstance(args[3], Int):
        return _unknown({"string"})
    s, old, new = (a.value for a in args[:3])  # type: ignore[union-attr]
    n = args[3].value  # type: ignore[union-attr]
    return Str(s.replace(old, new, n if n >= 0 else -1), origin)


def _repeat(args: list[Value], origin: Origin, ev: "Evaluator") -> Value:
    if len(args) == 2 and isinstance(args[0], Str) and isinstance(args[1], Int):
        return Str(args[0].value * max(args[1].value, 0), origin)
    return _unknown({"string"})


def _format_int(args: list[Value], origin: Origin, ev: "Evaluator") -> Value:
    if len(args) == 2 and isinstance(args[0], Int) and isinstance(args[1], Int) and 2 <= args[1].value <= 36:
        return Str(_to_base(args[0].value, args[1].value), origin)
    return _unknown({"string"})


def _to_base(n: int, base: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if n == 0:
        return "0"
    sign = "-" if n < 0 else ""
    n = abs(n)
    out = []
    while n:
        n, r = divmod(n, base)
        out.append(digits[r])
    return sign + "".join(reversed(out))


def _format_bool(args: list[Value], origin: Origin, ev: "Evaluator") -> Value:
    if len(args) == 1 and isinstance(args[0], Bool):
        return Str("true" if args[0].value else "false", origin)
    return _unknown({"string"})


def _atoi(args: list[Value], origin: Origin, ev: "Evaluator") -> Value:
    s = _str_args(args, 1)
    if s is None:
        return _unknown({"int"})
    try:
        return Int(int(s[0], 10), origin)
    except ValueError:
        return Bottom(f"strconv.Atoi: parsing {s[0]!r}: invalid syntax", (origin,))


def _itoa(args: list[Value], origin: Origin, ev: "Evaluator") -> Value:
    if len(args) == 1 and isinstance(args[0], Int):
        return Str(str(args[0].value), origin)
    return _unknown({"string"})


def _quote(args: list[Value], origin: Origin, ev: "Evaluator") -> Value:
    s = _str_args(args, 1)
    if s is None:
        return _unknown({"string"})
    return Str(json.dumps(s[0], ensure_ascii=False), origin)


def _json_marshal(args: list[Value], origin: Origin, ev: "Evaluator") -> Value:
    if len(args) != 1:
        return _unknown({"string"})
    from plancheck.checker.eval.evaluator import to_python

    data = to_python(args[0], ev)
    if data is NOT_CONCRETE:
        return _unknown({"string"})
    return Str(json.dumps(data, separators=(",", ":"), ensure_ascii=False), origin)


def _regexp_match(args: list[Value], origin: Origin, ev: "Evaluator") -> Value:
    s = _str_args(args, 2)
    if s is None:
        return _unknown({"bool"})
    try:
        return Bool(re.search(s[0], s[1]) is not None, origin)
    except re.error:
        return _unknown({"bool"})


def _path_join(args: list[Value], origin: Origin, ev: "Evaluator") -> Value:
    import posixpath

    items = _list_items(args[0], ev) if len(args) >= 1 else None
    if items is None or not all(isinstance(i, Str) for i in items):
        return _unknown({"string"})
    return Str(posixpath.normpath(posixpath.join(*[i.value for i in items])) if items else "", origin)  # type: ignore[union-attr]


def _py_to_value(x: object, origin: Origin) -> Value:
    if isinstance(x, bool):
        return Bool(x, origin)
    if isinstance(x, int):
        return Int(x, origin)
    if isinstance(x, str):
        return Str(x, origin)
    if isinstance(x, list):
        from plancheck.checker.eval.evaluator import make_list

        return make_list([_py_to_value(i, origin) for i in x], origin)
    if x is None:
        return Null(origin)
    return _unknown()


class _NotConcrete:
    """Marks data that is not concrete (json.Marshal of an incomplete value)."""


NOT_CONCRETE = _NotConcrete()


def _int_op(fn: Callable[[int, int], int]) -> Callable[[list[Value], Origin, "Evaluator"], Value]:
    def call(args: list[Value], origin: Origin, ev: "Evaluator") -> Value:
        if len(args) == 2 and isinstance(args[0], Int) and isinstance(args[1], Int):
            if args[1].value == 0:
                return Bottom("division by zero", (origin,))
            return Int(fn(args[0].value, args[1].value), origin)
        return _unknown({"int"})

    return call


def _quo(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


_UNIVERSE: dict[str, Callable[[list[Value], Origin, "Evaluator"], Value]] = {
    "len": _len,
    # div and mod are Euclidean (the remainder is never negative); quo and rem truncate.
    "div": _int_op(lambda a, b: (a - a % abs(b)) // b),
    "mod": _int_op(lambda a, b: a % abs(b)),
    "quo": _int_op(_quo),
    "rem": _int_op(lambda a, b: a - _quo(a, b) * b),
}

_FUNCS: dict[tuple[str, str], Callable[[list[Value], Origin, "Evaluator"], Value]] = {
    ("strings", "Join"): _join,
    ("strings", "Split"): _split,
    ("strings", "ToLower"): _str_fn(str.lower, 1),
    ("strings", "ToUpper"): _str_fn(str.upper, 1),
    ("strings", "TrimSpace"): _str_fn(str.strip, 1),
    ("strings", "TrimPrefix"): _str_fn(lambda s, p: s[len(p):] if p and s.startswith(p) else s, 2),
    ("strings", "TrimSuffix"): _str_fn(lambda s, p: s[: -len(p)] if p and s.endswith(p) else s, 2),
    ("strings", "HasPrefix"): _str_fn(str.startswith, 2, "bool"),
    ("strings", "HasSuffix"): _str_fn(str.endswith, 2, "bool"),
    ("strings", "Contains"): _str_fn(lambda s, sub: sub in s, 2, "bool"),
    ("strings", "Replace"): _replace,
    ("strings", "Repeat"): _repeat,
    ("strconv", "FormatInt"): _format_int,
    ("strconv", "FormatBool"): _format_bool,
    ("strconv", "Atoi"): _atoi,
    ("strconv", "Itoa"): _itoa,
    ("strconv", "Quote"): _quote,
    ("encoding/json", "Marshal"): _json_marshal,
    ("regexp", "Match"): _regexp_match,
    ("path", "Join"): _path_join,
}
