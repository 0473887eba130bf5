"""Blob and manifest operations against a real registry (distribution 2.8 on loopback).

The fault proxy is used here only as an observer (it records every request) and, for the
digest tests, to corrupt what the registry answers.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from plancheck.runner.registry import (
    DigestMismatch,
    NotFound,
    RegistryClient,
    RegistryError,
    Repository,
    sha256_digest,
)
from plancheck.runner.registry.manifest import OCI_MANIFEST
from support.fault_proxy import Fault, FaultProxy
from support.images import build_image, push_built_image
from support.registry_server import RegistryServer
from support.skopeo import inspect_raw

pytestmark = pytest.mark.timeout(120)


def random_blob(size: int) -> bytes:
    return os.urandom(size)


def test_ping(client: RegistryClient, registry: RegistryServer) -> None:
    client.ping(registry.address)


def test_ping_of_something_that_is_not_a_registry_is_a_clear_error(
    client: RegistryClient, proxy: FaultProxy
) -> None:
    proxy.add_fault(Fault(method="GET", path="^/v2/$", status=404, body=b"<html>nope</html>"))
    with pytest.raises(NotFound, match=f"could not reach the registry API of {proxy.address}: not found"):
        client.ping(proxy.address)


def test_monolithic_upload(client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository) -> None:
    data = random_blob(100_000)
    descriptor = client.push_blob(proxy_repository, data)
    assert descriptor.digest == sha256_digest(data)
    assert descriptor.size == len(data)
    methods = [(r.method, r.status) for r in proxy.recorded(path="/blobs/")]
    assert methods == [("HEAD", 404), ("POST", 202), ("PUT", 201)]
    [put] = proxy.recorded("PUT")
    assert put.body_size == len(data)
    assert put.content_type == "application/octet-stream"
    assert f"digest={descriptor.digest.replace(':', '%3A')}" in put.query
    assert "_state=" in put.query  # the session's own query parameters were kept
    assert client.get_blob(proxy_repository, descriptor.digest) == data


def test_chunked_upload(client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository) -> None:
    data = random_blob(250_000)
    descriptor = client.push_blob(proxy_repository, data, chunk_size=100_000)
    patches = proxy.recorded("PATCH")
    assert [p.content_range for p in patches] == ["0-99999", "100000-199999", "200000-249999"]
    assert [p.body_size for p in patches] == [100_000, 100_000, 50_000]
    [put] = proxy.recorded("PUT")
    assert put.body_size == 0
    assert client.get_blob(proxy_repository, descriptor.digest) == data


def test_upload_from_a_file_both_ways(client: RegistryClient, repository: Repository, tmp_path: Path) -> None:
    path = tmp_path / "layer.bin"
    path.write_bytes(random_blob(3_000_001))
    digest = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    assert client.push_blob(repository, path, chunk_size=1_000_000).digest == digest
    assert client.get_blob(repository, digest) == path.read_bytes()
    other = Repository(repository.registry, repository.path + "-mono")
    assert client.push_blob(other, path).digest == digest
    destination = tmp_path / "downloaded"
    with destination.open("w+b") as stream:
        assert client.download_blob(other, digest, stream) == path.stat().st_size
    assert destination.read_bytes() == path.read_bytes()


def test_relative_location_headers(
    client: RegistryClient, relative_registry: RegistryServer, repo_path: str
) -> None:
    repository = Repository(relative_registry.address, repo_path)
    small, large = random_blob(1000), random_blob(50_000)
    client.push_blob(repository, small)
    client.push_blob(repository, large, chunk_size=20_000)
    assert client.get_blob(repository, sha256_digest(small)) == small
    assert client.get_blob(repository, sha256_digest(large)) == large
    image = build_image("linux/amd64")
    push_built_image(client, repository, image, tags=("v1",))
    assert client.get_manifest(repository.tagged("v1")).digest == image.digest


def test_head_blob(client: RegistryClient, repository: Repository) -> None:
    data = random_blob(1234)
    assert client.head_blob(repository, sha256_digest(data)) is None
    client.push_blob(repository, data)
    descriptor = client.head_blob(repository, sha256_digest(data))
    assert descriptor is not None
    assert (descriptor.digest, descriptor.size) == (sha256_digest(data), 1234)


def test_a_present_blob_is_not_uploaded_again(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    data = random_blob(5000)
    client.push_blob(proxy_repository, data)
    count = len(proxy.requests)
    client.push_blob(proxy_repository, data)
    assert [(r.method, r.status) for r in proxy.requests[count:]] == [("HEAD", 200)]


def test_cross_repository_mount(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    data = random_blob(20_000)
    source = Repository(proxy_repository.registry, proxy_repository.path + "-source")
    client.push_blob(source, data)
    count = len(proxy.requests)
    client.push_blob(proxy_repository, data, mount_from=[source])
    sent = proxy.requests[count:]
    assert [(r.method, r.status) for r in sent] == [("HEAD", 404), ("POST", 201)]
    assert f"from={source.path.replace('/', '%2F')}" in sent[1].query
    assert client.get_blob(proxy_repository, sha256_digest(data)) == data


def test_mount_refused_falls_back_to_upload_in_the_session_it_opened(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    data = random_blob(20_000)
    empty_source = Repository(proxy_repository.registry, proxy_repository.path + "-empty")
    client.push_blob(proxy_repository, data, mount_from=[empty_source])
    assert [(r.method, r.status) for r in proxy.requests] == [("HEAD", 404), ("POST", 202), ("PUT", 201)]
    assert "mount=" in proxy.requests[1].query
    assert client.get_blob(proxy_repository, sha256_digest(data)) == data


def test_mount_blob_reports_refusal_and_cleans_up(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    source = Repository(proxy_repository.registry, proxy_repository.path + "-empty")
    assert client.mount_blob(proxy_repository, sha256_digest(b"absent"), source) is False
    assert [r.method for r in proxy.requests] == ["POST", "DELETE"]


def test_manifest_round_trip_with_exact_bytes(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    image = build_image("linux/amd64", label="round-trip")
    descriptor = push_built_image(client, proxy_repository, image, tags=("v1",))
    assert descriptor.digest == image.digest
    puts = proxy.recorded("PUT", "/manifests/")
    assert [p.path.rsplit("/", 1)[1] for p in puts] == [image.digest, "v1"]
    assert {p.content_type for p in puts} == {OCI_MANIFEST}
    by_tag = client.get_manifest(proxy_repository.tagged("v1"))
    assert (by_tag.data, by_tag.digest, by_tag.media_type) == (image.manifest, image.digest, OCI_MANIFEST)
    head = client.head_manifest(proxy_repository.tagged("v1"))
    assert head is not None and (head.digest, head.size, head.media_type) == (
        image.digest,
        len(image.manifest),
        OCI_MANIFEST,
    )
    assert client.head_manifest(proxy_repository.tagged("absent")) is None
    assert inspect_raw(f"{proxy_repository}:v1") == image.manifest
    assert (
        json.loads(inspect_raw(f"{proxy_repository}@{image.digest}", config=True))["architecture"] == "amd64"
    )


def test_docker_media_types(client: RegistryClient, repository: Repository) -> None:
    image = build_image("linux/arm64", media_type="docker")
    push_built_image(client, repository, image, tags=("docker",))
    manifest = client.get_manifest(repository.tagged("docker"))
    assert manifest.media_type == "application/vnd.docker.distribution.manifest.v2+json"
    assert inspect_raw(f"{repository}:docker") == image.manifest


def test_content_type_must_agree_with_media_type(client: RegistryClient, repository: Repository) -> None:
    image = build_image("linux/amd64")
    with pytest.raises(
        RegistryError, match="its mediaType is application/vnd.oci.image.manifest.v1\\+json, not"
    ):
        client.put_manifest(
            repository.tagged("x"),
            image.manifest,
            media_type="application/vnd.docker.distribution.manifest.v2+json",
        )
    bare = json.dumps({"schemaVersion": 2}).encode()
    with pytest.raises(RegistryError, match="has no mediaType and none was given"):
        client.put_manifest(repository.tagged("x"), bare)


def test_registry_error_body_becomes_a_clear_exception(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    image = build_image("linux/amd64")  # its blobs were never pushed
    with pytest.raises(RegistryError) as info:
        client.put_manifest(proxy_repository.tagged("broken"), image.manifest)
    error = info.value
    assert error.status == 400
    assert set(error.codes) == {"MANIFEST_BLOB_UNKNOWN"}
    assert str(error).startswith(
        f"could not push manifest to {proxy_repository}:broken: MANIFEST_BLOB_UNKNOWN: "
    )
    # The registry's detail names the missing blobs.
    assert image.config_digest in str(error)
    assert "(HTTP 400)" in str(error)
    # A 400 is final: sent once, never retried.
    assert len(proxy.recorded("PUT")) == 1


def test_not_found_is_never_retried(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository, sleeps: list[float]
) -> None:
    with pytest.raises(NotFound) as info:
        client.get_manifest(proxy_repository.tagged("missing"))
    assert "MANIFEST_UNKNOWN" in str(info.value) or "NAME_UNKNOWN" in str(info.value)
    assert len(proxy.recorded("GET")) == 1
    assert sleeps == []


# -- digest verification -----------------------------------------------------------------------


def test_corrupted_manifest_by_digest_is_caught(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    image = build_image("linux/amd64")
    push_built_image(client, proxy_repository, image, tags=("v1",))
    proxy.add_fault(Fault(method="GET", path="/manifests/", action="corrupt", times=2))
    with pytest.raises(DigestMismatch) as info:
        client.get_manifest(proxy_repository.digested(image.digest))
    assert info.value.expected == image.digest
    assert info.value.actual != image.digest
    assert image.digest in str(info.value) and info.value.actual in str(info.value)
    # By tag the body is checked against the registry's Docker-Content-Digest.
    with pytest.raises(DigestMismatch, match=f"expected sha256:[0-9a-f]{{64}}, got {image.digest}"):
        client.get_manifest(proxy_repository.tagged("v1"))


def test_corrupted_blob_is_caught(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    data = random_blob(4096)
    client.push_blob(proxy_repository, data)
    proxy.add_fault(Fault(method="GET", path="/blobs/", action="corrupt"))
    with pytest.raises(DigestMismatch, match=f"expected {sha256_digest(data)}, got sha256:"):
        client.get_blob(proxy_repository, sha256_digest(data))


def test_wrong_announced_digest_on_manifest_push_is_caught(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    image = build_image("linux/amd64")
    bogus = "sha256:" + "f" * 64
    proxy.add_fault(
        Fault(method="PUT", path="/manifests/", action="header", headers={"Docker-Content-Digest": bogus})
    )
    with pytest.raises(DigestMismatch, match=f"expected {image.digest}, got {bogus}"):
        push_built_image(client, proxy_repository, image)


def test_wrong_expected_digest_is_refused_before_upload(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    data = random_blob(100)
    wrong = sha256_digest(b"something else")
    with pytest.raises(DigestMismatch, match=f"expected {wrong}, got {sha256_digest(data)}"):
        client.push_blob(proxy_repository, data, digest=wrong)
    image = build_image("linux/amd64")
    with pytest.raises(DigestMismatch):
        client.put_manifest(proxy_repository.digested(wrong), image.manifest)
    assert proxy.requests == []


@pytest.mark.parametrize("status", [401, 403, 404])
def test_mount_refused_with_an_error_falls_back_to_a_plain_upload(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository, status: int
) -> None:
    # Harbor answers 401 and some registries 404 for a source they will not mount from.
    data = random_blob(7000)
    source = Repository(proxy_repository.registry, proxy_repository.path + "-source")
    client.push_blob(source, data)
    proxy.add_fault(Fault(method="POST", path="/blobs/uploads/", query="mount=", status=status))
    count = len(proxy.requests)
    client.push_blob(proxy_repository, data, mount_from=[source])
    sent = [(r.method, r.status) for r in proxy.requests[count:]]
    assert sent == [("HEAD", 404), ("POST", status), ("POST", 202), ("PUT", 201)]
    assert client.get_blob(proxy_repository, sha256_digest(data)) == data


def test_unreadable_blob_file_is_a_clear_error(
    client: RegistryClient, repository: Repository, tmp_path: Path
) -> None:
    with pytest.raises(
        RegistryError, match="cannot read the blob file .*missing.bin: No such file or directory"
    ):
        client.push_blob(repository, tmp_path / "missing.bin")


def test_redirect_loop_is_a_clear_error(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    loop = f"http://{proxy.address}/v2/{proxy_repository.path}/blobs/{sha256_digest(b'x')}"
    proxy.add_fault(Fault(method="GET", path="/blobs/", status=307, headers={"Location": loop}, times=100))
    with pytest.raises(RegistryError, match="could not download blob .*TooManyRedirects") as info:
        client.get_blob(proxy_repository, sha256_digest(b"x"))
    assert info.value.attempts == 1
