"""A loopback HTTP proxy in front of a real registry that misbehaves on request.

It forwards every request to the upstream registry (keeping the ``Host`` header, so the
registry's ``Location`` answers point back at the proxy) and can, per request kind:

- demand authentication: `TokenAuth` answers 401 with a ``Bearer realm=…/token,service=…,
  scope=…`` challenge and serves a token endpoint at ``/token`` that checks Basic credentials
  (or an OAuth2 refresh token) and grants the scopes asked for; `BasicAuth` demands a password;
- inject faults (`Fault`): answer a status (503, 429 with ``Retry-After``…) instead of
  forwarding, drop the connection after reading part of the request body, corrupt the
  response body, or rewrite a response header.

Every request is recorded (`requests`) so tests can assert what the client sent, in which
order, and that it did not retry what it must not. The server runs in a thread of the test
process; `stop` shuts it down.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import secrets
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from urllib.parse import parse_qs, urlsplit

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
}
_REPO_PATH = re.compile(r"^/v2/(?P<name>.+?)/(?:blobs|manifests|tags|referrers)(?:/|$)")


@dataclass
class Fault:
    """A misbehaviour for requests matching ``method`` and ``path`` (a regex searched in the path).

    ``after`` matching requests pass untouched first; then it applies to ``times`` of them
    (then it is spent). Actions:
    ``status`` answers ``status`` with ``headers`` and ``body``; ``drop`` reads
    ``drop_after`` bytes of the body (half when None) and closes the connection;
    ``corrupt`` forwards and flips the first byte of the response body; ``header``
    forwards and overwrites response ``headers``.
    """

    method: str | None = None
    path: str = ""
    action: Literal["status", "drop", "corrupt", "header"] = "status"
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    times: int = 1
    drop_after: int | None = None
    query: str = ""
    after: int = 0

    def matches(self, method: str, path: str, query: str) -> bool:
        if self.times <= 0:
            return False
        if self.method is not None and self.method != method:
            return False
        return bool(re.search(self.path, path)) and bool(re.search(self.query, query))


@dataclass
class TokenAuth:
    """Distribution-style token auth. ``username`` None means anonymous tokens are issued."""

    username: str | None = None
    password: str | None = None
    refresh_token: str | None = None
    service: str = "fault-proxy"
    expires_in: int = 300
    token_field: Literal["token", "access_token", "both"] = "both"


@dataclass
class BasicAuth:
    username: str
    password: str


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: str
    status: int
    authorization: str  # the scheme only ("Bearer", "Basic" or ""), never the secret
    content_type: str
    content_range: str
    body_size: int


@dataclass
class _Grant:
    scopes: dict[str, set[str]]
    expires_at: float


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients closing idle keep-alive connections (or the drop fault) are not errors.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class FaultProxy:
    def __init__(self, upstream: str, *, auth: TokenAuth | BasicAuth | None = None) -> None:
        self.upstream = upstream
        self.auth = auth
        self.faults: list[Fault] = []
        self.requests: list[RecordedRequest] = []
        self.token_requests: list[dict[str, list[str]]] = []
        self._tokens: dict[str, _Grant] = {}
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fault-proxy", daemon=True
        )

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def revoke_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def recorded(self, method: str | None = None, path: str = "") -> list[RecordedRequest]:
        with self._lock:
            return [
                r for r in self.requests if (method is None or r.method == method) and re.search(path, r.path)
            ]

    # -- internals ----------------------------------------------------------------------------

    def _take_fault(self, method: str, path: str, query: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path, query):
                    if fault.after > 0:
                        fault.after -= 1
                        return None
                    fault.times -= 1
                    return fault
        return None

    def _record(self, handler: _Handler, status: int, body_size: int) -> None:
        authorization = handler.headers.get("Authorization", "").split(" ", 1)[0]
        parts = urlsplit(handler.path)
        with self._lock:
            self.requests.append(
                RecordedRequest(
                    method=handler.command,
                    path=parts.path,
                    query=parts.query,
                    status=status,
                    authorization=authorization,
                    content_type=handler.headers.get("Content-Type", ""),
                    content_range=handler.headers.get("Content-Range", ""),
                    body_size=body_size,
                )
            )

    def _issue_token(self, scopes: list[str]) -> tuple[str, int]:
        assert isinstance(self.auth, TokenAuth)
        granted: dict[str, set[str]] = {}
        for scope in scopes:
            for part in scope.split():
                kind, _, rest = part.partition(":")
                name, _, actions = rest.rpartition(":")
                if kind == "repository" and name:
                    granted.setdefault(name, set()).update(a for a in actions.split(",") if a)
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = _Grant(granted, time.monotonic() + self.auth.expires_in)
        return token, self.auth.expires_in

    def _required(self, method: str, path: str, query: str) -> dict[str, set[str]]:
        """The repository actions a request needs, as distribution's token auth computes them."""
        match = _REPO_PATH.match(path)
        if match is None:
            return {}
        needed = {match["name"]: {"pull"} if method in ("GET", "HEAD") else {"pull", "push"}}
        if method == "DELETE" and "/uploads/" not in path:
            needed[match["name"]] = {"delete"}
        sources = parse_qs(query).get("from")
        if method == "POST" and "mount" in parse_qs(query) and sources:
            needed.setdefault(sources[0], set()).add("pull")
        return needed

    def _handler_class(self) -> type[_Handler]:
        proxy = self

        class Handler(_Handler):
            owner = proxy

        return Handler


