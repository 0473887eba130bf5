"""Container platform specifiers: parse, validate, normalise, suggest, complete.

A platform specifier names the operating system, CPU architecture and optional CPU
variant an image is built for: ``linux/arm64``, ``linux/arm/v7``,
``windows(10.0.17763)/amd64``. BuildKit, buildx, Docker and every containerd-based
runtime read them with containerd's ``platforms.Parse`` and compare them after
``platforms.Normalize``. This module follows those rules (containerd/platforms
v1.0.0-rc.4, ``platforms.go`` and ``database.go``) and is stricter where containerd
accepts strings that can only fail later:

Grammar
    ``os[(options)]``, ``arch``, or ``os[(options)]/arch[/variant]``. The OS name is
    ASCII letters, digits, ``_`` and ``-``; architecture and variant also allow
    ``.``. No spaces, no empty parts, no wildcard ``*``, at most three parts.
    ``options`` is ``[version][+feature]*`` (``windows(10.0.17763+win32k)``) with
    ``%XX`` escapes; names, architectures and variants are case-insensitive, the
    OS version and features are kept as written.

Names
    The OS must be one of Go's GOOS names (``internal/syslist``) or ``wasi`` (Docker's
    Wasm platform ``wasi/wasm``, not a Go port). The architecture must be one of
    Go's GOARCH names. containerd checks this only for the one-word form.

Aliases (containerd's)
    ``aarch64`` → ``arm64``; ``x86_64``/``x86-64`` → ``amd64``; ``i386`` → ``386``;
    ``armhf`` → ``arm/v7``; ``armel`` → ``arm/v6``; OS ``macos`` → ``darwin``.

Variants
    arm: ``v5``–``v8`` (``5``–``8`` get a ``v``); no variant means ``v7``.
    arm64: no variant, ``v8``, ``8``, ``v8.0`` are all the baseline; ``v8.1``–``v8.9``;
    ``v9`` (also ``9``, ``9.0``, ``v9.0``); ``v9.1``–``v9.9``.
    amd64: no variant or ``v1`` is the baseline; ``v2``–``v4``.
    ppc64/ppc64le: ``power8``–``power11``; riscv64: ``rva20u64``, ``rva22u64``,
    ``rva23u64`` (the OCI variants table). Every other architecture has none, so
    ``linux/s390x/v2`` is an error. containerd keeps unknown variants verbatim (and
    then matches no image), and silently drops a variant written after ``i386``,
    ``armhf`` or ``armel``; both are errors here unless the variant agrees.

Defaults
    A bare architecture means Linux: ``arm64`` is ``linux/arm64``. containerd takes
    the OS of the machine that parses, but builders run Linux (Docker Desktop too),
    and a checker must not depend on the machine it runs on. A bare OS (``linux``,
    ``windows(10.0.17763)``) is valid but its architecture is the host's, known
    only at run time: :attr:`Platform.architecture` is empty until
    :meth:`Platform.resolve`.

Canonical form
    containerd's ``FormatAll(Normalize(p))`` — what BuildKit keys each platform by and
    writes into image indexes: lower case, aliases resolved, baseline variants of
    arm64 and amd64 omitted, arm always with its variant (``linux/arm/v7``), OS
    options written only when set. The options percent-encode every character
    outside ``[A-Za-z0-9_.-]`` (containerd encodes only ``% + ( ) /``; for those the
    output is identical, and ours always parses back).

Errors are :class:`PlatformError`: which part is wrong, the character range of that
part within the specifier, a lower-case message naming the valid values and, when
one is close, the nearest valid canonical platform.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterable, Literal, Mapping, NamedTuple

__all__ = [
    "ARCH_VARIANTS",
    "DEFAULT_OS",
    "DEFAULT_PLATFORM",
    "KNOWN_ARCHITECTURES",
    "KNOWN_OS",
    "ErrorKind",
    "Platform",
    "PlatformCandidate",
    "PlatformError",
    "PlatformPart",
    "canonical",
    "completion_candidates",
    "describe",
    "is_canonical",
    "noncanonical_reasons",
    "normalize",
    "parse",
    "same_platform",
]

#: Where in the specifier an error is. ``os_options`` is the parenthesised OS
#: version and features; ``syntax`` is the specifier as a whole.
PlatformPart = Literal["syntax", "os", "os_options", "architecture", "variant"]

ErrorKind = Literal[
    "empty",  # the whole specifier is empty
    "wildcard",  # "*" anywhere
    "too_many_parts",  # more than os/arch/variant
    "empty_part",  # leading, trailing or doubled "/", or "(...)" without an OS
    "invalid_character",  # space, comma, non-ASCII, punctuation
    "invalid_os_options",  # unclosed "(", text after ")", bad %-escape, empty feature
    "unknown_os",
    "unknown_architecture",
    "invalid_variant",  # not a variant of that architecture
    "variant_not_allowed",  # the architecture has no variants at all
]

#: The OS of a bare architecture (``arm64`` is ``linux/arm64``).
DEFAULT_OS = "linux"
#: The platform of a pipeline that names none (SPEC §1: the environment default).
DEFAULT_PLATFORM = "linux/amd64"

# Go's internal/syslist KnownOS (which containerd's isKnownOS copies, minus wasip1),
# plus Docker's "wasi". Ordered by how often container images use them: messages and
# suggestion tie-breaks list the likely ones first.
_OS_ORDER: tuple[str, ...] = (
    "linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "dragonfly",
    "illumos", "solaris", "aix", "android", "ios", "js", "wasip1", "wasi", "plan9",
    "hurd", "nacl", "zos",
)  # fmt: skip
KNOWN_OS: frozenset[str] = frozenset(_OS_ORDER)

# Go's internal/syslist KnownArch, the same 24 names containerd's isKnownArch has.
_ARCH_ORDER: tuple[str, ...] = (
    "amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64", "loong64",
    "mips64le", "mips64", "mipsle", "mips", "ppc64", "wasm", "sparc64", "amd64p32",
    "armbe", "arm64be", "mips64p32", "mips64p32le", "ppc", "riscv", "s390", "sparc",
)  # fmt: skip
KNOWN_ARCHITECTURES: frozenset[str] = frozenset(_ARCH_ORDER)


def _minor_versions(major: int) -> tuple[str, ...]:
    # Arm states the v8 line ends at v8.9; v9 minors are accepted up to .9 as well so
    # that next year's CPU is not a false positive.
    return tuple(f"v{major}.{minor}" for minor in range(1, 10))


_ARM_VARIANTS = ("v5", "v6", "v7", "v8")
_ARM64_VARIANTS = (*_minor_versions(8), "v9", *_minor_versions(9))
_AMD64_VARIANTS = ("v2", "v3", "v4")
# GOPPC64 levels plus POWER11 (shipping since 2025): refusing a real CPU generation
# would be a false positive.
_POWER_VARIANTS = ("power8", "power9", "power10", "power11")
_RISCV64_VARIANTS = ("rva20u64", "rva22u64", "rva23u64")

#: The canonical variants each architecture may carry, besides none. arm is the
#: exception: its canonical form always has a variant (``v7`` when none is written).
ARCH_VARIANTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "arm": _ARM_VARIANTS,
        "arm64": _ARM64_VARIANTS,
        "amd64": _AMD64_VARIANTS,
        "ppc64le": _POWER_VARIANTS,
        "ppc64": _POWER_VARIANTS,
        "riscv64": _RISCV64_VARIANTS,
    }
)


def _spellings(canonical_variants: Iterable[str], extra: Mapping[str, str]) -> Mapping[str, str]:
    table = {variant: variant for variant in canonical_variants}
    table.update(extra)
    return MappingProxyType(table)


_NO_VARIANTS: Mapping[str, str] = MappingProxyType({})

# Accepted lower-case spelling -> canonical variant ("" = the baseline, written without).
# The extra spellings are exactly containerd's normalizeArch cases; anything else it
# keeps verbatim ("8.2", "2"), which then matches no image, so those are errors here.
_VARIANT_SPELLINGS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "arm": _spellings(_ARM_VARIANTS, {"5": "v5", "6": "v6", "7": "v7", "8": "v8"}),
        "arm64": _spellings(
            _ARM64_VARIANTS,
            {"8": "", "v8": "", "v8.0": "", "9": "v9", "9.0": "v9", "v9.0": "v9"},
        ),
        "amd64": _spellings(_AMD64_VARIANTS, {"v1": ""}),
        "ppc64le": _spellings(_POWER_VARIANTS, {}),
        "ppc64": _spellings(_POWER_VARIANTS, {}),
        "riscv64": _spellings(_RISCV64_VARIANTS, {}),
    }
)


class _ArchRule(NamedTuple):
    """How one architecture spelling normalises and which variants it takes."""

    arch: str
    #: The canonical variant when none is written ("v7" for arm, "v6" for armel).
    default_variant: str
    #: Accepted spelling -> canonical variant; empty when the architecture has none.
    variants: Mapping[str, str]
    #: The spelling itself fixes the variant (armhf, armel, i386): a written variant
    #: must agree with it, because containerd silently replaces it.
    pinned: bool = False


def _arch_rules() -> Mapping[str, _ArchRule]:
    rules = {
        arch: _ArchRule(arch, "v7" if arch == "arm" else "", _VARIANT_SPELLINGS.get(arch, _NO_VARIANTS))
        for arch in _ARCH_ORDER
    }
    rules["aarch64"] = rules["arm64"]
    rules["x86_64"] = rules["x86-64"] = rules["amd64"]
    rules["i386"] = _ArchRule("386", "", _NO_VARIANTS, pinned=True)
    rules["armhf"] = _ArchRule("arm", "v7", _VARIANT_SPELLINGS["arm"], pinned=True)
    rules["armel"] = _ArchRule("arm", "v6", _VARIANT_SPELLINGS["arm"], pinned=True)
    return MappingProxyType(rules)


_ARCH_RULES = _arch_rules()
_OS_ALIASES: Mapping[str, str] = MappingProxyType({"macos": "darwin"})

# Spellings that are *not* valid but whose meaning is clear: used only for suggestions.
_OS_HINTS: Mapping[str, str] = MappingProxyType(
    {
        "osx": "darwin", "mac": "darwin", "macosx": "darwin", "apple": "darwin",
        "win": "windows", "win32": "windows", "win64": "windows", "microsoft": "windows",
        "ubuntu": "linux", "debian": "linux", "alpine": "linux", "centos": "linux",
        "fedora": "linux", "rhel": "linux", "gnu": "linux", "sunos": "solaris",
    }
)  # fmt: skip
_ARCH_HINTS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "x86": ("386", ""), "i486": ("386", ""), "i586": ("386", ""), "i686": ("386", ""),
        "x64": ("amd64", ""), "amd": ("amd64", ""), "intel64": ("amd64", ""),
        "armv5": ("arm", "v5"), "armv5l": ("arm", "v5"), "armv5te": ("arm", "v5"),
        "arm32v5": ("arm", "v5"), "armv6": ("arm", "v6"), "armv6l": ("arm", "v6"),
        "arm32v6": ("arm", "v6"), "armv7": ("arm", "v7"), "armv7l": ("arm", "v7"),
        "armv7a": ("arm", "v7"), "armv7hf": ("arm", "v7"), "armhfp": ("arm", "v7"),
        "arm32v7": ("arm", "v7"), "armv8l": ("arm", "v8"), "arm32v8": ("arm", "v8"),
        "armv8": ("arm64", ""), "armv8a": ("arm64", ""), "arm64v8": ("arm64", ""),
        "arm64e": ("arm64", ""), "armv9": ("arm64", "v9"), "ppc64el": ("ppc64le", ""),
        "powerpc64le": ("ppc64le", ""), "powerpc64": ("ppc64", ""), "powerpc": ("ppc", ""),
        "loongarch64": ("loong64", ""), "riscv64gc": ("riscv64", ""), "rv64": ("riscv64", ""),
        "mips64el": ("mips64le", ""), "mipsel": ("mipsle", ""), "wasm32": ("wasm", ""),
    }
)  # fmt: skip

_OS_FUZZY_NAMES: tuple[str, ...] = (*_OS_ORDER, *_OS_ALIASES, *_OS_HINTS)
_ARCH_FUZZY_NAMES: tuple[str, ...] = (
    *_ARCH_ORDER, *(name for name in _ARCH_RULES if name not in KNOWN_ARCHITECTURES), *_ARCH_HINTS,
)  # fmt: skip

# Character classes of containerd's osRe and specifierRe, negated to find the culprit.
_BAD_NAME = re.compile(r"[^A-Za-z0-9_-]+")
_BAD_COMPONENT = re.compile(r"[^A-Za-z0-9_.-]+")
_BAD_OPTION = re.compile(r"[^A-Za-z0-9_.%+-]+")
_SAFE_OPTION = re.compile(r"[A-Za-z0-9_.-]*")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
# Digit runs are capped: int() refuses very long ones, and no variant needs them.
_VARIANT_VERSION = re.compile(r"v(\d{1,4})(?:\.(\d{1,4}))?")
_LEADING_VERSION = re.compile(r"(\d{1,4})(?:\.(\d{1,4}))?")
_POWER_LEVEL = re.compile(r"p(?:ower)?(\d{1,4})")
_SEPARATORS = frozenset("-_:.\\|;@+")

_ROLES: tuple[PlatformPart, PlatformPart, PlatformPart] = ("os", "architecture", "variant")
_PART_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "os": "operating system",
        "os_options": "os version or features",
        "architecture": "architecture",
        "variant": "variant",
        "syntax": "platform",
    }
)
_ALLOWED_CHARS: Mapping[str, str] = MappingProxyType(
    {
        "os": 'ascii letters, digits, "_" and "-"',
        "architecture": 'ascii letters, digits, "_", "." and "-"',
        "variant": 'ascii letters, digits, "_", "." and "-"',
        "os_options": 'ascii letters, digits, "_", ".", "-", "+" between features and %-escapes',
    }
)
_QUOTE_ESCAPES: Mapping[int, str] = MappingProxyType(
    {
        **{code: f"\\u{code:04x}" for code in (*range(32), 127)},
        ord("\t"): "\\t",
        ord("\n"): "\\n",
        ord("\r"): "\\r",
        ord('"'): '\\"',
        ord("\\"): "\\\\",
    }
)
_SYNTAX_HINT = 'a platform is os/arch[/variant], e.g. "linux/arm64"'


@dataclass(frozen=True, slots=True)
class Platform:
    """A normalised platform, the fields of an OCI image-index ``platform`` object.

    Instances returned by :func:`parse` and :func:`normalize` are normalised, so
    ``==`` and ``hash`` compare platforms (``linux/aarch64`` equals ``linux/arm64/v8``).
    Constructing one directly performs no validation.
    """

    os: str
    #: Empty only for a bare OS specifier (``linux``): the host's, known at run time.
    architecture: str
    variant: str = ""
    os_version: str = ""
    #: Sorted and de-duplicated, as containerd's Normalize leaves them.
    os_features: tuple[str, ...] = ()

    def __str__(self) -> str:
        head = self.os
        if self.os_version or self.os_features:
            options = _encode_option(self.os_version)
            if self.os_features:
                options += "+" + "+".join(_encode_option(feature) for feature in self.os_features)
            head = f"{head}({options})"
        if not self.architecture:
            return head
        if self.variant:
            return f"{head}/{self.architecture}/{self.variant}"
        return f"{head}/{self.architecture}"

    @property
    def host_dependent(self) -> bool:
        """True for a bare OS: the architecture is whatever the build host has."""
        return not self.architecture

    def resolve(self, default: "Platform | str" = DEFAULT_PLATFORM) -> "Platform":
        """Fill a host-dependent architecture (and variant) from ``default``."""
        if self.architecture:
            return self
        fallback = parse(default) if isinstance(default, str) else default
        return Platform(self.os, fallback.architecture, fallback.variant, self.os_version, self.os_features)

    def to_oci(self) -> dict[str, object]:
        """The OCI ``platform`` object (image-spec image-index.md), fields in spec order."""
        if not self.architecture:
            raise ValueError(f"platform {str(self)!r} has no architecture: resolve() it against the host first")
        result: dict[str, object] = {"architecture": self.architecture, "os": self.os}
        if self.os_version:
            result["os.version"] = self.os_version
        if self.os_features:
            result["os.features"] = list(self.os_features)
        if self.variant:
            result["variant"] = self.variant
        return result

    @classmethod
    def from_oci(cls, platform: Mapping[str, object]) -> "Platform":
        """Validate and normalise an OCI ``platform`` object (e.g. from a pulled index)."""
        fields: dict[str, str] = {}
        for key in ("os", "architecture", "variant", "os.version"):
            value = platform.get(key, "")
            if not isinstance(value, str):
                raise TypeError(f"platform field {key!r} must be a string, not {type(value).__name__}")
            fields[key] = value
        features = platform.get("os.features", ())
        if not isinstance(features, (list, tuple)) or not all(isinstance(f, str) for f in features):
            raise TypeError("platform field 'os.features' must be a list of strings")
        return normalize(
            fields["os"], fields["architecture"], fields["variant"], fields["os.version"], tuple(features)
        )


class PlatformError(ValueError):
    """An invalid platform specifier.

    ``start``/``end`` delimit the bad part in code points within ``spec`` (0-based,
    end exclusive), so a rule can shift them onto the string literal and put the
    caret under just ``arm65``. ``suggestion`` is a valid canonical platform, or None
    when nothing is close enough to guess.
    """

    def __init__(
        self,
        message: str,
        *,
        spec: str,
        kind: ErrorKind,
        part: PlatformPart,
        start: int,
        end: int,
        suggestion: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.spec = spec
        self.kind = kind
        self.part = part
        self.start = start
        self.end = end
        self.suggestion = suggestion

    @property
    def range(self) -> tuple[int, int]:
        return (self.start, self.end)

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments defeat BaseException's default pickling, and the
        # checker's worker processes (-j N) send errors back by pickle.
        return (
            _restore_error,
            (self.message, self.spec, self.kind, self.part, self.start, self.end, self.suggestion),
        )

    def _with_suggestion(self, suggestion: str | None) -> "PlatformError":
        return PlatformError(
            self.message,
            spec=self.spec,
            kind=self.kind,
            part=self.part,
            start=self.start,
            end=self.end,
            suggestion=suggestion,
        )


def _restore_error(
    message: str, spec: str, kind: ErrorKind, part: PlatformPart, start: int, end: int, suggestion: str | None
) -> PlatformError:
    return PlatformError(message, spec=spec, kind=kind, part=part, start=start, end=end, suggestion=suggestion)


class PlatformCandidate(NamedTuple):
    """A completion item: a canonical platform and a short description."""

    platform: str
    description: str


# --------------------------------------------------------------------------- parsing


def parse(spec: str) -> Platform:
    """Parse and normalise a platform specifier; raise :class:`PlatformError`."""
    known = _CANONICAL_PLATFORMS.get(spec)
    if known is not None:
        return known
    try:
        return _parse(spec)
    except PlatformError as error:
        raise error._with_suggestion(_suggest(spec)) from None


def normalize(
    os: str,
    architecture: str,
    variant: str = "",
    os_version: str = "",
    os_features: Iterable[str] = (),
) -> Platform:
    """Validate and normalise platform fields given separately (OCI objects, ``arch:``).

    Error ranges refer to ``os/architecture[/variant]``; ``os_version`` and the
    features are taken as they are (no %-decoding), as containerd's Normalize does.
    """
    spec = f"{os}/{architecture}" + (f"/{variant}" if variant else "")
    try:
        if not os:
            raise _error(spec, "empty_part", "os", 0, 1, f"empty operating system in {_quote(spec)}: {_SYNTAX_HINT}")
        os_name = _os_name(spec, os, 0)
        arch_start = len(os) + 1
        if not architecture:
            raise _error(
                spec, "empty_part", "architecture", arch_start - 1, arch_start,
                f"empty architecture in {_quote(spec)}: {_SYNTAX_HINT}",
            )  # fmt: skip
        rule = _arch_rule(spec, architecture, arch_start)
        if variant:
            canonical_variant = _variant(spec, rule, variant, arch_start + len(architecture) + 1)
        else:
            canonical_variant = rule.default_variant
    except PlatformError as error:
        raise error._with_suggestion(_suggest(spec)) from None
    features = tuple(sorted({feature for feature in os_features if feature}))
    return Platform(os_name, rule.arch, canonical_variant, os_version, features)


def canonical(spec: str) -> str:
    """The canonical spelling of ``spec`` (raises :class:`PlatformError` if invalid)."""
    if spec in _CANONICAL_PLATFORMS:
        return spec
    return str(parse(spec))


def is_canonical(spec: str) -> bool:
    """Whether ``spec`` is valid and spelled canonically (raises if invalid).

    ``linux/aarch64``, ``linux/arm64/v8``, ``Linux/AMD64``, ``linux/arm`` and ``arm64``
    are valid but not canonical; ``linux/arm/v7`` and ``linux/arm64`` are.
    """
    return spec in _CANONICAL_PLATFORMS or str(parse(spec)) == spec


def same_platform(a: "Platform | str", b: "Platform | str") -> bool:
    """Whether two specifiers name the same platform once normalised.

    Two bare OS specifiers are the same only when their OS (and options) are; a bare
    OS never equals a platform with an architecture, because the host decides.
    """
    left = parse(a) if isinstance(a, str) else a
    right = parse(b) if isinstance(b, str) else b
    return left == right


def _error(spec: str, kind: ErrorKind, part: PlatformPart, start: int, end: int, message: str) -> PlatformError:
    return PlatformError(message, spec=spec, kind=kind, part=part, start=start, end=end)


def _quote(text: str, limit: int = 60) -> str:
    # Messages echo user text: keep them one line and bounded.
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return '"' + text.translate(_QUOTE_ESCAPES) + '"'


def _split(spec: str) -> list[tuple[str, int]]:
    """Split on "/" keeping each piece's start offset."""
    pieces: list[tuple[str, int]] = []
    start = 0
    while True:
        slash = spec.find("/", start)
        if slash < 0:
            pieces.append((spec[start:], start))
            return pieces
        pieces.append((spec[start:slash], start))
        start = slash + 1


