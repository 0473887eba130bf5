"""planrun's registry client: push images and multi-platform indexes over the OCI distribution API.

Typical use::

    client = RegistryClient(Credentials.from_docker_config(), insecure_registries=["reg:5000"])
    digest = push_index(
        client,
        Reference.parse("reg:5000/app:1.0"),
        [IndexChild("sha256:…", Platform.parse("linux/amd64")),
         IndexChild("sha256:…", Platform.parse("linux/arm64"))],
    )

Modules: `reference` (image names), `credentials` (docker ``config.json``, helpers), `auth`
(challenges, tokens), `retry` (backoff policy), `transport` (one HTTP exchange), `client`
(blob and manifest operations), `upload` (upload sessions), `push` (a whole image), `copy`
(between repositories), `index` (index assembly and push), `manifest`/`platform`/`digest`
(content types), `errors` (what can go wrong, as one-line messages).
"""

from .auth import Challenge, Scope, parse_challenges
from .client import RegistryClient
from .copy import copy_image
from .credentials import Credential, Credentials
from .digest import sha256_digest
from .errors import (
    AuthError,
    CredentialsError,
    DigestMismatch,
    ErrorDetail,
    InvalidIndex,
    InvalidReference,
    NotFound,
    PlatformMismatch,
    RegistryError,
)
from .index import IndexChild, build_index, push_index
from .manifest import Descriptor, Manifest
from .platform import Platform
from .push import push_image
from .reference import Reference, Repository
from .retry import RetryPolicy

__all__ = [
    "AuthError",
    "Challenge",
    "Credential",
    "Credentials",
    "CredentialsError",
    "Descriptor",
    "DigestMismatch",
    "ErrorDetail",
    "IndexChild",
    "InvalidIndex",
    "InvalidReference",
    "Manifest",
    "NotFound",
    "Platform",
    "PlatformMismatch",
    "Reference",
    "RegistryClient",
    "RegistryError",
    "Repository",
    "RetryPolicy",
    "Scope",
    "build_index",
    "copy_image",
    "parse_challenges",
    "push_image",
    "push_index",
    "sha256_digest",
]
