"""Image references, parsed and normalised the way docker's ``ParseNormalizedNamed`` does.

``alpine`` is ``docker.io/library/alpine:latest``; ``localhost:5000/app@sha256:…`` keeps its
registry, has a digest and no tag. The registry part of a reference (``docker.io``) is what
credentials are keyed by; the host the API lives on can differ (`api_host`: Docker Hub's is
``registry-1.docker.io``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .digest import is_digest
from .errors import InvalidReference

DOCKER_HUB = "docker.io"
DOCKER_HUB_API_HOST = "registry-1.docker.io"
_LEGACY_DOCKER_HUB = "index.docker.io"
_OFFICIAL_PREFIX = "library/"
DEFAULT_TAG = "latest"
_NAME_TOTAL_LENGTH_MAX = 255

# The grammar of distribution/reference (regexp.go), spelled out with ASCII-only classes so
# Python's Unicode-aware \w cannot widen it.
_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_REMOTE_NAME = rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_NAME = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*"
_IPV6 = r"\[(?:[a-fA-F0-9:]+)\]"
_DOMAIN = rf"(?:{_DOMAIN_NAME}|{_IPV6})(?::[0-9]+)?"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"

_REFERENCE_RE = re.compile(
    rf"(?P<name>(?:{_DOMAIN}/)?{_REMOTE_NAME})(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?"
)
_NAME_RE = re.compile(rf"(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_REMOTE_NAME})")
_TAG_RE = re.compile(_TAG)
_IDENTIFIER_RE = re.compile(r"[a-f0-9]{64}")


def api_host(registry: str) -> str:
    """The host serving the registry API for a reference's registry part."""
    return DOCKER_HUB_API_HOST if registry == DOCKER_HUB else registry


@dataclass(frozen=True, order=True)
class Repository:
    """A repository on a registry: ``registry`` as written in references, ``path`` below it."""

    registry: str
    path: str

    @classmethod
    def parse(cls, text: str) -> Repository:
        """Parse and normalise a repository name (no tag, no digest)."""
        reference = Reference.parse(text, default_tag=False)
        if reference.tag or reference.digest:
            raise InvalidReference(f"invalid repository name {text!r}: a repository has no tag or digest")
        return reference.repository

    @property
    def api_host(self) -> str:
        return api_host(self.registry)

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.path}"

    def familiar(self) -> str:
        """The short form docker prints (``alpine``, ``user/app``, ``host:5000/app``)."""
        if self.registry != DOCKER_HUB:
            return self.name
        path = self.path
        rest = path[len(_OFFICIAL_PREFIX) :]
        if path.startswith(_OFFICIAL_PREFIX) and "/" not in rest:
            return rest
        return path

    def tagged(self, tag: str) -> Reference:
        return Reference(self, tag=check_tag(tag))

    def digested(self, digest: str) -> Reference:
        return Reference(self, digest=digest)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Reference:
    """A normalised image reference: a repository plus a tag, a digest, or both."""

    repository: Repository
    tag: str | None = None
    digest: str | None = None

    @classmethod
    def parse(cls, text: str, *, default_tag: bool = True) -> Reference:
        """Parse ``text`` like docker's ``ParseNormalizedNamed``.

        A reference with neither tag nor digest gets the tag ``latest`` unless
        ``default_tag`` is false. Errors are `InvalidReference` with docker's reasons.
        """
        if not isinstance(text, str) or not text:
            raise InvalidReference("invalid reference format: empty reference")
        if _IDENTIFIER_RE.fullmatch(text):
            raise InvalidReference(
                f"invalid repository name ({text}), cannot specify 64-byte hexadecimal strings"
            )
        registry, remainder = _split_registry(text)
        remote = remainder.split("@", 1)[0].split(":", 1)[0]
        if remote.lower() != remote:
            raise InvalidReference(f"invalid reference format: repository name ({remote}) must be lowercase")
        match = _REFERENCE_RE.fullmatch(f"{registry}/{remainder}")
        if match is None:
            raise InvalidReference(f"invalid reference format: {text!r}")
        name = match.group("name")
        if len(name) > _NAME_TOTAL_LENGTH_MAX:
            raise InvalidReference(
                f"invalid reference format: repository name must not be more than {_NAME_TOTAL_LENGTH_MAX} characters"
            )
        digest = match.group("digest")
        if digest is not None and not is_digest(digest):
            raise InvalidReference(f"invalid reference format: invalid digest {digest!r}")
        tag = match.group("tag")
        if tag is None and digest is None and default_tag:
            tag = DEFAULT_TAG
        return cls(Repository(registry, name[len(registry) + 1 :]), tag=tag, digest=digest)

    @property
    def registry(self) -> str:
        return self.repository.registry

    @property
    def path(self) -> str:
        return self.repository.path

    @property
    def api_host(self) -> str:
        return self.repository.api_host

    @property
    def identifier(self) -> str:
        """What goes after ``/manifests/``: the digest when there is one, else the tag."""
        if self.digest:
            return self.digest
        if self.tag:
            return self.tag
        raise InvalidReference(f"{self.repository} names no tag or digest")

    def familiar(self) -> str:
        return self._with_suffix(self.repository.familiar())

    def __str__(self) -> str:
        return self._with_suffix(self.repository.name)

    def _with_suffix(self, name: str) -> str:
        if self.tag:
            name = f"{name}:{self.tag}"
        if self.digest:
            name = f"{name}@{self.digest}"
        return name


def check_tag(tag: str) -> str:
    """Return ``tag`` if it is a valid tag, else raise `InvalidReference`."""
    if not _TAG_RE.fullmatch(tag):
        raise InvalidReference(f"invalid tag {tag!r}: tags are [A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}")
    return tag


def _split_registry(text: str) -> tuple[str, str]:
    """Split off the registry part, defaulting to Docker Hub (distribution's splitDockerDomain)."""
    first, slash, rest = text.partition("/")
    if not slash:
        # A single element is always a Docker Hub official image, even "localhost".
        return DOCKER_HUB, _OFFICIAL_PREFIX + text
    if first == "localhost" or first == _LEGACY_DOCKER_HUB:
        registry, remainder = (DOCKER_HUB if first == _LEGACY_DOCKER_HUB else first), rest
    elif any(char in first for char in ".:") or first.lower() != first:
        # A dot or a port makes it a host; upper case is not allowed in paths so it is a host.
        registry, remainder = first, rest
    else:
        registry, remainder = DOCKER_HUB, text
    if registry == DOCKER_HUB and "/" not in remainder:
        remainder = _OFFICIAL_PREFIX + remainder
    return registry, remainder
