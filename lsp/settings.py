"""The server's settings: ``initializationOptions`` and the ``plancheck`` configuration section.

Both carry the same keys (the VS Code extension and the Neovim plugin send
``defaultPlatform``); values of the wrong type or an invalid platform are
ignored with a warning rather than failing, because a hand-edited settings
file must never stop the server.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

from plancheck.checker import platforms

#: default debounce of diagnostics after a change, in milliseconds
DEFAULT_DEBOUNCE_MS = 75


@dataclass(frozen=True)
class Settings:
    #: platform of pipelines that name none, when no configuration file or values.yaml says
    default_platform: str | None = None
    #: delay between the last change and the check that follows it
    debounce_ms: int = DEFAULT_DEBOUNCE_MS
    #: re-check only what an edit can change (off: every change checks the whole package)
    incremental: bool = True

    def merged(self, data: Any) -> tuple["Settings", list[str]]:
        """These settings updated from a client mapping; and warnings about bad values."""
        if not isinstance(data, Mapping):
            return self, []
        warnings: list[str] = []
        changes: dict[str, Any] = {}
        if "defaultPlatform" in data:
            value = data["defaultPlatform"]
            if value is None or value == "":
                changes["default_platform"] = None
            elif isinstance(value, str):
                try:
                    changes["default_platform"] = platforms.canonical(value.strip())
                except platforms.PlatformError as exc:
                    warnings.append(f"plancheck.defaultPlatform: {exc}")
            else:
                warnings.append("plancheck.defaultPlatform must be a string such as \"linux/amd64\"")
        if "debounceMs" in data:
            value = data["debounceMs"]
            if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 10_000:
                changes["debounce_ms"] = int(value)
            else:
                warnings.append("plancheck.debounceMs must be a number of milliseconds between 0 and 10000")
        if "incremental" in data:
            value = data["incremental"]
            if isinstance(value, bool):
                changes["incremental"] = value
            else:
                warnings.append("plancheck.incremental must be true or false")
        return (replace(self, **changes) if changes else self), warnings
