"""Blob uploads: cross-repository mount, monolithic and chunked upload sessions.

Protocol (OCI distribution spec): ``POST …/blobs/uploads/`` opens a session and answers 202
with a ``Location`` (relative or absolute, possibly with query parameters that must be kept).
Monolithic: ``PUT <location>&digest=…`` with the whole blob. Chunked: ``PATCH <location>``
with ``Content-Range: start-end`` per chunk, each answer giving the next ``Location``, then an
empty ``PUT …digest=…``. A mount (``POST …?mount=<digest>&from=<repo>``) answers 201 when the
registry linked the blob, or 202 with a fresh session to upload into instead.

A session that fails half-way is abandoned (best-effort ``DELETE``) and the upload starts over
in a new session: resending a chunk into a session in an unknown state could corrupt it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import httpx

from .auth import Scope
from .digest import check_announced_digest, check_digest
from .errors import DigestMismatch, RegistryError, error_from_response
from .reference import Repository
from .transport import Body, Transport

log = logging.getLogger(__name__)

BlobData = bytes | Path
OCTET_STREAM = "application/octet-stream"
_READ_SIZE = 1 << 20


@dataclass(frozen=True)
class BlobContent:
    """Blob bytes held in memory or in a file, with their digest and size."""

    source: BlobData = field(repr=False)
    digest: str
    size: int

    @classmethod
    def of(cls, source: BlobData, expected_digest: str | None = None) -> BlobContent:
        """Hash ``source`` (sha256 unless the expected digest says otherwise) and check it."""
        algorithm = (expected_digest or "sha256:").partition(":")[0]
        if expected_digest is not None:
            check_digest(expected_digest)
        if algorithm not in ("sha256", "sha512"):
            raise RegistryError(f"cannot push {expected_digest}: unsupported digest algorithm {algorithm}")
        hasher = hashlib.new(algorithm)
        size = 0
        try:
            for chunk in _chunks(source, 0, None):
                hasher.update(chunk)
                size += len(chunk)
        except OSError as error:
            raise RegistryError(f"cannot read the blob file {error.filename}: {error.strerror}") from None
        digest = f"{algorithm}:{hasher.hexdigest()}"
        if expected_digest is not None and digest != expected_digest:
            raise DigestMismatch("the blob to push", expected=expected_digest, actual=digest)
        return cls(source, digest, size)

    def body(self, offset: int = 0, length: int | None = None) -> Body:
        if isinstance(self.source, bytes):
            end = None if length is None else offset + length
            return self.source[offset:end]
        return lambda: _chunks(self.source, offset, length)


def _chunks(source: BlobData, offset: int, length: int | None) -> Iterator[bytes]:
    if isinstance(source, bytes):
        end = len(source) if length is None else offset + length
        for start in range(offset, end, _READ_SIZE):
            yield source[start : min(end, start + _READ_SIZE)]
        return
    remaining = length
    with open(source, "rb") as stream:
        stream.seek(offset)
        while remaining is None or remaining > 0:
            chunk = stream.read(_READ_SIZE if remaining is None else min(_READ_SIZE, remaining))
            if not chunk:
                break
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk


def with_query(url: str, **params: str) -> str:
    """Append query parameters, keeping the ones already there byte for byte."""
    parts = urlsplit(url)
    extra = urlencode(params)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


def _location(response: httpx.Response, action: str) -> str:
    location = response.headers.get("Location")
    if not location:
        raise RegistryError(
            f"could not {action}: the registry answered {response.status_code} without a Location"
        )
    return str(urljoin(str(response.url), location))


def _min_chunk_length(response: httpx.Response) -> int:
    """``OCI-Chunk-Min-Length``: chunks (but the last) must be at least this long."""
    value = response.headers.get("OCI-Chunk-Min-Length", "")
    return int(value) if value.isdigit() else 0


class BlobUploader:
    """Uploads one blob into one repository."""

    def __init__(
        self, transport: Transport, repository: Repository, blob: BlobContent, chunk_size: int | None
    ) -> None:
        self._transport = transport
        self._repository = repository
        self._blob = blob
        self._chunk_size = chunk_size
        self._scopes = [Scope.repository(repository.path, "pull", "push")]
        self._session: str | None = None
        self._min_chunk = 0
        self._action = f"upload blob {blob.digest} to {repository}"

    def mount(self, source: Repository) -> bool:
        """Ask the registry to link the blob from ``source``; on 202 keep the session it opened."""
        scopes = [*self._scopes, Scope.repository(source.path, "pull")]
        url = self._transport.url(
            self._repository.registry,
            f"{self._repository.path}/blobs/uploads/?{urlencode({'mount': self._blob.digest, 'from': source.path})}",
        )
        action = f"mount blob {self._blob.digest} from {source} into {self._repository}"
        try:
            response = self._transport.request(
                "POST", self._repository.registry, url, scopes=scopes, action=action
            )
        except RegistryError as error:
            if error.retryable:
                raise
            # Some registries refuse a mount outright (401 without pull on the source, 404 for
            # an unknown source) instead of answering 202; a plain upload may still succeed.
            log.info("mount refused, uploading instead: %s", error)
            return False
        if response.status_code == 201:
            check_announced_digest(
                response.headers.get("Docker-Content-Digest"),
                self._blob.digest,
                f"blob mounted into {self._repository}",
            )
            return True
        if response.status_code == 202:
            self._session = _location(response, action)
            self._min_chunk = _min_chunk_length(response)
            return False
        log.info("mount refused, uploading instead: %s", error_from_response(response, action))
        return False

    def upload(self) -> None:
        """Upload, retrying with a new session after a retryable failure."""
        self._transport.retry.call(self._upload_once, on_retry=lambda error: self.cancel())

    def cancel(self) -> None:
        """Abandon the current session; the registry cleans it up, so errors are ignored."""
        session, self._session = self._session, None
        if session is None:
            return
        try:
            response = self._transport.request(
                "DELETE",
                self._repository.registry,
                session,
                scopes=self._scopes,
                action="cancel an upload",
                retry=False,
            )
            response.close()
        except RegistryError as error:
            log.debug("ignored while cancelling an upload: %s", error)

    def _start(self) -> None:
        url = self._transport.url(self._repository.registry, f"{self._repository.path}/blobs/uploads/")
        response = self._transport.request(
            "POST",
            self._repository.registry,
            url,
            scopes=self._scopes,
            action=self._action,
            retry=False,
            headers={"Content-Length": "0"},
        )
        if response.status_code != 202:
            raise error_from_response(response, self._action)
        self._session = _location(response, self._action)
        self._min_chunk = _min_chunk_length(response)

    def _upload_once(self) -> None:
        if self._session is None:
            self._start()
        chunk_size = max(self._chunk_size or 0, self._min_chunk)
        size = self._blob.size
        if not self._chunk_size or size <= chunk_size:
            self._finish(self._blob.body(), size)
            return
        offset = 0
        while offset < size:
            length = min(chunk_size, size - offset)
            self._patch(offset, length)
            offset += length
        self._finish(None, 0)

    def _patch(self, offset: int, length: int) -> None:
        assert self._session is not None
        end = offset + length - 1
        response = self._transport.request(
            "PATCH",
            self._repository.registry,
            self._session,
            scopes=self._scopes,
            action=self._action,
            retry=False,
            headers={
                "Content-Type": OCTET_STREAM,
                "Content-Length": str(length),
                "Content-Range": f"{offset}-{end}",
            },
            content=self._blob.body(offset, length),
        )
        if response.status_code != 202:
            raise error_from_response(response, self._action)
        acknowledged = response.headers.get("Range", "")
        if acknowledged and acknowledged.rpartition("-")[2] != str(end):
            raise RegistryError(
                f"could not {self._action}: the registry acknowledged bytes {acknowledged} after a chunk ending at {end}",
                retryable=True,
            )
        self._session = _location(response, self._action)

    def _finish(self, body: Body, length: int) -> None:
        assert self._session is not None
        url = with_query(self._session, digest=self._blob.digest)
        response = self._transport.request(
            "PUT",
            self._repository.registry,
            url,
            scopes=self._scopes,
            action=self._action,
            retry=False,
            headers={"Content-Type": OCTET_STREAM, "Content-Length": str(length)},
            content=body if body is not None else b"",
        )
        if response.status_code not in (201, 204):
            raise error_from_response(response, self._action)
        self._session = None
        check_announced_digest(
            response.headers.get("Docker-Content-Digest"),
            self._blob.digest,
            f"blob uploaded to {self._repository}",
        )


def push_blob(
    transport: Transport,
    repository: Repository,
    blob: BlobContent,
    *,
    mount_from: Sequence[Repository] = (),
    chunk_size: int | None = None,
    exists: bool = False,
) -> None:
    """Make ``blob`` present in ``repository``: mount it from a sibling repository or upload it."""
    if exists:
        return
    uploader = BlobUploader(transport, repository, blob, chunk_size)
    try:
        sources = [s for s in mount_from if s.registry == repository.registry and s != repository]
        for number, source in enumerate(sources, 1):
            if uploader.mount(source):
                return
            if number < len(sources):
                # Each refused mount opened a session; only the last one is uploaded into.
                uploader.cancel()
        uploader.upload()
    except BaseException:
        uploader.cancel()
        raise
