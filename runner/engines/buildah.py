"""The buildah engine (daemonless; Debian 12 packages buildah 1.28).

A job is one ``buildah bud`` of the compiled Dockerfile (same text as for BuildKit) with
``--platform``, chroot isolation and the vfs storage driver (no overlay-on-overlay inside
containers, no daemon), contexts as ``--build-context NAME=DIR`` (``container-image://`` for
an image an earlier job kept), secrets as ``--secret id=ID,env=VAR|src=FILE``. The image is
committed under a name local to the run (``localhost/planrun-RUN/JOB``), then:

* pushed by digest: ``buildah push --format oci|v2s2 --digestfile F IMAGE dir:DIR`` writes the
  compressed image to disk and says its digest; the runner's registry client uploads it by
  digest. (``buildah push docker://REPO`` would write the tag ``latest``: containers/image
  cannot push by digest alone, and a plan's repository must not get a tag it did not ask for.)
* files: ``bud -o type=local,dest=DIR``; ``#SaveImage``: ``push … docker-archive:FILE:TAG``.

git and http sources are fetched by the runner into folders (``ADD`` of git and
``ADD --checksum`` arrived after 1.28). ``--tls-verify=false`` is set when any registry the
build reads is insecure (buildah has no per-registry switch on the command line).
"""

from __future__ import annotations

import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from ..compile import (
    BuildJob,
    ContextDockerfile,
    ContextSource,
    ExportFiles,
    GeneratedDockerfile,
    JobImage,
    KeepImage,
    PushImage,
    SaveArchive,
    Workspace,
    source_dir,
)
from ..errors import BuildError, UsageError
from .. import process
from ..publish import upload_image_dir
from ..registry import InvalidReference, Reference, RegistryClient
from ..registry.errors import RegistryError
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
    job_slug,
)