def _parse(spec: str) -> Platform:
    """The validating parser, without suggestions (those re-enter it)."""
    if not spec:
        raise _error(spec, "empty", "syntax", 0, 0, f"empty platform: {_SYNTAX_HINT}")
    pieces = _split(spec)
    count = len(pieces)
    star = spec.find("*")
    if star >= 0:
        for index, (text, start) in enumerate(pieces):
            if start <= star <= start + len(text):
                part = _single_token_role(text) if count == 1 else _ROLES[min(index, 2)]
                raise _error(
                    spec, "wildcard", part, start, start + len(text),
                    f"wildcard {_quote(text)} in {_quote(spec)}: a platform names one os and one "
                    "architecture; list each platform you need",
                )  # fmt: skip
    if count > 3:
        start = pieces[3][1] - 1
        raise _error(
            spec, "too_many_parts", "syntax", start, len(spec),
            f"too many parts in {_quote(spec)}: {_SYNTAX_HINT}",
        )  # fmt: skip
    for index, (text, start) in enumerate(pieces):
        if not text:
            part = _ROLES[index]
            slash = start - 1 if index else 0
            raise _error(
                spec, "empty_part", part, slash, slash + 1,
                f"empty {_PART_NAMES[part]} in {_quote(spec)}: {_SYNTAX_HINT}",
            )  # fmt: skip
    if count == 1:
        return _parse_single(spec)
    os_text, os_start = pieces[0]
    os_name, os_version, os_features = _os_part(spec, os_text, os_start)
    arch_text, arch_start = pieces[1]
    rule = _arch_rule(spec, arch_text, arch_start)
    if count == 3:
        variant_text, variant_start = pieces[2]
        variant = _variant(spec, rule, variant_text, variant_start)
    else:
        variant = rule.default_variant
    return Platform(os_name, rule.arch, variant, os_version, os_features)


