"""The BuildKit engine: ``buildctl build`` with the Dockerfile frontend, one call per output.

Connection: ``--addr`` (else buildctl's own default: ``BUILDKIT_HOST``, then the local socket)
and the TLS flags (``--tlscacert``, ``--tlscert``, ``--tlskey``, ``--tlsservername``). A
`BuilderMap` sends each platform to its own daemon, as buildx's multi-node builders do
(``--builder linux/arm64=tcp://arm-builder:1234``); a platform with no builder uses the
default.

Per output (BuildKit caches every step, so a second call for the same target costs a lookup):

* push by digest: ``--output type=image,name=REPO,push=true,push-by-digest=true,
  oci-mediatypes=…`` (``registry.insecure=true`` for plain-HTTP registries), the digest read
  back from ``--metadata-file`` (``containerimage.descriptor``, else ``containerimage.digest``);
* an image kept for later jobs: an OCI layout folder (``type=oci,tar=false``), given to them as
  ``--oci-layout NAME=DIR`` plus ``context:NAME=oci-layout://NAME@DIGEST``;
* files: ``type=local,dest=DIR``; ``#SaveImage``: ``type=docker,name=TAG,dest=FILE``.

Contexts: folders as ``--local NAME=DIR`` + ``context:NAME=local:NAME``; git and http sources
as ``context:NAME=URL`` (BuildKit fetches them). Secrets: ``--secret id=ID,env=VAR`` or
``src=FILE`` — where the value is, never the value. Registry credentials are read by buildctl
itself from ``$DOCKER_CONFIG/config.json``. Progress is ``--progress rawjson``, parsed into the
runner's progress view. ``--import-cache``/``--export-cache`` are passed through; ``{platform}``
in them becomes the job's platform (``linux-arm64``), since one shared cache ref keeps only
the last writer's cache (moby/buildkit#2758).
"""

from __future__ import annotations

import json
import posixpath
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from plancheck.checker import platforms

from ..compile import (
    BuildJob,
    ContextDockerfile,
    ContextSource,
    ExportFiles,
    GeneratedDockerfile,
    GitSource,
    HttpSource,
    JobImage,
    KeepImage,
    Output,
    PushImage,
    SaveArchive,
    Workspace,
    source_dir,
)
from ..errors import BuildError, UsageError
from .. import process
from .base import (
    Command,
    Engine,
    EngineSettings,
    JobReporter,
    JobResult,
    PushedImage,
    Results,
    Step,
    TailReporter,
    csv_join,
    registry_of,
)
from .buildkit_progress import SolveStatusReader

BUILDCTL = "buildctl"
OCI_LAYOUT = "oci"


@dataclass(frozen=True)
class TLSConfig:
    cacert: str | None = None
    cert: str | None = None
    key: str | None = None
    servername: str | None = None

    def flags(self) -> list[str]:
        out: list[str] = []
        for flag, value in (
            ("--tlsservername", self.servername),
            ("--tlscacert", self.cacert),
            ("--tlscert", self.cert),
            ("--tlskey", self.key),
        ):
            if value:
                out += [flag, value]
        return out

    def __bool__(self) -> bool:
        return any((self.cacert, self.cert, self.key, self.servername))


@dataclass(frozen=True)
class Builder:
    """One BuildKit daemon: its address (any buildctl scheme) and TLS material."""

    addr: str | None
    tls: TLSConfig = field(default_factory=TLSConfig)

    def flags(self) -> list[str]:
        return (["--addr", self.addr] if self.addr else []) + self.tls.flags()


_TLS_KEYS = {"tlscacert": "cacert", "tlscert": "cert", "tlskey": "key", "tlsservername": "servername"}


