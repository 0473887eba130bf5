"""``#DockerLogin``: registry credentials a plan adds for its own pushes and pulls.

Dagger added them to its solver's auth provider. planrun writes a docker ``config.json`` for
the run (mode 0600, in the run's work folder): the user's own config with an ``auths`` entry
per login, and any credential helper for those registries dropped so the login wins. Both
engines and the runner's registry client read that file (``DOCKER_CONFIG`` for buildctl,
``--authfile`` for buildah). The password comes from the login's secret source; it is written
only to that file, which is deleted with the work folder.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Mapping, Sequence

from .compile import Login
from .errors import UsageError
from .registry.credentials import config_key, default_config_path
from .secrets import SecretSources


def write_login_config(
    logins: Sequence[Login],
    secrets: SecretSources,
    folder: Path,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """Write the merged config into ``folder`` and return ``folder`` (a ``DOCKER_CONFIG``)."""
    source = default_config_path(environ)
    config: dict = {}
    if source.is_file():
        try:
            loaded = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise UsageError(f"cannot read docker config {source}: {error}") from None
        if isinstance(loaded, dict):
            config = loaded
    auths = dict(config.get("auths") or {})
    helpers = dict(config.get("credHelpers") or {})
    store = config.pop("credsStore", "")
    logged_in = set()
    for login in logins:
        key = config_key(_host(login.registry))
        password = secrets.get(login.secret).read(environ).strip()
        token = base64.b64encode(f"{login.username}:{password}".encode()).decode()
        auths[key] = {"auth": token}
        helpers.pop(key, None)
        logged_in.add(key)
    if store:
        # A credsStore answers for every registry and would shadow the logins. Docker leaves an
        # empty auths entry for each registry it stored, so those keep the store as a helper.
        for key in auths:
            if key not in logged_in:
                helpers.setdefault(key, store)
    config["auths"] = auths
    if helpers:
        config["credHelpers"] = helpers
    else:
        config.pop("credHelpers", None)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "config.json"
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(config, out, indent=2)
    return folder


def _host(registry: str) -> str:
    return registry.removeprefix("https://").removeprefix("http://").split("/")[0]
