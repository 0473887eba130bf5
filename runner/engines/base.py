"""What every engine offers the runner: the exact steps of a job, and running them.

`Engine.steps` is pure (the same job gives the same commands), so ``--dry-run`` prints what a run
executes. A step is a `Command` (a process: argv plus the variables added to its environment)
or a `RegistryAction` (something the runner does itself with its registry client, shown as a
comment). `Engine.run` executes the steps and returns what the job produced: images pushed by
digest, an image kept for later jobs, exported files.
"""

from __future__ import annotations

import abc
import posixpath
import threading
from dataclasses import dataclass, field
from typing import ClassVar, Literal, Mapping, Protocol, Sequence

from ..compile import BuildJob, ContextSource, Workspace
from ..registry.reference import Reference
from ..secrets import SecretSources

MediaTypes = Literal["oci", "docker"]


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    #: variables added to the runner's environment for this process (never secret values)
    env: Mapping[str, str] = field(default_factory=dict)
    purpose: str = ""


@dataclass(frozen=True)
class RegistryAction:
    text: str


Step = Command | RegistryAction


@dataclass(frozen=True)
class PushedImage:
    repository: str
    digest: str
    media_type: str = ""
    size: int = -1


@dataclass
class JobResult:
    job: str
    pushed: list[PushedImage] = field(default_factory=list)
    #: for a kept image: what later jobs name it by (engine-specific)
    image: str | None = None
    files: str | None = None
    archive: str | None = None

    def pushed_to(self, repository: str) -> PushedImage:
        for image in self.pushed:
            if image.repository == repository:
                return image
        raise KeyError(f"{self.job} pushed nothing to {repository}")


class Results(Protocol):
    """Results of the jobs that already ran (or placeholders in a dry run)."""

    def kept_image(self, job_id: str) -> str: ...

    def pushed(self, job_id: str, repository: str) -> PushedImage: ...


class JobReporter(Protocol):
    def step(self, text: str) -> None: ...

    def log(self, line: str) -> None: ...


class TailReporter:
    """Passes events on and keeps the last lines, for the message of a failed job."""

    def __init__(self, reporter: JobReporter, lines: int = 25) -> None:
        import collections

        self.reporter = reporter
        self.lines: collections.deque[str] = collections.deque(maxlen=lines)

    def step(self, text: str) -> None:
        self.lines.append(text)
        self.reporter.step(text)

    def log(self, line: str) -> None:
        self.lines.append(line)
        self.reporter.log(line)

    def tail(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class EngineSettings:
    secrets: SecretSources = field(default_factory=lambda: SecretSources({}))
    #: registries spoken to over plain HTTP / without TLS verification (host:port)
    insecure_registries: tuple[str, ...] = ()
    media_types: MediaTypes = "oci"
    #: annotations for every pushed image manifest (OCI media types only)
    annotations: Mapping[str, str] = field(default_factory=dict)
    #: folder of the docker config.json to authenticate with (None: the default location)
    docker_config: str | None = None

    def is_insecure(self, registry: str) -> bool:
        host = registry.rsplit(":", 1)[0] if registry.count(":") == 1 else registry
        # The registry client treats loopback registries as plain HTTP; the engines must agree.
        return registry in self.insecure_registries or host in ("localhost", "127.0.0.1", "[::1]", "::1")


class Engine(abc.ABC):
    name: ClassVar[str]

    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings

    @abc.abstractmethod
    def fetches(self, source: ContextSource) -> bool:
        """Whether the engine fetches this git/http source itself (else the runner does)."""

    @abc.abstractmethod
    def steps(self, job: BuildJob, workspace: Workspace, results: Results) -> list[Step]:
        """The exact commands and registry actions that run ``job``."""

    @abc.abstractmethod
    def run(
        self,
        job: BuildJob,
        workspace: Workspace,
        results: Results,
        reporter: JobReporter,
        cancel: threading.Event | None = None,
    ) -> JobResult:
        """Run ``job``; raise `BuildError` (or `Cancelled`) when it fails."""

    @abc.abstractmethod
    def placeholder_image(self, job: BuildJob, workspace: Workspace) -> str:
        """What later jobs would name ``job``'s kept image by, before it exists (dry runs)."""

    def check_available(self) -> None:
        """Raise `UsageError` when the engine cannot run on this machine."""

    def cleanup(self) -> None:
        """Release what the run left in the engine (local images); errors are ignored."""


def job_slug(job: BuildJob) -> str:
    return posixpath.basename(job.dir)


def registry_of(repository: str) -> str:
    return Reference.parse(repository, default_tag=False).registry


def csv_field(text: str) -> str:
    """One field of a comma-separated flag value (buildctl's ``--output``), quoted when needed."""
    if any(char in text for char in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_join(fields: Sequence[str]) -> str:
    return ",".join(csv_field(item) for item in fields)
