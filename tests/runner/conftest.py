"""Fixtures for the registry client tests: a real registry, a fault proxy, fast retries.

pytest runs with ``--import-mode=importlib`` and ``tests`` is not a package, so the shared
helpers in ``tests/support`` are imported as the package ``support`` after putting the
``tests`` folder on ``sys.path`` here (once, idempotently).
"""

from __future__ import annotations

import re
import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest

_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from plancheck.runner.registry import (  # noqa: E402
    Credentials,
    RegistryClient,
    Repository,
    RetryPolicy,
)
from support.fault_proxy import FaultProxy  # noqa: E402
from support.registry_server import RegistryServer, registry_available  # noqa: E402


def _start_registry(root: Path, **options: bool) -> RegistryServer:
    if not registry_available():
        pytest.skip("docker-registry is not installed (Debian package docker-registry)")
    return RegistryServer.start(root, **options)


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryServer]:
    """One real registry per test session (per xdist worker); tests use distinct repositories."""
    server = _start_registry(tmp_path_factory.mktemp("registry"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def relative_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryServer]:
    """A registry answering with relative ``Location`` headers (``http.relativeurls``)."""
    server = _start_registry(tmp_path_factory.mktemp("registry-relative"), relative_urls=True)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def repo_path(request: pytest.FixtureRequest) -> str:
    """A repository path no other test uses."""
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:60]
    return f"tests/{name}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def repository(registry: RegistryServer, repo_path: str) -> Repository:
    return Repository(registry.address, repo_path)


@pytest.fixture
def sleeps() -> list[float]:
    """Every wait the client's retry policy asked for, in order (nothing actually sleeps)."""
    return []


@pytest.fixture
def retry(sleeps: list[float]) -> RetryPolicy:
    return RetryPolicy(attempts=4, base_delay=0.5, sleep=sleeps.append, random=lambda: 0.0)


@pytest.fixture
def client(retry: RetryPolicy) -> Iterator[RegistryClient]:
    with RegistryClient(Credentials.anonymous(), retry=retry, timeout=30.0) as registry_client:
        yield registry_client


@pytest.fixture
def proxy(registry: RegistryServer) -> Iterator[FaultProxy]:
    """A fault-injecting proxy in front of the session registry, without auth."""
    with FaultProxy(registry.address) as fault_proxy:
        yield fault_proxy


@pytest.fixture
def proxy_repository(proxy: FaultProxy, repo_path: str) -> Repository:
    return Repository(proxy.address, repo_path)
