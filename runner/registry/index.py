"""Assembling and pushing the image index (manifest list) of a multi-platform image.

The plan says which image was built for which platform; each was pushed by digest. Before
anything is written, every child is checked: it must be in the target repository (a child
pushed to another repository of the same registry, or to another registry, is copied there
first), and its config blob must name the platform the plan says. An engine that returned an
index for one platform (BuildKit with attestations or ``multi-platform=true``) is flattened:
its image entry takes that platform, and its attestation manifests (platform
``unknown/unknown``, annotation ``vnd.docker.reference.type: attestation-manifest``) are kept,
after all images as BuildKit orders them.

The index is pushed by digest first and then, with identical bytes, by tag: until every child
and the index itself are in place the tag keeps its old value.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Sequence

from .client import RegistryClient
from .copy import copy_manifest
from .digest import check_digest, sha256_digest
from .errors import InvalidIndex, NotFound, PlatformMismatch, RegistryError
from .manifest import DOCKER_MANIFEST_LIST, IMAGE_MANIFEST_TYPES, OCI_INDEX, Descriptor, Manifest
from .platform import Platform
from .reference import Reference, Repository

log = logging.getLogger(__name__)

IndexFormat = Literal["oci", "docker"]
_INDEX_MEDIA_TYPES: dict[str, str] = {"oci": OCI_INDEX, "docker": DOCKER_MANIFEST_LIST}


@dataclass(frozen=True)
class IndexChild:
    """One platform's image as the plan knows it.

    ``digest`` is the manifest (or engine index) pushed for ``platform``; ``repository`` is
    where it was pushed when that is not the index's repository; ``annotations`` go on its
    index entry (OCI indexes only).
    """

    digest: str
    platform: Platform
    repository: Repository | None = None
    annotations: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_digest(self.digest)
        if self.platform.is_unknown:
            raise InvalidIndex(f"child {self.digest}: unknown/unknown is reserved for attestation manifests")


@dataclass(frozen=True)
class _Entries:
    images: list[Descriptor]
    attestations: list[Descriptor]


def build_index(
    entries: Sequence[Descriptor],
    *,
    media_type: IndexFormat = "oci",
    annotations: Mapping[str, str] | None = None,
) -> bytes:
    """The bytes of an OCI image index or Docker manifest list naming ``entries`` in order.

    Docker manifest lists have no annotations, on the list or on entries: asking for them is an
    `InvalidIndex` rather than a silent drop.
    """
    if media_type not in _INDEX_MEDIA_TYPES:
        raise InvalidIndex(f"unknown index format {media_type!r}: expected 'oci' or 'docker'")
    if media_type == "docker":
        if annotations:
            raise InvalidIndex("a Docker manifest list cannot carry annotations; use an OCI index")
        annotated = [entry.digest for entry in entries if entry.annotations]
        if annotated:
            raise InvalidIndex(
                f"a Docker manifest list cannot carry entry annotations (on {annotated[0]}); use an OCI index"
            )
    document: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": _INDEX_MEDIA_TYPES[media_type],
        "manifests": [entry.to_json() for entry in entries],
    }
    if annotations:
        document["annotations"] = {str(key): str(value) for key, value in annotations.items()}
    return json.dumps(document, indent=2).encode("utf-8")


def push_index(
    client: RegistryClient,
    target: Reference,
    children: Sequence[IndexChild],
    *,
    media_type: IndexFormat = "oci",
    annotations: Mapping[str, str] | None = None,
    attestations: bool = True,
) -> str:
    """Check every child, push the index by digest, then move ``target``'s tag; return the digest.

    ``attestations=False`` leaves engine attestation manifests out (a Docker manifest list
    cannot mark them, so it needs that or an OCI index).
    """
    if target.digest or not target.tag:
        raise InvalidIndex(f"cannot push an index to {target}: the target needs a tag and no digest")
    if not children:
        raise InvalidIndex(f"cannot push an index to {target}: no images")
    if media_type == "docker" and (annotations or any(child.annotations for child in children)):
        # Checked before any request: a Docker list would have to drop them silently.
        raise InvalidIndex(
            f"cannot push a Docker manifest list to {target}: it cannot carry annotations; use an OCI index"
        )
    _check_distinct_platforms(children)
    repository = target.repository
    resolved = [_resolve_child(client, repository, child) for child in children]
    images = [entry for entries in resolved for entry in entries.images]
    kept = [entry for entries in resolved for entry in entries.attestations] if attestations else []
    if kept and media_type == "docker":
        raise InvalidIndex(
            f"cannot push a Docker manifest list to {target}: the images carry attestation manifests,"
            " which only an OCI index can mark; use an OCI index or leave the attestations out"
        )
    data = build_index([*images, *kept], media_type=media_type, annotations=annotations)
    digest = sha256_digest(data)
    client.put_manifest(repository.digested(digest), data)
    # Same bytes, same digest: the tag now names an index whose every part is in place.
    client.put_manifest(repository.tagged(target.tag), data)
    log.info("pushed index %s to %s", digest, target)
    return digest


def _check_distinct_platforms(children: Sequence[IndexChild]) -> None:
    seen: dict[tuple[str, str, str], IndexChild] = {}
    for child in children:
        normal = child.platform.normalized()
        key = (normal.os, normal.architecture, normal.variant)
        if key in seen:
            raise InvalidIndex(
                f"two images for platform {child.platform}: {seen[key].digest} and {child.digest}"
            )
        seen[key] = child


def _resolve_child(client: RegistryClient, repository: Repository, child: IndexChild) -> _Entries:
    manifest = _fetch_into(client, repository, child.digest, child, what="image")
    if manifest.media_type in IMAGE_MANIFEST_TYPES:
        _check_platform(client, repository, manifest, child)
        entry = Descriptor(
            manifest.media_type, manifest.digest, manifest.size, child.platform, dict(child.annotations)
        )
        return _Entries(images=[entry], attestations=[])
    if not manifest.is_index:
        raise InvalidIndex(
            f"child {child.digest} ({child.platform}) is a {manifest.media_type}, not an image"
        )
    return _flatten(client, repository, manifest, child)


def _flatten(client: RegistryClient, repository: Repository, index: Manifest, child: IndexChild) -> _Entries:
    """Take the entries of an engine's single-platform index."""
    entries = index.entries()
    images = [entry for entry in entries if not entry.is_attestation]
    others = [
        entry for entry in images if entry.platform is not None and not entry.platform.matches(child.platform)
    ]
    if others or not images:
        found = ", ".join(str(entry.platform or "no platform") for entry in images) or "no image"
        raise InvalidIndex(
            f"child index {child.digest} holds {found}; the plan expects one image for {child.platform}"
        )
    if len(images) > 1:
        raise InvalidIndex(
            f"child index {child.digest} holds {len(images)} images for {child.platform}; expected one"
        )
    image_entry = images[0]
    manifest = _fetch_into(
        client, repository, image_entry.digest, child, what=f"image of index {child.digest}"
    )
    if manifest.media_type not in IMAGE_MANIFEST_TYPES:
        raise InvalidIndex(
            f"entry {image_entry.digest} of child index {child.digest} is not an image manifest"
        )
    _check_platform(client, repository, manifest, child)
    annotations = {**image_entry.annotations, **child.annotations}
    image = Descriptor(manifest.media_type, manifest.digest, manifest.size, child.platform, annotations)
    attestations = []
    for entry in entries:
        if entry.is_attestation:
            _fetch_into(client, repository, entry.digest, child, what=f"attestation of index {child.digest}")
            attestations.append(entry)
    return _Entries(images=[image], attestations=attestations)


