"""Table-driven tests of checker/platforms.py.

The valid and invalid tables follow containerd/platforms (platforms_test.go
TestParseSelector / TestFormatAllEncoding / TestParseSelectorInvalid, database.go's
normalizeArch) plus the checks plancheck adds on top (known names, variants).
"""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

from plancheck.checker import platforms
from plancheck.checker.platforms import (
    ARCH_VARIANTS,
    DEFAULT_PLATFORM,
    KNOWN_ARCHITECTURES,
    KNOWN_OS,
    Platform,
    PlatformCandidate,
    PlatformError,
    canonical,
    completion_candidates,
    describe,
    is_canonical,
    noncanonical_reasons,
    normalize,
    parse,
    same_platform,
)

# --------------------------------------------------------------------- valid input

# spec -> canonical form
VALID: list[tuple[str, str]] = [
    # the common forms
    ("linux/amd64", "linux/amd64"),
    ("linux/arm64", "linux/arm64"),
    ("linux/arm/v7", "linux/arm/v7"),
    ("linux/arm/v6", "linux/arm/v6"),
    ("linux/386", "linux/386"),
    ("linux/ppc64le", "linux/ppc64le"),
    ("linux/s390x", "linux/s390x"),
    ("linux/riscv64", "linux/riscv64"),
    ("windows/amd64", "windows/amd64"),
    ("darwin/arm64", "darwin/arm64"),
    ("freebsd/amd64", "freebsd/amd64"),
    ("wasi/wasm", "wasi/wasm"),
    ("wasip1/wasm", "wasip1/wasm"),
    ("js/wasm", "js/wasm"),
    # architecture aliases (containerd normalizeArch)
    ("linux/aarch64", "linux/arm64"),
    ("linux/x86_64", "linux/amd64"),
    ("linux/x86-64", "linux/amd64"),
    ("linux/i386", "linux/386"),
    ("linux/armhf", "linux/arm/v7"),
    ("linux/armel", "linux/arm/v6"),
    # OS alias
    ("macos/arm64", "darwin/arm64"),
    ("macOS/amd64", "darwin/amd64"),
    # arm: v5-v8, digits get a "v", no variant means v7
    ("linux/arm", "linux/arm/v7"),
    ("linux/arm/v5", "linux/arm/v5"),
    ("linux/arm/v8", "linux/arm/v8"),
    ("linux/arm/5", "linux/arm/v5"),
    ("linux/arm/6", "linux/arm/v6"),
    ("linux/arm/7", "linux/arm/v7"),
    ("linux/arm/8", "linux/arm/v8"),
    ("linux/arm/V7", "linux/arm/v7"),
    ("linux/armhf/v7", "linux/arm/v7"),
    ("linux/armhf/7", "linux/arm/v7"),
    ("linux/armel/v6", "linux/arm/v6"),
    ("linux/armel/6", "linux/arm/v6"),
    # arm64: v8 is the baseline, v9 and minor versions
    ("linux/arm64/v8", "linux/arm64"),
    ("linux/arm64/8", "linux/arm64"),
    ("linux/arm64/v8.0", "linux/arm64"),
    ("linux/arm64/V8", "linux/arm64"),
    ("linux/aarch64/v8", "linux/arm64"),
    ("linux/arm64/v8.1", "linux/arm64/v8.1"),
    ("linux/arm64/v8.2", "linux/arm64/v8.2"),
    ("linux/arm64/v8.9", "linux/arm64/v8.9"),
    ("linux/AArch64/V8.2", "linux/arm64/v8.2"),
    ("linux/arm64/v9", "linux/arm64/v9"),
    ("linux/arm64/9", "linux/arm64/v9"),
    ("linux/arm64/9.0", "linux/arm64/v9"),
    ("linux/arm64/v9.0", "linux/arm64/v9"),
    ("linux/arm64/v9.3", "linux/arm64/v9.3"),
    # amd64: v1 is the baseline, v2-v4
    ("linux/amd64/v1", "linux/amd64"),
    ("linux/amd64/v2", "linux/amd64/v2"),
    ("linux/amd64/v3", "linux/amd64/v3"),
    ("linux/amd64/v4", "linux/amd64/v4"),
    ("linux/x86_64/v3", "linux/amd64/v3"),
    ("linux/X86-64/V1", "linux/amd64"),
    # the OCI variants table's other architectures
    ("linux/ppc64le/power9", "linux/ppc64le/power9"),
    ("linux/ppc64le/POWER10", "linux/ppc64le/power10"),
    ("linux/ppc64/power8", "linux/ppc64/power8"),
    ("linux/riscv64/rva23u64", "linux/riscv64/rva23u64"),
    # case-insensitive names
    ("Linux/AMD64", "linux/amd64"),
    ("LINUX/ARM64/V8", "linux/arm64"),
    ("Linux/x86_64", "linux/amd64"),
    ("Windows/ARM64", "windows/arm64"),
    # a bare architecture means linux
    ("arm64", "linux/arm64"),
    ("amd64", "linux/amd64"),
    ("Aarch64", "linux/arm64"),
    ("x86_64", "linux/amd64"),
    ("x86-64", "linux/amd64"),
    ("i386", "linux/386"),
    ("arm", "linux/arm/v7"),
    ("armhf", "linux/arm/v7"),
    ("armel", "linux/arm/v6"),
    ("s390x", "linux/s390x"),
    # a bare OS keeps the host's architecture
    ("linux", "linux"),
    ("Linux", "linux"),
    ("macOS", "darwin"),
    ("windows", "windows"),
    ("windows()", "windows"),
    ("windows(10.0.17763)", "windows(10.0.17763)"),
    ("windows(10.0.17763+win32k)", "windows(10.0.17763+win32k)"),
    ("linux(+gpu+simd)", "linux(+gpu+simd)"),
    # OS version and features (containerd's newer grammar, FormatAll)
    ("windows(10.0.17763)/amd64", "windows(10.0.17763)/amd64"),
    ("Windows(10.0.17763)/AMD64", "windows(10.0.17763)/amd64"),
    ("windows(10.0.20348.2113)/amd64", "windows(10.0.20348.2113)/amd64"),
    ("windows()/amd64", "windows/amd64"),
    ("windows(10.0.17763+win32k)/amd64", "windows(10.0.17763+win32k)/amd64"),
    ("windows(+win32k)/amd64", "windows(+win32k)/amd64"),
    ("linux(+unsorted+erofs)/amd64", "linux(+erofs+unsorted)/amd64"),
    ("linux(+gpu+gpu)/amd64", "linux(+gpu)/amd64"),
    ("linux(5.10)/arm64/v8", "linux(5.10)/arm64"),
    ("windows(10.0.17763)/arm/7", "windows(10.0.17763)/arm/v7"),
    ("windows(10.0.17763%2Bbuild.42)/amd64", "windows(10.0.17763%2Bbuild.42)/amd64"),
    ("windows(10.0.17763%2bbuild.42)/amd64", "windows(10.0.17763%2Bbuild.42)/amd64"),
    ("windows(10.0.17763%2Bbuild.42+win32k)/amd64", "windows(10.0.17763%2Bbuild.42+win32k)/amd64"),
    ("windows(50%25done)/amd64", "windows(50%25done)/amd64"),
    ("windows(1.0%28beta%29)/amd64", "windows(1.0%28beta%29)/amd64"),
    ("windows(a%2Fb)/amd64", "windows(a%2Fb)/amd64"),
    ("windows(10.0%2e1)/amd64", "windows(10.0.1)/amd64"),
    ("windows(a%20b)/amd64", "windows(a%20b)/amd64"),
    ("windows(caf%C3%A9)/amd64", "windows(caf%C3%A9)/amd64"),
    ("linux(+feat%2Bv2)/amd64", "linux(+feat%2Bv2)/amd64"),
    ("linux(+100%25gpu)/amd64", "linux(+100%25gpu)/amd64"),
    ("windows(10.0%2Bbuild+feat%2B1)/amd64", "windows(10.0%2Bbuild+feat%2B1)/amd64"),
]

