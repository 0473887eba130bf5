"""Registry steps the runner does itself, with its own client.

* `upload_image_dir`: push an image written by ``buildah push … dir:PATH`` (``manifest.json``
  plus one file per blob) by digest — no tag, so nothing names it until the plan says so;
* `tag_image`: point a tag at a manifest already pushed by digest (the same bytes, so the tag's
  digest is the pushed one);
* `push_manifest_list`: the index of a ``#PushContainer`` with ``images``, through
  `registry.push_index`: every child is checked (present, and its config names the platform
  the plan built it for) before the index is pushed by digest, and the tag moves last.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping, Sequence

from .registry import IndexChild, Platform, Reference, RegistryClient, Repository, push_image, push_index
from .registry.errors import RegistryError
from .registry.manifest import Manifest, media_type_of


@dataclass(frozen=True)
class IndexChildImage:
    platform: str
    digest: str
    repository: str


def read_image_dir(directory: Path) -> tuple[bytes, dict[str, Path]]:
    """The manifest bytes and blob files of a ``dir:`` image (containers/image's layout)."""
    manifest = (directory / "manifest.json").read_bytes()
    media_type = media_type_of(manifest) or ""
    image = Manifest(manifest, media_type, "sha256:" + hashlib.sha256(manifest).hexdigest())
    blobs: dict[str, Path] = {}
    for descriptor in image.blobs():
        algorithm, _, hex_digest = descriptor.digest.partition(":")
        path = directory / hex_digest
        if not path.is_file():
            raise RegistryError(f"{directory} lacks blob {descriptor.digest} named in its manifest")
        blobs[descriptor.digest] = path
    return manifest, blobs


def upload_image_dir(client: RegistryClient, directory: Path, repository: str, expected_digest: str | None = None) -> tuple[str, str, int]:
    """Push the ``dir:`` image by digest; return (digest, media type, size)."""
    manifest, blobs = read_image_dir(directory)
    digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
    if expected_digest and expected_digest != digest:
        raise RegistryError(
            f"the image in {directory} has digest {digest}, but buildah reported {expected_digest}"
        )
    descriptor = push_image(client, Repository.parse(repository), manifest, blobs)
    return descriptor.digest, descriptor.media_type, descriptor.size


def tag_image(client: RegistryClient, repository: str, digest: str, reference: str) -> str:
    """Make ``reference``'s tag name the manifest ``repository@digest``; return the digest."""
    target = Reference.parse(reference)
    source_repository = Repository.parse(repository)
    manifest = client.get_manifest(source_repository.digested(digest))
    if target.repository != source_repository:
        from .registry import copy_image

        copy_image(client, source_repository.digested(digest), target)
        return digest
    if not target.tag:
        raise RegistryError(f"cannot tag {reference}: it has no tag")
    client.put_manifest(target.repository.tagged(target.tag), manifest.data, media_type=manifest.media_type)
    return manifest.digest


def push_manifest_list(
    client: RegistryClient,
    reference: str,
    children: Sequence[IndexChildImage],
    *,
    media_types: Literal["oci", "docker"] = "oci",
    annotations: Mapping[str, str] | None = None,
) -> str:
    target = Reference.parse(reference)
    entries = [
        IndexChild(
            child.digest,
            Platform.parse(child.platform),
            repository=None if Repository.parse(child.repository) == target.repository else Repository.parse(child.repository),
        )
        for child in children
    ]
    return push_index(client, target, entries, media_type=media_types, annotations=annotations or None)
