"""One HTTP exchange with a registry: URL scheme, authentication, retries, error shaping.

Insecure registries (the runner's ``--insecure-registry HOST``) and loopback registries are
spoken to over plain HTTP, every other registry over HTTPS. A request that fails with a
connection error, a 5xx or a 429 raises a retryable `RegistryError`; with ``retry=True`` the
transport retries it itself by the client's `RetryPolicy`. Uploads pass ``retry=False`` and
restart their whole session instead, because resending one chunk of a half-written upload is
not safe. Any other answer is returned for the caller to judge (a 404 on HEAD is an answer).
"""

from __future__ import annotations

import logging
import time
from typing import Callable, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

import httpx

from .auth import Authenticator, Scope, is_loopback
from .credentials import Credentials
from .errors import AuthError, RegistryError, display_url, error_from_response, is_retryable_status
from .reference import api_host
from .retry import RetryPolicy

log = logging.getLogger(__name__)

# A body is bytes, or a factory of byte chunks so that a file can be sent again after a 401.
Body = bytes | Callable[[], Iterable[bytes]] | None

_RETRYABLE_TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
# A 401 is answered at most this many times per request: learn the challenge, then one fresh
# token after a challenge with error=; anything beyond is a refusal.
_MAX_AUTH_ROUNDS = 3
USER_AGENT = "plancheck-planrun"


class Transport:
    """Sends registry requests for a `RegistryClient`; safe to share between threads."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        insecure_registries: Iterable[str] = (),
        retry: RetryPolicy,
        timeout: float,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._insecure = frozenset(insecure_registries)
        self._owns_http = http is None
        self._http = http or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 30.0)), headers={"User-Agent": USER_AGENT}
        )
        self.retry = retry
        self.auth = Authenticator(credentials, self._http, insecure=self.is_insecure, clock=clock)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def is_insecure(self, registry: str) -> bool:
        """Plain HTTP: the registry was declared insecure, or it is on this machine."""
        if registry in self._insecure or api_host(registry) in self._insecure:
            return True
        return is_loopback(urlsplit(f"//{registry}").hostname or registry)

    def url(self, registry: str, path: str) -> str:
        scheme = "http" if self.is_insecure(registry) else "https"
        return f"{scheme}://{api_host(registry)}/v2/{path}"

    def request(
        self,
        method: str,
        registry: str,
        url: str,
        *,
        scopes: Sequence[Scope],
        action: str,
        headers: Mapping[str, str] | None = None,
        content: Body = None,
        retry: bool = True,
        stream: bool = False,
    ) -> httpx.Response:
        """Send a request, authenticating as the registry asks.

        ``action`` completes "could not …" in error messages. With ``stream=True`` the
        response body is not read and the caller must close the response.
        """

        def attempt() -> httpx.Response:
            return self._attempt(method, registry, url, scopes, action, headers or {}, content, stream)

        if not retry:
            return attempt()
        return self.retry.call(attempt)

    def _attempt(
        self,
        method: str,
        registry: str,
        url: str,
        scopes: Sequence[Scope],
        action: str,
        headers: Mapping[str, str],
        content: Body,
        stream: bool,
    ) -> httpx.Response:
        wanted = tuple(scopes)
        refreshed = False
        # Credentials go only to the registry's own API host; an upload Location or a redirect
        # elsewhere (blob storage) gets no Authorization header.
        authenticate = urlsplit(url).netloc == api_host(registry)
        for auth_round in range(_MAX_AUTH_ROUNDS + 1):
            request_headers = dict(headers)
            sent = self.auth.header(registry, wanted) if authenticate else None
            if sent is not None:
                request_headers["Authorization"] = sent
            body = content() if callable(content) else content
            try:
                request = self._http.build_request(method, url, headers=request_headers, content=body)
            except httpx.InvalidURL:
                raise RegistryError(f"could not {action}: invalid URL {display_url(url)!r}") from None
            try:
                response = self._http.send(request, stream=stream, follow_redirects=method in ("GET", "HEAD"))
            except httpx.RequestError as error:
                reason = f"{error.__class__.__name__}: {error}"
                if isinstance(error, httpx.TransportError):
                    reason = f"{api_host(registry)} is unreachable or dropped the connection ({reason})"
                raise RegistryError(
                    f"could not {action}: {reason}",
                    retryable=isinstance(error, _RETRYABLE_TRANSPORT_ERRORS),
                ) from None
            log.debug("%s %s -> %s", method, display_url(url), response.status_code)
            for warning in response.headers.get_list("Warning"):
                log.warning("%s says: %s", registry, warning)
            status = response.status_code
            if status == 401 and authenticate and auth_round < _MAX_AUTH_ROUNDS:
                _discard(response, stream)
                wanted = self.auth.on_challenge(registry, response, wanted, sent, refreshed)
                refreshed = sent is not None and sent.startswith("Bearer ")
                continue
            if is_retryable_status(status):
                _discard(response, stream, keep_body=True)
                raise error_from_response(response, action)
            return response
        raise AuthError(f"could not {action}: {registry} kept refusing authentication", status=401)


def _discard(response: httpx.Response, stream: bool, keep_body: bool = False) -> None:
    """Release a streamed response the caller will not read (reading it first if needed)."""
    if stream:
        if keep_body:
            response.read()
        response.close()
