"""Build engines: BuildKit through ``buildctl`` (primary) and ``buildah`` (daemonless).

Both take the same compiled jobs (`runner.compile.BuildJob`). ``--engine auto`` picks buildctl
when it is on PATH and a daemon answers ``buildctl debug workers`` within a short timeout, and
buildah otherwise; `choose_engine` says which and why.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from typing import Callable, Literal

from .base import (
    Command,
    Engine,
    EngineSettings,
    JobReporter,
    JobResult,
    PushedImage,
    RegistryAction,
    Results,
    Step,
)
from .buildah import BUILDAH, BuildahEngine, BuildahStorage
from .buildctl import BUILDCTL, Builder, BuilderMap, BuildctlEngine, TLSConfig

EngineName = Literal["auto", "buildctl", "buildah"]


@dataclass(frozen=True)
class EngineChoice:
    name: Literal["buildctl", "buildah"]
    reason: str


def choose_engine(
    requested: EngineName,
    buildctl: BuildctlEngine,
    *,
    which: Callable[[str], str | None] = shutil.which,
    probe_timeout: float = 3.0,
) -> EngineChoice:
    """Resolve ``auto``; an explicit choice is taken as given (its availability is checked later)."""
    if requested == "buildctl":
        return EngineChoice("buildctl", "--engine buildctl")
    if requested == "buildah":
        return EngineChoice("buildah", "--engine buildah")
    if which(buildctl.binary) is None:
        return EngineChoice("buildah", f"{buildctl.binary} is not on PATH")
    answers, why = buildctl.daemon_answers(probe_timeout)
    if answers:
        return EngineChoice("buildctl", why)
    return EngineChoice("buildah", why)


__all__ = [
    "BUILDAH",
    "BUILDCTL",
    "BuildahEngine",
    "BuildahStorage",
    "Builder",
    "BuilderMap",
    "BuildctlEngine",
    "Command",
    "Engine",
    "EngineChoice",
    "EngineSettings",
    "JobReporter",
    "JobResult",
    "PushedImage",
    "RegistryAction",
    "Results",
    "Step",
    "TLSConfig",
    "choose_engine",
]