def _parse_single(spec: str) -> Platform:
    """One word: an OS (host architecture) or an architecture (OS linux)."""
    if "(" in spec:
        os_name, os_version, os_features = _os_part(spec, spec, 0)
        return Platform(os_name, "", "", os_version, os_features)
    bad = _BAD_NAME.search(spec)
    if bad is not None:
        # containerd matches a lone word against its OS pattern, so "." is refused too.
        raise _bad_characters(spec, spec, 0, bad, _single_token_role(spec))
    lower = spec.lower()
    os_name = _OS_ALIASES.get(lower, lower)
    if os_name in KNOWN_OS:
        return Platform(os_name, "")
    rule = _ARCH_RULES.get(lower)
    if rule is not None:
        return Platform(DEFAULT_OS, rule.arch, rule.default_variant)
    if _single_token_role(spec) == "os":
        raise _error(
            spec, "unknown_os", "os", 0, len(spec),
            f"unknown operating system {_quote(spec)}: expected one of {', '.join(_OS_ORDER)}",
        )  # fmt: skip
    raise _error(
        spec, "unknown_architecture", "architecture", 0, len(spec),
        f"unknown architecture {_quote(spec)}: expected an architecture ({', '.join(_ARCH_ORDER)}) "
        'or a platform such as "linux/amd64"',
    )  # fmt: skip


