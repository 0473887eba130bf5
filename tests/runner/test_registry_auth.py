"""Challenge parsing, scopes, and the token flow against an in-process fake registry.

The end-to-end auth tests (real registry behind the auth proxy) are in
test_registry_auth_e2e.py; these pin down the rules with a scripted server and a fake clock.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import httpx
import pytest
from plancheck.runner.registry import (
    AuthError,
    Credential,
    Credentials,
    RegistryClient,
    Repository,
    RetryPolicy,
)
from plancheck.runner.registry.auth import (
    Challenge,
    Scope,
    merge_scopes,
    parse_challenges,
    parse_scopes,
)

pytestmark = pytest.mark.timeout(60)

DIGEST = "sha256:" + "0" * 64
REALM = "https://auth.example/token"


# -- challenge parsing -------------------------------------------------------------------------


def test_parses_a_distribution_challenge() -> None:
    header = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"'
    [challenge] = parse_challenges(header)
    assert challenge == Challenge(
        "bearer",
        {
            "realm": "https://auth.docker.io/token",
            "service": "registry.docker.io",
            "scope": "repository:samalba/my-app:pull,push",
        },
    )
    assert challenge.scopes == (Scope.repository("samalba/my-app", "pull", "push"),)


def test_parses_several_challenges_and_odd_spacing() -> None:
    header = 'Basic realm="Registry Realm" , Bearer   realm = "https://a/t" ,error="invalid_token", error_description="expired"'
    basic, bearer = parse_challenges(header)
    assert basic == Challenge("basic", {"realm": "Registry Realm"})
    assert bearer.realm == "https://a/t"
    assert bearer.error == "invalid_token"
    assert bearer.params["error_description"] == "expired"


def test_quoted_values_unescape_and_keep_commas() -> None:
    [challenge] = parse_challenges(
        r'Bearer realm="https://a/t",scope="repository:a:pull,push repository:b:pull",x="say \"hi\", ok"'
    )
    assert challenge.params["x"] == 'say "hi", ok'
    assert challenge.scopes == (Scope.repository("a", "pull", "push"), Scope.repository("b", "pull"))


def test_unquoted_values_and_case() -> None:
    [challenge] = parse_challenges("BEARER Realm=https://a/token,Service=svc")
    assert challenge.scheme == "bearer"
    assert challenge.realm == "https://a/token"
    assert challenge.service == "svc"


@pytest.mark.parametrize("header", ["", ",,,", "Bearer", 'Negotiate abc==, Basic realm="r"', "=broken"])
def test_malformed_headers_do_not_crash(header: str) -> None:
    parse_challenges(header)


def test_scope_names_may_contain_a_port() -> None:
    scope = Scope.parse("repository:localhost:5000/app:pull,push")
    assert scope == Scope.repository("localhost:5000/app", "pull", "push")
    assert str(scope) == "repository:localhost:5000/app:pull,push"
    assert parse_scopes("registry:catalog:* junk") == (Scope("registry", "catalog", frozenset({"*"})),)


def test_merge_scopes_unions_actions_per_repository() -> None:
    merged = merge_scopes(
        [Scope.repository("a", "pull"), Scope.repository("b", "pull"), Scope.repository("a", "push")]
    )
    assert [str(scope) for scope in merged] == ["repository:a:pull,push", "repository:b:pull"]


# -- token flow against a scripted registry ----------------------------------------------------


@dataclass
class FakeRegistry:
    """Bearer-token registry at reg.example with its token service at auth.example."""

    username: str | None = "ann"
    password: str = "hunter2"
    expires_in: int = 300
    reject_first_token_with: str = ""
    token_requests: list[dict[str, list[str]]] = field(default_factory=list)
    registry_requests: list[tuple[str, str]] = field(default_factory=list)
    issued: int = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "auth.example":
            return self._token(request)
        authorization = request.headers.get("Authorization", "")
        self.registry_requests.append((request.method, authorization.split(" ")[0]))
        challenge = f'Bearer realm="{REALM}",service="reg.example",scope="repository:team/app:pull"'
        if not authorization.startswith("Bearer "):
            return httpx.Response(
                401,
                headers={"WWW-Authenticate": challenge},
                json={"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]},
            )
        if self.reject_first_token_with and authorization == "Bearer token-1":
            return httpx.Response(
                401, headers={"WWW-Authenticate": challenge + f',error="{self.reject_first_token_with}"'}
            )
        return httpx.Response(200, headers={"Docker-Content-Digest": DIGEST, "Content-Length": "3"})

    def _token(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            form = parse_qs(request.content.decode())
            self.token_requests.append({"method": ["POST"], **form})
            if form.get("grant_type") == ["refresh_token"] and form.get("refresh_token") == [
                "refresh-secret"
            ]:
                self.issued += 1
                return httpx.Response(200, json={"access_token": f"token-{self.issued}"})
            return httpx.Response(400)
        params = parse_qs(request.url.query.decode())
        params["authorization"] = [request.headers.get("Authorization", "")]
        self.token_requests.append(params)
        if self.username is not None:
            expected = "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            if request.headers.get("Authorization") != expected:
                return httpx.Response(401, json={"details": "bad credentials"})
        self.issued += 1
        return httpx.Response(200, json={"token": f"token-{self.issued}", "expires_in": self.expires_in})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_client(
    fake: FakeRegistry, credential: Credential | None, clock: Clock | None = None
) -> RegistryClient:
    credentials = Credentials.static({"reg.example": credential}) if credential else Credentials.anonymous()
    return RegistryClient(
        credentials,
        retry=RetryPolicy(attempts=2, sleep=lambda seconds: None),
        http=httpx.Client(transport=httpx.MockTransport(fake.handler)),
        clock=clock or Clock(),
    )


REPO = Repository("reg.example", "team/app")
OTHER = Repository("reg.example", "team/other")


def test_token_flow_with_basic_credentials_and_scope() -> None:
    fake = FakeRegistry()
    client = make_client(fake, Credential("ann", "hunter2"))
    assert client.head_blob(REPO, DIGEST) is not None
    [token_request] = fake.token_requests
    assert token_request["service"] == ["reg.example"]
    assert token_request["scope"] == ["repository:team/app:pull"]
    assert token_request["authorization"][0].startswith("Basic ")
    assert fake.registry_requests == [("HEAD", ""), ("HEAD", "Bearer")]


def test_tokens_are_cached_per_scope_and_reused_when_they_cover_it() -> None:
    fake = FakeRegistry()
    client = make_client(fake, Credential("ann", "hunter2"))
    client.head_blob(REPO, DIGEST)
    client.head_blob(REPO, DIGEST)
    assert fake.issued == 1
    # Another repository needs another scope: a new token, requested up front this time.
    client.head_blob(OTHER, DIGEST)
    assert fake.issued == 2
    assert fake.token_requests[-1]["scope"] == ["repository:team/other:pull"]
    assert fake.registry_requests[-1] == ("HEAD", "Bearer")
    assert ("HEAD", "") not in fake.registry_requests[2:]


def test_an_expired_token_is_renewed() -> None:
    fake = FakeRegistry(expires_in=60)
    clock = Clock()
    client = make_client(fake, Credential("ann", "hunter2"), clock)
    client.head_blob(REPO, DIGEST)
    clock.now += 45
    client.head_blob(REPO, DIGEST)
    assert fake.issued == 1
    # Renewed a little before the announced expiry, never after.
    clock.now += 10
    client.head_blob(REPO, DIGEST)
    assert fake.issued == 2


def test_a_challenge_with_error_gets_exactly_one_fresh_token() -> None:
    fake = FakeRegistry(reject_first_token_with="invalid_token")
    client = make_client(fake, Credential("ann", "hunter2"))
    assert client.head_blob(REPO, DIGEST) is not None
    assert fake.issued == 2


def test_a_token_refused_twice_is_an_auth_error() -> None:
    fake = FakeRegistry()
    fake.handler = _always_refuse(fake.handler)  # type: ignore[method-assign]
    client = make_client(fake, Credential("ann", "hunter2"))
    with pytest.raises(
        AuthError, match="refused repository:team/app:pull for user 'ann': insufficient_scope"
    ) as info:
        client.head_blob(REPO, DIGEST)
    assert fake.issued == 2
    assert "hunter2" not in str(info.value) and "token-" not in str(info.value)


def _always_refuse(inner):  # type: ignore[no-untyped-def]
    def handler(request: httpx.Request) -> httpx.Response:
        response = inner(request)
        if request.url.host == "reg.example" and request.headers.get("Authorization", "").startswith(
            "Bearer "
        ):
            challenge = f'Bearer realm="{REALM}",service="reg.example",error="insufficient_scope"'
            return httpx.Response(401, headers={"WWW-Authenticate": challenge})
        return response

    return handler


def test_wrong_password_is_an_auth_error_without_the_secret() -> None:
    fake = FakeRegistry()
    client = make_client(fake, Credential("ann", "wrong-password"))
    with pytest.raises(AuthError) as info:
        client.head_blob(REPO, DIGEST)
    message = str(info.value)
    assert "rejected the credentials of user 'ann'" in message
    assert "wrong-password" not in message
    assert "\n" not in message


def test_anonymous_refusal_says_no_credentials_were_found() -> None:
    fake = FakeRegistry()
    client = make_client(fake, None)
    with pytest.raises(AuthError, match="requires credentials; no credentials given for reg.example"):
        client.head_blob(REPO, DIGEST)


def test_identity_token_uses_the_oauth2_refresh_grant() -> None:
    fake = FakeRegistry(username=None)
    client = make_client(fake, Credential(identity_token="refresh-secret"))
    assert client.head_blob(REPO, DIGEST) is not None
    [post] = fake.token_requests
    assert post["method"] == ["POST"]
    assert post["grant_type"] == ["refresh_token"]
    assert post["scope"] == ["repository:team/app:pull"]
    assert post["service"] == ["reg.example"]


def test_registry_token_is_sent_as_is() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Authorization", ""))
        if request.headers.get("Authorization") != "Bearer given-token":
            return httpx.Response(401, headers={"WWW-Authenticate": f'Bearer realm="{REALM}"'})
        return httpx.Response(200)

    client = RegistryClient(
        Credentials.static({"reg.example": Credential(registry_token="given-token")}),
        http=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    client.ping("reg.example")
    assert seen == ["", "Bearer given-token"]


def test_basic_challenge_sends_the_password_once() -> None:
    seen: list[str] = []
    expected = "Basic " + base64.b64encode(b"ann:hunter2").decode()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Authorization", ""))
        if request.headers.get("Authorization") == expected:
            return httpx.Response(200)
        return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="registry"'})

    client = RegistryClient(
        Credentials.static({"reg.example": Credential("ann", "hunter2")}),
        http=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    client.ping("reg.example")
    client.ping("reg.example")
    assert seen == ["", expected, expected]
    bad = RegistryClient(
        Credentials.static({"reg.example": Credential("ann", "nope")}),
        http=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    with pytest.raises(AuthError, match="rejected the password of user 'ann'"):
        bad.ping("reg.example")


def test_credentials_are_not_sent_to_a_plain_http_realm_of_a_secure_registry() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "auth.example":
            raise AssertionError("credentials must not travel over plain HTTP")
        return httpx.Response(
            401, headers={"WWW-Authenticate": 'Bearer realm="http://auth.example/token",service="s"'}
        )

    client = RegistryClient(
        Credentials.static({"reg.example": Credential("ann", "hunter2")}),
        http=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    with pytest.raises(AuthError, match="refusing to send credentials for reg.example .* over plain HTTP"):
        client.ping("reg.example")


def test_token_response_without_token_is_an_auth_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "auth.example":
            return httpx.Response(200, content=json.dumps({"expires_in": 60}).encode())
        return httpx.Response(401, headers={"WWW-Authenticate": f'Bearer realm="{REALM}"'})

    client = RegistryClient(
        Credentials.anonymous(), http=httpx.Client(transport=httpx.MockTransport(handler))
    )
    with pytest.raises(AuthError, match="answered without a token"):
        client.ping("reg.example")


def test_secure_registries_use_https_and_insecure_ones_http() -> None:
    urls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return httpx.Response(200)

    client = RegistryClient(
        Credentials.anonymous(),
        insecure_registries=["build-cache:5000"],
        http=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    for registry in (
        "reg.example",
        "build-cache:5000",
        "127.0.0.1:5000",
        "localhost:5000",
        "[::1]:5000",
        "docker.io",
    ):
        client.ping(registry)
    assert urls == [
        "https://reg.example/v2/",
        "http://build-cache:5000/v2/",
        "http://127.0.0.1:5000/v2/",
        "http://localhost:5000/v2/",
        "http://[::1]:5000/v2/",
        "https://registry-1.docker.io/v2/",
    ]