@dataclass(frozen=True)
class BuilderMap:
    default: Builder = field(default_factory=lambda: Builder(None))
    #: canonical platform -> builder
    per_platform: Mapping[str, Builder] = field(default_factory=dict)

    @classmethod
    def parse(cls, specs: Sequence[str], default: Builder) -> BuilderMap:
        """``PLATFORM=ADDR[,tlscacert=F][,tlscert=F][,tlskey=F][,tlsservername=N]`` each.

        A builder without TLS settings of its own uses the default builder's.
        """
        per_platform: dict[str, Builder] = {}
        for spec in specs:
            platform_text, equals, rest = spec.partition("=")
            if not equals or not platform_text or not rest:
                raise UsageError(f"invalid --builder {spec!r}: expected PLATFORM=ADDRESS, e.g. linux/arm64=tcp://arm-builder:1234")
            try:
                platform = platforms.canonical(platform_text.strip())
            except platforms.PlatformError as error:
                raise UsageError(f"invalid --builder {spec!r}: {error}") from None
            addr, *options = rest.split(",")
            tls: dict[str, str] = {}
            for option in options:
                key, equals, value = option.partition("=")
                if not equals or key not in _TLS_KEYS or not value:
                    raise UsageError(
                        f"invalid --builder {spec!r}: unknown option {option!r} (tlscacert, tlscert, tlskey, tlsservername)"
                    )
                tls[_TLS_KEYS[key]] = value
            if platform in per_platform:
                raise UsageError(f"--builder gives two builders for {platform}")
            per_platform[platform] = Builder(addr, TLSConfig(**tls) if tls else default.tls)
        return cls(default, per_platform)

    def for_platform(self, platform: str) -> Builder:
        try:
            return self.per_platform.get(platforms.canonical(platform), self.default)
        except platforms.PlatformError:
            return self.default

    def all(self) -> list[Builder]:
        return [self.default, *self.per_platform.values()]