def _single_token_role(token: str) -> PlatformPart:
    """Whether a lone word that failed looks more like an OS or an architecture."""
    if "(" in token:
        return "os"  # only an OS takes options
    name = "".join(char for char in token.lower() if char.isascii() and (char.isalnum() or char in "_-"))
    if name in KNOWN_OS or name in _OS_ALIASES or name in _OS_HINTS:
        return "os"
    if name in _ARCH_RULES or name in _ARCH_HINTS:
        return "architecture"
    os_match = _nearest(name, _OS_FUZZY_NAMES)
    arch_match = _nearest(name, _ARCH_FUZZY_NAMES)
    if os_match is not None and (arch_match is None or os_match[1] < arch_match[1]):
        return "os"
    return "architecture"


def _bad_characters(spec: str, text: str, start: int, bad: re.Match[str], part: PlatformPart) -> PlatformError:
    run = bad.group()
    first = run[0]
    if first == " ":
        what = "space"
    elif first == "\t":
        what = "tab"
    elif first in "\r\n":
        what = "line break"
    elif first == ",":
        what = '"," (a platform field holds one platform, not a list)'
    elif not first.isascii():
        what = f"non-ascii character {_quote(first)}"
    else:
        what = f"character {_quote(first)}"
    where = f"{_PART_NAMES[part]} {_quote(text)}"
    return _error(
        spec, "invalid_character", part, start + bad.start(), start + bad.end(),
        f"unexpected {what} in {where} of {_quote(spec)}: only {_ALLOWED_CHARS[part]} are allowed",
    )  # fmt: skip


