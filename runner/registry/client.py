"""`RegistryClient`: the OCI distribution API operations planrun needs.

Blobs: HEAD, GET (streamed, digest-verified), mount from a sibling repository, upload
(monolithic, or chunked above ``chunk_size``). Manifests: HEAD, GET (verified against the
digest asked for, or against ``Docker-Content-Digest`` when read by tag), PUT with
``Content-Type`` equal to the manifest's ``mediaType`` (the announced digest must be the one
the client computed). One client serves any number of registries and may be shared by
threads.
"""

from __future__ import annotations

import io
import time
from typing import BinaryIO, Callable, Iterable, Sequence

import httpx

from .auth import Scope
from .credentials import Credentials
from .digest import (
    DigestVerifier,
    check_announced_digest,
    check_digest,
    is_digest,
    sha256_digest,
    verify_digest,
)
from .errors import DigestMismatch, RegistryError, error_from_response
from .manifest import MANIFEST_ACCEPT, Descriptor, Manifest, media_type_of
from .reference import Reference, Repository
from .retry import RetryPolicy
from .transport import Transport
from .upload import OCTET_STREAM, BlobContent, BlobData, BlobUploader, push_blob

# Registries must accept manifests of at least 4 MiB and distribution refuses larger ones;
# reading stops well past that so a misbehaving server cannot exhaust memory.
_MAX_MANIFEST_SIZE = 16 << 20