class BuildctlEngine(Engine):
    name = "buildctl"

    def __init__(
        self,
        settings: EngineSettings,
        builders: BuilderMap | None = None,
        *,
        import_cache: Sequence[str] = (),
        export_cache: Sequence[str] = (),
        binary: str = BUILDCTL,
    ) -> None:
        super().__init__(settings)
        self.builders = builders or BuilderMap()
        self.import_cache = tuple(import_cache)
        self.export_cache = tuple(export_cache)
        self.binary = binary

    # -- what runs -------------------------------------------------------------------------------

    def fetches(self, source: ContextSource) -> bool:
        if isinstance(source, GitSource):
            return source.buildkit_fetchable
        if isinstance(source, HttpSource):
            return source.buildkit_fetchable
        return False

    def placeholder_image(self, job: BuildJob, workspace: Workspace) -> str:
        return f"{job.dir}/{OCI_LAYOUT}@<digest of {job.id}>"

    def environment(self) -> dict[str, str]:
        # buildctl reads registry credentials itself, from the docker config the runner uses.
        return {"DOCKER_CONFIG": self.settings.docker_config} if self.settings.docker_config else {}

    def steps(self, job: BuildJob, workspace: Workspace, results: Results) -> list[Step]:
        base = self._base_argv(job, results)
        outputs: list[Output | None] = list(job.outputs) or [None]
        return [
            Command(
                tuple(base + self._output_argv(job, output, index)),
                self.environment(),
                purpose=_purpose(output),
            )
            for index, output in enumerate(outputs)
        ]

    def _base_argv(self, job: BuildJob, results: Results) -> list[str]:
        builder = self.builders.for_platform(job.platform)
        argv = [self.binary, *builder.flags(), "build", "--progress", "rawjson", "--frontend", "dockerfile.v0"]
        argv += self._main_context(job)
        argv += ["--opt", f"platform={job.platform}"]
        if job.target:
            argv += ["--opt", f"target={job.target}"]
        for name, source in job.named_contexts.items():
            argv += self._named_context(name, source, results)
        for key, value in job.build_args.items():
            argv += ["--opt", f"build-arg:{key}={value}"]
        for key, value in job.labels.items():
            argv += ["--opt", f"label:{key}={value}"]
        if job.hosts:
            argv += ["--opt", "add-hosts=" + ",".join(f"{host}={ip}" for host, ip in job.hosts.items())]
        for secret in job.secrets:
            argv += ["--secret", self.settings.secrets.get(secret).flag_value()]
        platform_slug = job.platform.replace("/", "-")
        for spec in self.import_cache:
            argv += ["--import-cache", spec.replace("{platform}", platform_slug)]
        for spec in self.export_cache:
            argv += ["--export-cache", spec.replace("{platform}", platform_slug)]
        return argv

    def _main_context(self, job: BuildJob) -> list[str]:
        argv: list[str] = []
        context = job.context
        context_dir: str | None = None
        if isinstance(context, GitSource) and self.fetches(context):
            argv += ["--opt", f"context={context.url()}"]
        else:
            context_dir = source_dir(context)
            argv += ["--local", f"context={context_dir}"]
        if isinstance(job.dockerfile, GeneratedDockerfile):
            argv += ["--local", f"dockerfile={job.dockerfile.dir}", "--opt", "filename=Dockerfile"]
        elif isinstance(job.dockerfile, ContextDockerfile):
            if context_dir is None:
                # With a git context the frontend reads the Dockerfile from the checkout.
                argv += ["--opt", f"filename={job.dockerfile.path}"]
            else:
                folder, name = posixpath.split(job.dockerfile.path)
                argv += ["--local", f"dockerfile={posixpath.join(context_dir, folder) if folder else context_dir}"]
                argv += ["--opt", f"filename={name}"]
        return argv

    def _named_context(self, name: str, source: ContextSource, results: Results) -> list[str]:
        if isinstance(source, JobImage):
            layout, _, digest = results.kept_image(source.job).rpartition("@")
            return ["--oci-layout", f"{name}={layout}", "--opt", f"context:{name}=oci-layout://{name}@{digest}"]
        if isinstance(source, GitSource) and self.fetches(source):
            return ["--opt", f"context:{name}={source.url()}"]
        if isinstance(source, HttpSource) and self.fetches(source):
            return ["--opt", f"context:{name}={source.url}"]
        return ["--local", f"{name}={source_dir(source)}", "--opt", f"context:{name}=local:{name}"]

    def _output_argv(self, job: BuildJob, output: Output | None, index: int) -> list[str]:
        if output is None:
            return []
        metadata = f"{job.dir}/metadata-{index}.json"
        if isinstance(output, PushImage):
            fields = [
                "type=image",
                f"name={output.repository}",
                "push=true",
                "push-by-digest=true",
                f"oci-mediatypes={'true' if self.settings.media_types == 'oci' else 'false'}",
            ]
            if self.settings.is_insecure(registry_of(output.repository)):
                fields.append("registry.insecure=true")
            fields += [f"annotation.{key}={value}" for key, value in self.settings.annotations.items()]
            return ["--output", csv_join(fields), "--metadata-file", metadata]
        if isinstance(output, KeepImage):
            return [
                "--output",
                csv_join(["type=oci", f"dest={job.dir}/{OCI_LAYOUT}", "tar=false", "oci-mediatypes=true"]),
                "--metadata-file",
                metadata,
            ]
        if isinstance(output, ExportFiles):
            return ["--output", csv_join(["type=local", f"dest={output.path}"])]
        if isinstance(output, SaveArchive):
            return ["--output", csv_join(["type=docker", f"name={output.tag}", f"dest={output.path}"])]
        raise AssertionError(output)

    # -- running ---------------------------------------------------------------------------------

    def check_available(self) -> None:
        if shutil.which(self.binary) is None:
            raise UsageError(f"{self.binary} is not on PATH (BuildKit's client; or use --engine buildah)")

    def run(
        self,
        job: BuildJob,
        workspace: Workspace,
        results: Results,
        reporter: JobReporter,
        cancel: threading.Event | None = None,
    ) -> JobResult:
        result = JobResult(job.id)
        redact = self.settings.secrets.redactor()
        outputs: list[Output | None] = list(job.outputs) or [None]
        for index, (step, output) in enumerate(zip(self.steps(job, workspace, results), outputs)):
            assert isinstance(step, Command)
            tail = TailReporter(reporter)
            reader = SolveStatusReader(tail)
            Path(job.dir).mkdir(parents=True, exist_ok=True)
            outcome = process.run(step.argv, env=step.env, on_line=reader.feed, redact=redact, cancel=cancel)
            if not outcome.ok:
                detail = reader.errors[-1] if reader.errors else (tail.lines[-1] if tail.lines else "")
                raise BuildError(
                    job.id,
                    f"buildctl exited with status {outcome.returncode}" + (f": {detail}" if detail else ""),
                    tail.tail(),
                )
            metadata_path = Path(f"{job.dir}/metadata-{index}.json")
            if isinstance(output, PushImage):
                result.pushed.append(_pushed_from_metadata(job, output.repository, metadata_path))
            elif isinstance(output, KeepImage):
                digest = _read_metadata(job, metadata_path).get("containerimage.digest")
                if not isinstance(digest, str):
                    raise BuildError(job.id, f"buildctl wrote no containerimage.digest to {metadata_path}")
                result.image = f"{job.dir}/{OCI_LAYOUT}@{digest}"
            elif isinstance(output, ExportFiles):
                result.files = output.path
            elif isinstance(output, SaveArchive):
                result.archive = output.path
        return result

    def daemon_answers(self, timeout: float = 5.0) -> tuple[bool, str]:
        """Whether ``buildctl debug workers`` reaches the default daemon (for ``--engine auto``)."""
        if shutil.which(self.binary) is None:
            return False, f"{self.binary} is not on PATH"
        argv = [self.binary, *self.builders.default.flags(), "--timeout", str(int(max(1, timeout))), "debug", "workers"]
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout + 2, check=False)
        except subprocess.TimeoutExpired:
            return False, f"no BuildKit daemon answered within {timeout:.0f}s"
        except OSError as error:
            return False, f"cannot run {self.binary}: {error.strerror}"
        if result.returncode != 0:
            message = " ".join(result.stderr.split())[:200]
            return False, f"no BuildKit daemon answered ({message or f'exit {result.returncode}'})"
        return True, "a BuildKit daemon answered"


