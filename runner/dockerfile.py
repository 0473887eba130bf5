"""Writing Dockerfile instructions that BuildKit and buildah 1.28 read the same way.

Plan values reach the Dockerfile as text, so every value is quoted for the instruction it lands
in. ``FROM``, ``COPY``, ``WORKDIR`` and ``USER`` expand ``$VAR``: a ``$`` or ``\\`` in a path is
escaped, and a path with spaces uses the JSON form. ``RUN`` always uses the JSON (exec) form,
which runs the plan's ``args`` without a shell and expands nothing, exactly like ``#Exec``.
``--mount`` options are comma-separated on both engines and buildah splits them without
honouring quotes, so a value with a comma cannot be written at all and is refused.

Only instructions and flags buildah 1.28 supports are produced (no heredocs, no
``COPY --exclude``/``--parents``/``--link``, no ``ADD --checksum``, no secret ``env=`` mounts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence


class DockerfileValueError(ValueError):
    """A plan value cannot be written into an instruction."""


def _check_line(value: str, what: str) -> None:
    if "\n" in value or "\r" in value:
        raise DockerfileValueError(f"{what} {value!r} contains a line break")


def expandable(value: str, what: str = "value") -> str:
    """``value`` escaped for an instruction that expands variables."""
    _check_line(value, what)
    return value.replace("\\", "\\\\").replace("$", "\\$")


def _needs_json_form(values: Sequence[str]) -> bool:
    return any(any(c.isspace() for c in value) or '"' in value or "'" in value for value in values)


def paths(values: Sequence[str], what: str = "path") -> str:
    """Source and destination paths of ``COPY``: plain words, or a JSON array when needed."""
    escaped = [expandable(value, what) for value in values]
    if _needs_json_form(values):
        return json.dumps(escaped, ensure_ascii=False)
    return " ".join(escaped)


def option_value(value: str, what: str) -> str:
    """A value inside ``--mount=`` or another comma-separated flag."""
    _check_line(value, what)
    for char in ",$\\":
        if char in value:
            raise DockerfileValueError(f"{what} {value!r} contains {char!r}, which a --mount option cannot carry")
    return value


@dataclass(frozen=True)
class Mount:
    """One ``RUN --mount`` (types: cache, tmpfs, secret, bind)."""

    type: str
    target: str
    options: tuple[tuple[str, str], ...] = ()
    flags: tuple[str, ...] = ()

    def render(self) -> str:
        parts = [f"type={self.type}"]
        for key, value in self.options:
            parts.append(f"{key}={option_value(value, key)}")
        parts.append(f"target={option_value(self.target, 'mount target')}")
        parts.extend(self.flags)
        return "--mount=" + ",".join(parts)


def from_(image: str, alias: str, platform: str | None = None) -> str:
    flag = f"--platform={platform} " if platform else ""
    return f"FROM {flag}{expandable(image, 'image')} AS {alias}"


def copy(sources: Sequence[str], dest: str, *, from_stage: str, chmod: int | None = None, chown: str | None = None) -> str:
    flags = [f"--from={from_stage}"]
    if chmod is not None:
        flags.append(f"--chmod={chmod:o}")
    if chown is not None:
        flags.append(f"--chown={option_value(chown, 'owner')}")
    return f"COPY {' '.join(flags)} {paths([*sources, dest])}"


def workdir(path: str) -> str:
    return f"WORKDIR {paths([path], 'working directory')}"


def user(name: str) -> str:
    _check_line(name, "user")
    if any(c.isspace() for c in name):
        raise DockerfileValueError(f"user {name!r} contains white space")
    return f"USER {expandable(name, 'user')}"


def arg(name: str) -> str:
    return f"ARG {name}"


def run(args: Sequence[str], mounts: Sequence[Mount] = ()) -> str:
    """``RUN`` in exec form: no shell, no variable expansion, arguments passed as written."""
    flags = "".join(mount.render() + " " for mount in mounts)
    return f"RUN {flags}{json.dumps(list(args), ensure_ascii=False)}"
