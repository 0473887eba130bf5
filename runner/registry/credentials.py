"""Registry credentials from Docker's ``config.json`` and credential helpers.

Lookup follows the docker CLI: the file is ``$DOCKER_CONFIG/config.json``, else
``~/.docker/config.json``. A registry's key is its host (with port); Docker Hub's key is
``https://index.docker.io/v1/``. A ``credHelpers`` entry for the key wins, then ``credsStore``,
then the ``auths`` entry (exact key first, then any key whose host part matches, which covers
legacy keys like ``https://host/v1/``). A configured helper is authoritative: when it has
nothing, the ``auths`` entry is not consulted, as in docker. Helpers are run as
``docker-credential-<name> get`` with the key on stdin.

Entries are decoded when used, so a broken entry for some other registry does not stop a push.
Secrets are never part of a repr or an error message.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import CredentialsError

DOCKER_HUB_CONFIG_KEY = "https://index.docker.io/v1/"
_DOCKER_HUB_HOSTS = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
# What docker-credential-helpers print when a helper has nothing stored for a server.
_NOT_FOUND_MESSAGE = "credentials not found"
_TOKEN_USERNAME = "<token>"


@dataclass(frozen=True)
class Credential:
    """What authenticates the client to one registry.

    ``username``/``password`` are used for Basic auth and for the token endpoint;
    ``identity_token`` is an OAuth2 refresh token (docker's ``identitytoken``, or a helper
    answering with the username ``<token>``); ``registry_token`` is a bearer token sent as is.
    """

    username: str = ""
    password: str = field(default="", repr=False)
    identity_token: str = field(default="", repr=False)
    registry_token: str = field(default="", repr=False)

    @property
    def has_password(self) -> bool:
        return bool(self.username and self.password)

    def __repr__(self) -> str:
        secrets = [name for name in ("password", "identity_token", "registry_token") if getattr(self, name)]
        hidden = "".join(f", {name}=<hidden>" for name in secrets)
        return f"Credential(username={self.username!r}{hidden})"


def config_key(registry: str) -> str:
    """The key docker uses for a registry in ``auths`` and ``credHelpers``."""
    return DOCKER_HUB_CONFIG_KEY if registry in _DOCKER_HUB_HOSTS else registry


def _hostname(key: str) -> str:
    """A config key's host part: scheme and path stripped (docker's ConvertToHostname)."""
    for prefix in ("http://", "https://"):
        if key.startswith(prefix):
            key = key[len(prefix) :]
            break
    return key.split("/", 1)[0]


def _same_registry(stored_key: str, key: str) -> bool:
    stored, wanted = _hostname(stored_key), _hostname(key)
    if wanted in _DOCKER_HUB_HOSTS:
        return stored in _DOCKER_HUB_HOSTS
    return stored == wanted


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    directory = env.get("DOCKER_CONFIG")
    if directory:
        return Path(directory) / "config.json"
    home = env.get("HOME")
    return (Path(home) if home else Path.home()) / ".docker" / "config.json"


class Credentials:
    """A source of registry credentials; `lookup` answers per registry (``docker.io``, ``host:port``)."""

    def __init__(
        self,
        *,
        auths: Mapping[str, Any] | None = None,
        creds_store: str = "",
        cred_helpers: Mapping[str, str] | None = None,
        source: str = "",
        env: Mapping[str, str] | None = None,
        helper_timeout: float = 30.0,
    ) -> None:
        self._auths: dict[str, Any] = dict(auths or {})
        self._creds_store = creds_store
        self._cred_helpers = dict(cred_helpers or {})
        self._source = source
        self._env = dict(os.environ if env is None else env)
        self._helper_timeout = helper_timeout
        self._helper_answers: dict[tuple[str, str], Credential | None] = {}
        self._lock = threading.Lock()

    @classmethod
    def anonymous(cls) -> Credentials:
        return cls()

    @classmethod
    def static(cls, credentials: Mapping[str, Credential]) -> Credentials:
        """Credentials given directly, keyed by registry (``docker.io``, ``host:port``)."""
        return cls(
            auths={config_key(registry): credential for registry, credential in credentials.items()},
            source="given credentials",
        )

    @classmethod
    def from_docker_config(
        cls, path: Path | str | None = None, *, env: Mapping[str, str] | None = None
    ) -> Credentials:
        """Read a docker ``config.json`` (the default location when ``path`` is None).

        A missing file means no credentials; an unreadable one is a `CredentialsError`.
        """
        config_path = Path(path) if path is not None else default_config_path(env)
        try:
            text = config_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(env=env, source=str(config_path))
        except OSError as error:
            raise CredentialsError(f"cannot read docker config {config_path}: {error.strerror}") from None
        try:
            config = json.loads(text)
        except ValueError as error:
            raise CredentialsError(
                f"cannot read docker config {config_path}: invalid JSON ({error})"
            ) from None
        if not isinstance(config, dict):
            raise CredentialsError(f"cannot read docker config {config_path}: expected a JSON object")
        auths = config.get("auths") if config.get("auths") is not None else {}
        helpers = config.get("credHelpers") if config.get("credHelpers") is not None else {}
        store = config.get("credsStore") if config.get("credsStore") is not None else ""
        if not isinstance(auths, dict) or not isinstance(helpers, dict) or not isinstance(store, str):
            raise CredentialsError(
                f"cannot read docker config {config_path}: auths and credHelpers must be objects, credsStore a string"
            )
        return cls(
            auths=auths,
            creds_store=store,
            cred_helpers={str(k): str(v) for k, v in helpers.items()},
            source=str(config_path),
            env=env,
        )

    @property
    def source(self) -> str:
        """Where the credentials come from (the config file's path), for messages; "" if nowhere."""
        return self._source

    def lookup(self, registry: str) -> Credential | None:
        """The credential for ``registry``, or None to go anonymous."""
        key = config_key(registry)
        helper = self._helper_for(key)
        if helper is not None:
            return self._ask_helper(helper, key)
        for stored_key, entry in self._entries_for(key):
            credential = _decode_entry(entry, stored_key, self._source)
            if credential is not None:
                return credential
        return None

    def __repr__(self) -> str:
        return (
            f"Credentials(source={self._source!r}, registries={sorted(self._auths)!r},"
            f" creds_store={self._creds_store!r}, cred_helpers={self._cred_helpers!r})"
        )

    def _helper_for(self, key: str) -> str | None:
        if key in self._cred_helpers:
            return self._cred_helpers[key]
        for stored_key, helper in self._cred_helpers.items():
            if _same_registry(stored_key, key):
                return helper
        return self._creds_store or None

    def _entries_for(self, key: str) -> list[tuple[str, Any]]:
        entries = [(key, self._auths[key])] if key in self._auths else []
        entries += [(k, v) for k, v in self._auths.items() if k != key and _same_registry(k, key)]
        return entries

    def _ask_helper(self, helper: str, key: str) -> Credential | None:
        with self._lock:
            if (helper, key) in self._helper_answers:
                return self._helper_answers[(helper, key)]
        answer = self._run_helper(helper, key)
        with self._lock:
            self._helper_answers[(helper, key)] = answer
        return answer

    def _run_helper(self, helper: str, key: str) -> Credential | None:
        program = f"docker-credential-{helper}"
        executable = shutil.which(program, path=self._env.get("PATH", os.defpath))
        if executable is None:
            raise CredentialsError(
                f"credential helper {program} (configured in {self._source}) is not on PATH"
            )
        try:
            result = subprocess.run(
                [executable, "get"],
                input=key,
                capture_output=True,
                text=True,
                timeout=self._helper_timeout,
                env=self._env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise CredentialsError(
                f"credential helper {program} did not answer within {self._helper_timeout:.0f}s"
            ) from None
        except OSError as error:
            raise CredentialsError(f"cannot run credential helper {program}: {error.strerror}") from None
        if result.returncode != 0:
            output = " ".join((result.stdout + " " + result.stderr).split())
            if _NOT_FOUND_MESSAGE in output.lower():
                return None
            raise CredentialsError(
                f"credential helper {program} failed for {key} (exit {result.returncode}): {output[:200]}"
            )
        try:
            answer = json.loads(result.stdout)
            username, secret = str(answer.get("Username") or ""), str(answer.get("Secret") or "")
        except (ValueError, AttributeError):
            raise CredentialsError(
                f"credential helper {program} answered with something other than JSON for {key}"
            ) from None
        if not secret:
            return None
        if username == _TOKEN_USERNAME:
            return Credential(identity_token=secret)
        return Credential(username=username, password=secret)


def _decode_entry(entry: Any, key: str, source: str) -> Credential | None:
    """One ``auths`` entry as a `Credential` (None when it holds nothing usable)."""
    if isinstance(entry, Credential):
        return entry
    if not isinstance(entry, dict):
        raise CredentialsError(f"invalid auths entry for {key} in {source}: expected an object")
    username = str(entry.get("username") or "")
    password = str(entry.get("password") or "")
    encoded = entry.get("auth")
    if encoded:
        try:
            decoded = base64.b64decode(str(encoded), validate=False).decode("utf-8")
        except (binascii.Error, ValueError):
            raise CredentialsError(
                f"invalid auth for {key} in {source}: not base64 of user:password"
            ) from None
        user, colon, secret = decoded.partition(":")
        if not colon or not user:
            raise CredentialsError(f"invalid auth for {key} in {source}: not base64 of user:password")
        username, password = user, secret.rstrip("\x00")
    credential = Credential(
        username=username,
        password=password,
        identity_token=str(entry.get("identitytoken") or ""),
        registry_token=str(entry.get("registrytoken") or ""),
    )
    if not (credential.has_password or credential.identity_token or credential.registry_token):
        return None
    return credential