def _fetch_into(
    client: RegistryClient, repository: Repository, digest: str, child: IndexChild, what: str
) -> Manifest:
    """Read a manifest from ``repository``, copying it there first from where it was pushed."""
    try:
        return client.get_manifest(repository.digested(digest))
    except NotFound:
        if child.repository is None or child.repository == repository:
            raise InvalidIndex(
                f"the {what} {digest} for {child.platform} is not in {repository}; push it before the index"
            ) from None
    source = child.repository
    try:
        manifest = client.get_manifest(source.digested(digest))
    except NotFound:
        raise InvalidIndex(
            f"the {what} {digest} for {child.platform} is neither in {repository} nor in {source}"
        ) from None
    log.info("copying %s from %s to %s", digest, source, repository)
    copy_manifest(client, source, repository, manifest)
    return manifest


def _check_platform(
    client: RegistryClient, repository: Repository, manifest: Manifest, child: IndexChild
) -> None:
    """The image's config must record the platform the plan built it for."""
    config_descriptor = manifest.config()
    raw = client.get_blob(repository, config_descriptor.digest)
    try:
        config = json.loads(raw)
    except ValueError:
        raise RegistryError(
            f"the config {config_descriptor.digest} of {manifest.digest} is not JSON"
        ) from None
    if not isinstance(config, dict):
        raise RegistryError(
            f"the config {config_descriptor.digest} of {manifest.digest} is not a JSON object"
        )
    recorded = Platform.from_json(config)
    if not recorded.matches(child.platform):
        raise PlatformMismatch(
            f"image {manifest.digest} was pushed for {child.platform}, but its config says {str(recorded) or 'no platform'}"
        )
