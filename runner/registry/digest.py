"""Content digests (``algorithm:encoded``) as the OCI image spec defines them.

A digest is checked against content whenever content crosses the wire: what the client reads
back, and what the registry announces in ``Docker-Content-Digest``. sha256 and sha512 can be
verified; other well-formed algorithms are carried but refused where verification is needed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from .errors import DigestMismatch, RegistryError

# image-spec descriptor.md grammar, with the registered algorithms' stricter encodings below.
_DIGEST_RE = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")
_REGISTERED = {
    "sha256": re.compile(r"[a-f0-9]{64}"),
    "sha512": re.compile(r"[a-f0-9]{128}"),
}


def is_digest(value: str) -> bool:
    """Whether ``value`` is a well-formed digest (registered algorithms checked strictly)."""
    if not _DIGEST_RE.fullmatch(value):
        return False
    algorithm, _, encoded = value.partition(":")
    pattern = _REGISTERED.get(algorithm)
    return pattern is None or bool(pattern.fullmatch(encoded))


def check_digest(value: str) -> str:
    """Return ``value`` if it is a well-formed digest, else raise `RegistryError`."""
    if not is_digest(value):
        raise RegistryError(f"invalid digest {value!r}: expected algorithm:hex such as sha256:<64 hex>")
    return value


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class DigestVerifier:
    """Hashes a stream with the algorithm of an expected digest and checks the result."""

    expected: str
    _hash: hashlib._Hash = field(init=False, repr=False)
    size: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        check_digest(self.expected)
        algorithm = self.expected.partition(":")[0]
        if algorithm not in _REGISTERED:
            raise RegistryError(f"cannot verify {self.expected}: unsupported digest algorithm {algorithm}")
        self._hash = hashlib.new(algorithm)

    def update(self, chunk: bytes) -> None:
        self._hash.update(chunk)
        self.size += len(chunk)

    @property
    def actual(self) -> str:
        return f"{self.expected.partition(':')[0]}:{self._hash.hexdigest()}"

    def verify(self, subject: str) -> None:
        """Raise `DigestMismatch` naming both digests when the content hashed differs."""
        actual = self.actual
        if actual != self.expected:
            raise DigestMismatch(subject, expected=self.expected, actual=actual)


def verify_digest(data: bytes, expected: str, subject: str) -> None:
    """Raise `DigestMismatch` unless ``data`` hashes to ``expected``."""
    verifier = DigestVerifier(expected)
    verifier.update(data)
    verifier.verify(subject)


def check_announced_digest(announced: str | None, computed: str, subject: str) -> None:
    """Compare a registry's ``Docker-Content-Digest`` with the digest the client computed.

    A registry may omit the header; when it sends one, a different value means the registry
    stored (or is serving) other bytes than the client meant, and that is an error.
    """
    if announced and announced.strip() != computed:
        raise DigestMismatch(subject, expected=computed, actual=announced.strip())