# spec -> (os, architecture, variant, os_version, os_features)
FIELDS: list[tuple[str, tuple[str, str, str, str, tuple[str, ...]]]] = [
    ("linux/arm64", ("linux", "arm64", "", "", ())),
    ("linux/arm", ("linux", "arm", "v7", "", ())),
    ("armel", ("linux", "arm", "v6", "", ())),
    ("linux/arm64/v8", ("linux", "arm64", "", "", ())),
    ("linux/arm64/9.0", ("linux", "arm64", "v9", "", ())),
    ("linux/amd64/v1", ("linux", "amd64", "", "", ())),
    ("linux/amd64/v3", ("linux", "amd64", "v3", "", ())),
    ("i386", ("linux", "386", "", "", ())),
    ("macos", ("darwin", "", "", "", ())),
    ("windows(10.0.17763)", ("windows", "", "", "10.0.17763", ())),
    ("windows(10.0.17763+win32k)/amd64", ("windows", "amd64", "", "10.0.17763", ("win32k",))),
    ("windows(10.0.17763%2Bbuild.42+win32k)/amd64", ("windows", "amd64", "", "10.0.17763+build.42", ("win32k",))),
    ("linux(+unsorted+erofs)/amd64", ("linux", "amd64", "", "", ("erofs", "unsorted"))),
    ("windows(50%25done)/amd64", ("windows", "amd64", "", "50%done", ())),
    ("windows(1.0%28beta%29)/amd64", ("windows", "amd64", "", "1.0(beta)", ())),
    ("windows(a%2Fb)/amd64", ("windows", "amd64", "", "a/b", ())),
    ("windows(caf%C3%A9)/amd64", ("windows", "amd64", "", "café", ())),
    ("linux(+feat%2Bv2)/amd64", ("linux", "amd64", "", "", ("feat+v2",))),
    ("Windows(Build.ABC)/AMD64", ("windows", "amd64", "", "Build.ABC", ())),
]


@pytest.mark.parametrize(("spec", "expected"), VALID)
def test_valid_specifiers_normalise_to_the_canonical_form(spec: str, expected: str) -> None:
    platform = parse(spec)
    assert str(platform) == expected
    assert canonical(spec) == expected
    assert is_canonical(spec) is (spec == expected)


@pytest.mark.parametrize(("spec", "expected"), VALID)
def test_the_canonical_form_parses_back_to_the_same_platform(spec: str, expected: str) -> None:
    platform = parse(spec)
    again = parse(str(platform))
    assert again == platform
    assert is_canonical(str(platform))
    assert same_platform(spec, expected)


@pytest.mark.parametrize(("spec", "fields"), FIELDS)
def test_parse_fields(spec: str, fields: tuple[str, str, str, str, tuple[str, ...]]) -> None:
    platform = parse(spec)
    assert (
        platform.os,
        platform.architecture,
        platform.variant,
        platform.os_version,
        platform.os_features,
    ) == fields


