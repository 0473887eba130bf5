"""Where secret values come from, and keeping them out of everything planrun prints.

A plan names secrets by id (``dagger.#Secret``); their values are never in the plan. The user
says where each one lives, with buildctl's syntax: ``--secret id=ID,env=VAR`` (an environment
variable of the runner) or ``--secret id=ID,src=PATH`` (a file); ``--secret id=ID`` alone means
the variable ``ID`` if it is set, else the file ``ID``. Engines get the same *source*
(``env=``/``src=``) on their command line, never the value, and read it themselves.

The runner reads a value only where it must act on it itself (``#DockerLogin``, git auth for a
clone it makes), and every line of engine output passes through a `Redactor` holding every
value it could see, so a build that echoes a secret does not leak it into logs or errors.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from .errors import UsageError

# buildctl refuses secrets above 500 KiB; so does the runner, for the same reason.
MAX_SECRET_SIZE = 500 * 1024
_MASK = "****"


@dataclass(frozen=True)
class SecretSource:
    id: str
    env: str | None = None
    src: str | None = None

    @classmethod
    def parse(cls, text: str, environ: Mapping[str, str] | None = None) -> SecretSource:
        """Parse ``id=ID[,env=VAR|,src=PATH]``."""
        fields: dict[str, str] = {}
        for part in text.split(","):
            key, equals, value = part.partition("=")
            key = key.strip()
            if not equals or not key or not value:
                raise UsageError(f"invalid --secret {text!r}: expected id=ID[,env=VARIABLE|,src=FILE]")
            if key not in ("id", "env", "src", "type"):
                raise UsageError(f"invalid --secret {text!r}: unknown key {key!r} (id, env, src)")
            if key in fields:
                raise UsageError(f"invalid --secret {text!r}: {key} given twice")
            fields[key] = value
        if "id" not in fields:
            raise UsageError(f"invalid --secret {text!r}: id=ID is required")
        if "env" in fields and "src" in fields:
            raise UsageError(f"invalid --secret {text!r}: give env= or src=, not both")
        if "," in fields["id"]:
            raise UsageError(f"invalid --secret {text!r}: the id cannot contain a comma")
        if "env" not in fields and "src" not in fields:
            env = os.environ if environ is None else environ
            if fields["id"] in env:
                return cls(fields["id"], env=fields["id"])
            return cls(fields["id"], src=fields["id"])
        return cls(fields["id"], env=fields.get("env"), src=fields.get("src"))

    def flag_value(self) -> str:
        """The ``--secret`` value for buildctl and buildah: where, never what."""
        if self.env is not None:
            return f"id={self.id},env={self.env}"
        return f"id={self.id},src={self.src}"

    def read(self, environ: Mapping[str, str] | None = None) -> str:
        env = os.environ if environ is None else environ
        if self.env is not None:
            if self.env not in env:
                raise UsageError(f"secret {self.id}: the environment variable {self.env} is not set")
            value = env[self.env]
        else:
            path = Path(self.src or "")
            try:
                if path.stat().st_size > MAX_SECRET_SIZE:
                    raise UsageError(f"secret {self.id}: {path} is larger than {MAX_SECRET_SIZE // 1024} KiB")
                value = path.read_text(encoding="utf-8")
            except OSError as error:
                raise UsageError(f"secret {self.id}: cannot read {path}: {error.strerror}") from None
        return value

    def check(self, environ: Mapping[str, str] | None = None) -> None:
        """Fail early, before any build, when the source is not there."""
        env = os.environ if environ is None else environ
        if self.env is not None and self.env not in env:
            raise UsageError(f"secret {self.id}: the environment variable {self.env} is not set")
        if self.src is not None and not Path(self.src).is_file():
            raise UsageError(f"secret {self.id}: {self.src} is not a file")


@dataclass(frozen=True)
class SecretSources:
    sources: Mapping[str, SecretSource]

    @classmethod
    def parse(cls, texts: Iterable[str], environ: Mapping[str, str] | None = None) -> SecretSources:
        sources: dict[str, SecretSource] = {}
        for text in texts:
            source = SecretSource.parse(text, environ)
            if source.id in sources:
                raise UsageError(f"--secret id={source.id} is given twice")
            sources[source.id] = source
        return cls(sources)

    def require(self, ids: Iterable[str], environ: Mapping[str, str] | None = None) -> None:
        """Every secret the plan uses must have a source, and the source must exist."""
        missing = [secret for secret in sorted(set(ids)) if secret not in self.sources]
        if missing:
            listing = ", ".join(missing)
            example = missing[0]
            raise UsageError(
                f"the plan uses secret{'s' if len(missing) > 1 else ''} {listing}, but no --secret says where"
                f" {'they are' if len(missing) > 1 else 'it is'} (e.g. --secret id={example},env=VARIABLE"
                f" or --secret id={example},src=FILE)"
            )
        for secret in sorted(set(ids)):
            self.sources[secret].check(environ)

    def get(self, secret_id: str) -> SecretSource:
        try:
            return self.sources[secret_id]
        except KeyError:
            raise UsageError(f"no --secret given for secret {secret_id}") from None

    def redactor(self, environ: Mapping[str, str] | None = None) -> Redactor:
        values: list[str] = []
        for source in self.sources.values():
            try:
                values.append(source.read(environ))
            except UsageError:
                continue  # reported where the secret is used
        return Redactor(values)


class Redactor:
    """Replaces every known secret value (and each of its lines) with ``****``."""

    def __init__(self, values: Iterable[str]) -> None:
        pieces: set[str] = set()
        for value in values:
            for piece in [value, value.strip(), *value.splitlines()]:
                piece = piece.strip()
                # Very short values would mask ordinary words; they cannot be told apart.
                if len(piece) >= 4:
                    pieces.add(piece)
        self._pieces = sorted(pieces, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for piece in self._pieces:
            if piece in text:
                text = text.replace(piece, _MASK)
        return text
