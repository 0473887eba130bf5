"""Finding and reading plan files.

Folders are walked for ``*.cue`` files. ``cue.mod`` (vendored and generated
packages), hidden folders and ``node_modules`` are not walked: vendored code
is read when a plan imports it, but never reported on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_SKIP_DIRS = frozenset({"cue.mod", "node_modules", "__pycache__"})


@dataclass(frozen=True, slots=True)
class Source:
    """One plan file: its path (as shown to the user) and its text."""

    path: str
    text: str
    #: Offset of the first byte that was not valid UTF-8 (replaced in ``text``), if any.
    bad_utf8_at: int | None = None


class SourceError(Exception):
    """A path that cannot be read (exit code 2)."""


def discover(paths: list[str]) -> list[Path]:
    """The ``.cue`` files named by ``paths`` (files, or folders walked recursively), sorted.

    A file named explicitly is checked whatever its extension.
    """
    found: dict[Path, None] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    if name.endswith(".cue"):
                        found[Path(root) / name] = None
        elif path.is_file():
            found[path] = None
        elif path.exists():
            raise SourceError(f"{raw}: not a regular file or folder")
        else:
            raise SourceError(f"{raw}: no such file or folder")
    return sorted(found, key=lambda p: (str(p.parent), p.name))


def display_path(path: Path) -> str:
    """``path`` relative to the working folder when it lies under it."""
    try:
        rel = path.resolve().relative_to(Path.cwd().resolve())
        return str(rel)
    except (ValueError, OSError):
        return str(path)


def read(path: Path, shown_as: str | None = None) -> Source:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: {exc.strerror or exc}") from None
    return decode(data, shown_as or display_path(path))


def decode(data: bytes, shown_as: str) -> Source:
    try:
        text = data.decode("utf-8")
        bad = None
    except UnicodeDecodeError as exc:
        bad = len(data[: exc.start].decode("utf-8"))
        text = data.decode("utf-8", "replace")
    # CUE drops carriage returns of CRLF files; positions count them as characters.
    return Source(shown_as, text, bad)