@pytest.mark.parametrize("os_name", sorted(KNOWN_OS))
def test_every_known_os_is_valid(os_name: str) -> None:
    assert str(parse(f"{os_name}/amd64")) == f"{os_name}/amd64"
    assert parse(os_name.upper()) == Platform(os_name, "")


@pytest.mark.parametrize("arch", sorted(KNOWN_ARCHITECTURES))
def test_every_known_architecture_is_valid(arch: str) -> None:
    expected = "linux/arm/v7" if arch == "arm" else f"linux/{arch}"
    assert str(parse(f"linux/{arch}")) == expected
    assert str(parse(arch)) == expected


def test_go_lists_are_complete() -> None:
    # Go's internal/syslist KnownOS (18) plus Docker's wasi; KnownArch (24).
    assert KNOWN_OS == {
        "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux",
        "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos", "wasi",
    }  # fmt: skip
    assert KNOWN_ARCHITECTURES == {
        "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "loong64", "mips", "mipsle",
        "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "ppc64", "ppc64le", "riscv",
        "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm",
    }  # fmt: skip


@pytest.mark.parametrize(("arch", "variant"), [(a, v) for a, vs in ARCH_VARIANTS.items() for v in vs])
def test_every_listed_variant_is_valid_and_canonical(arch: str, variant: str) -> None:
    spec = f"linux/{arch}/{variant}"
    assert is_canonical(spec)
    assert parse(spec).variant == variant


@pytest.mark.parametrize("arch", sorted(KNOWN_ARCHITECTURES - set(ARCH_VARIANTS)))
def test_architectures_without_variants_reject_any(arch: str) -> None:
    with pytest.raises(PlatformError) as caught:
        parse(f"linux/{arch}/v1")
    assert caught.value.kind == "variant_not_allowed"
    assert caught.value.part == "variant"
    assert caught.value.suggestion == f"linux/{arch}"


def test_variant_tables() -> None:
    assert ARCH_VARIANTS["arm"] == ("v5", "v6", "v7", "v8")
    assert ARCH_VARIANTS["amd64"] == ("v2", "v3", "v4")
    assert "v8.2" in ARCH_VARIANTS["arm64"] and "v9" in ARCH_VARIANTS["arm64"]
    assert "v8" not in ARCH_VARIANTS["arm64"] and "v8.10" not in ARCH_VARIANTS["arm64"]


# ------------------------------------------------------------------ canonical form

IS_CANONICAL: list[tuple[str, bool]] = [
    ("linux/arm64", True),
    ("linux/arm/v7", True),
    ("linux/amd64", True),
    ("linux/amd64/v2", True),
    ("linux/arm64/v9", True),
    ("windows(10.0.17763)/amd64", True),
    ("linux", True),
    ("linux/aarch64", False),
    ("linux/arm64/v8", False),
    ("Linux/AMD64", False),
    ("linux/arm", False),
    ("linux/armhf", False),
    ("linux/arm/7", False),
    ("linux/amd64/v1", False),
    ("linux/arm64/v9.0", False),
    ("arm64", False),
    ("macos/arm64", False),
    ("windows()/amd64", False),
    ("linux(+b+a)/amd64", False),
]


@pytest.mark.parametrize(("spec", "expected"), IS_CANONICAL)
def test_is_canonical(spec: str, expected: bool) -> None:
    assert is_canonical(spec) is expected


# spec -> a phrase the PLT002 reason must contain
REASONS: list[tuple[str, str]] = [
    ("linux/aarch64", '"aarch64" is an alias: write "arm64"'),
    ("linux/x86_64", '"x86_64" is an alias: write "amd64"'),
    ("linux/armhf", '"armhf" is an alias: write "arm/v7"'),
    ("linux/armel", '"armel" is an alias: write "arm/v6"'),
    ("linux/i386", '"i386" is an alias: write "386"'),
    ("macos/arm64", '"macos" is an alias: write "darwin"'),
    ("Linux/AMD64", '"Linux" is written in lower case'),
    ("linux/AMD64", '"AMD64" is written in lower case'),
    ("linux/arm64/v8", 'variant "v8" is the arm64 baseline and is omitted'),
    ("linux/amd64/v1", 'variant "v1" is the amd64 baseline and is omitted'),
    ("linux/arm", "arm without a variant means arm/v7"),
    ("linux/arm/7", 'variant "7" is written "v7"'),
    ("linux/arm64/9.0", 'variant "9.0" is written "v9"'),
    ("linux/armhf/v7", 'variant "v7" repeats what "armhf" already means'),
    ("arm64", "a bare architecture means linux/arm64: write the os"),
    ("armhf", "a bare architecture means linux/arm/v7: write the os"),
    ("linux/ARM", "arm without a variant means arm/v7"),
    ("windows()/amd64", 'empty os options "()" are omitted'),
    ("linux(+b+a)/amd64", 'os options "(+b+a)" are written "(+a+b)"'),
]


@pytest.mark.parametrize(("spec", "phrase"), REASONS)
def test_noncanonical_reasons_explain_the_spelling(spec: str, phrase: str) -> None:
    reasons = noncanonical_reasons(spec)
    assert any(phrase in reason for reason in reasons), reasons
    assert all(reason[0].islower() or reason[0] in '"a' for reason in reasons)


