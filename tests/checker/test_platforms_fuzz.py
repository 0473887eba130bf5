"""Property tests: no input crashes the platform parser or breaks its contracts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from plancheck.checker.platforms import Platform, PlatformError, is_canonical, parse

PARTS = {"syntax", "os", "os_options", "architecture", "variant"}
KINDS = {
    "empty", "wildcard", "too_many_parts", "empty_part", "invalid_character", "invalid_os_options",
    "unknown_os", "unknown_architecture", "invalid_variant", "variant_not_allowed",
}  # fmt: skip

# Fragments that make near-valid specifiers likely, so the deep paths get exercised.
FRAGMENTS = st.sampled_from(
    [
        "linux", "Linux", "windows", "darwin", "macos", "lnux", "amd64", "arm64", "arm", "AArch64",
        "x86_64", "i386", "armhf", "armel", "s390x", "ppc64le", "riscv64", "v7", "v8", "v8.2", "v9",
        "9.0", "7", "power9", "rva23u64", "/", "/", "/", "(", ")", "+", "%2B", "%", "10.0.17763",
        "win32k", "*", " ", ",", ".", "..", "-", "_", "é", "\u0430", "\x00",
    ]
)  # fmt: skip
NEAR_VALID = st.lists(FRAGMENTS, max_size=8).map("".join)


def check(spec: str) -> None:
    try:
        platform = parse(spec)
    except PlatformError as error:
        assert error.kind in KINDS
        assert error.part in PARTS
        assert 0 <= error.start <= error.end <= len(spec)
        assert error.message and error.message[0].islower()
        if error.kind != "empty":
            assert error.start < error.end, "a caret needs at least one character"
        if error.suggestion is not None:
            assert is_canonical(error.suggestion)
        return
    assert isinstance(platform, Platform)
    text = str(platform)
    assert parse(text) == platform
    assert is_canonical(text)


@settings(max_examples=300, deadline=None)
@given(NEAR_VALID)
def test_near_valid_specifiers_keep_the_contract(spec: str) -> None:
    check(spec)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_keeps_the_contract(spec: str) -> None:
    check(spec)
