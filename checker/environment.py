"""The environment default platform: ``.dagger/env/<env>/values.yaml``.

Dagger v0.1 keeps one platform per environment in ``values.yaml``
(``platform: linux/arm64``, written by ``dagger new --platform``). The
environment that applies to a package is the one whose ``plan.package``
names the package's folder; with a single environment, that one. Without
any, the ``--platform`` option applies, else ``linux/amd64``.
"""

from __future__ import annotations

import os
from pathlib import Path

from plancheck.checker import platforms


def default_platform(folder: Path, fallback: str, loader=None) -> tuple[str, str]:
    """The canonical default platform for ``folder`` and where it comes from."""
    envs = _environments(folder, loader)
    chosen = None
    matching = [e for e in envs if e[2] is not None and _same_folder(e[2], folder)]
    if len(matching) == 1:
        chosen = matching[0]
    elif not matching and len(envs) == 1:
        chosen = envs[0]
    if chosen is not None and chosen[1]:
        try:
            return platforms.canonical(chosen[1]), f"values.yaml of environment {chosen[0]}"
        except platforms.PlatformError:
            pass
    try:
        return platforms.canonical(fallback), "option"
    except platforms.PlatformError:
        return platforms.DEFAULT_PLATFORM, "builtin"


def _environments(folder: Path, loader) -> list[tuple[str, str | None, Path | None]]:
    """(env name, platform, plan folder) of the environments of the nearest ``.dagger``."""
    for candidate in (folder.resolve(), *folder.resolve().parents):
        env_dir = candidate / ".dagger" / "env"
        if loader is not None:
            loader.probed_paths.add(str(env_dir))  # created later, it would name a platform
        if not env_dir.is_dir():
            continue
        out = []
        for name in sorted(os.listdir(env_dir)):
            values = env_dir / name / "values.yaml"
            if loader is not None:
                loader.probed_paths.add(str(values))
            try:
                text = values.read_text(encoding="utf-8")
            except OSError:
                continue
            if loader is not None:
                loader.read_paths.add(str(values))
            data = _read_values(text)
            plan_pkg = data.get("plan.package")
            plan_folder = (candidate / plan_pkg).resolve() if plan_pkg else None
            out.append((name, data.get("platform"), plan_folder))
        return out
    return []


def _read_values(text: str) -> dict[str, str]:
    """The scalar keys plancheck needs from values.yaml (``platform``, ``plan.package``).

    values.yaml is written by dagger itself in a plain block style; reading the
    two keys needs no YAML library.
    """
    out: dict[str, str] = {}
    section = None
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        key, sep, value = line.strip().partition(":")
        if not sep:
            continue
        value = value.strip().strip('"').strip("'")
        if indent == 0:
            section = key if not value else None
            if value:
                out[key] = value
        elif section is not None and value:
            out[f"{section}.{key}"] = value
    return out


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