@pytest.mark.parametrize(("spec", "expected"), VALID)
def test_noncanonical_reasons_are_empty_exactly_for_canonical_specs(spec: str, expected: str) -> None:
    assert bool(noncanonical_reasons(spec)) is (spec != expected)


# ------------------------------------------------------------------- invalid input

# spec -> (kind, part, (start, end), suggestion)
INVALID: list[tuple[str, tuple[str, str, tuple[int, int], str | None]]] = [
    # malformed
    ("", ("empty", "syntax", (0, 0), None)),
    ("/", ("empty_part", "os", (0, 1), None)),
    ("//", ("empty_part", "os", (0, 1), None)),
    ("linux/", ("empty_part", "architecture", (5, 6), "linux")),
    ("/amd64", ("empty_part", "os", (0, 1), "linux/amd64")),
    ("/linux/arm", ("empty_part", "os", (0, 1), "linux/arm/v7")),
    ("linux//amd64", ("empty_part", "architecture", (5, 6), "linux/amd64")),
    ("linux/amd64/", ("empty_part", "variant", (11, 12), "linux/amd64")),
    ("linux/arm/", ("empty_part", "variant", (9, 10), "linux/arm/v7")),
    ("linux/arm/foo/bar", ("too_many_parts", "syntax", (13, 17), "linux/arm/v7")),
    ("linux/amd64/v2/x", ("too_many_parts", "syntax", (14, 16), "linux/amd64/v2")),
    ("linux/arm/v7/", ("too_many_parts", "syntax", (12, 13), "linux/arm/v7")),
    ("a/b/c/d", ("too_many_parts", "syntax", (5, 7), None)),
    # whitespace, punctuation, lists
    ("linux /arm", ("invalid_character", "os", (5, 6), "linux/arm/v7")),
    (" linux/amd64", ("invalid_character", "os", (0, 1), "linux/amd64")),
    ("linux/amd64 ", ("invalid_character", "architecture", (11, 12), "linux/amd64")),
    ("linux/ amd64", ("invalid_character", "architecture", (6, 7), "linux/amd64")),
    ("linux\t/amd64", ("invalid_character", "os", (5, 6), "linux/amd64")),
    ("linux/amd64\n", ("invalid_character", "architecture", (11, 12), "linux/amd64")),
    ("linux/arm64  /v8", ("invalid_character", "architecture", (11, 13), "linux/arm64")),
    ("linux/&arm", ("invalid_character", "architecture", (6, 7), "linux/arm/v7")),
    ("linux/amd64,linux/arm64", ("invalid_character", "architecture", (11, 12), None)),
    ("linux.amd64", ("invalid_character", "architecture", (5, 6), "linux/amd64")),
    ("x86.64", ("invalid_character", "architecture", (3, 4), "linux/amd64")),
    ("linux/amd64\x00", ("invalid_character", "architecture", (11, 12), "linux/amd64")),
    # wildcards
    ("*", ("wildcard", "architecture", (0, 1), None)),
    ("linux/*", ("wildcard", "architecture", (6, 7), None)),
    ("*/arm64", ("wildcard", "os", (0, 1), None)),
    ("linux/arm/*", ("wildcard", "variant", (10, 11), None)),
    ("linux/arm*", ("wildcard", "architecture", (6, 10), None)),
    # unknown operating system
    ("lnux/amd64", ("unknown_os", "os", (0, 4), "linux/amd64")),
    ("linx/arm64", ("unknown_os", "os", (0, 4), "linux/arm64")),
    ("windwos/amd64", ("unknown_os", "os", (0, 7), "windows/amd64")),
    ("osx/arm64", ("unknown_os", "os", (0, 3), "darwin/arm64")),
    ("ubuntu/amd64", ("unknown_os", "os", (0, 6), "linux/amd64")),
    ("foo/bar", ("unknown_os", "os", (0, 3), None)),
    ("unknown/unknown", ("unknown_os", "os", (0, 7), None)),
    ("arm64/v8", ("unknown_os", "os", (0, 5), "linux/arm64")),
    ("amd64/linux", ("unknown_os", "os", (0, 5), "linux/amd64")),
    ("lnux", ("unknown_os", "os", (0, 4), "linux")),
    ("macosx", ("unknown_os", "os", (0, 6), "darwin")),
    ("arm64(1.0)", ("unknown_os", "os", (0, 5), None)),
    # unknown architecture
    ("linux/arm65", ("unknown_architecture", "architecture", (6, 11), "linux/arm64")),
    ("linux/amd46", ("unknown_architecture", "architecture", (6, 11), "linux/amd64")),
    ("LINUX/ARM65", ("unknown_architecture", "architecture", (6, 11), "linux/arm64")),
    ("linux/x86", ("unknown_architecture", "architecture", (6, 9), "linux/386")),
    ("linux/armv7l", ("unknown_architecture", "architecture", (6, 12), "linux/arm/v7")),
    ("linux/aarch46", ("unknown_architecture", "architecture", (6, 13), "linux/arm64")),
    ("linux/ppc64el", ("unknown_architecture", "architecture", (6, 13), "linux/ppc64le")),
    ("linux/x86.64", ("unknown_architecture", "architecture", (6, 12), "linux/amd64")),
    ("linux/..", ("unknown_architecture", "architecture", (6, 8), None)),
    ("linux/foo", ("unknown_architecture", "architecture", (6, 9), None)),
    ("arm65", ("unknown_architecture", "architecture", (0, 5), "linux/arm64")),
    ("linux-amd64", ("unknown_architecture", "architecture", (0, 11), "linux/amd64")),
    ("linux_x86_64", ("unknown_architecture", "architecture", (0, 12), "linux/amd64")),
    ("linuxarm64", ("unknown_architecture", "architecture", (0, 10), "linux/arm64")),
    # variants that do not exist for the architecture
    ("linux/arm/v9", ("invalid_variant", "variant", (10, 12), "linux/arm64/v9")),
    ("linux/arm/9", ("invalid_variant", "variant", (10, 11), "linux/arm64/v9")),
    ("linux/arm/v4", ("invalid_variant", "variant", (10, 12), "linux/arm/v5")),
    ("linux/arm/v7l", ("invalid_variant", "variant", (10, 13), "linux/arm/v7")),
    ("linux/arm/v8.2", ("invalid_variant", "variant", (10, 14), "linux/arm/v8")),
    ("linux/arm/hf", ("invalid_variant", "variant", (10, 12), "linux/arm/v7")),
    ("linux/arm64/v7", ("invalid_variant", "variant", (12, 14), "linux/arm/v7")),
    ("linux/arm64/v10", ("invalid_variant", "variant", (12, 15), "linux/arm64/v9")),
    ("linux/arm64/v8.10", ("invalid_variant", "variant", (12, 17), "linux/arm64")),
    ("linux/arm64/8.2", ("invalid_variant", "variant", (12, 15), "linux/arm64/v8.2")),
    ("linux/arm64/8.0", ("invalid_variant", "variant", (12, 15), "linux/arm64")),
    ("linux/arm64/v9.10", ("invalid_variant", "variant", (12, 17), "linux/arm64/v9")),
    ("linux/amd64/v5", ("invalid_variant", "variant", (12, 14), "linux/amd64/v4")),
    ("linux/amd64/3", ("invalid_variant", "variant", (12, 13), "linux/amd64/v3")),
    ("linux/amd64/v0", ("invalid_variant", "variant", (12, 14), "linux/amd64")),
    ("linux/amd64/x86-64-v3", ("invalid_variant", "variant", (12, 21), "linux/amd64/v3")),
    ("linux/ppc64le/power7", ("invalid_variant", "variant", (14, 20), "linux/ppc64le/power8")),
    ("linux/ppc64le/v2", ("invalid_variant", "variant", (14, 16), "linux/ppc64le")),
    ("linux/riscv64/rva23u46", ("invalid_variant", "variant", (14, 22), "linux/riscv64/rva23u64")),
    ("linux/armhf/v6", ("invalid_variant", "variant", (12, 14), "linux/arm/v6")),
    ("linux/armel/v7", ("invalid_variant", "variant", (12, 14), "linux/arm/v7")),
    # a variant on an architecture that has none
    ("linux/s390x/v2", ("variant_not_allowed", "variant", (12, 14), "linux/s390x")),
    ("linux/386/v2", ("variant_not_allowed", "variant", (10, 12), "linux/386")),
    ("linux/i386/sse2", ("variant_not_allowed", "variant", (11, 15), "linux/386")),
    ("linux/wasm/v1", ("variant_not_allowed", "variant", (11, 13), "linux/wasm")),
    ("linux/mips64le/hardfloat", ("variant_not_allowed", "variant", (15, 24), "linux/mips64le")),
    # OS version and features
    ("windows(10.0.17763/amd64", ("invalid_os_options", "os_options", (7, 18), "windows(10.0.17763)/amd64")),
    ("linux(10.0", ("invalid_os_options", "os_options", (5, 10), "linux(10.0)")),
    ("windows(10.0.17763)x/amd64", ("invalid_os_options", "os_options", (19, 20), "windows(10.0.17763)/amd64")),
    ("windows(10.0)(1)/amd64", ("invalid_os_options", "os_options", (13, 16), "windows(10.0)/amd64")),
    ("windows(%zz)/amd64", ("invalid_os_options", "os_options", (8, 11), "windows/amd64")),
    ("windows(10.0%2)/amd64", ("invalid_os_options", "os_options", (12, 14), "windows/amd64")),
    ("windows(%ff)/amd64", ("invalid_os_options", "os_options", (8, 11), "windows/amd64")),
    ("linux(+)/amd64", ("invalid_os_options", "os_options", (6, 7), "linux/amd64")),
    ("linux(+gpu+)/amd64", ("invalid_os_options", "os_options", (10, 11), "linux/amd64")),
    ("linux(++gpu)/amd64", ("invalid_os_options", "os_options", (6, 7), "linux/amd64")),
    ("windows(10 0)/amd64", ("invalid_character", "os_options", (10, 11), "windows(100)/amd64")),
    ("windows((1))/amd64", ("invalid_character", "os_options", (8, 9), "windows/amd64")),
    ("windows(1/2)/amd64", ("invalid_os_options", "os_options", (7, 9), None)),
    ("windows)/amd64", ("invalid_character", "os", (7, 8), "windows/amd64")),
    ("windows10.0.17763)/amd64", ("invalid_character", "os", (9, 10), None)),
    ("(10.0)/amd64", ("empty_part", "os", (0, 6), None)),
    ("()", ("empty_part", "os", (0, 2), None)),
    # non-ASCII
    ("linux/аmd64", ("invalid_character", "architecture", (6, 7), "linux/amd64")),  # Cyrillic а
    ("linux/amd64ü", ("invalid_character", "architecture", (11, 12), "linux/amd64")),
    ("lïnux/amd64", ("invalid_character", "os", (1, 2), "linux/amd64")),
    ("linux/arm/v７", ("invalid_character", "variant", (11, 12), "linux/arm/v7")),  # fullwidth 7
    ("linux/amd64\u200b", ("invalid_character", "architecture", (11, 12), "linux/amd64")),
    ("\u00a0linux/amd64", ("invalid_character", "os", (0, 1), "linux/amd64")),
    ("linux/😀", ("invalid_character", "architecture", (6, 7), None)),
]


