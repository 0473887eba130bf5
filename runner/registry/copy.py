"""Copying images between repositories (of one registry or of two).

Within a registry, blobs are mounted (no data moves); across registries, or when the registry
refuses the mount, each blob is downloaded to a temporary file, verified, and uploaded.
Children of an index are copied before the index, manifests by digest before any tag, and
every manifest keeps its exact bytes, so digests are the same at the destination.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .client import RegistryClient
from .errors import RegistryError
from .manifest import Descriptor, Manifest
from .reference import Reference, Repository

# Indexes may nest (an index entry that is itself an index); real images stop at two levels.
_MAX_DEPTH = 4


def copy_image(client: RegistryClient, source: Reference, destination: Repository | Reference) -> Descriptor:
    """Copy the image (or index, with every child) ``source`` names into ``destination``.

    A destination `Reference` with a tag gets that tag, written after everything else.
    Returns the descriptor of the copied manifest.
    """
    target = destination.repository if isinstance(destination, Reference) else destination
    manifest = client.get_manifest(source)
    copy_manifest(client, source.repository, target, manifest)
    if isinstance(destination, Reference) and destination.tag:
        client.put_manifest(target.tagged(destination.tag), manifest.data, media_type=manifest.media_type)
    return manifest.descriptor()


def copy_manifest(
    client: RegistryClient, source: Repository, target: Repository, manifest: Manifest, depth: int = 0
) -> None:
    """Make ``manifest`` (already read from ``source``) and all it references present in ``target``."""
    if depth > _MAX_DEPTH:
        raise RegistryError(f"cannot copy {manifest.digest}: indexes nested more than {_MAX_DEPTH} deep")
    if manifest.is_index:
        for entry in manifest.entries():
            if client.head_manifest(target.digested(entry.digest)) is None:
                child = client.get_manifest(source.digested(entry.digest))
                copy_manifest(client, source, target, child, depth + 1)
    else:
        for blob in manifest.blobs():
            copy_blob(client, source, target, blob.digest)
    client.put_manifest(target.digested(manifest.digest), manifest.data, media_type=manifest.media_type)


def copy_blob(client: RegistryClient, source: Repository, target: Repository, digest: str) -> None:
    """Make blob ``digest`` of ``source`` present in ``target``: already there, mounted, or moved."""
    if source == target or client.head_blob(target, digest) is not None:
        return
    if client.mount_blob(target, digest, source):
        return
    try:
        with tempfile.TemporaryDirectory(prefix="planrun-blob-") as directory:
            path = Path(directory) / "blob"
            with path.open("w+b") as stream:
                client.download_blob(source, digest, stream)
            client.push_blob(target, path, digest=digest)
    except OSError as error:
        raise RegistryError(f"cannot copy blob {digest} through a temporary file: {error.strerror}") from None
