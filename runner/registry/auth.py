"""Registry authentication: ``WWW-Authenticate`` challenges, Basic auth and bearer tokens.

The client first talks to a registry anonymously. A 401 carries a challenge: ``Basic realm=…``
means send the username and password; ``Bearer realm=…,service=…,scope=…`` means fetch a token
from the realm (``GET realm?service=…&scope=…``, with Basic credentials when known; with an
identity token, the OAuth2 ``refresh_token`` POST form) and resend with
``Authorization: Bearer``. Once a registry's challenge is known, later requests authenticate
up front. Tokens are cached per scope set until shortly before they expire; a cached token
whose scopes cover a request is reused. A 401 that carries ``error=`` (an expired or revoked
token) clears the registry's cached tokens and earns exactly one fresh token; any other second
401 is an `AuthError`.

Tokens, passwords and ``Authorization`` values are never logged or put in messages.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

import httpx

from .credentials import Credential, Credentials
from .errors import AuthError, RegistryError, display_url, is_retryable_status

log = logging.getLogger(__name__)

_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Tokens are renewed this long before the expiry the token service announced, so a token
# does not run out between being picked and being checked by the registry.
_EXPIRY_MARGIN = 10.0
_DEFAULT_EXPIRES_IN = 60
_ACTION_ORDER = {"pull": 0, "push": 1, "delete": 2}
_OAUTH_CLIENT_ID = "plancheck-planrun"


@dataclass(frozen=True)
class Challenge:
    """One challenge of a ``WWW-Authenticate`` header: a scheme and its parameters."""

    scheme: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def realm(self) -> str:
        return self.params.get("realm", "")

    @property
    def service(self) -> str:
        return self.params.get("service", "")

    @property
    def scopes(self) -> tuple[Scope, ...]:
        return parse_scopes(self.params.get("scope", ""))

    @property
    def error(self) -> str:
        return self.params.get("error", "")


def parse_challenges(header: str) -> list[Challenge]:
    """Parse a ``WWW-Authenticate`` value (RFC 7235), which may hold several challenges.

    Scheme names are lower-cased, parameter names too; quoted values are unescaped and may
    contain commas (``scope="repository:a:pull,push"``). Malformed parts are skipped.
    """
    challenges: list[Challenge] = []
    pos, end = 0, len(header)

    def skip(chars: str) -> None:
        nonlocal pos
        while pos < end and header[pos] in chars:
            pos += 1

    def token() -> str:
        nonlocal pos
        start = pos
        while pos < end and header[pos] in _TOKEN_CHARS:
            pos += 1
        return header[start:pos]

    def bare() -> str:
        nonlocal pos
        start = pos
        while pos < end and header[pos] not in ", \t":
            pos += 1
        return header[start:pos]

    def quoted() -> str:
        nonlocal pos
        pos += 1
        chars: list[str] = []
        while pos < end and header[pos] != '"':
            if header[pos] == "\\" and pos + 1 < end:
                pos += 1
            chars.append(header[pos])
            pos += 1
        pos += 1
        return "".join(chars)

    while pos < end:
        skip(" \t,")
        scheme = token()
        if not scheme:
            pos += 1
            continue
        params: dict[str, str] = {}
        while pos < end:
            skip(" \t")
            mark = pos
            name = token()
            skip(" \t")
            if not name or pos >= end or header[pos] != "=":
                # Not "name=": either the next challenge's scheme or a token68 blob.
                pos = mark
                if name and (pos + len(name) >= end or header[pos + len(name)] in " \t"):
                    break
                while pos < end and header[pos] != ",":
                    pos += 1
                skip(",")
                if not name:
                    break
                continue
            pos += 1
            skip(" \t")
            value = quoted() if pos < end and header[pos] == '"' else bare()
            params[name.lower()] = value
            skip(" \t")
            if pos < end and header[pos] == ",":
                pos += 1
        challenges.append(Challenge(scheme.lower(), params))
    return challenges


@dataclass(frozen=True)
class Scope:
    """A token scope: ``repository:<name>:pull,push`` (resource names may contain ``host:port``)."""

    resource_type: str
    name: str
    actions: frozenset[str]

    @classmethod
    def repository(cls, name: str, *actions: str) -> Scope:
        return cls("repository", name, frozenset(actions))

    @classmethod
    def parse(cls, text: str) -> Scope | None:
        resource_type, sep, rest = text.partition(":")
        name, sep2, actions = rest.rpartition(":")
        if not sep or not sep2 or not resource_type or not name:
            return None
        return cls(resource_type, name, frozenset(action for action in actions.split(",") if action))

    def covers(self, other: Scope) -> bool:
        return (self.resource_type, self.name) == (
            other.resource_type,
            other.name,
        ) and self.actions >= other.actions

    def __str__(self) -> str:
        actions = sorted(self.actions, key=lambda action: (_ACTION_ORDER.get(action, 9), action))
        return f"{self.resource_type}:{self.name}:{','.join(actions)}"


def parse_scopes(text: str) -> tuple[Scope, ...]:
    """Space-separated scopes, as in a challenge's ``scope`` parameter."""
    return tuple(scope for part in text.split() if (scope := Scope.parse(part)) is not None)