def test_there_are_at_least_sixty_invalid_cases() -> None:
    assert len(INVALID) >= 60
    assert len({spec for spec, _ in INVALID}) == len(INVALID)


@pytest.mark.parametrize(("spec", "expected"), INVALID)
def test_invalid_specifiers(spec: str, expected: tuple[str, str, tuple[int, int], str | None]) -> None:
    kind, part, (start, end), suggestion = expected
    with pytest.raises(PlatformError) as caught:
        parse(spec)
    error = caught.value
    assert (error.kind, error.part, error.range, error.suggestion) == (kind, part, (start, end), suggestion)
    assert (error.start, error.end) == (start, end)
    assert error.spec == spec
    assert str(error) == error.message
    assert error.message[0].islower()
    assert isinstance(error, ValueError)
    if suggestion is not None:
        assert is_canonical(suggestion)


@pytest.mark.parametrize(("spec", "expected"), INVALID)
def test_invalid_specifiers_fail_every_entry_point(
    spec: str, expected: tuple[str, str, tuple[int, int], str | None]
) -> None:
    for check in (canonical, is_canonical, noncanonical_reasons, describe):
        with pytest.raises(PlatformError):
            check(spec)
    with pytest.raises(PlatformError):
        same_platform(spec, "linux/amd64")


