"""Platforms as they appear in image indexes and image configurations.

The plan gives each image a platform string (``linux/arm64``); an image's config blob records
``os``/``architecture``/``variant``; an index entry carries a ``platform`` object. Comparing them
uses containerd's normalised form (``aarch64`` is ``arm64``, ``arm64/v8`` is ``arm64``, ``arm`` is
``arm/v7``), so an engine that writes ``variant: v8`` into an arm64 config still matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .errors import RegistryError

# containerd/platforms normalizeArch: (alias) -> (architecture, forced variant or None to keep)
_ARCH_ALIASES: dict[str, tuple[str, str | None]] = {
    "i386": ("386", ""),
    "x86_64": ("amd64", None),
    "x86-64": ("amd64", None),
    "aarch64": ("arm64", None),
    "armhf": ("arm", "v7"),
    "armel": ("arm", "v6"),
}


@dataclass(frozen=True)
class Platform:
    """``os``/``architecture``/``variant`` plus the rarely used ``os.version``/``os.features``."""

    os: str
    architecture: str
    variant: str = ""
    os_version: str = ""
    os_features: tuple[str, ...] = field(default=())

    @classmethod
    def parse(cls, text: str) -> Platform:
        """Parse ``os/arch[/variant]`` as written in a plan (kept as written, not normalised)."""
        parts = text.split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise RegistryError(f"invalid platform {text!r}: expected os/architecture[/variant]")
        return cls(os=parts[0], architecture=parts[1], variant=parts[2] if len(parts) == 3 else "")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Platform:
        """Read a platform object (index entry) or the matching fields of an image config."""
        features = data.get("os.features") or ()
        return cls(
            os=str(data.get("os") or ""),
            architecture=str(data.get("architecture") or ""),
            variant=str(data.get("variant") or ""),
            os_version=str(data.get("os.version") or ""),
            os_features=tuple(str(feature) for feature in features),
        )

    def to_json(self) -> dict[str, Any]:
        """The OCI platform object; empty optional fields are left out."""
        data: dict[str, Any] = {"architecture": self.architecture, "os": self.os}
        if self.os_version:
            data["os.version"] = self.os_version
        if self.os_features:
            data["os.features"] = list(self.os_features)
        if self.variant:
            data["variant"] = self.variant
        return data

    def normalized(self) -> Platform:
        """containerd's ``Normalize``: canonical architecture and variant, lower case."""
        os_name = self.os.lower()
        if os_name == "macos":
            os_name = "darwin"
        arch, variant = self.architecture.lower(), self.variant.lower()
        alias = _ARCH_ALIASES.get(arch)
        if alias is not None:
            arch, forced = alias
            if forced is not None:
                variant = forced
        if arch == "amd64" and variant == "v1":
            variant = ""
        elif arch == "arm64":
            if variant in ("8", "v8", "v8.0"):
                variant = ""
            elif variant in ("9", "9.0", "v9.0"):
                variant = "v9"
        elif arch == "arm":
            variant = {"": "v7", "7": "v7", "5": "v5", "6": "v6", "8": "v8"}.get(variant, variant)
        return Platform(os_name, arch, variant, self.os_version, tuple(sorted(set(self.os_features))))

    def matches(self, other: Platform) -> bool:
        """Whether both name the same platform once normalised (os.version/features ignored)."""
        mine, theirs = self.normalized(), other.normalized()
        return (mine.os, mine.architecture, mine.variant) == (theirs.os, theirs.architecture, theirs.variant)

    @property
    def is_unknown(self) -> bool:
        """``unknown/unknown`` is reserved for attestation manifests."""
        return self.os == "unknown" and self.architecture == "unknown"

    def __str__(self) -> str:
        return "/".join(part for part in (self.os, self.architecture, self.variant) if part)
