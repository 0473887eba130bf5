"""Retries against a real registry behind the fault proxy: 503, 429, dropped connections.

The client's retry policy records its waits instead of sleeping (fixture ``sleeps``), so these
tests assert the exact backoff and ``Retry-After`` handling without waiting for it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from plancheck.runner.registry import (
    Credentials,
    RegistryClient,
    RegistryError,
    Repository,
    RetryPolicy,
    sha256_digest,
)
from support.fault_proxy import Fault, FaultProxy
from support.images import build_image, push_built_image
from support.registry_server import free_port

pytestmark = pytest.mark.timeout(120)


def test_503_then_success(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository, sleeps: list[float]
) -> None:
    image = build_image("linux/amd64")
    proxy.add_fault(Fault(method="PUT", path="/manifests/sha256:", status=503, times=2))
    push_built_image(client, proxy_repository, image)
    puts = proxy.recorded("PUT", "/manifests/")
    assert [p.status for p in puts] == [503, 503, 201]
    assert sleeps == [0.5, 1.0]
    assert client.get_manifest(proxy_repository.digested(image.digest)).data == image.manifest


def test_503_on_blob_check_and_upload_start(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository, sleeps: list[float]
) -> None:
    data = os.urandom(10_000)
    proxy.add_fault(Fault(method="HEAD", path="/blobs/", status=503))
    proxy.add_fault(Fault(method="POST", path="/blobs/uploads/", status=502))
    client.push_blob(proxy_repository, data)
    assert [(r.method, r.status) for r in proxy.requests] == [
        ("HEAD", 503),
        ("HEAD", 404),
        ("POST", 502),
        ("POST", 202),
        ("PUT", 201),
    ]
    assert sleeps == [0.5, 0.5]
    assert client.get_blob(proxy_repository, sha256_digest(data)) == data


def test_429_retry_after_seconds_is_honoured(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository, sleeps: list[float]
) -> None:
    image = build_image("linux/amd64")
    push_built_image(client, proxy_repository, image, tags=("v1",))
    body = b'{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}'
    proxy.add_fault(
        Fault(method="GET", path="/manifests/v1", status=429, headers={"Retry-After": "7"}, body=body)
    )
    assert client.get_manifest(proxy_repository.tagged("v1")).digest == image.digest
    assert sleeps == [7.0]


def test_429_retry_after_http_date_is_honoured(proxy: FaultProxy, proxy_repository: Repository) -> None:
    now = datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)
    sleeps: list[float] = []
    retry = RetryPolicy(sleep=sleeps.append, now=lambda: now, random=lambda: 0.0)
    when = (now + timedelta(seconds=42)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    proxy.add_fault(Fault(method="HEAD", path="/blobs/", status=429, headers={"Retry-After": when}))
    with RegistryClient(Credentials.anonymous(), retry=retry) as client:
        assert client.head_blob(proxy_repository, sha256_digest(b"x")) is None
    assert sleeps == [42.0]


def test_429_without_retry_after_backs_off(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository, sleeps: list[float]
) -> None:
    proxy.add_fault(Fault(method="HEAD", path="/blobs/", status=429, times=3))
    assert client.head_blob(proxy_repository, sha256_digest(b"x")) is None
    assert sleeps == [0.5, 1.0, 2.0]


def test_persistent_503_gives_up_with_a_clean_message(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository, sleeps: list[float]
) -> None:
    proxy.add_fault(
        Fault(method="GET", path="/manifests/", status=503, times=100, body=b"upstream overloaded")
    )
    with pytest.raises(RegistryError) as info:
        client.get_manifest(proxy_repository.tagged("v1"))
    message = str(info.value)
    assert message == (
        f"could not read manifest {proxy_repository}:v1: Service Unavailable: upstream overloaded (HTTP 503)"
        " (gave up after 4 attempts)"
    )
    assert len(proxy.recorded("GET")) == 4
    assert len(sleeps) == 3


@pytest.mark.parametrize("status", [400, 403, 404, 405, 409])
def test_other_4xx_are_never_retried(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository, sleeps: list[float], status: int
) -> None:
    proxy.add_fault(
        Fault(
            method="PUT",
            path="/manifests/",
            status=status,
            times=10,
            body=b'{"errors":[{"code":"DENIED","message":"no"}]}',
        )
    )
    image = build_image("linux/amd64")
    with pytest.raises(RegistryError, match=f"HTTP {status}"):
        push_built_image(client, proxy_repository, image)
    assert len(proxy.recorded("PUT", "/manifests/")) == 1
    assert sleeps == []


def test_dropped_connection_mid_monolithic_upload_restarts_in_a_new_session(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository, sleeps: list[float]
) -> None:
    data = os.urandom(400_000)
    proxy.add_fault(Fault(method="PUT", path="/blobs/uploads/", action="drop"))
    client.push_blob(proxy_repository, data)
    requests = [(r.method, r.status) for r in proxy.requests]
    assert requests[:3] == [("HEAD", 404), ("POST", 202), ("PUT", 0)]
    assert requests[-2:] == [("POST", 202), ("PUT", 201)]
    sessions = [r.path for r in proxy.requests if r.method in ("PUT", "DELETE")]
    assert sessions[0] != sessions[-1], "the retry must use a new upload session"
    assert len(sleeps) == 1
    assert client.get_blob(proxy_repository, sha256_digest(data)) == data


def test_dropped_connection_mid_chunked_upload_restarts_from_the_first_chunk(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    data = os.urandom(300_000)
    second_chunk = proxy.add_fault(Fault(method="PATCH", path="/blobs/uploads/", action="drop", after=1))
    client.push_blob(proxy_repository, data, chunk_size=100_000)
    assert second_chunk.times == 0
    patches = [(p.content_range, p.status) for p in proxy.recorded("PATCH")]
    assert patches[:2] == [("0-99999", 202), ("100000-199999", 0)]
    assert patches[2:] == [("0-99999", 202), ("100000-199999", 202), ("200000-299999", 202)]
    assert client.get_blob(proxy_repository, sha256_digest(data)) == data


def test_upload_that_keeps_failing_fails_cleanly(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository, sleeps: list[float]
) -> None:
    data = os.urandom(50_000)
    proxy.add_fault(Fault(method="PUT", path="/blobs/uploads/", action="drop", times=100))
    with pytest.raises(RegistryError) as info:
        client.push_blob(proxy_repository, data)
    message = str(info.value)
    assert message.startswith(f"could not upload blob {sha256_digest(data)} to {proxy_repository}: ")
    assert "dropped the connection" in message and "(gave up after 4 attempts)" in message
    assert "\n" not in message
    # Every abandoned session was cancelled, and nothing half-written became a blob.
    assert len(proxy.recorded("POST")) == 4
    assert len(proxy.recorded("DELETE")) == 4
    assert client.head_blob(proxy_repository, sha256_digest(data)) is None


def test_unreachable_registry_is_retried_then_reported(sleeps: list[float], retry: RetryPolicy) -> None:
    address = f"127.0.0.1:{free_port()}"
    with RegistryClient(Credentials.anonymous(), retry=retry) as client:
        with pytest.raises(RegistryError) as info:
            client.ping(address)
    assert str(info.value).startswith(
        f"could not reach the registry API of {address}: {address} is unreachable"
    )
    assert info.value.attempts == 4
    assert len(sleeps) == 3