# spec -> text the message must contain (names the bad part and the valid ones)
MESSAGES: list[tuple[str, str]] = [
    ("linux/arm65", 'unknown architecture "arm65" in "linux/arm65": expected one of amd64, arm64, arm, 386'),
    ("lnux/amd64", 'unknown operating system "lnux" in "lnux/amd64": expected one of linux, windows, darwin'),
    ("linux/arm/v9", 'invalid variant "v9" for arm in "linux/arm/v9": arm variants are v5, v6, v7 and v8'),
    ("linux/arm64/v7", "arm64 variants are v8 (the default, written without a variant), v8.1 to v8.9, v9"),
    ("linux/amd64/v5", "amd64 variants are v1 (the default, written without a variant), v2, v3 and v4"),
    ("linux/ppc64le/power7", "ppc64le variants are power8, power9, power10, power11, or none"),
    ("linux/s390x/v2", 'architecture s390x has no variants: remove "/v2" from "linux/s390x/v2"'),
    ("linux/i386/v2", "architecture 386 has no variants"),
    ("linux/armhf/v6", "which already means arm/v7"),
    ("linux/*", 'wildcard "*" in "linux/*"'),
    ("a/b/c/d", 'too many parts in "a/b/c/d": a platform is os/arch[/variant]'),
    ("linux//amd64", 'empty architecture in "linux//amd64"'),
    ("", "empty platform"),
    ("linux/ amd64", 'unexpected space in architecture " amd64" of "linux/ amd64"'),
    ("linux/amd64,linux/arm64", "a platform field holds one platform, not a list"),
    ("linux/аmd64", 'unexpected non-ascii character "а"'),
    ("linux/amd64\x00", '"linux/amd64\\u0000"'),
    ("arm64/v8", '"arm64" is an architecture; a platform is os/arch[/variant]'),
    ("windows(10.0.17763/amd64", 'unclosed "("'),
    ("windows(%zz)/amd64", 'invalid escape "%zz"'),
    ("windows(%ff)/amd64", "do not decode to utf-8 text"),
    ("linux(+)/amd64", 'empty os feature after "+"'),
    ("(10.0)/amd64", 'missing operating system before "(10.0)"'),
    ("x" * 200 + "/amd64", "…"),
]


@pytest.mark.parametrize(("spec", "phrase"), MESSAGES)
def test_error_messages(spec: str, phrase: str) -> None:
    with pytest.raises(PlatformError) as caught:
        parse(spec)
    assert phrase in caught.value.message
    assert "\n" not in caught.value.message


def test_error_messages_stay_short_for_huge_input() -> None:
    with pytest.raises(PlatformError) as caught:
        parse("linux/" + "a" * 100_000)
    assert len(caught.value.message) < 400
    assert caught.value.range == (6, 100_006)


def test_platform_error_pickles_with_all_fields() -> None:
    with pytest.raises(PlatformError) as caught:
        parse("linux/arm65")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert isinstance(copy, PlatformError)
    assert (copy.message, copy.spec, copy.kind, copy.part, copy.range, copy.suggestion) == (
        caught.value.message,
        "linux/arm65",
        "unknown_architecture",
        "architecture",
        (6, 11),
        "linux/arm64",
    )


# ------------------------------------------------------------ comparison, normalize