BUILDAH = "buildah"
_STEP = re.compile(r"^(?:\[\d+/\d+\] )?STEP \d+/\d+: ")
_FROM_IMAGE = re.compile(r"^FROM\s+(?:--platform=\S+\s+)?(\S+)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class BuildahStorage:
    """Where buildah keeps images: ``--root``/``--runroot`` (None: buildah's defaults)."""

    driver: str = "vfs"
    root: str | None = None
    runroot: str | None = None
    isolation: str = "chroot"

    def flags(self) -> list[str]:
        out: list[str] = []
        if self.root:
            out += ["--root", self.root]
        if self.runroot:
            out += ["--runroot", self.runroot]
        if self.driver:
            out += ["--storage-driver", self.driver]
        return out


class BuildahEngine(Engine):
    name = "buildah"

    def __init__(
        self,
        settings: EngineSettings,
        client: RegistryClient | None = None,
        storage: BuildahStorage | None = None,
        *,
        binary: str = BUILDAH,
    ) -> None:
        super().__init__(settings)
        self.client = client
        self.storage = storage or BuildahStorage()
        self.binary = binary
        self._created: list[str] = []
        self._lock = threading.Lock()

    def fetches(self, source: ContextSource) -> bool:
        return False

    def local_name(self, job: BuildJob, workspace: Workspace) -> str:
        return f"localhost/planrun-{workspace.run_id}/{job_slug(job)}"

    def placeholder_image(self, job: BuildJob, workspace: Workspace) -> str:
        return self.local_name(job, workspace)

    def _global(self) -> list[str]:
        return [self.binary, *self.storage.flags()]

    def _pull_flags(self, job: BuildJob) -> list[str]:
        flags: list[str] = []
        if self._reads_insecure_registry(job):
            flags.append("--tls-verify=false")
        if self.settings.docker_config:
            flags += ["--authfile", f"{self.settings.docker_config.rstrip('/')}/config.json"]
        return flags

    def _reads_insecure_registry(self, job: BuildJob) -> bool:
        """Whether a base image comes from an insecure registry (TLS checks stay on otherwise)."""
        text = job.dockerfile_text
        if text is None:
            # buildah reads the user's Dockerfile itself: any configured registry may be used.
            return bool(self.settings.insecure_registries)
        for image in _FROM_IMAGE.findall(text):
            if image == "scratch" or image in job.named_contexts:
                continue
            try:
                registry = Reference.parse(image).registry
            except InvalidReference:
                continue  # a stage name
            if self.settings.is_insecure(registry):
                return True
        return False

    def steps(self, job: BuildJob, workspace: Workspace, results: Results) -> list[Step]:
        build = [*self._global(), "bud", "--isolation", self.storage.isolation, "--platform", job.platform]
        build += ["--format", self.settings.media_types]
        build += self._pull_flags(job)
        build += ["-f", self._dockerfile(job)]
        if job.target:
            build += ["--target", job.target]
        for name, source in job.named_contexts.items():
            build += ["--build-context", f"{name}={self._context_value(source, results)}"]
        for key, value in job.build_args.items():
            build += ["--build-arg", f"{key}={value}"]
        for key, value in job.labels.items():
            build += ["--label", f"{key}={value}"]
        for host, address in job.hosts.items():
            build += ["--add-host", f"{host}:{address}"]
        for secret in job.secrets:
            build += ["--secret", self.settings.secrets.get(secret).flag_value()]
        for key, value in self.settings.annotations.items():
            build += ["--annotation", f"{key}={value}"]
        files = [o for o in job.outputs if isinstance(o, ExportFiles)]
        if files:
            build += ["--iidfile", f"{job.dir}/image-id", "-o", f"type=local,dest={files[0].path}"]
        else:
            build += ["--iidfile", f"{job.dir}/image-id", "-t", self.local_name(job, workspace)]
        build.append(self._context_dir(job))
        steps: list[Step] = [Command(tuple(build), purpose="build")]
        name = self.local_name(job, workspace)
        for index, output in enumerate(job.outputs):
            if isinstance(output, PushImage):
                layout = f"{job.dir}/pushed-{index}"
                steps.append(
                    Command(
                        (
                            *self._global(),
                            "push",
                            "--quiet",
                            "--format",
                            "oci" if self.settings.media_types == "oci" else "v2s2",
                            "--digestfile",
                            f"{layout}.digest",
                            name,
                            f"dir:{layout}",
                        ),
                        purpose="write the compressed image to disk",
                    )
                )
                steps.append(RegistryAction(f"upload {layout} to {output.repository} by digest (planrun's registry client)"))
            elif isinstance(output, SaveArchive):
                steps.append(
                    Command(
                        (*self._global(), "push", "--quiet", name, f"docker-archive:{output.path}:{output.tag}"),
                        purpose=f"save {output.tag}",
                    )
                )
        return steps

    def _dockerfile(self, job: BuildJob) -> str:
        if isinstance(job.dockerfile, GeneratedDockerfile):
            return f"{job.dockerfile.dir}/Dockerfile"
        assert isinstance(job.dockerfile, ContextDockerfile)
        return f"{self._context_dir(job)}/{job.dockerfile.path}"

    def _context_dir(self, job: BuildJob) -> str:
        return source_dir(job.context)

    def _context_value(self, source: ContextSource, results: Results) -> str:
        if isinstance(source, JobImage):
            return f"container-image://{results.kept_image(source.job)}"
        return source_dir(source)

    # -- running ---------------------------------------------------------------------------------

    def check_available(self) -> None:
        if shutil.which(self.binary) is None:
            raise UsageError(f"{self.binary} is not on PATH (apt-get install buildah; or use --engine buildctl)")

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
        Path(job.dir).mkdir(parents=True, exist_ok=True)
        push_outputs = [(i, o) for i, o in enumerate(job.outputs) if isinstance(o, PushImage)]
        for step in self.steps(job, workspace, results):
            if isinstance(step, RegistryAction):
                continue  # uploads follow their `buildah push` below
            def on_line(line: str) -> None:
                if _STEP.match(line):
                    reporter.step(_STEP.sub("", line, count=1))
                else:
                    reporter.log(line)

            outcome = process.run(step.argv, env=step.env, on_line=on_line, redact=redact, cancel=cancel)
            self._remember(job)
            if not outcome.ok:
                detail = next((line for line in reversed(outcome.tail) if line.strip()), "")
                raise BuildError(
                    job.id,
                    f"buildah {step.argv[len(self._global())]} exited with status {outcome.returncode}"
                    + (f": {detail}" if detail else ""),
                    "\n".join(outcome.tail),
                )
        for index, output in push_outputs:
            layout = Path(f"{job.dir}/pushed-{index}")
            expected = Path(f"{layout}.digest").read_text().strip()
            if self.client is None:
                raise BuildError(job.id, "no registry client to upload the image with")
            reporter.step(f"uploading to {output.repository} by digest")
            try:
                digest, media_type, size = upload_image_dir(self.client, layout, output.repository, expected)
            except RegistryError as error:
                raise BuildError(job.id, str(error)) from None
            result.pushed.append(PushedImage(output.repository, digest, media_type, size))
        for output in job.outputs:
            if isinstance(output, KeepImage):
                result.image = self.local_name(job, workspace)
            elif isinstance(output, ExportFiles):
                result.files = output.path
            elif isinstance(output, SaveArchive):
                result.archive = output.path
        return result

    def _remember(self, job: BuildJob) -> None:
        image_id = Path(f"{job.dir}/image-id")
        if image_id.is_file():
            with self._lock:
                value = image_id.read_text().strip()
                if value and value not in self._created:
                    self._created.append(value)

    def cleanup(self) -> None:
        """Remove the images this run committed (by ID; names go with them)."""
        with self._lock:
            created, self._created = self._created, []
        if created:
            process.run([*self._global(), "rmi", "--force", *created])