def _purpose(output: Output | None) -> str:
    if isinstance(output, PushImage):
        return f"build and push by digest to {output.repository}"
    if isinstance(output, KeepImage):
        return "build and keep the image for later jobs (OCI layout)"
    if isinstance(output, ExportFiles):
        return "build and export the files"
    if isinstance(output, SaveArchive):
        return f"build and save {output.tag} to {output.path}"
    return "build"




def _read_metadata(job: BuildJob, path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BuildError(job.id, f"cannot read buildctl's metadata file {path}: {error}") from None
    if not isinstance(data, dict):
        raise BuildError(job.id, f"buildctl's metadata file {path} is not a JSON object")
    return data


def _pushed_from_metadata(job: BuildJob, repository: str, path: Path) -> PushedImage:
    data = _read_metadata(job, path)
    descriptor = data.get("containerimage.descriptor")
    if isinstance(descriptor, dict) and isinstance(descriptor.get("digest"), str):
        size = descriptor.get("size")
        return PushedImage(
            repository,
            descriptor["digest"],
            str(descriptor.get("mediaType") or ""),
            size if isinstance(size, int) else -1,
        )
    digest = data.get("containerimage.digest")
    if isinstance(digest, str) and digest.startswith("sha256:"):
        return PushedImage(repository, digest)
    raise BuildError(job.id, f"buildctl wrote no image digest to {path}")