def _os_name(spec: str, name: str, start: int) -> str:
    bad = _BAD_NAME.search(name)
    if bad is not None:
        raise _bad_characters(spec, name, start, bad, "os")
    lower = name.lower()
    os_name = _OS_ALIASES.get(lower, lower)
    if os_name not in KNOWN_OS:
        if lower in _ARCH_RULES:
            # "arm64/v8": an architecture and its variant without the OS.
            message = (
                f"unknown operating system {_quote(name)} in {_quote(spec)}: "
                f"{_quote(name)} is an architecture; {_SYNTAX_HINT}"
            )
        else:
            message = (
                f"unknown operating system {_quote(name)} in {_quote(spec)}: expected one of {', '.join(_OS_ORDER)}"
            )
        raise _error(spec, "unknown_os", "os", start, start + len(name), message)
    return os_name


def _os_part(spec: str, text: str, start: int) -> tuple[str, str, tuple[str, ...]]:
    """``name[(version[+feature]*)]`` -> (os, decoded version, sorted features)."""
    paren = text.find("(")
    if paren == 0:
        raise _error(
            spec, "empty_part", "os", start, start + len(text),
            f"missing operating system before {_quote(text)} in {_quote(spec)}: "
            'os options follow an os, as in "windows(10.0.17763)"',
        )  # fmt: skip
    name = text if paren < 0 else text[:paren]
    os_name = _os_name(spec, name, start)
    if paren < 0:
        return os_name, "", ()
    options_start = start + paren
    options = text[paren:]
    close = options.find(")")
    if close < 0:
        bad = _BAD_OPTION.search(options, 1)
        if bad is not None:
            raise _bad_characters(spec, options, options_start, bad, "os_options")
        raise _error(
            spec, "invalid_os_options", "os_options", options_start, options_start + len(options),
            f'unclosed "(" in {_quote(spec)}: os options are written "os(version+feature)"',
        )  # fmt: skip
    inner = options[1:close]
    inner_start = options_start + 1
    bad = _BAD_OPTION.search(inner)
    if bad is not None:
        raise _bad_characters(spec, inner, inner_start, bad, "os_options")
    if close != len(options) - 1:
        trailing = options[close + 1 :]
        raise _error(
            spec, "invalid_os_options", "os_options", options_start + close + 1, start + len(text),
            f'unexpected {_quote(trailing)} after ")" in {_quote(spec)}: os options end the os part',
        )  # fmt: skip
    raw_version, *raw_features = inner.split("+")
    version = _decode_option(spec, raw_version, inner_start)
    position = inner_start + len(raw_version)
    features: set[str] = set()
    for raw in raw_features:
        if not raw:
            raise _error(
                spec, "invalid_os_options", "os_options", position, position + 1,
                f'empty os feature after "+" in {_quote(spec)}: features are written "+name"',
            )  # fmt: skip
        features.add(_decode_option(spec, raw, position + 1))
        position += 1 + len(raw)
    return os_name, version, tuple(sorted(features))


def _decode_option(spec: str, raw: str, start: int) -> str:
    """Undo %XX escapes (Go's url.PathUnescape: no "+" to space)."""
    if "%" not in raw:
        return raw
    decoded = bytearray()
    index = 0
    while index < len(raw):
        char = raw[index]
        if char == "%":
            digits = raw[index + 1 : index + 3]
            if len(digits) != 2 or not all(digit in _HEX_DIGITS for digit in digits):
                raise _error(
                    spec, "invalid_os_options", "os_options", start + index, start + index + 1 + len(digits),
                    f"invalid escape {_quote(raw[index : index + 3])} in {_quote(spec)}: "
                    'a "%" starts a two-digit hex escape such as "%2B"',
                )  # fmt: skip
            decoded.append(int(digits, 16))
            index += 3
        else:
            decoded.append(ord(char))
            index += 1
    try:
        return decoded.decode("utf-8")
    except UnicodeDecodeError:
        raise _error(
            spec, "invalid_os_options", "os_options", start, start + len(raw),
            f"escapes in {_quote(raw)} of {_quote(spec)} do not decode to utf-8 text",
        ) from None  # fmt: skip


def _encode_option(value: str) -> str:
    if _SAFE_OPTION.fullmatch(value):
        return value
    return "".join(
        char if _SAFE_OPTION.fullmatch(char) else "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
        for char in value
    )


def _arch_rule(spec: str, text: str, start: int) -> _ArchRule:
    bad = _BAD_COMPONENT.search(text)
    if bad is not None:
        raise _bad_characters(spec, text, start, bad, "architecture")
    rule = _ARCH_RULES.get(text.lower())
    if rule is None:
        raise _error(
            spec, "unknown_architecture", "architecture", start, start + len(text),
            f"unknown architecture {_quote(text)} in {_quote(spec)}: expected one of {', '.join(_ARCH_ORDER)}",
        )  # fmt: skip
    return rule


def _variant(spec: str, rule: _ArchRule, text: str, start: int) -> str:
    bad = _BAD_COMPONENT.search(text)
    if bad is not None:
        raise _bad_characters(spec, text, start, bad, "variant")
    end = start + len(text)
    if not rule.variants:
        raise _error(
            spec, "variant_not_allowed", "variant", start, end,
            f"architecture {rule.arch} has no variants: remove {_quote('/' + text)} from {_quote(spec)}",
        )  # fmt: skip
    variant = rule.variants.get(text.lower())
    if variant is None:
        raise _error(
            spec, "invalid_variant", "variant", start, end,
            f"invalid variant {_quote(text)} for {rule.arch} in {_quote(spec)}: {_valid_variants(rule.arch)}",
        )  # fmt: skip
    if rule.pinned and variant != rule.default_variant:
        raise _error(
            spec, "invalid_variant", "variant", start, end,
            f"variant {_quote(text)} contradicts the architecture in {_quote(spec)}, which already means "
            f"{rule.arch}/{rule.default_variant}: write {rule.arch}/{variant} or drop the variant",
        )  # fmt: skip
    return variant


