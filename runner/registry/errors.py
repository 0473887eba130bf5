"""Exceptions raised by the registry client.

Every failure a user can cause or meet (a wrong reference, a refused login, a registry that is
down, content that does not match its digest) is a `RegistryError` whose ``str()`` is one
sentence fit to print as is: planrun shows it without a traceback. Messages never contain a
password, token or ``Authorization`` header, and URLs in them are shown without their query
string (upload locations carry opaque state that helps nobody reading an error).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of an OCI error body: ``{"errors": [{"code", "message", "detail"}]}``."""

    code: str
    message: str
    detail: Any = None

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}" if self.message else self.code
        detail = (
            self.detail if isinstance(self.detail, str) else json.dumps(self.detail) if self.detail else ""
        )
        if detail:
            # Distribution puts the offending digest or name here; that is what a user needs.
            text += f" ({detail[:200]}{'…' if len(detail) > 200 else ''})"
        return text


class RegistryError(Exception):
    """A registry operation failed.

    ``status`` is the HTTP status when the registry answered, ``errors`` the decoded OCI error
    body. ``retryable`` marks failures worth trying again (connection errors, 5xx, 429) and
    ``retry_after`` the wait the registry asked for, in seconds.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errors: tuple[ErrorDetail, ...] = (),
        retryable: bool = False,
        retry_after: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors = errors
        self.retryable = retryable
        self.retry_after = retry_after
        self.attempts = 1

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(error.code for error in self.errors)

    def __str__(self) -> str:
        if self.attempts > 1:
            return f"{self.message} (gave up after {self.attempts} attempts)"
        return self.message


class AuthError(RegistryError):
    """Authentication or authorisation failed: no or wrong credentials, a refused scope."""


class CredentialsError(AuthError):
    """The credential configuration (docker ``config.json``, a credential helper) is unusable."""


class InvalidReference(RegistryError, ValueError):
    """An image reference or repository name that cannot be parsed."""


class NotFound(RegistryError):
    """The registry does not have the manifest, blob or repository asked for."""


class DigestMismatch(RegistryError):
    """Content does not hash to the digest it was addressed by or announced with."""

    def __init__(self, subject: str, *, expected: str, actual: str) -> None:
        super().__init__(f"digest mismatch for {subject}: expected {expected}, got {actual}")
        self.subject = subject
        self.expected = expected
        self.actual = actual


class PlatformMismatch(RegistryError):
    """An image's configuration names another platform than the plan says it was built for."""


class InvalidIndex(RegistryError):
    """An image index cannot be assembled from the children given."""


def display_url(url: str | httpx.URL) -> str:
    """The URL without its query string and credentials, for messages and logs."""
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def decode_error_body(response: httpx.Response) -> tuple[ErrorDetail, ...]:
    """The OCI error entries of a response body, or nothing when it has none."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return ()
    entries = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(entries, list):
        return ()
    details = []
    for entry in entries:
        if isinstance(entry, dict):
            details.append(
                ErrorDetail(
                    code=str(entry.get("code") or "UNKNOWN"),
                    message=str(entry.get("message") or ""),
                    detail=entry.get("detail"),
                )
            )
    return tuple(details)


def is_retryable_status(status: int) -> bool:
    """5xx and 429 are worth retrying; 501 and 505 will not change, nor will any other 4xx."""
    return status == 429 or (500 <= status <= 599 and status not in (501, 505))


def error_from_response(response: httpx.Response, action: str) -> RegistryError:
    """Turn a failed registry answer into the matching exception.

    ``action`` completes "could not …" (for example ``"push manifest to 127.0.0.1:5000/app"``).
    """
    status = response.status_code
    details = decode_error_body(response) if response.request.method != "HEAD" else ()
    if details:
        reason = "; ".join(str(detail) for detail in details)
    elif status == 404:
        reason = "not found"
    else:
        reason = response.reason_phrase or "error"
        snippet = _text_snippet(response)
        if snippet:
            reason = f"{reason}: {snippet}"
    message = f"could not {action}: {reason} (HTTP {status})"
    codes = {detail.code for detail in details}
    if status in (401, 403) or codes & {"UNAUTHORIZED", "DENIED"}:
        return AuthError(message, status=status, errors=details)
    if status == 404:
        return NotFound(message, status=status, errors=details)
    return RegistryError(
        message,
        status=status,
        errors=details,
        retryable=is_retryable_status(status),
        retry_after=response.headers.get("Retry-After"),
    )


def _text_snippet(response: httpx.Response) -> str:
    """The start of a non-JSON error body (proxies answer with HTML or plain text)."""
    if response.request.method == "HEAD":
        return ""
    try:
        text = response.content.decode("utf-8", "replace")
    except httpx.ResponseNotRead:
        return ""
    text = " ".join(text.split())
    return text[:200] + ("…" if len(text) > 200 else "")
