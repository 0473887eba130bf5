"""Pushing a whole image: its blobs, then its manifest by digest, then its tags.

Tags are written last and with the very bytes pushed by digest, so a tag never names a
manifest whose content is not all in the repository yet.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from .client import RegistryClient
from .digest import sha256_digest
from .errors import RegistryError
from .manifest import Descriptor, Manifest, media_type_of
from .reference import Repository, check_tag
from .upload import BlobData


def push_image(
    client: RegistryClient,
    repository: Repository,
    manifest: bytes,
    blobs: Mapping[str, BlobData],
    *,
    tags: Sequence[str] = (),
    media_type: str | None = None,
    mount_from: Sequence[Repository] = (),
) -> Descriptor:
    """Push an image manifest and the blobs it references; return the manifest's descriptor.

    ``blobs`` maps digests to content (bytes or a file path). A referenced blob missing from
    ``blobs`` must already be in ``repository`` (or be mountable from ``mount_from``).
    """
    for tag in tags:
        check_tag(tag)
    image = Manifest(
        data=manifest, media_type=media_type or media_type_of(manifest) or "", digest=sha256_digest(manifest)
    )
    if not image.media_type:
        raise RegistryError(f"cannot push {image.digest} to {repository}: the manifest has no mediaType")
    for blob in image.blobs():
        if blob.digest in blobs:
            client.push_blob(repository, blobs[blob.digest], digest=blob.digest, mount_from=mount_from)
            continue
        if client.head_blob(repository, blob.digest) is not None:
            continue
        if not any(client.mount_blob(repository, blob.digest, source) for source in mount_from):
            raise RegistryError(
                f"cannot push {image.digest} to {repository}: blob {blob.digest} is neither given nor in the repository"
            )
    client.put_manifest(repository.digested(image.digest), manifest, media_type=image.media_type)
    for tag in tags:
        client.put_manifest(repository.tagged(tag), manifest, media_type=image.media_type)
    return image.descriptor()