def _valid_variants(arch: str) -> str:
    if arch == "arm":
        return "arm variants are v5, v6, v7 and v8 (no variant means v7)"
    if arch == "arm64":
        return "arm64 variants are v8 (the default, written without a variant), v8.1 to v8.9, v9 and v9.1 to v9.9"
    if arch == "amd64":
        return "amd64 variants are v1 (the default, written without a variant), v2, v3 and v4"
    return f"{arch} variants are {', '.join(ARCH_VARIANTS[arch])}, or none"


# ----------------------------------------------------------------------- suggestions


def _nearest(token: str, names: tuple[str, ...]) -> tuple[str, int] | None:
    """The closest name within a typo's reach, earlier names winning ties."""
    if len(token) < 3:
        return None
    limit = 1 if len(token) <= 4 else 2
    best: tuple[str, int] | None = None
    for name in names:
        if abs(len(name) - len(token)) > limit:
            continue
        distance = _edit_distance(token, name, limit)
        if distance <= limit and distance < len(name) and (best is None or distance < best[1]):
            best = (name, distance)
    return best


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a transposition costs one: amd46 -> amd64).

    Stops early once every entry of a row exceeds ``limit``; written with plain
    comparisons because it runs against every known name on each error.
    """
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        char_a = a[i - 1]
        current = [i]
        row_min = i
        for j in range(1, len(b) + 1):
            char_b = b[j - 1]
            value = previous[j - 1] if char_a == char_b else previous[j - 1] + 1
            if previous[j] + 1 < value:
                value = previous[j] + 1
            if current[j - 1] + 1 < value:
                value = current[j - 1] + 1
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b and previous2[j - 2] + 1 < value:
                value = previous2[j - 2] + 1
            current.append(value)
            if value < row_min:
                row_min = value
        if row_min > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _lookup_os(name: str, fuzzy: bool = True) -> str | None:
    os_name = _OS_ALIASES.get(name, name)
    if os_name in KNOWN_OS:
        return os_name
    if name in _OS_HINTS:
        return _OS_HINTS[name]
    if not fuzzy:
        return None
    match = _nearest(name, _OS_FUZZY_NAMES)
    return None if match is None else _lookup_os(match[0], fuzzy=False)


def _lookup_arch(name: str, fuzzy: bool = True) -> tuple[str, str | None] | None:
    """(arch, variant the spelling implies or None) for a possibly misspelt arch."""
    rule = _ARCH_RULES.get(name)
    if rule is not None:
        return rule.arch, rule.default_variant if rule.pinned else None
    if name in _ARCH_HINTS:
        return _ARCH_HINTS[name]
    if not fuzzy:
        return None
    match = _nearest(name, _ARCH_FUZZY_NAMES)
    return None if match is None else _lookup_arch(match[0], fuzzy=False)


def _suggest(spec: str) -> str | None:
    """The nearest valid canonical platform to an invalid specifier, if any is near."""
    text = "".join(spec.split()).lower()
    if not text or "*" in text or "," in text:
        return None  # a wildcard or a list is not one misspelt platform
    pieces = [piece for piece in text.split("/") if piece][:3]
    if not pieces:
        return None
    if len(pieces) == 1:
        return _repair_single(pieces[0])
    return _repair(pieces)


def _repair_single(token: str) -> str | None:
    if "(" in token:
        os_part = _repair_os(token)
        return None if os_part is None else _finish(os_part, "", "")
    os_name = _lookup_os(token, fuzzy=False)
    if os_name is not None:
        return os_name
    arch = _lookup_arch(token, fuzzy=False)
    if arch is not None:
        return _finish(DEFAULT_OS, arch[0], arch[1] or "")
    # "linux-amd64", "linux_x86_64", "linux:arm64": an OS glued to an arch.
    for index, char in enumerate(token):
        if char in _SEPARATORS:
            os_name = _lookup_os(token[:index], fuzzy=False)
            if os_name is not None:
                repaired = _repair_arch_and_variant(os_name, token[index + 1 :])
                if repaired is not None:
                    return repaired
    for os_name in _OS_ORDER:  # "linuxamd64"
        if token.startswith(os_name) and len(token) > len(os_name):
            repaired = _repair_arch_and_variant(os_name, token[len(os_name) :])
            if repaired is not None:
                return repaired
    os_match = _nearest(token, _OS_FUZZY_NAMES)
    arch_match = _nearest(token, _ARCH_FUZZY_NAMES)
    if os_match is not None and (arch_match is None or os_match[1] < arch_match[1]):
        return _lookup_os(os_match[0], fuzzy=False)
    if arch_match is not None:
        arch = _lookup_arch(arch_match[0], fuzzy=False)
        if arch is not None:
            return _finish(DEFAULT_OS, arch[0], arch[1] or "")
    return None


def _repair_arch_and_variant(os_name: str, rest: str) -> str | None:
    arch = _lookup_arch(rest, fuzzy=False)
    if arch is not None:
        return _finish(os_name, *_repair_variant(arch[0], arch[1], None))
    for index, char in enumerate(rest):
        if char in _SEPARATORS:
            arch = _lookup_arch(rest[:index], fuzzy=False)
            if arch is not None:
                return _finish(os_name, *_repair_variant(arch[0], arch[1], rest[index + 1 :]))
    return None


def _repair(pieces: list[str]) -> str | None:
    os_piece, arch_piece = pieces[0], pieces[1]
    variant_piece = pieces[2] if len(pieces) == 3 else None
    os_part = _repair_os(os_piece)
    arch = _lookup_arch(arch_piece)
    if os_part is None:
        # "arm64/v8" (an arch and its variant) or "amd64/linux" (swapped).
        as_arch = _lookup_arch(os_piece, fuzzy=False)
        if as_arch is None:
            return None
        swapped_os = _repair_os(arch_piece)
        if swapped_os is not None:
            os_part, arch = swapped_os, as_arch
        elif variant_piece is None:
            os_part, arch, variant_piece = DEFAULT_OS, as_arch, arch_piece
        else:
            return None
    if arch is None:
        return None
    return _finish(os_part, *_repair_variant(arch[0], arch[1], variant_piece))


def _repair_os(piece: str) -> str | None:
    paren = piece.find("(")
    name, options = (piece, "") if paren < 0 else (piece[:paren], piece[paren:])
    os_name = _lookup_os(name)
    if os_name is None:
        return None
    if options:
        close = options.find(")")
        options = options + ")" if close < 0 else options[: close + 1]
        try:
            return str(_parse(os_name + options))
        except PlatformError:
            return os_name
    return os_name


def _variant_number(text: str) -> tuple[int, int | None] | None:
    match = _VARIANT_VERSION.search(text) or _LEADING_VERSION.match(text)
    if match is None:
        return None
    return int(match.group(1)), None if match.group(2) is None else int(match.group(2))


def _repair_variant(arch: str, implied: str | None, text: str | None) -> tuple[str, str]:
    """The nearest valid (arch, variant) for a variant that may be misspelt."""
    if text is None:
        return arch, implied or ""
    spellings = _VARIANT_SPELLINGS.get(arch, _NO_VARIANTS)
    if text in spellings:
        return arch, spellings[text]  # an explicit, valid variant wins over an alias's
    number = _variant_number(text)
    if arch == "arm":
        if number is None:
            return arch, implied or "v7"
        major, minor = number
        if major >= 9:
            # ARMv9 is 64-bit only: "arm/v9" means arm64.
            return "arm64", f"v9.{minor}" if minor and minor <= 9 else "v9"
        return arch, f"v{min(max(major, 5), 8)}"
    if arch == "arm64":
        if number is None:
            return arch, ""
        major, minor = number
        if major <= 7:
            return "arm", f"v{max(major, 5)}"  # v5-v7 are 32-bit ARM
        if major == 8:
            return arch, f"v8.{minor}" if minor and minor <= 9 else ""
        return arch, f"v9.{minor}" if major == 9 and minor and minor <= 9 else "v9"
    if arch == "amd64":
        if number is None or number[0] < 2:
            return arch, ""
        return arch, f"v{min(number[0], 4)}"
    if arch in ("ppc64", "ppc64le"):
        level = _POWER_LEVEL.fullmatch(text)
        if level is None:
            return arch, ""
        return arch, f"power{min(max(int(level.group(1)), 8), 11)}"
    if arch == "riscv64":
        match = _nearest(text, _RISCV64_VARIANTS)
        return arch, "" if match is None else match[0]
    return arch, ""  # the architecture has no variants: drop it


def _finish(os_part: str, arch: str, variant: str) -> str | None:
    candidate = "/".join(piece for piece in (os_part, arch, variant) if piece)
    try:
        return str(_parse(candidate))
    except PlatformError:
        return None


# -------------------------------------------------------------- canonical-form notes


def noncanonical_reasons(spec: str) -> tuple[str, ...]:
    """Why a valid ``spec`` is not canonical, as lower-case phrases for PLT002.

    Empty when it is canonical; raises :class:`PlatformError` when it is invalid.
    """
    platform = parse(spec)
    if str(platform) == spec:
        return ()
    reasons: list[str] = []
    pieces = spec.split("/")
    if len(pieces) == 1 and platform.architecture:
        reasons.append(f"a bare architecture means {platform}: write the os")
        arch_text, variant_text = spec, None
        os_text = None
    else:
        os_text = pieces[0]
        arch_text = pieces[1] if len(pieces) > 1 else None
        variant_text = pieces[2] if len(pieces) > 2 else None
    if os_text is not None:
        paren = os_text.find("(")
        name = os_text if paren < 0 else os_text[:paren]
        reasons.extend(_spelling_reason(name, platform.os))
        if paren >= 0:
            written = os_text[paren:]
            wanted = str(Platform(platform.os, "", "", platform.os_version, platform.os_features))[len(platform.os) :]
            if not wanted:
                reasons.append(f"empty os options {_quote(written)} are omitted")
            elif written != wanted:
                reasons.append(f"os options {_quote(written)} are written {_quote(wanted)}")
    if arch_text is not None:
        rule = _ARCH_RULES[arch_text.lower()]
        implied = f"{rule.arch}/{rule.default_variant}" if rule.pinned and rule.default_variant else rule.arch
        reasons.extend(_spelling_reason(arch_text, implied))
        if variant_text is None and rule.arch == "arm" and not rule.pinned:
            reasons.append('arm without a variant means arm/v7: write "arm/v7"')
        if variant_text is not None and not rule.pinned:
            if platform.variant == "":
                reasons.append(f"variant {_quote(variant_text)} is the {rule.arch} baseline and is omitted")
            elif variant_text != platform.variant:
                reasons.append(f"variant {_quote(variant_text)} is written {_quote(platform.variant)}")
        elif variant_text is not None:
            reasons.append(f"variant {_quote(variant_text)} repeats what {_quote(arch_text)} already means")
    return tuple(reasons) or (f"it is written {_quote(str(platform))}",)


def _spelling_reason(written: str, wanted: str) -> list[str]:
    if written == wanted:
        return []
    lower = written.lower()
    if lower == wanted:
        return [f"{_quote(written)} is written in lower case"]
    return [f"{_quote(written)} is an alias: write {_quote(wanted)}"]


# ----------------------------------------------------------- descriptions, completion

_OS_TITLES: Mapping[str, str] = MappingProxyType(
    {
        "linux": "Linux", "windows": "Windows", "darwin": "macOS", "freebsd": "FreeBSD",
        "netbsd": "NetBSD", "openbsd": "OpenBSD", "dragonfly": "DragonFly BSD",
        "illumos": "illumos", "solaris": "Solaris", "aix": "AIX", "android": "Android",
        "ios": "iOS", "js": "JavaScript (browser or Node.js)", "wasip1": "WASI preview 1",
        "wasi": "WASI (Docker Wasm)", "plan9": "Plan 9", "hurd": "GNU Hurd",
        "nacl": "Native Client", "zos": "z/OS",
    }
)  # fmt: skip
_ARCH_TITLES: Mapping[str, str] = MappingProxyType(
    {
        "amd64": "64-bit x86 (Intel/AMD)", "arm64": "64-bit ARM", "arm": "32-bit ARM",
        "386": "32-bit x86", "ppc64le": "64-bit POWER, little-endian", "s390x": "IBM Z",
        "riscv64": "64-bit RISC-V", "loong64": "64-bit LoongArch",
        "mips64le": "64-bit MIPS, little-endian", "mips64": "64-bit MIPS, big-endian",
        "mipsle": "32-bit MIPS, little-endian", "mips": "32-bit MIPS, big-endian",
        "ppc64": "64-bit POWER, big-endian", "wasm": "WebAssembly", "sparc64": "64-bit SPARC",
        "amd64p32": "x86-64 with 32-bit pointers", "armbe": "32-bit ARM, big-endian",
        "arm64be": "64-bit ARM, big-endian", "mips64p32": "64-bit MIPS with 32-bit pointers, big-endian",
        "mips64p32le": "64-bit MIPS with 32-bit pointers, little-endian", "ppc": "32-bit PowerPC",
        "riscv": "32-bit RISC-V", "s390": "IBM S/390 (31-bit)", "sparc": "32-bit SPARC",
    }
)  # fmt: skip
_VARIANT_TITLES: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("arm", "v5"): "ARMv5", ("arm", "v6"): "ARMv6, armel (Raspberry Pi 1 and Zero)",
        ("arm", "v7"): "ARMv7, armhf", ("arm", "v8"): "ARMv8 in 32-bit mode",
        ("amd64", "v2"): "x86-64-v2 (SSE4.2, POPCNT)", ("amd64", "v3"): "x86-64-v3 (AVX2)",
        ("amd64", "v4"): "x86-64-v4 (AVX-512)",
        ("riscv64", "rva20u64"): "RVA20 profile", ("riscv64", "rva22u64"): "RVA22 profile",
        ("riscv64", "rva23u64"): "RVA23 profile",
    }
)  # fmt: skip
_WINDOWS_RELEASES: Mapping[str, str] = MappingProxyType(
    {
        "10.0.17763": "Windows Server 2019 (ltsc2019)",
        "10.0.20348": "Windows Server 2022 (ltsc2022)",
        "10.0.26100": "Windows Server 2025 (ltsc2025)",
    }
)


def describe(platform: "Platform | str") -> str:
    """A short human description, e.g. ``Linux, 64-bit ARM`` (hover, completion)."""
    if isinstance(platform, str):
        platform = parse(platform)
    system = _OS_TITLES.get(platform.os, platform.os)
    if platform.os_version:
        release = next(
            (
                title
                for build, title in _WINDOWS_RELEASES.items()
                if platform.os_version == build or platform.os_version.startswith(build + ".")
            ),
            None,
        )
        system += f" {platform.os_version}" + (f", {release}" if release and platform.os == "windows" else "")
    if platform.os_features:
        system += f" with {', '.join(platform.os_features)}"
    if not platform.architecture:
        return f"{system}, the build host's architecture"
    machine = _ARCH_TITLES.get(platform.architecture, platform.architecture)
    if platform.variant:
        variant = _VARIANT_TITLES.get((platform.architecture, platform.variant))
        if variant is None:
            if platform.architecture == "arm64":
                variant = "ARM" + platform.variant  # ARMv8.2, ARMv9
            elif platform.variant.startswith("power"):
                variant = platform.variant.upper()
            else:
                variant = platform.variant
        machine += f", {variant}"
    elif platform.architecture == "arm64":
        machine += ", ARMv8"
    return f"{system}, {machine}"


def _candidate_specs() -> tuple[str, ...]:
    common = (
        "linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm/v6", "linux/386",
        "linux/ppc64le", "linux/s390x", "linux/riscv64",
        "windows/amd64", "windows/arm64", "darwin/arm64", "darwin/amd64",
        "linux/amd64/v2", "linux/amd64/v3", "linux/amd64/v4", "linux/arm64/v9",
        "linux/arm/v5", "linux/arm/v8", "linux/loong64", "linux/mips64le", "linux/mips64",
        "linux/mipsle", "linux/mips", "linux/ppc64",
        "windows(10.0.17763)/amd64", "windows(10.0.20348)/amd64", "windows(10.0.26100)/amd64",
        "freebsd/amd64", "freebsd/arm64", "wasi/wasm", "wasip1/wasm", "js/wasm",
        # The rest of `go tool dist list`.
        "linux/sparc64", "windows/386", "windows/arm", "freebsd/386", "freebsd/arm",
        "freebsd/riscv64", "netbsd/amd64", "netbsd/arm64", "netbsd/386", "netbsd/arm",
        "openbsd/amd64", "openbsd/arm64", "openbsd/386", "openbsd/arm", "openbsd/mips64",
        "openbsd/ppc64", "openbsd/riscv64", "dragonfly/amd64", "illumos/amd64",
        "solaris/amd64", "aix/ppc64", "android/arm64", "android/amd64", "android/arm",
        "android/386", "ios/arm64", "ios/amd64", "plan9/amd64", "plan9/386", "plan9/arm",
    )  # fmt: skip
    tail = [f"linux/arm64/{variant}" for variant in _ARM64_VARIANTS if variant != "v9"]
    tail += [f"linux/{arch}/{variant}" for arch in ("ppc64le", "ppc64", "riscv64") for variant in ARCH_VARIANTS[arch]]
    tail += [f"linux/{arch}" for arch in _ARCH_ORDER if arch != "arm"]
    seen: dict[str, None] = {}
    for spec in (*common, *tail):
        seen.setdefault(spec, None)
    return tuple(seen)


def _match_keys(platform: Platform) -> tuple[str, ...]:
    """Spellings a completion prefix may start: canonical, bare arch, aliases."""
    text = str(platform)
    keys = [text]
    if platform.os == DEFAULT_OS and not platform.os_version:
        keys.append(text[len(DEFAULT_OS) + 1 :])
    for alias, rule in _ARCH_RULES.items():
        if alias == rule.arch or rule.arch != platform.architecture:
            continue
        if rule.pinned:
            if rule.default_variant != platform.variant:
                continue
            spelled = alias  # armhf is arm/v7 whole
        else:
            spelled = alias + (f"/{platform.variant}" if platform.variant else "")
        keys.append(f"{platform.os}/{spelled}")
        if platform.os == DEFAULT_OS and not platform.os_version:
            keys.append(spelled)
    if platform.os == "darwin":
        keys.append("macos" + text[len("darwin") :])
    return tuple(keys)


_CANDIDATE_PLATFORMS: tuple[Platform, ...] = tuple(_parse(spec) for spec in _candidate_specs())
_CANDIDATES: tuple[PlatformCandidate, ...] = tuple(
    PlatformCandidate(str(platform), describe(platform)) for platform in _CANDIDATE_PLATFORMS
)
_CANDIDATE_KEYS: tuple[tuple[str, ...], ...] = tuple(_match_keys(platform) for platform in _CANDIDATE_PLATFORMS)

# Exact canonical strings skip the parser: the linter sees these nearly every time.
_CANONICAL_PLATFORMS: Mapping[str, Platform] = MappingProxyType(
    {
        **{os_name: Platform(os_name, "") for os_name in _OS_ORDER},
        **{str(platform): platform for platform in _CANDIDATE_PLATFORMS},
    }
)


def completion_candidates(prefix: str = "") -> list[PlatformCandidate]:
    """Canonical platforms for completion, most used first.

    ``prefix`` is what the user typed inside the string; it matches case-insensitively
    against the canonical form, the bare architecture of Linux platforms (``arm`` offers
    ``linux/arm64``, ``linux/arm/v7``…) and alias spellings (``linux/aarch`` offers
    ``linux/arm64``). The item replaces the whole string.
    """
    if not prefix:
        return list(_CANDIDATES)
    key = prefix.lower()
    return [
        candidate
        for candidate, keys in zip(_CANDIDATES, _CANDIDATE_KEYS)
        if any(spelling.startswith(key) for spelling in keys)
    ]