def merge_scopes(scopes: Iterable[Scope]) -> tuple[Scope, ...]:
    """One scope per resource with the union of actions, in a stable order."""
    merged: dict[tuple[str, str], frozenset[str]] = {}
    for scope in scopes:
        key = (scope.resource_type, scope.name)
        merged[key] = merged.get(key, frozenset()) | scope.actions
    return tuple(Scope(kind, name, actions) for (kind, name), actions in sorted(merged.items()))


@dataclass(frozen=True)
class BearerToken:
    value: str = field(repr=False)
    scopes: tuple[Scope, ...]
    expires_at: float

    def covers(self, scopes: Sequence[Scope]) -> bool:
        return all(any(mine.covers(wanted) for mine in self.scopes) for wanted in scopes)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (no port) is this machine: ``localhost``, 127.0.0.0/8 or ``::1``."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Authenticator:
    """Per-client authentication state: the challenge learned from each registry, cached tokens.

    Thread-safe; two threads that need the same token at once may both fetch one, which is
    harmless.
    """

    def __init__(
        self,
        credentials: Credentials,
        http: httpx.Client,
        *,
        insecure: Callable[[str], bool],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._credentials = credentials
        self._http = http
        self._insecure = insecure
        self._clock = clock
        self._challenges: dict[str, Challenge] = {}
        self._tokens: dict[str, list[BearerToken]] = {}
        self._lock = threading.Lock()

    def credential(self, registry: str) -> Credential | None:
        return self._credentials.lookup(registry)

    def header(self, registry: str, scopes: Sequence[Scope]) -> str | None:
        """The ``Authorization`` value for a request, or None to send it anonymously."""
        with self._lock:
            challenge = self._challenges.get(registry)
        if challenge is None:
            return None
        credential = self.credential(registry)
        if challenge.scheme == "basic":
            if credential is None or not credential.has_password:
                return None
            pair = f"{credential.username}:{credential.password}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        if credential is not None and credential.registry_token:
            return "Bearer " + credential.registry_token
        token = self._cached_token(registry, scopes) or self._fetch_token(
            registry, challenge, scopes, credential
        )
        return "Bearer " + token.value

    def on_challenge(
        self,
        registry: str,
        response: httpx.Response,
        scopes: Sequence[Scope],
        sent: str | None,
        refreshed: bool,
    ) -> tuple[Scope, ...]:
        """Learn from a 401 and return the scopes to ask for next; raise when retrying is pointless.

        ``sent`` is the ``Authorization`` value the refused request carried, ``refreshed``
        whether this request already had its one fresh token.
        """
        challenges = parse_challenges(", ".join(response.headers.get_list("www-authenticate")))
        bearer = next((c for c in challenges if c.scheme == "bearer" and c.realm), None)
        basic = next((c for c in challenges if c.scheme == "basic"), None)
        wanted = merge_scopes([*scopes, *(bearer.scopes if bearer else ())])
        credential = self.credential(registry)
        if bearer is None and basic is None:
            raise AuthError(
                f"{registry} requires authentication but offers no Bearer or Basic challenge", status=401
            )
        if bearer is None:
            if credential is None or not credential.has_password:
                raise AuthError(
                    f"{registry} requires a username and password; {self._none_found(registry)}", status=401
                )
            if sent is not None and sent.startswith("Basic "):
                raise AuthError(
                    f"{registry} rejected the password of user {credential.username!r}", status=401
                )
            self._learn(registry, basic)  # type: ignore[arg-type]
            return wanted
        self._learn(registry, bearer)
        if sent is not None and sent.startswith("Bearer "):
            if bearer.error and not refreshed:
                # Tokens die together (revocation, key rotation): another cached token is no
                # better than the refused one, so the retry gets a freshly issued token.
                self._forget_tokens(registry)
                return wanted
            reason = bearer.params.get("error_description") or bearer.error or "token refused"
            who = (
                f"user {credential.username!r}" if credential and credential.username else "anonymous access"
            )
            if credential is None:
                who += f" ({self._none_found(registry)})"
            scope_text = " ".join(str(scope) for scope in wanted) or "the registry"
            raise AuthError(f"{registry} refused {scope_text} for {who}: {reason}", status=401)
        return wanted

    def _none_found(self, registry: str) -> str:
        source = self._credentials.source
        return (
            f"no credentials found for {registry} in {source}"
            if source
            else f"no credentials given for {registry}"
        )

    def _learn(self, registry: str, challenge: Challenge) -> None:
        with self._lock:
            self._challenges[registry] = challenge

    def _cached_token(self, registry: str, scopes: Sequence[Scope]) -> BearerToken | None:
        now = self._clock()
        with self._lock:
            tokens = [token for token in self._tokens.get(registry, []) if token.expires_at > now]
            self._tokens[registry] = tokens
            return next((token for token in tokens if token.covers(scopes)), None)

    def _forget_tokens(self, registry: str) -> None:
        with self._lock:
            self._tokens.pop(registry, None)

    def _fetch_token(
        self, registry: str, challenge: Challenge, scopes: Sequence[Scope], credential: Credential | None
    ) -> BearerToken:
        realm = challenge.realm
        parts = urlsplit(realm)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise AuthError(f"{registry} names an invalid token service realm {display_url(realm)!r}")
        sends_secret = credential is not None and (credential.has_password or bool(credential.identity_token))
        if (
            sends_secret
            and parts.scheme == "http"
            and not (is_loopback(parts.hostname) or self._insecure(registry))
        ):
            raise AuthError(
                f"refusing to send credentials for {registry} to the token service {display_url(realm)} over plain HTTP"
            )
        wanted = merge_scopes(scopes)
        started = self._clock()
        # No retry loop here: a retryable failure propagates to the request's own retry loop.
        response = self._request_token(registry, challenge, wanted, credential)
        token = self._read_token(registry, response, wanted, started)
        with self._lock:
            self._tokens.setdefault(registry, []).append(token)
        log.debug("got a token for %s (%s)", registry, " ".join(map(str, wanted)) or "no scope")
        return token

    def _request_token(
        self, registry: str, challenge: Challenge, scopes: Sequence[Scope], credential: Credential | None
    ) -> httpx.Response:
        try:
            if credential is not None and credential.identity_token:
                # OAuth2 refresh-token grant; registries without it answer 404 and get the GET form.
                form = {
                    "grant_type": "refresh_token",
                    "refresh_token": credential.identity_token,
                    "service": challenge.service,
                    "client_id": _OAUTH_CLIENT_ID,
                    "scope": " ".join(map(str, scopes)),
                }
                response = self._http.post(challenge.realm, data=form)
                if response.status_code not in (404, 405):
                    return self._checked_token_response(registry, challenge, response, credential)
            service = (("service", challenge.service),) if challenge.service else ()
            params = service + tuple(("scope", str(scope)) for scope in scopes)
            auth = (
                (credential.username, credential.password) if credential and credential.has_password else None
            )
            response = self._http.get(challenge.realm, params=params, auth=auth)
        except httpx.RequestError as error:
            raise RegistryError(
                f"cannot reach the token service {display_url(challenge.realm)} for {registry}: {error.__class__.__name__}",
                retryable=isinstance(error, httpx.TransportError),
            ) from None
        return self._checked_token_response(registry, challenge, response, credential)

    def _checked_token_response(
        self, registry: str, challenge: Challenge, response: httpx.Response, credential: Credential | None
    ) -> httpx.Response:
        status = response.status_code
        if status == 200:
            return response
        where = f"the token service {display_url(challenge.realm)} for {registry}"
        if is_retryable_status(status):
            raise RegistryError(
                f"{where} answered HTTP {status}",
                status=status,
                retryable=True,
                retry_after=response.headers.get("Retry-After"),
            )
        if status in (401, 403):
            if credential is None:
                raise AuthError(f"{where} requires credentials; {self._none_found(registry)}", status=status)
            who = f"user {credential.username!r}" if credential.username else "the identity token"
            raise AuthError(f"{where} rejected the credentials of {who} (HTTP {status})", status=status)
        raise AuthError(f"{where} answered HTTP {status}", status=status)

    def _read_token(
        self, registry: str, response: httpx.Response, scopes: tuple[Scope, ...], started: float
    ) -> BearerToken:
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise AuthError(
                f"the token service for {registry} answered with something other than a JSON object"
            )
        value = body.get("token") or body.get("access_token")
        if not isinstance(value, str) or not value:
            raise AuthError(f"the token service for {registry} answered without a token")
        expires_in = body.get("expires_in")
        if not isinstance(expires_in, (int, float)) or isinstance(expires_in, bool) or expires_in <= 0:
            expires_in = _DEFAULT_EXPIRES_IN
        # Measured from when the request started, so a slow answer cannot stretch the lifetime.
        lifetime = max(0.0, float(expires_in) - min(_EXPIRY_MARGIN, float(expires_in) / 10))
        return BearerToken(value=value, scopes=scopes, expires_at=started + lifetime)