SAME: list[tuple[str, str, bool]] = [
    ("linux/arm64", "linux/aarch64", True),
    ("linux/arm64", "linux/arm64/v8", True),
    ("linux/arm64", "linux/aarch64/v8", True),
    ("linux/arm64", "arm64", True),
    ("linux/arm", "linux/arm/v7", True),
    ("linux/arm", "linux/armhf", True),
    ("linux/arm", "linux/arm/7", True),
    ("linux/arm/v6", "linux/armel", True),
    ("linux/amd64", "linux/x86_64", True),
    ("linux/amd64", "linux/amd64/v1", True),
    ("Linux/AMD64", "linux/amd64", True),
    ("macos/arm64", "darwin/arm64", True),
    ("windows()/amd64", "windows/amd64", True),
    ("linux/arm64", "linux/arm64/v8.2", False),
    ("linux/arm/v6", "linux/arm/v7", False),
    ("linux/amd64", "linux/amd64/v2", False),
    ("linux/amd64", "linux/386", False),
    ("linux/amd64", "windows/amd64", False),
    ("windows(10.0.17763)/amd64", "windows(10.0.20348)/amd64", False),
    ("windows(10.0.17763)/amd64", "windows/amd64", False),
    ("linux", "linux/amd64", False),
    ("linux", "Linux", True),
]


@pytest.mark.parametrize(("a", "b", "expected"), SAME)
def test_same_platform(a: str, b: str, expected: bool) -> None:
    assert same_platform(a, b) is expected
    assert same_platform(b, a) is expected
    assert same_platform(parse(a), b) is expected
    assert (hash(parse(a)) == hash(parse(b))) or not expected


NORMALIZE: list[tuple[tuple[str, ...], str]] = [
    (("linux", "amd64"), "linux/amd64"),
    (("Linux", "x86_64", "v1"), "linux/amd64"),
    (("linux", "aarch64", "v8"), "linux/arm64"),
    (("linux", "arm"), "linux/arm/v7"),
    (("linux", "arm", "7"), "linux/arm/v7"),
    (("linux", "armel"), "linux/arm/v6"),
    (("linux", "arm64", "v8.2"), "linux/arm64/v8.2"),
    (("windows", "amd64", "", "10.0.17763.1234"), "windows(10.0.17763.1234)/amd64"),
    (("windows", "amd64", "", "10.0+build"), "windows(10.0%2Bbuild)/amd64"),
]


@pytest.mark.parametrize(("fields", "expected"), NORMALIZE)
def test_normalize(fields: tuple[str, ...], expected: str) -> None:
    platform = normalize(*fields)
    assert str(platform) == expected
    assert parse(expected) == platform


def test_normalize_sorts_features_and_drops_empty_ones() -> None:
    platform = normalize("windows", "amd64", os_version="10.0.17763", os_features=["win32k", "", "a", "win32k"])
    assert platform.os_features == ("a", "win32k")
    assert str(platform) == "windows(10.0.17763+a+win32k)/amd64"


NORMALIZE_ERRORS: list[tuple[tuple[str, ...], tuple[str, str, tuple[int, int], str | None]]] = [
    (("", "amd64"), ("empty_part", "os", (0, 1), "linux/amd64")),
    (("linux", ""), ("empty_part", "architecture", (5, 6), "linux")),
    (("lnux", "amd64"), ("unknown_os", "os", (0, 4), "linux/amd64")),
    (("linux", "arm65"), ("unknown_architecture", "architecture", (6, 11), "linux/arm64")),
    (("linux", "s390x", "v2"), ("variant_not_allowed", "variant", (12, 14), "linux/s390x")),
    (("linux", "arm", "v9"), ("invalid_variant", "variant", (10, 12), "linux/arm64/v9")),
    (("linux", "amd 64"), ("invalid_character", "architecture", (9, 10), "linux/amd64")),
]


@pytest.mark.parametrize(("fields", "expected"), NORMALIZE_ERRORS)
def test_normalize_errors(fields: tuple[str, ...], expected: tuple[str, str, tuple[int, int], str | None]) -> None:
    with pytest.raises(PlatformError) as caught:
        normalize(*fields)
    error = caught.value
    assert (error.kind, error.part, error.range, error.suggestion) == expected


# ------------------------------------------------------------------- OCI, defaults


OCI: list[tuple[str, dict[str, object]]] = [
    ("linux/amd64", {"architecture": "amd64", "os": "linux"}),
    ("linux/arm", {"architecture": "arm", "os": "linux", "variant": "v7"}),
    ("linux/arm64/v8", {"architecture": "arm64", "os": "linux"}),
    ("linux/amd64/v3", {"architecture": "amd64", "os": "linux", "variant": "v3"}),
    (
        "windows(10.0.17763+win32k)/amd64",
        {"architecture": "amd64", "os": "windows", "os.version": "10.0.17763", "os.features": ["win32k"]},
    ),
]


@pytest.mark.parametrize(("spec", "expected"), OCI)
def test_to_oci_and_back(spec: str, expected: dict[str, object]) -> None:
    platform = parse(spec)
    assert platform.to_oci() == expected
    assert Platform.from_oci(expected) == platform


def test_from_oci_normalises_and_validates() -> None:
    assert str(Platform.from_oci({"os": "linux", "architecture": "aarch64", "variant": "v8"})) == "linux/arm64"
    with pytest.raises(PlatformError) as caught:
        Platform.from_oci({"os": "unknown", "architecture": "unknown"})
    assert caught.value.kind == "unknown_os"
    with pytest.raises(TypeError):
        Platform.from_oci({"os": "linux", "architecture": 64})
    with pytest.raises(TypeError):
        Platform.from_oci({"os": "linux", "architecture": "amd64", "os.features": "win32k"})


