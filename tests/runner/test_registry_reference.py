"""Image reference parsing and normalisation (docker's ParseNormalizedNamed rules)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from plancheck.runner.registry import InvalidReference, Reference, Repository
from plancheck.runner.registry.reference import api_host

DIGEST = "sha256:" + "ab" * 32

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize(
    ("text", "normalised", "registry", "path", "tag", "digest"),
    [
        ("alpine", "docker.io/library/alpine:latest", "docker.io", "library/alpine", "latest", None),
        ("alpine:3.19", "docker.io/library/alpine:3.19", "docker.io", "library/alpine", "3.19", None),
        ("user/app", "docker.io/user/app:latest", "docker.io", "user/app", "latest", None),
        (
            "docker.io/alpine",
            "docker.io/library/alpine:latest",
            "docker.io",
            "library/alpine",
            "latest",
            None,
        ),
        ("index.docker.io/user/app:v1", "docker.io/user/app:v1", "docker.io", "user/app", "v1", None),
        ("localhost/app", "localhost/app:latest", "localhost", "app", "latest", None),
        ("localhost:5000/a/b/c:t", "localhost:5000/a/b/c:t", "localhost:5000", "a/b/c", "t", None),
        ("127.0.0.1:5000/app", "127.0.0.1:5000/app:latest", "127.0.0.1:5000", "app", "latest", None),
        (
            "registry.example.com/app:1.0",
            "registry.example.com/app:1.0",
            "registry.example.com",
            "app",
            "1.0",
            None,
        ),
        ("[::1]:5000/app:x", "[::1]:5000/app:x", "[::1]:5000", "app", "x", None),
        (f"app@{DIGEST}", f"docker.io/library/app@{DIGEST}", "docker.io", "library/app", None, DIGEST),
        (f"host:5000/app:v2@{DIGEST}", f"host:5000/app:v2@{DIGEST}", "host:5000", "app", "v2", DIGEST),
        ("Registry/app", "Registry/app:latest", "Registry", "app", "latest", None),
        (
            "a__b/c--d/e.f_g",
            "docker.io/a__b/c--d/e.f_g:latest",
            "docker.io",
            "a__b/c--d/e.f_g",
            "latest",
            None,
        ),
    ],
)
def test_parse_normalises(
    text: str, normalised: str, registry: str, path: str, tag: str | None, digest: str | None
) -> None:
    reference = Reference.parse(text)
    assert str(reference) == normalised
    assert (reference.registry, reference.path, reference.tag, reference.digest) == (
        registry,
        path,
        tag,
        digest,
    )


def test_digest_is_the_identifier_when_both_are_given() -> None:
    reference = Reference.parse(f"host:5000/app:v2@{DIGEST}")
    assert reference.identifier == DIGEST
    assert Reference.parse("host:5000/app:v2").identifier == "v2"


def test_no_default_tag_on_request() -> None:
    reference = Reference.parse("host:5000/app", default_tag=False)
    assert reference.tag is None
    with pytest.raises(InvalidReference):
        _ = reference.identifier


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("Alpine", "must be lowercase"),
        ("host:5000/App", "must be lowercase"),
        ("a" * 64, "64-byte hexadecimal"),
        ("app:", "invalid reference format"),
        ("app@sha256:abc", "invalid reference format"),
        ("app@sha256:" + "AB" * 32, "invalid"),
        ("-app", "invalid reference format"),
        ("app//x", "invalid reference format"),
        ("app:" + "t" * 129, "invalid reference format"),
        ("host:5000/" + "a" * 250, "255 characters"),
        ("app:ta g", "invalid reference format"),
    ],
)
def test_invalid_references(text: str, reason: str) -> None:
    with pytest.raises(InvalidReference, match=reason):
        Reference.parse(text)


def test_invalid_reference_is_a_value_error_with_a_one_line_message() -> None:
    with pytest.raises(ValueError) as info:
        Reference.parse("UPPER")
    assert "\n" not in str(info.value)


def test_api_host_maps_docker_hub() -> None:
    assert Reference.parse("alpine").api_host == "registry-1.docker.io"
    assert api_host("docker.io") == "registry-1.docker.io"
    assert Reference.parse("localhost:5000/app").api_host == "localhost:5000"


@pytest.mark.parametrize(
    ("text", "familiar"),
    [
        ("docker.io/library/alpine:latest", "alpine:latest"),
        ("docker.io/library/a/b:1", "library/a/b:1"),
        ("docker.io/user/app:1", "user/app:1"),
        ("host:5000/app:1", "host:5000/app:1"),
    ],
)
def test_familiar_form(text: str, familiar: str) -> None:
    assert Reference.parse(text).familiar() == familiar


def test_repository_parse_refuses_tags_and_builds_references() -> None:
    repository = Repository.parse("localhost:5000/team/app")
    assert repository == Repository("localhost:5000", "team/app")
    assert str(repository.tagged("v1")) == "localhost:5000/team/app:v1"
    assert str(repository.digested(DIGEST)) == f"localhost:5000/team/app@{DIGEST}"
    with pytest.raises(InvalidReference, match="no tag or digest"):
        Repository.parse("localhost:5000/team/app:v1")
    with pytest.raises(InvalidReference, match="invalid tag"):
        repository.tagged("-bad")


_component = st.from_regex(r"[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8}){0,2}", fullmatch=True)
_tag = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)


@given(
    host=st.sampled_from(["", "localhost:5000/", "registry.example.com/", "127.0.0.1:5000/", "docker.io/"]),
    components=st.lists(_component, min_size=1, max_size=3),
    tag=st.none() | _tag,
)
def test_normalised_form_parses_to_itself(host: str, components: list[str], tag: str | None) -> None:
    text = host + "/".join(components) + (f":{tag}" if tag else "")
    reference = Reference.parse(text)
    assert Reference.parse(str(reference)) == reference
    first = reference.familiar().split("/")[0]
    if "/" not in reference.familiar() or not any(char in first for char in ".:"):
        # A Docker Hub path whose first part looks like a host has no unambiguous short form.
        assert Reference.parse(reference.familiar()) == reference