class RegistryClient:
    """Talks to OCI registries.

    ``credentials`` defaults to the user's docker ``config.json``. ``insecure_registries``
    lists hosts (``host:port``) spoken to over plain HTTP; loopback registries always are.
    ``chunk_size`` turns on chunked uploads for blobs larger than it.
    """

    def __init__(
        self,
        credentials: Credentials | None = None,
        *,
        insecure_registries: Iterable[str] = (),
        retry: RetryPolicy | None = None,
        timeout: float = 60.0,
        chunk_size: int | None = None,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.chunk_size = chunk_size
        self._transport = Transport(
            credentials if credentials is not None else Credentials.from_docker_config(),
            insecure_registries=insecure_registries,
            retry=retry or RetryPolicy(),
            timeout=timeout,
            http=http,
            clock=clock,
        )

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def retry(self) -> RetryPolicy:
        return self._transport.retry

    def is_insecure(self, registry: str) -> bool:
        return self._transport.is_insecure(registry)

    # -- registry ---------------------------------------------------------------------------

    def ping(self, registry: str) -> None:
        """Check that ``registry`` speaks the v2 API and that the client may log in to it."""
        url = self._transport.url(registry, "")
        action = f"reach the registry API of {registry}"
        response = self._transport.request("GET", registry, url, scopes=(), action=action)
        if response.status_code != 200:
            raise error_from_response(response, action)

    # -- blobs ------------------------------------------------------------------------------

    def head_blob(self, repository: Repository, digest: str) -> Descriptor | None:
        """The blob's descriptor when ``repository`` has it, else None."""
        check_digest(digest)
        action = f"check blob {digest} in {repository}"
        response = self._request("HEAD", repository, f"blobs/{digest}", action, push=False)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise error_from_response(response, action)
        check_announced_digest(
            response.headers.get("Docker-Content-Digest"), digest, f"blob {digest} in {repository}"
        )
        size = response.headers.get("Content-Length", "")
        return Descriptor(OCTET_STREAM, digest, int(size) if size.isdigit() else -1)

    def get_blob(self, repository: Repository, digest: str) -> bytes:
        """The blob's bytes, verified against ``digest``."""
        buffer = io.BytesIO()
        self.download_blob(repository, digest, buffer)
        return buffer.getvalue()

    def download_blob(self, repository: Repository, digest: str, destination: BinaryIO) -> int:
        """Stream the blob into a seekable ``destination`` and verify it; returns its size.

        A download cut off half-way is restarted from the beginning.
        """
        check_digest(digest)
        action = f"download blob {digest} from {repository}"

        def attempt() -> int:
            destination.seek(0)
            destination.truncate()
            verifier = DigestVerifier(digest)
            url = self._transport.url(repository.registry, f"{repository.path}/blobs/{digest}")
            response = self._transport.request(
                "GET",
                repository.registry,
                url,
                scopes=_scopes(repository, push=False),
                action=action,
                retry=False,
                stream=True,
            )
            try:
                if response.status_code != 200:
                    response.read()
                    raise error_from_response(response, action)
                for chunk in response.iter_bytes():
                    verifier.update(chunk)
                    destination.write(chunk)
            except httpx.RequestError as error:
                raise RegistryError(
                    f"could not {action}: the connection broke ({error.__class__.__name__})", retryable=True
                ) from None
            finally:
                response.close()
            verifier.verify(f"blob {digest} from {repository}")
            return verifier.size

        return self._transport.retry.call(attempt)

    def mount_blob(self, repository: Repository, digest: str, source: Repository) -> bool:
        """Link a blob of ``source`` (same registry) into ``repository``; False if refused."""
        check_digest(digest)
        if source.registry != repository.registry:
            return False
        uploader = BlobUploader(self._transport, repository, BlobContent(b"", digest, 0), None)
        try:
            return uploader.mount(source)
        finally:
            uploader.cancel()

    def push_blob(
        self,
        repository: Repository,
        data: BlobData,
        *,
        digest: str | None = None,
        media_type: str = OCTET_STREAM,
        mount_from: Sequence[Repository] = (),
        chunk_size: int | None = None,
    ) -> Descriptor:
        """Make a blob present in ``repository`` and return its descriptor.

        ``data`` is bytes or a file path. Skips the upload when the blob is already there,
        tries a cross-repository mount from each of ``mount_from`` (same registry), and falls
        back to an upload: chunked when the blob is larger than ``chunk_size`` (or the
        client's), monolithic otherwise. ``digest``, when given, must match the data.
        """
        blob = BlobContent.of(data, digest)
        exists = self.head_blob(repository, blob.digest) is not None
        push_blob(
            self._transport,
            repository,
            blob,
            mount_from=mount_from,
            chunk_size=chunk_size if chunk_size is not None else self.chunk_size,
            exists=exists,
        )
        return Descriptor(media_type, blob.digest, blob.size)

    # -- manifests --------------------------------------------------------------------------

    def head_manifest(self, target: Reference) -> Descriptor | None:
        """The descriptor of the manifest ``target`` names, or None when there is none."""
        action = f"check manifest {target}"
        response = self._request(
            "HEAD", target.repository, f"manifests/{target.identifier}", action, push=False, accept=True
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise error_from_response(response, action)
        announced = response.headers.get("Docker-Content-Digest")
        if target.digest:
            check_announced_digest(announced, target.digest, f"manifest {target}")
            digest = target.digest
        elif announced and is_digest(announced.strip()):
            digest = announced.strip()
        else:
            # Without the header a tag cannot be resolved from HEAD alone.
            return self.get_manifest(target).descriptor()
        size = response.headers.get("Content-Length", "")
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        return Descriptor(media_type, digest, int(size) if size.isdigit() else -1)

    def get_manifest(self, target: Reference) -> Manifest:
        """Read a manifest or index and verify its bytes against the digest it is known by."""
        action = f"read manifest {target}"
        response = self._request(
            "GET", target.repository, f"manifests/{target.identifier}", action, push=False, accept=True
        )
        if response.status_code != 200:
            raise error_from_response(response, action)
        data = response.content
        if len(data) > _MAX_MANIFEST_SIZE:
            raise RegistryError(f"could not {action}: the manifest is larger than {_MAX_MANIFEST_SIZE} bytes")
        announced = response.headers.get("Docker-Content-Digest")
        if target.digest:
            verify_digest(data, target.digest, f"manifest {target}")
            digest = target.digest
        else:
            digest = sha256_digest(data)
            if announced and announced.strip().startswith("sha256:"):
                check_announced_digest(announced, digest, f"manifest {target}")
        media_type = media_type_of(data) or response.headers.get("Content-Type", "").split(";")[0].strip()
        if not media_type:
            raise RegistryError(f"could not {action}: the manifest has no media type")
        return Manifest(data=data, media_type=media_type, digest=digest)

    def put_manifest(self, target: Reference, data: bytes, *, media_type: str | None = None) -> str:
        """Store a manifest under ``target``'s tag or digest and return its digest.

        ``Content-Type`` is the manifest's ``mediaType`` (``media_type`` is needed only for
        a manifest without one, and must agree with it otherwise). The registry's
        ``Docker-Content-Digest`` must equal the digest of ``data``.
        """
        declared = media_type_of(data)
        if media_type and declared and media_type != declared:
            raise RegistryError(
                f"cannot push manifest to {target}: its mediaType is {declared}, not {media_type}"
            )
        content_type = declared or media_type
        if not content_type:
            raise RegistryError(f"cannot push manifest to {target}: it has no mediaType and none was given")
        digest = sha256_digest(data)
        if target.digest and target.digest != digest:
            if target.digest.startswith("sha256:"):
                raise DigestMismatch(
                    f"the manifest to push to {target}", expected=target.digest, actual=digest
                )
            verify_digest(data, target.digest, f"the manifest to push to {target}")
        action = f"push manifest to {target}"
        response = self._request(
            "PUT",
            target.repository,
            f"manifests/{target.identifier}",
            action,
            push=True,
            headers={"Content-Type": content_type},
            content=data,
        )
        if response.status_code not in (200, 201, 202, 204):
            raise error_from_response(response, action)
        check_announced_digest(
            response.headers.get("Docker-Content-Digest"), digest, f"manifest pushed to {target}"
        )
        return digest

    def _request(
        self,
        method: str,
        repository: Repository,
        path: str,
        action: str,
        *,
        push: bool,
        accept: bool = False,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if accept:
            all_headers["Accept"] = MANIFEST_ACCEPT
        url = self._transport.url(repository.registry, f"{repository.path}/{path}")
        return self._transport.request(
            method,
            repository.registry,
            url,
            scopes=_scopes(repository, push=push),
            action=action,
            headers=all_headers,
            content=content,
        )


def _scopes(repository: Repository, *, push: bool) -> list[Scope]:
    actions = ("pull", "push") if push else ("pull",)
    return [Scope.repository(repository.path, *actions)]