def test_bare_os_is_host_dependent_until_resolved() -> None:
    platform = parse("windows(10.0.17763)")
    assert platform.host_dependent
    with pytest.raises(ValueError):
        platform.to_oci()
    resolved = platform.resolve("linux/arm64/v8.2")
    assert str(resolved) == "windows(10.0.17763)/arm64/v8.2"
    assert not resolved.host_dependent
    assert str(parse("linux").resolve()) == DEFAULT_PLATFORM
    assert parse("linux/arm64").resolve() == parse("linux/arm64")


def test_default_platform() -> None:
    assert DEFAULT_PLATFORM == "linux/amd64"
    assert is_canonical(DEFAULT_PLATFORM)


# ------------------------------------------------------------ describe, completion

DESCRIBE: list[tuple[str, str]] = [
    ("linux/amd64", "Linux, 64-bit x86 (Intel/AMD)"),
    ("linux/arm64", "Linux, 64-bit ARM, ARMv8"),
    ("linux/arm64/v8.2", "Linux, 64-bit ARM, ARMv8.2"),
    ("linux/arm64/v9", "Linux, 64-bit ARM, ARMv9"),
    ("linux/arm/v7", "Linux, 32-bit ARM, ARMv7, armhf"),
    ("linux/amd64/v3", "Linux, 64-bit x86 (Intel/AMD), x86-64-v3 (AVX2)"),
    ("linux/ppc64le/power10", "Linux, 64-bit POWER, little-endian, POWER10"),
    ("darwin/arm64", "macOS, 64-bit ARM, ARMv8"),
    ("windows(10.0.17763)/amd64", "Windows 10.0.17763, Windows Server 2019 (ltsc2019), 64-bit x86 (Intel/AMD)"),
    ("windows(10.0.17763.1234)/amd64", "Windows 10.0.17763.1234, Windows Server 2019 (ltsc2019), 64-bit x86 (Intel/AMD)"),
    ("windows(10.0.177630)/amd64", "Windows 10.0.177630, 64-bit x86 (Intel/AMD)"),
    ("linux(5.10)/arm64", "Linux 5.10, 64-bit ARM, ARMv8"),
    ("linux", "Linux, the build host's architecture"),
]


@pytest.mark.parametrize(("spec", "expected"), DESCRIBE)
def test_describe(spec: str, expected: str) -> None:
    assert describe(spec) == expected
    assert describe(parse(spec)) == expected


def test_completion_candidates_are_valid_canonical_and_ordered() -> None:
    candidates = completion_candidates()
    labels = [candidate.platform for candidate in candidates]
    assert labels[:4] == ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm/v6"]
    assert len(labels) == len(set(labels))
    for candidate in candidates:
        assert isinstance(candidate, PlatformCandidate)
        assert is_canonical(candidate.platform), candidate
        assert candidate.description == describe(candidate.platform)
    # linux with every architecture and every variant
    for arch in KNOWN_ARCHITECTURES - {"arm"}:
        assert f"linux/{arch}" in labels
    for arch, variants in ARCH_VARIANTS.items():
        for variant in variants:
            assert f"linux/{arch}/{variant}" in labels
    for spec in ("windows/amd64", "windows/arm64", "darwin/amd64", "darwin/arm64", "freebsd/amd64"):
        assert spec in labels
    assert labels.index("windows/amd64") < labels.index("linux/mips")
    assert labels.index("linux/amd64/v2") < labels.index("linux/arm64/v8.1")


COMPLETION_PREFIXES: list[tuple[str, list[str], list[str]]] = [
    # prefix, must include (in this order, at the front), must exclude
    ("linux/arm", ["linux/arm64", "linux/arm/v7", "linux/arm/v6"], ["linux/amd64", "windows/arm64"]),
    ("Linux/ARM64", ["linux/arm64", "linux/arm64/v9"], ["linux/arm/v7"]),
    ("arm", ["linux/arm64", "linux/arm/v7"], ["windows/arm64", "darwin/arm64"]),
    ("linux/aarch", ["linux/arm64"], ["linux/arm/v7"]),
    ("x86_64", ["linux/amd64", "linux/amd64/v2"], ["linux/386"]),
    ("armhf", ["linux/arm/v7"], ["linux/arm/v6", "linux/arm64"]),
    ("i386", ["linux/386"], ["linux/amd64"]),
    ("win", ["windows/amd64", "windows/arm64", "windows(10.0.17763)/amd64"], ["linux/amd64"]),
    ("macos", ["darwin/arm64", "darwin/amd64"], []),
    ("zzz", [], ["linux/amd64"]),
]


@pytest.mark.parametrize(("prefix", "included", "excluded"), COMPLETION_PREFIXES)
def test_completion_prefix(prefix: str, included: list[str], excluded: list[str]) -> None:
    labels = [candidate.platform for candidate in completion_candidates(prefix)]
    assert labels[: len(included)] == included
    for spec in excluded:
        assert spec not in labels


def test_completion_returns_a_fresh_list() -> None:
    first = completion_candidates()
    first.clear()
    assert completion_candidates()


# ------------------------------------------------------------------------- imports


def test_module_imports_nothing_heavy() -> None:
    code = (
        "import sys; before = set(sys.modules); "
        "import plancheck.checker.platforms; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(result.stdout.split())
    heavy = {"lark", "pygls", "httpx", "asyncio", "json", "urllib", "plancheck.grammar.parser"}
    assert not loaded & heavy, loaded & heavy


def test_public_names() -> None:
    for name in platforms.__all__:
        assert hasattr(platforms, name), name
