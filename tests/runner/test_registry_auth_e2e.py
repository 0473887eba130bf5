"""Authentication end to end: the real registry behind the auth proxy.

The proxy plays a registry with distribution-style token auth (or Basic auth): it checks every
request's token against the scopes the request needs, including ``pull`` on the source of a
cross-repository mount, exactly as distribution does.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest
from plancheck.runner.registry import (
    AuthError,
    Credential,
    Credentials,
    IndexChild,
    Platform,
    RegistryClient,
    Repository,
    RetryPolicy,
    push_index,
    sha256_digest,
)
from support.fault_proxy import BasicAuth, FaultProxy, TokenAuth
from support.images import build_image, push_built_image
from support.registry_server import RegistryServer

pytestmark = pytest.mark.timeout(120)

USER, PASSWORD = "builder", "correct horse battery staple"


@pytest.fixture
def token_proxy(registry: RegistryServer) -> Iterator[FaultProxy]:
    with FaultProxy(registry.address, auth=TokenAuth(USER, PASSWORD, refresh_token="identity-123")) as proxy:
        yield proxy


def client_with(credentials: Credentials) -> RegistryClient:
    return RegistryClient(credentials, retry=RetryPolicy(attempts=2, sleep=lambda seconds: None))


def write_docker_config(directory: Path, config: dict[str, object]) -> dict[str, str]:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(json.dumps(config))
    return {"DOCKER_CONFIG": str(directory), "PATH": os.environ.get("PATH", os.defpath)}


def push_two_platform_index(client: RegistryClient, repository: Repository) -> str:
    amd64, arm64 = build_image("linux/amd64"), build_image("linux/arm64")
    push_built_image(client, repository, amd64)
    push_built_image(client, repository, arm64)
    return push_index(
        client,
        repository.tagged("multi"),
        [
            IndexChild(amd64.digest, Platform.parse("linux/amd64")),
            IndexChild(arm64.digest, Platform.parse("linux/arm64")),
        ],
    )


def test_token_flow_pushes_an_index(token_proxy: FaultProxy, repo_path: str) -> None:
    repository = Repository(token_proxy.address, repo_path)
    with client_with(Credentials.static({token_proxy.address: Credential(USER, PASSWORD)})) as client:
        digest = push_two_platform_index(client, repository)
        assert client.get_manifest(repository.tagged("multi")).digest == digest
    scopes = {scope for request in token_proxy.token_requests for scope in request.get("scope", [])}
    assert f"repository:{repo_path}:pull,push" in scopes
    assert all(request["basic"] == ["True"] for request in token_proxy.token_requests)
    assert all(request["service"] == ["fault-proxy"] for request in token_proxy.token_requests)
    # Tokens are cached: a handful of token requests for dozens of registry requests, and
    # only the very first requests of a scope meet a 401.
    assert len(token_proxy.token_requests) <= 3
    assert len([r for r in token_proxy.requests if r.status == 401]) <= 2
    assert all(r.authorization == "Bearer" for r in token_proxy.requests if r.status != 401)


def test_mount_asks_for_pull_on_the_source(token_proxy: FaultProxy, repo_path: str) -> None:
    target = Repository(token_proxy.address, repo_path)
    source = Repository(token_proxy.address, repo_path + "-source")
    data = os.urandom(3000)
    with client_with(Credentials.static({token_proxy.address: Credential(USER, PASSWORD)})) as client:
        client.push_blob(source, data)
        client.push_blob(target, data, mount_from=[source])
    mounts = [r for r in token_proxy.recorded("POST") if "mount=" in r.query]
    assert [m.status for m in mounts] == [201]
    assert any(
        f"repository:{source.path}:pull" in request.get("scope", [])
        and f"repository:{target.path}:pull,push" in request.get("scope", [])
        for request in token_proxy.token_requests
    )


def test_token_response_with_access_token_only(registry: RegistryServer, repo_path: str) -> None:
    auth = TokenAuth(USER, PASSWORD, token_field="access_token")
    with FaultProxy(registry.address, auth=auth) as proxy:
        with client_with(Credentials.static({proxy.address: Credential(USER, PASSWORD)})) as client:
            client.push_blob(Repository(proxy.address, repo_path), b"access token only")


def test_anonymous_tokens(registry: RegistryServer, repo_path: str) -> None:
    with FaultProxy(registry.address, auth=TokenAuth(username=None)) as proxy:
        with client_with(Credentials.anonymous()) as client:
            client.push_blob(Repository(proxy.address, repo_path), b"anonymous")
        assert all(request["basic"] == ["False"] for request in proxy.token_requests)


def test_wrong_password_is_a_clean_auth_error(token_proxy: FaultProxy, repo_path: str) -> None:
    with client_with(Credentials.static({token_proxy.address: Credential(USER, "wrong password")})) as client:
        with pytest.raises(AuthError) as info:
            client.push_blob(Repository(token_proxy.address, repo_path), b"data")
    message = str(info.value)
    assert f"rejected the credentials of user '{USER}'" in message
    assert "wrong password" not in message and PASSWORD not in message
    assert "\n" not in message


def test_missing_credentials_are_a_clean_auth_error(token_proxy: FaultProxy, repo_path: str) -> None:
    with client_with(Credentials.anonymous()) as client:
        with pytest.raises(
            AuthError, match=f"requires credentials; no credentials given for {token_proxy.address}"
        ):
            client.ping(token_proxy.address)


def test_revoked_token_is_replaced_once(token_proxy: FaultProxy, repo_path: str) -> None:
    repository = Repository(token_proxy.address, repo_path)
    with client_with(Credentials.static({token_proxy.address: Credential(USER, PASSWORD)})) as client:
        client.push_blob(repository, b"first")
        issued = len(token_proxy.token_requests)
        token_proxy.revoke_tokens()
        client.push_blob(repository, b"second")
    # Each cached token (one per scope used) is refused once and replaced once.
    assert len(token_proxy.token_requests) == 2 * issued
    refused = [r for r in token_proxy.requests if r.status == 401]
    assert refused[-1].authorization == "Bearer"


def test_identity_token_uses_the_refresh_grant(token_proxy: FaultProxy, repo_path: str) -> None:
    with client_with(
        Credentials.static({token_proxy.address: Credential(identity_token="identity-123")})
    ) as client:
        client.push_blob(Repository(token_proxy.address, repo_path), b"with identity token")
    assert token_proxy.token_requests[0]["method"] == ["POST"]
    assert token_proxy.token_requests[0]["grant_type"] == ["refresh_token"]


def test_basic_auth_registry_with_config_json_auths(
    registry: RegistryServer, repo_path: str, tmp_path: Path
) -> None:
    with FaultProxy(registry.address, auth=BasicAuth(USER, PASSWORD)) as proxy:
        encoded = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        env = write_docker_config(tmp_path / "docker", {"auths": {proxy.address: {"auth": encoded}}})
        with client_with(Credentials.from_docker_config(env=env)) as client:
            digest = push_two_platform_index(client, Repository(proxy.address, repo_path))
        assert digest.startswith("sha256:")
        assert all(r.authorization == "Basic" for r in proxy.requests if r.status != 401)


def test_token_auth_with_config_json_username_password(
    token_proxy: FaultProxy, repo_path: str, tmp_path: Path
) -> None:
    env = write_docker_config(
        tmp_path / "docker", {"auths": {token_proxy.address: {"username": USER, "password": PASSWORD}}}
    )
    with client_with(Credentials.from_docker_config(env=env)) as client:
        client.push_blob(Repository(token_proxy.address, repo_path), b"config.json credentials")


def test_cred_helper_script(token_proxy: FaultProxy, repo_path: str, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    asked = tmp_path / "asked"
    helper = bin_dir / "docker-credential-plantest"
    helper.write_text(
        "#!/bin/sh\n"
        '[ "$1" = get ] || exit 1\n'
        "read -r server\n"
        f'echo "$server" > {asked}\n'
        f'printf \'{{"ServerURL":"%s","Username":"{USER}","Secret":"{PASSWORD}"}}\' "$server"\n'
    )
    helper.chmod(helper.stat().st_mode | stat.S_IXUSR)
    env = write_docker_config(
        tmp_path / "docker",
        {
            "auths": {token_proxy.address: {"auth": base64.b64encode(b"stale:entry").decode()}},
            "credHelpers": {token_proxy.address: "plantest"},
        },
    )
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    with client_with(Credentials.from_docker_config(env=env)) as client:
        data = b"credential helper"
        client.push_blob(Repository(token_proxy.address, repo_path), data)
        assert client.get_blob(Repository(token_proxy.address, repo_path), sha256_digest(data)) == data
    assert asked.read_text().strip() == token_proxy.address


def test_one_client_shared_by_threads(token_proxy: FaultProxy, repo_path: str) -> None:
    blobs = [os.urandom(20_000 + n) for n in range(8)]
    repositories = [Repository(token_proxy.address, f"{repo_path}-{n % 3}") for n in range(8)]
    with client_with(Credentials.static({token_proxy.address: Credential(USER, PASSWORD)})) as client:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda pair: client.push_blob(*pair), zip(repositories, blobs, strict=True)))
        for repository, data in zip(repositories, blobs, strict=True):
            assert client.get_blob(repository, sha256_digest(data)) == data


def test_config_path_is_named_when_no_credentials_match(token_proxy: FaultProxy, tmp_path: Path) -> None:
    env = write_docker_config(tmp_path / "docker", {"auths": {"elsewhere.example": {"auth": "dTpw"}}})
    with client_with(Credentials.from_docker_config(env=env)) as client:
        with pytest.raises(AuthError) as info:
            client.ping(token_proxy.address)
    assert str(info.value).endswith(
        f"requires credentials; no credentials found for {token_proxy.address} in {tmp_path / 'docker' / 'config.json'}"
    )


def test_secrets_never_reach_the_logs(
    token_proxy: FaultProxy, repo_path: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with client_with(Credentials.static({token_proxy.address: Credential(USER, PASSWORD)})) as client:
        push_two_platform_index(client, Repository(token_proxy.address, repo_path))
    tokens = list(token_proxy._tokens)
    assert tokens and caplog.records
    text = caplog.text
    basic = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    for secret in (PASSWORD, basic, *tokens):
        assert secret not in text