class _Handler(BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet: pytest shows failures
        pass

    def do_GET(self) -> None:
        self._handle()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _handle(self) -> None:
        proxy = self.owner
        parts = urlsplit(self.path)
        path, query = parts.path, parts.query
        if path == "/token":
            self._token_endpoint(query)
            return
        fault = proxy._take_fault(self.command, path, query)
        if fault is not None and fault.action == "drop":
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(fault.drop_after if fault.drop_after is not None else length // 2)
            proxy._record(self, 0, length)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        body = self._read_body()
        if not self._authorized(path, query):
            proxy._record(self, 401, len(body))
            return
        if fault is not None and fault.action == "status":
            proxy._record(self, fault.status, len(body))
            self._send(fault.status, fault.headers, fault.body)
            return
        status, headers, payload = self._forward(body)
        if fault is not None and fault.action == "corrupt" and payload:
            payload = bytes([payload[0] ^ 0x20]) + payload[1:]
        if fault is not None and fault.action == "header":
            headers = [(k, v) for k, v in headers if k.lower() not in {h.lower() for h in fault.headers}]
            headers += list(fault.headers.items())
        proxy._record(self, status, len(body))
        self._send(status, headers, payload)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        host, _, port = self.owner.upstream.partition(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            # Header by header: clients repeat some (skopeo sends one Accept per media type).
            connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for key, value in self.headers.items():
                if key.lower() not in _HOP_BY_HOP and key.lower() not in ("authorization", "content-length"):
                    connection.putheader(key, value)
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body if body else None)
            response = connection.getresponse()
            payload = response.read()
            out = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
            return response.status, out, payload
        finally:
            connection.close()

    def _send(self, status: int, headers: dict[str, str] | list[tuple[str, str]], body: bytes) -> None:
        # A HEAD answer announces the body's length but carries no body, whatever the status.
        head = self.command == "HEAD"
        items = list(headers.items()) if isinstance(headers, dict) else headers
        self.send_response(status)
        has_length = False
        for key, value in items:
            if key.lower() == "content-length":
                if head:
                    self.send_header(key, value)
                    has_length = True
                continue
            self.send_header(key, value)
        if not has_length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and body:
            self.wfile.write(body)

    # -- authentication -----------------------------------------------------------------------

    def _authorized(self, path: str, query: str) -> bool:
        auth = self.owner.auth
        if auth is None:
            return True
        given = self.headers.get("Authorization", "")
        if isinstance(auth, BasicAuth):
            expected = base64.b64encode(f"{auth.username}:{auth.password}".encode()).decode()
            if given == f"Basic {expected}":
                return True
            self._send(
                401,
                {"WWW-Authenticate": 'Basic realm="fault-proxy"', "Content-Type": "application/json"},
                _error_body("UNAUTHORIZED", "authentication required"),
            )
            return False
        needed = self.owner._required(self.command, path, query)
        scope = " ".join(f"repository:{name}:{','.join(sorted(actions))}" for name, actions in needed.items())
        challenge = f'Bearer realm="http://{self.owner.address}/token",service="{auth.service}"'
        if scope:
            challenge += f',scope="{scope}"'
        if not given.startswith("Bearer "):
            self._send(
                401,
                {"WWW-Authenticate": challenge, "Content-Type": "application/json"},
                _error_body("UNAUTHORIZED", "authentication required"),
            )
            return False
        with self.owner._lock:
            grant = self.owner._tokens.get(given[len("Bearer ") :])
        if grant is None or grant.expires_at < time.monotonic():
            self._send(
                401,
                {
                    "WWW-Authenticate": challenge + ',error="invalid_token"',
                    "Content-Type": "application/json",
                },
                _error_body("UNAUTHORIZED", "invalid token"),
            )
            return False
        missing = {name: actions - grant.scopes.get(name, set()) for name, actions in needed.items()}
        if any(missing.values()):
            self._send(
                401,
                {
                    "WWW-Authenticate": challenge + ',error="insufficient_scope"',
                    "Content-Type": "application/json",
                },
                _error_body("UNAUTHORIZED", "insufficient scope"),
            )
            return False
        return True

    def _token_endpoint(self, query: str) -> None:
        auth = self.owner.auth
        body = self._read_body()
        if not isinstance(auth, TokenAuth):
            self._send(404, {}, b"")
            return
        if self.command == "POST":
            form = parse_qs(body.decode())
            with self.owner._lock:
                self.owner.token_requests.append({"method": ["POST"], **form})
            if auth.refresh_token is None or form.get("grant_type") != ["refresh_token"]:
                self._send(404, {}, b"")
                return
            if form.get("refresh_token") != [auth.refresh_token]:
                self._send(401, {"Content-Type": "application/json"}, b'{"error":"invalid_grant"}')
                return
            token, expires = self.owner._issue_token(form.get("scope", []))
            self._send(
                200,
                {"Content-Type": "application/json"},
                json.dumps({"access_token": token, "expires_in": expires}).encode(),
            )
            return
        params = parse_qs(query)
        with self.owner._lock:
            self.owner.token_requests.append(
                {
                    "method": ["GET"],
                    "basic": [str(self.headers.get("Authorization", "").startswith("Basic "))],
                    **params,
                }
            )
        if auth.username is not None:
            expected = base64.b64encode(f"{auth.username}:{auth.password}".encode()).decode()
            if self.headers.get("Authorization", "") != f"Basic {expected}":
                self._send(
                    401, {"Content-Type": "application/json"}, _error_body("UNAUTHORIZED", "bad credentials")
                )
                return
        token, expires = self.owner._issue_token(params.get("scope", []))
        document: dict[str, object] = {"expires_in": expires}
        if auth.token_field in ("token", "both"):
            document["token"] = token
        if auth.token_field in ("access_token", "both"):
            document["access_token"] = token
        self._send(200, {"Content-Type": "application/json"}, json.dumps(document).encode())


def _error_body(code: str, message: str) -> bytes:
    return json.dumps({"errors": [{"code": code, "message": message}]}).encode()
