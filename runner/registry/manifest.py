"""Manifests, indexes and descriptors: media types and the pieces of JSON the client reads.

A `Manifest` keeps the exact bytes the registry stores: its digest is the hash of those bytes,
so nothing here ever re-serialises a manifest that was read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from .digest import check_digest
from .errors import RegistryError
from .platform import Platform

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"

IMAGE_MANIFEST_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_MANIFEST_LIST})
MANIFEST_TYPES = IMAGE_MANIFEST_TYPES | INDEX_TYPES
# Sent as Accept on manifest reads: registries convert or refuse what the client does not list.
MANIFEST_ACCEPT = ", ".join(sorted(MANIFEST_TYPES))

# buildkit's annotation marking an index entry as the attestation of another entry.
REFERENCE_TYPE_ANNOTATION = "vnd.docker.reference.type"
REFERENCE_DIGEST_ANNOTATION = "vnd.docker.reference.digest"
ATTESTATION_MANIFEST = "attestation-manifest"


@dataclass(frozen=True)
class Descriptor:
    """A content descriptor: what an index entry or a manifest's config/layer points at."""

    media_type: str
    digest: str
    size: int
    platform: Platform | None = None
    annotations: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any, where: str) -> Descriptor:
        if not isinstance(data, dict):
            raise RegistryError(f"invalid descriptor in {where}: expected an object")
        media_type, digest, size = data.get("mediaType"), data.get("digest"), data.get("size")
        if not isinstance(media_type, str) or not isinstance(digest, str):
            raise RegistryError(f"invalid descriptor in {where}: mediaType and digest are required")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise RegistryError(
                f"invalid descriptor {digest} in {where}: size must be a non-negative integer"
            )
        try:
            check_digest(digest)
        except RegistryError as error:
            raise RegistryError(f"invalid descriptor in {where}: {error}") from None
        platform = data.get("platform")
        annotations = data.get("annotations") or {}
        return cls(
            media_type=media_type,
            digest=digest,
            size=size,
            platform=Platform.from_json(platform) if isinstance(platform, dict) else None,
            annotations={str(k): str(v) for k, v in annotations.items()}
            if isinstance(annotations, dict)
            else {},
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"mediaType": self.media_type, "digest": self.digest, "size": self.size}
        if self.platform is not None:
            data["platform"] = self.platform.to_json()
        if self.annotations:
            data["annotations"] = dict(self.annotations)
        return data

    @property
    def is_attestation(self) -> bool:
        return self.annotations.get(REFERENCE_TYPE_ANNOTATION) == ATTESTATION_MANIFEST


@dataclass(frozen=True)
class Manifest:
    """A manifest or index as stored: exact bytes, media type, digest of the bytes."""

    data: bytes = field(repr=False)
    media_type: str
    digest: str

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def is_index(self) -> bool:
        return self.media_type in INDEX_TYPES

    def descriptor(self, platform: Platform | None = None) -> Descriptor:
        return Descriptor(self.media_type, self.digest, self.size, platform)

    def json(self) -> dict[str, Any]:
        try:
            body = json.loads(self.data)
        except (ValueError, UnicodeDecodeError) as error:
            raise RegistryError(f"manifest {self.digest} is not valid JSON: {error}") from None
        if not isinstance(body, dict):
            raise RegistryError(f"manifest {self.digest} is not a JSON object")
        return body

    def config(self) -> Descriptor:
        """The config descriptor of an image manifest."""
        if self.is_index:
            raise RegistryError(f"{self.digest} is an index, not an image manifest")
        return Descriptor.from_json(self.json().get("config"), f"manifest {self.digest}")

    def layers(self) -> list[Descriptor]:
        layers = self.json().get("layers") or []
        if not isinstance(layers, list):
            raise RegistryError(f"invalid manifest {self.digest}: layers must be a list")
        return [Descriptor.from_json(layer, f"manifest {self.digest}") for layer in layers]

    def blobs(self) -> list[Descriptor]:
        """Every blob an image manifest references: config first, then layers."""
        return [self.config(), *self.layers()]

    def entries(self) -> list[Descriptor]:
        """The ``manifests`` of an index."""
        if not self.is_index:
            raise RegistryError(f"{self.digest} is an image manifest, not an index")
        manifests = self.json().get("manifests") or []
        if not isinstance(manifests, list):
            raise RegistryError(f"invalid index {self.digest}: manifests must be a list")
        return [Descriptor.from_json(entry, f"index {self.digest}") for entry in manifests]


def media_type_of(data: bytes) -> str | None:
    """The ``mediaType`` field of a manifest body, if it has one."""
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise RegistryError("manifest is not valid JSON") from None
    media_type = body.get("mediaType") if isinstance(body, dict) else None
    return media_type if isinstance(media_type, str) else None
