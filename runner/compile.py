"""Compiling pipelines into builds: Dockerfiles plus build contexts, as data both engines take.

A pipeline is a list of ops run in order from an empty filesystem; a Dockerfile stage is a list
of instructions run in order from a base. Each op maps to instructions on the current stage, or
starts a new stage when it replaces the filesystem (``#FetchContainer``, ``#Load``,
``#FetchGit``, ``#FetchHTTP``, ``#Subdir``, ``#DockerBuild``):

* ``#FetchContainer`` → ``FROM --platform=P ref``;
* ``#Exec`` → ``RUN [--mount …] ["env", "K=V", args…]`` (the env form: values are not persisted
  in the image config), after ``WORKDIR dir`` / ``USER user`` when they change; ``always``
  declares ``ARG PLANRUN_ALWAYS``, which the runner sets to a fresh value every run;
* mounts: ``cache`` → ``type=cache`` (id from the op's path, as Dagger's canonical path),
  ``tmpfs`` → ``type=tmpfs``, ``{secret}`` → ``type=secret`` (mode 0400, uid/gid 0),
  ``{from: X, path}`` → ``type=bind,from=<X's stage>,source=path,rw``;
* ``#Load from: X`` → ``FROM <X's stage>``; ``#Copy`` → ``COPY --from=<X's stage> src dest``;
* ``#Local`` → a named context (the folder filtered by include/exclude) copied onto ``/``;
* ``#WriteFile`` / ``#Mkdir`` → files and folders in a generated context, copied with their
  mode (``COPY`` keeps the mode of what it copies);
* ``#Workdir`` → ``WORKDIR``; ``#Subdir`` → a new stage holding the folder's content;
* ``#FetchGit`` / ``#FetchHTTP`` → named contexts (git or http), copied into a new stage;
* ``#DockerBuild`` → a job of its own running the Dockerfile frontend on its context; the
  pipeline continues from its image (a named image context);
* ``#PushContainer`` / ``#SaveImage`` / ``#Export`` → outputs of jobs (see below).

Pipelines a pipeline reads (``#Load``, ``#Copy``, mount ``from``) become stages of the same
Dockerfile, so one build holds everything it needs and the engine's cache shares common stages.
Only what cannot be a stage crosses jobs: a ``#DockerBuild`` result (an image), a
``#DockerBuild`` context made by a pipeline (a folder exported by that pipeline's job), and the
``/dagger/image_ref`` files Dagger writes after a push.

Each `BuildJob` is one engine build: a Dockerfile holding only the stages its target needs,
its contexts, and its outputs (push by digest, image kept for later jobs, files exported,
docker archive). The compiled form depends on nothing but the plan and the `Workspace`, so a
dry run prints exactly what a run executes.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from plancheck.checker import platforms
from plancheck.checker.plan import UNKNOWN, Op, Pipeline, PipelineRef, Plan, SecretRef

from . import dockerfile as df
from .errors import CompileError
from .graph import BuildGraph
from .registry import InvalidReference, Reference

ALWAYS_ARG = "PLANRUN_ALWAYS"

# -- the compiled form ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Workspace:
    """Where the runner writes generated files, fetched sources and job outputs.

    ``root`` may be a shell variable (``$PLANRUN_WORKDIR``) in a dry run; paths are joined as
    text so the printed commands show it as written.
    """

    root: str
    #: identifies this run: the value of ``PLANRUN_ALWAYS`` and part of local image names
    run_id: str

    def path(self, *parts: str) -> str:
        return "/".join([self.root.rstrip("/"), *parts])


@dataclass(frozen=True)
class GeneratedFile:
    #: path inside the generated folder
    path: str
    #: file content; None for a folder
    content: bytes | None
    mode: int


@dataclass(frozen=True)
class FilteredDir:
    """A host folder (``#Local``) filtered by include/exclude and materialised at ``path``."""

    source: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    path: str


@dataclass(frozen=True)
class GeneratedDir:
    """Files the runner writes (``#WriteFile``, ``#Mkdir``, an inline Dockerfile)."""

    path: str
    files: tuple[GeneratedFile, ...]


@dataclass(frozen=True)
class GitSource:
    """A git checkout. BuildKit fetches it itself; for buildah the runner clones it to ``path``."""

    remote: str
    ref: str
    path: str
    keep_git_dir: bool = False
    #: folder of the repository to use (a ``#DockerBuild`` context after ``#Subdir``)
    subdir: str = ""
    #: secret ids of ``authToken`` / ``authHeader``
    auth_token: str | None = None
    auth_header: str | None = None

    @property
    def buildkit_fetchable(self) -> bool:
        """Whether BuildKit can fetch this itself. It reads an https URL as git only with a
        ``.git`` suffix, and keeps ``.git`` of a named context only in recent versions; such
        sources (and authenticated ones) are cloned by the runner for both engines."""
        if self.auth_token or self.auth_header or self.keep_git_dir:
            return False
        remote = self.remote
        if remote.startswith(("git://", "git@", "ssh://")):
            return True
        return remote.startswith(("https://", "http://")) and remote.split("?")[0].rstrip("/").endswith(".git")

    def url(self) -> str:
        fragment = self.ref + (f":{self.subdir}" if self.subdir else "")
        return f"{self.remote}#{fragment}" if fragment else self.remote


@dataclass(frozen=True)
class HttpSource:
    """A downloaded file, named ``context`` inside its folder (BuildKit's name for an http
    context). With a checksum the runner downloads and verifies it for both engines: neither
    BuildKit's http context nor buildah 1.28's ``ADD`` can check one."""

    url: str
    path: str
    checksum: str | None = None

    @property
    def buildkit_fetchable(self) -> bool:
        return self.checksum is None


@dataclass(frozen=True)
class JobImage:
    """The image another job built (a ``#DockerBuild``), used as a base."""

    job: str


@dataclass(frozen=True)
class JobFiles:
    """The files another job exported, as a folder (a ``#DockerBuild`` context)."""

    job: str
    path: str


@dataclass(frozen=True)
class PushRecord:
    """``image_digest`` and ``image_ref`` of what a job pushed, which Dagger leaves in ``/dagger``."""

    job: str
    reference: str
    path: str


ContextSource = FilteredDir | GeneratedDir | GitSource | HttpSource | JobImage | JobFiles | PushRecord


def source_dir(source: ContextSource) -> str:
    """The local folder an engine reads ``source`` from (every source but a job's image)."""
    if isinstance(source, GitSource):
        return posixpath.join(source.path, source.subdir) if source.subdir else source.path
    if isinstance(source, (FilteredDir, GeneratedDir, JobFiles, PushRecord, HttpSource)):
        return source.path
    raise AssertionError(f"{source!r} is not a folder")


@dataclass(frozen=True)
class GeneratedDockerfile:
    text: str
    #: folder the runner writes ``Dockerfile`` into (also the build's main context)
    dir: str


@dataclass(frozen=True)
class ContextDockerfile:
    """A Dockerfile read from the build context (``#DockerBuild`` with ``dockerfilePath``)."""

    path: str = "Dockerfile"


DockerfileSource = GeneratedDockerfile | ContextDockerfile


@dataclass(frozen=True)
class PushImage:
    """Push the image by digest (no tag) to ``repository``."""

    repository: str


@dataclass(frozen=True)
class KeepImage:
    """Keep the image where later jobs of this run can build on it."""


@dataclass(frozen=True)
class ExportFiles:
    """Write the target's filesystem to the folder ``path``."""

    path: str


@dataclass(frozen=True)
class SaveArchive:
    """Write a docker-archive tarball tagged ``tag`` to ``path`` (``#SaveImage``)."""

    path: str
    tag: str


Output = PushImage | KeepImage | ExportFiles | SaveArchive


@dataclass(frozen=True)
class CacheMount:
    id: str
    target: str


@dataclass(frozen=True)
class BuildJob:
    """One engine build."""

    id: str
    pipeline: str
    #: docker-build, image, push, save, files, exports or build
    kind: str
    platform: str
    dockerfile: DockerfileSource
    #: the main build context (for a generated Dockerfile: the folder holding it)
    context: ContextSource
    named_contexts: Mapping[str, ContextSource]
    target: str | None
    outputs: tuple[Output, ...]
    #: folder for the job's own files (Dockerfile, metadata, pushed layouts)
    dir: str
    build_args: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    hosts: Mapping[str, str] = field(default_factory=dict)
    #: ids of the secrets the build mounts (values come from the runner's ``--secret``)
    secrets: tuple[str, ...] = ()
    cache_mounts: tuple[CacheMount, ...] = ()
    #: ids of earlier jobs whose results this one reads
    needs: tuple[str, ...] = ()

    @property
    def dockerfile_text(self) -> str | None:
        return self.dockerfile.text if isinstance(self.dockerfile, GeneratedDockerfile) else None


@dataclass(frozen=True)
class TagImage:
    """After ``job`` pushed its image by digest, point ``reference``'s tag at it."""

    job: str
    reference: str
    op_index: int


@dataclass(frozen=True)
class IndexEntry:
    platform: str
    pipeline: str
    #: the job that pushes this platform's image, and where
    job: str
    repository: str


@dataclass(frozen=True)
class IndexPush:
    """A ``#PushContainer`` with ``images``: the manifest list, pushed once every image is."""

    reference: str
    entries: tuple[IndexEntry, ...]
    op_index: int


@dataclass(frozen=True)
class ExportRead:
    """An ``#Export``: ``file`` in the output folder of ``job``, decoded as ``format``."""

    op_index: int
    source: str
    format: str
    job: str
    file: str


@dataclass(frozen=True)
class SaveRecord:
    op_index: int
    tag: str
    path: str
    job: str


@dataclass(frozen=True)
class Login:
    """``#DockerLogin``: credentials for ``registry``, the password from secret ``secret``."""

    registry: str
    username: str
    secret: str
    pipeline: str


@dataclass(frozen=True)
class CompiledPipeline:
    path: str
    platform: str
    #: in the order they must run
    jobs: tuple[BuildJob, ...]
    tags: tuple[TagImage, ...] = ()
    indexes: tuple[IndexPush, ...] = ()
    exports: tuple[ExportRead, ...] = ()
    saves: tuple[SaveRecord, ...] = ()

    @property
    def inlined(self) -> bool:
        """True when the pipeline has no build of its own: its stages live in its users' builds."""
        return not self.jobs and not self.indexes


@dataclass(frozen=True)
class CompiledPlan:
    workspace: Workspace
    #: in the build graph's order
    pipelines: Mapping[str, CompiledPipeline]
    logins: tuple[Login, ...] = ()

    def job(self, job_id: str) -> BuildJob:
        for compiled in self.pipelines.values():
            for job in compiled.jobs:
                if job.id == job_id:
                    return job
        raise KeyError(job_id)

    def jobs(self) -> list[BuildJob]:
        return [job for compiled in self.pipelines.values() for job in compiled.jobs]

    def secrets(self) -> list[str]:
        found = {secret for job in self.jobs() for secret in job.secrets}
        found.update(login.secret for login in self.logins)
        for job in self.jobs():
            for source in [job.context, *job.named_contexts.values()]:
                if isinstance(source, GitSource):
                    found.update(s for s in (source.auth_token, source.auth_header) if s)
        return sorted(found)


# -- compilation --------------------------------------------------------------------------------


def slug(text: str) -> str:
    """A name usable as a stage, context, folder or image name component."""
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not value or not value[0].isalpha():
        value = "p-" + value
    return value


class _Names:
    """Hands out unique names (stages and contexts share one Dockerfile namespace)."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def take(self, preferred: str) -> str:
        name, counter = preferred, 1
        while name in self._used:
            counter += 1
            name = f"{preferred}-{counter}"
        self._used.add(name)
        return name


@dataclass
class _Stage:
    name: str
    order: int
    pipeline: str
    lines: list[str] = field(default_factory=list)
    #: stages this one reads (FROM, COPY --from, mount from)
    stages: set[str] = field(default_factory=set)
    contexts: dict[str, ContextSource] = field(default_factory=dict)
    hosts: dict[str, str] = field(default_factory=dict)
    secrets: set[str] = field(default_factory=set)
    caches: list[CacheMount] = field(default_factory=list)
    always: bool = False
    #: set while the stage is exactly the image of a #DockerBuild job
    passthrough_job: str | None = None


@dataclass
class _DockerBuildSpec:
    job_id: str
    pipeline: str
    op: Op
    context_name: str
    platform: str


@dataclass
class _PipelineState:
    """What compiling a pipeline's ops produced."""

    final: str | None = None
    #: stage current before each op runs (None: still the empty filesystem)
    before: dict[int, str | None] = field(default_factory=dict)
    #: tracked working folder at the end (None: the image's, unknown)
    final_dir: str | None = "/"


@dataclass
class _Draft:
    """A job before its Dockerfile is cut: what it builds (a stage) and what it outputs."""

    job_id: str
    kind: str
    #: target stage; None for a #DockerBuild job (its Dockerfile is the user's)
    stage: str | None
    outputs: list[Output] = field(default_factory=list)


class _Compiler:
    def __init__(self, plan: Plan, graph: BuildGraph, workspace: Workspace) -> None:
        self.plan = plan
        self.graph = graph
        self.ws = workspace
        self.names = _Names()
        self.job_names = _Names()
        self.stages: dict[str, _Stage] = {}
        self.states: dict[str, _PipelineState] = {}
        self.docker_builds: dict[str, _DockerBuildSpec] = {}
        #: pipeline -> id of the job exporting its files (it is a #DockerBuild context)
        self.files_needed: dict[str, str] = {}
        #: pipeline -> (context name, entries) of its generated folder
        self.generated: dict[str, tuple[str, list[GeneratedFile]]] = {}
        #: (pipeline, op index) -> the job that pushes or saves that op's image
        self.op_jobs: dict[tuple[str, int], str] = {}
        self.logins: list[Login] = []
        self._slugs: dict[str, str] = {}
        self._job_slugs: dict[str, str] = {}

    # -- helpers ----------------------------------------------------------------------------

    def slug_of(self, path: str) -> str:
        if path not in self._slugs:
            self._slugs[path] = self.names.take(slug(path))
        return self._slugs[path]

    def job_dir(self, job_id: str) -> str:
        if job_id not in self._job_slugs:
            self._job_slugs[job_id] = self.job_names.take(slug(job_id))
        return self.ws.path("jobs", self._job_slugs[job_id])

    def platform_of(self, pipeline: Pipeline) -> str:
        return pipeline.platform or self.plan.default_platform

    def new_stage(self, pipeline: str, base: str, *, platform: str | None = None) -> _Stage:
        count = sum(stage.pipeline == pipeline for stage in self.stages.values())
        name = self.names.take(f"{self.slug_of(pipeline)}-{count}")
        stage = _Stage(name=name, order=len(self.stages), pipeline=pipeline)
        stage.lines.append(df.from_(base, name, platform))
        self.stages[name] = stage
        return stage

    @staticmethod
    def emit(stage: _Stage, line: str) -> None:
        stage.lines.append(line)
        stage.passthrough_job = None

    @staticmethod
    def fail(pipeline: Pipeline, message: str, op: Op | None = None) -> CompileError:
        return CompileError(pipeline.path, message, None if op is None else op.index)

    def known(self, pipeline: Pipeline, op: Op, name: str, *, required: bool = True) -> Any:
        value = op.get(name)
        if value is UNKNOWN:
            raise self.fail(
                pipeline, f"{op.definition or op.do} field {name!r} has no value the plan can know (an input?)", op
            )
        if value is None and required:
            raise self.fail(pipeline, f"{op.definition or op.do} needs {name!r}", op)
        return value

    def text(self, pipeline: Pipeline, op: Op, name: str, *, required: bool = True, default: str | None = None) -> str:
        value = self.known(pipeline, op, name, required=required and default is None)
        if value is None:
            return default if default is not None else ""
        if not isinstance(value, str):
            raise self.fail(pipeline, f"{op.definition or op.do} field {name!r} must be a string", op)
        return value

    def referenced(self, pipeline: Pipeline, op: Op, value: Any, what: str) -> Pipeline:
        if isinstance(value, PipelineRef) and value.pipeline in self.plan.pipelines:
            return self.plan.pipelines[value.pipeline]
        if value is UNKNOWN or value is None:
            raise self.fail(pipeline, f"{what} is not a pipeline the plan can know (an input with no value?)", op)
        raise self.fail(pipeline, f"{what} must be a pipeline (a value with #up)", op)

    def final_stage(self, pipeline: Pipeline) -> str | None:
        return self.states[pipeline.path].final

    # -- pass 1: stages ------------------------------------------------------------------------

    def compile_stages(self, pipeline: Pipeline) -> None:
        """Turn the pipeline's ops into stages (its dependencies were compiled before)."""
        state = _PipelineState()
        self.states[pipeline.path] = state
        platform = self.platform_of(pipeline)
        current: _Stage | None = None
        cwd: str | None = "/"  # what relative paths resolve against (None: the image's, unknown)
        workdir: str | None = None  # the last WORKDIR written in the current stage
        user: str | None = None  # the last USER written in the current stage
        ops = pipeline.ops

        def start(base: str, *, platform_flag: str | None = None, new_cwd: str | None = "/") -> _Stage:
            nonlocal current, cwd, workdir, user
            current = self.new_stage(pipeline.path, base, platform=platform_flag)
            cwd, workdir, user = new_cwd, None, None
            return current

        def ensure() -> _Stage:
            return current if current is not None else start("scratch")

        def resolve(path: str) -> str:
            if path.startswith("/") or cwd is None:
                return path
            joined = posixpath.normpath(posixpath.join(cwd, path))
            return joined + "/" if path.endswith("/") and joined != "/" else joined

        for op in ops:
            state.before[op.index] = current.name if current else None
            do = op.do
            if do == "fetch-container":
                wanted = op.get("platform") or op.get("arch")
                flag = platform
                if isinstance(wanted, str) and wanted:
                    try:
                        flag = platforms.canonical(wanted if "/" in wanted else f"linux/{wanted}")
                    except platforms.PlatformError as error:
                        raise self.fail(pipeline, str(error), op) from None
                start(self.text(pipeline, op, "ref"), platform_flag=flag, new_cwd=None)
            elif do == "load":
                source = self.referenced(pipeline, op, op.get("from"), "#Load from")
                base = self.final_stage(source)
                stage = start(base or "scratch", new_cwd=self.states[source.path].final_dir if base else "/")
                if base:
                    stage.stages.add(base)
            elif do == "fetch-git":
                stage = start("scratch")
                name = self.names.take(f"{self.slug_of(pipeline.path)}-git-{op.index}")
                git = GitSource(
                    remote=self.text(pipeline, op, "remote"),
                    ref=self.text(pipeline, op, "ref", default=""),
                    path=self.ws.path("contexts", name),
                    keep_git_dir=op.get("keepGitDir") is True,
                    auth_token=self._secret_id(pipeline, op, "authToken"),
                    auth_header=self._secret_id(pipeline, op, "authHeader"),
                )
                stage.contexts[name] = git
                stage.lines.append(df.copy(["/"], "/", from_stage=name))
            elif do == "fetch-http":
                url = self.text(pipeline, op, "url")
                checksum = self.text(pipeline, op, "checksum", required=False) or None
                filename = self.text(pipeline, op, "filename", required=False) or _url_filename(url)
                mode = self._mode(pipeline, op, 0o644)
                uid, gid = op.get("uid"), op.get("gid")
                # Dagger applies the owner only when both ids are non-zero.
                chown = f"{uid}:{gid}" if isinstance(uid, int) and isinstance(gid, int) and uid and gid else None
                stage = start("scratch")
                name = self.names.take(f"{self.slug_of(pipeline.path)}-http-{op.index}")
                stage.contexts[name] = HttpSource(url=url, path=self.ws.path("contexts", name), checksum=checksum)
                stage.lines.append(df.copy(["context"], "/" + filename.lstrip("/"), from_stage=name, chmod=mode, chown=chown))
            elif do == "subdir":
                folder = resolve(self.text(pipeline, op, "dir"))
                previous = current
                stage = start("scratch")
                if previous is not None:
                    stage.stages.add(previous.name)
                    stage.lines.append(df.copy([folder.rstrip("/") + "/"], "/", from_stage=previous.name))
            elif do == "docker-build":
                job_id = f"{pipeline.path}#build-{op.index}"
                context_name = self.names.take(f"{self.slug_of(pipeline.path)}-build-{op.index}")
                self.docker_builds[job_id] = _DockerBuildSpec(
                    job_id, pipeline.path, op, context_name, self._docker_build_platform(pipeline, op)
                )
                stage = start(context_name, new_cwd=None)
                stage.contexts[context_name] = JobImage(job_id)
                stage.passthrough_job = job_id
            elif do == "local":
                stage = ensure()
                name = self.names.take(f"{self.slug_of(pipeline.path)}-local-{op.index}")
                stage.contexts[name] = self._filtered_dir(pipeline, op, self.ws.path("contexts", name))
                # Dagger copies the folder onto "/" whatever the working folder is.
                self.emit(stage, df.copy(["/"], "/", from_stage=name))
            elif do == "copy":
                stage = ensure()
                source = self.referenced(pipeline, op, op.get("from"), "#Copy from")
                src = self.text(pipeline, op, "src", default="/")
                dest = resolve(self.text(pipeline, op, "dest", default="/"))
                base = self.final_stage(source)
                if base is None:
                    if src.strip("/"):
                        raise self.fail(pipeline, f"#Copy from {source.path}: that pipeline has no files", op)
                    continue
                stage.stages.add(base)
                self.emit(stage, df.copy([src if src.startswith("/") else "/" + src], dest, from_stage=base))
            elif do == "exec":
                if current is None:
                    raise self.fail(
                        pipeline,
                        "#Exec runs a program, but the filesystem is still empty (start with #FetchContainer or #Load)",
                        op,
                    )
                stage = current
                run_dir = resolve(self.text(pipeline, op, "dir", default="/"))
                if run_dir != workdir:
                    self.emit(stage, df.workdir(run_dir))
                    workdir = run_dir
                run_user = self.text(pipeline, op, "user", required=False)
                if run_user and run_user != user:
                    self.emit(stage, df.user(run_user))
                    user = run_user
                if op.get("always") is True and not stage.always:
                    self.emit(stage, df.arg(ALWAYS_ARG))
                    stage.always = True
                self.emit(stage, self._run(pipeline, op, stage, resolve))
            elif do == "workdir":
                stage = ensure()
                cwd = resolve(self.text(pipeline, op, "path"))
                self.emit(stage, df.workdir(cwd))
                workdir = cwd
            elif do == "mkdir":
                stage = ensure()
                cwd = resolve(self.text(pipeline, op, "dir", default="/"))
                target = resolve(self.text(pipeline, op, "path")).rstrip("/")
                parent, leaf = posixpath.split(target)
                if not leaf:
                    continue  # "/" exists already
                folder = f"op-{op.index}"
                context = self._generated(pipeline, stage, GeneratedFile(f"{folder}/{leaf}", None, self._mode(pipeline, op, 0o755)))
                # Copying the folder holding the new folder keeps the new folder's mode.
                self.emit(stage, df.copy([f"{folder}/"], _dir_dest(parent), from_stage=context))
            elif do == "write-file":
                stage = ensure()
                dest = resolve(self.text(pipeline, op, "dest"))
                content = self.known(pipeline, op, "content")
                if isinstance(content, str):
                    data = content.encode("utf-8")
                elif isinstance(content, bytes):
                    data = content
                else:
                    raise self.fail(pipeline, "#WriteFile content must be a string or bytes", op)
                leaf = posixpath.basename(dest.rstrip("/")) or "file"
                entry = GeneratedFile(f"op-{op.index}/{leaf}", data, self._mode(pipeline, op, 0o644))
                context = self._generated(pipeline, stage, entry)
                self.emit(stage, df.copy([entry.path], dest, from_stage=context))
            elif do in ("push-container", "save-image", "export"):
                self._check_side_effect(pipeline, op)
                pushes_state = do == "push-container" and op.get("images") is None
                if pushes_state and current is None:
                    raise self.fail(pipeline, "#PushContainer has nothing to push: the filesystem is empty", op)
                if pushes_state and _later_state_ops(ops, op.index):
                    # Dagger leaves /dagger/image_digest and /dagger/image_ref for the ops after a
                    # push (the stdlib's docker.#Push reads them back with #Export).
                    previous = current
                    stage = start(previous.name, new_cwd=cwd)
                    stage.stages.add(previous.name)
                    name = self.names.take(f"{self.slug_of(pipeline.path)}-pushed-{op.index}")
                    reference = _normalise_reference(self.text(pipeline, op, "ref"))
                    stage.contexts[name] = PushRecord(_push_job_id(pipeline.path, op.index), reference, self.ws.path("contexts", name))
                    stage.lines.append(df.copy(["/"], "/dagger/", from_stage=name))
            elif do == "docker-login":
                self.logins.append(
                    Login(
                        registry=self.text(pipeline, op, "target"),
                        username=self.text(pipeline, op, "username"),
                        secret=self._secret_id(pipeline, op, "secret", required=True) or "",
                        pipeline=pipeline.path,
                    )
                )
            else:
                raise self.fail(pipeline, f"op {do!r} cannot be run", op)
        state.final = current.name if current else None
        state.final_dir = cwd

    def _check_side_effect(self, pipeline: Pipeline, op: Op) -> None:
        if op.do == "export":
            self.text(pipeline, op, "source")
            fmt = self.text(pipeline, op, "format", default="string")
            if fmt not in ("string", "json", "yaml"):
                raise self.fail(pipeline, f"#Export format {fmt!r} is not one of string, json, yaml", op)
        elif op.do == "save-image":
            self.text(pipeline, op, "tag")
            self.text(pipeline, op, "dest")
        else:
            _normalise_reference(self.text(pipeline, op, "ref"), pipeline, op)

    def _docker_build_platform(self, pipeline: Pipeline, op: Op) -> str:
        value = op.get("platform")
        listed = op.get("platforms")
        if isinstance(listed, list) and listed:
            if len(listed) > 1:
                raise self.fail(
                    pipeline,
                    f"#DockerBuild platforms lists {len(listed)} platforms, but a pipeline builds one"
                    ' (write one pipeline per platform, each with platform: "…")',
                    op,
                )
            value = value or listed[0]
        if value is UNKNOWN:
            raise self.fail(pipeline, "#DockerBuild platform has no value the plan can know", op)
        if isinstance(value, str) and value:
            try:
                return platforms.canonical(value)
            except platforms.PlatformError as error:
                raise self.fail(pipeline, str(error), op) from None
        return self.platform_of(pipeline)

    def _strings(self, pipeline: Pipeline, op: Op, name: str) -> list[str]:
        value = self.known(pipeline, op, name, required=False) or []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(pipeline, f"{op.definition or op.do} {name} must be a list of strings", op)
        return value

    def _filtered_dir(self, pipeline: Pipeline, op: Op, path: str) -> FilteredDir:
        return FilteredDir(
            source=posixpath.normpath(posixpath.join(self.plan.folder, self.text(pipeline, op, "dir"))),
            include=tuple(self._strings(pipeline, op, "include")),
            exclude=tuple(self._strings(pipeline, op, "exclude")),
            path=path,
        )

    def _mode(self, pipeline: Pipeline, op: Op, default: int) -> int:
        value = self.known(pipeline, op, "mode", required=False)
        if value is None or value == 0:
            return default
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 0o7777:
            raise self.fail(pipeline, f"{op.definition or op.do} mode must be a file mode such as 0o644", op)
        return value

    def _secret_id(self, pipeline: Pipeline, op: Op, name: str, *, required: bool = False) -> str | None:
        value = op.get(name)
        if value is None and not required:
            return None
        if isinstance(value, SecretRef) and isinstance(value.id, str) and value.id:
            return value.id
        raise self.fail(
            pipeline, f"{op.definition or op.do} {name} must be a secret whose id the plan knows (dagger.#Secret)", op
        )

    def _generated(self, pipeline: Pipeline, stage: _Stage, entry: GeneratedFile) -> str:
        """Add ``entry`` to the pipeline's generated folder; return the folder's context name."""
        if pipeline.path not in self.generated:
            self.generated[pipeline.path] = (self.names.take(f"{self.slug_of(pipeline.path)}-files"), [])
        name, entries = self.generated[pipeline.path]
        entries.append(entry)
        # The file list is completed in _final_source, once every op of the pipeline is known.
        stage.contexts[name] = GeneratedDir(self.ws.path("contexts", name), ())
        stage.passthrough_job = None
        return name

    def _run(self, pipeline: Pipeline, op: Op, stage: _Stage, resolve: Any) -> str:
        args = self.known(pipeline, op, "args")
        if not isinstance(args, list) or not args or not all(isinstance(arg, str) for arg in args):
            raise self.fail(pipeline, "#Exec args must be a non-empty list of strings", op)
        env = self.known(pipeline, op, "env", required=False) or {}
        if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
            raise self.fail(pipeline, "#Exec env values must be strings", op)
        for name in env:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise self.fail(pipeline, f"#Exec env name {name!r} is not a valid variable name", op)
        hosts = self.known(pipeline, op, "hosts", required=False) or {}
        if not isinstance(hosts, dict) or not all(isinstance(v, str) for v in hosts.values()):
            raise self.fail(pipeline, "#Exec hosts must map host names to IP addresses", op)
        for host, address in hosts.items():
            known = stage.hosts.get(host)
            if known is not None and known != address:
                raise self.fail(pipeline, f"#Exec hosts maps {host} to {address}, but an earlier step to {known}", op)
            stage.hosts[host] = address
        raw_mounts = self.known(pipeline, op, "mount", required=False) or {}
        if not isinstance(raw_mounts, dict):
            raise self.fail(pipeline, "#Exec mount must map paths to mounts", op)
        mounts = [self._mount(pipeline, op, stage, resolve(path), value) for path, value in raw_mounts.items()]
        # `env K=V cmd` sets the variables for this command only, as #Exec does; ENV would
        # write them into the image's configuration.
        command = ["env", *(f"{k}={v}" for k, v in env.items()), *args] if env else list(args)
        try:
            return df.run(command, mounts)
        except df.DockerfileValueError as error:
            raise self.fail(pipeline, str(error), op) from None

    def _mount(self, pipeline: Pipeline, op: Op, stage: _Stage, target: str, value: Any) -> df.Mount:
        if value == "cache":
            cache_id = slug(f"{pipeline.path}-op{op.index}-{target}")
            stage.caches.append(CacheMount(cache_id, target))
            return df.Mount("cache", target, (("id", cache_id),))
        if value == "tmpfs":
            return df.Mount("tmpfs", target)
        if isinstance(value, dict) and "secret" in value:
            secret = value["secret"]
            if not (isinstance(secret, SecretRef) and isinstance(secret.id, str) and secret.id):
                raise self.fail(pipeline, f"the secret mounted at {target} has no id the plan knows", op)
            stage.secrets.add(secret.id)
            # Dagger mounts secrets owned by root, readable by the owner only.
            return df.Mount("secret", target, (("id", secret.id),), ("mode=0400", "uid=0", "gid=0"))
        if isinstance(value, dict) and "from" in value:
            source = self.referenced(pipeline, op, value["from"], f"the mount at {target}")
            base = self.final_stage(source)
            if base is None:
                raise self.fail(pipeline, f"the mount at {target} is from {source.path}, which has no files", op)
            stage.stages.add(base)
            path = value.get("path") or "/"
            if not isinstance(path, str):
                raise self.fail(pipeline, f"the mount at {target}: path must be a string", op)
            # Dagger's mounts are writable (the writes are thrown away); a Dockerfile bind
            # mount is read-only unless asked.
            return df.Mount("bind", target, (("from", base), ("source", path)), ("rw",))
        if isinstance(value, dict) and "stream" in value:
            raise self.fail(pipeline, f"the mount at {target} is a stream (a socket), which planrun cannot forward", op)
        raise self.fail(pipeline, f'the mount at {target} is not "cache", "tmpfs", {{secret: …}} or {{from: …}}', op)

    def build_context(self, source: Pipeline) -> ContextSource:
        """What a #DockerBuild gets as its context when ``source`` is its ``context``."""
        ops = source.ops
        path = self.ws.path("contexts", f"{self.slug_of(source.path)}-context")
        if len(ops) == 1 and ops[0].do == "local":
            return self._filtered_dir(source, ops[0], path)
        if 1 <= len(ops) <= 2 and ops[0].do == "fetch-git" and (len(ops) == 1 or ops[1].do == "subdir"):
            op = ops[0]
            return GitSource(
                remote=self.text(source, op, "remote"),
                ref=self.text(source, op, "ref", default=""),
                path=path,
                keep_git_dir=op.get("keepGitDir") is True,
                subdir=self.text(source, ops[1], "dir").strip("/") if len(ops) == 2 else "",
                auth_token=self._secret_id(source, op, "authToken"),
                auth_header=self._secret_id(source, op, "authHeader"),
            )
        # Anything else is built by the pipeline's own job and exported as a folder.
        job_id = self.files_needed.setdefault(source.path, f"{source.path}#files")
        return JobFiles(job_id, self.job_dir(job_id) + "/files")

    # -- pass 2: jobs ----------------------------------------------------------------------------

    def compile_pipelines(self) -> dict[str, CompiledPipeline]:
        index_repositories = self._index_children()
        pushed_by: dict[str, tuple[str, str]] = {}
        drafts = {
            path: self._draft_jobs(self.plan.pipelines[path], index_repositories.get(path), pushed_by)
            for path in self.graph.nodes
        }
        # A #DockerBuild job keeps its image only for the Dockerfiles that build on it.
        kept = {
            source.job
            for pipeline_drafts in drafts.values()
            for draft in pipeline_drafts
            if draft.stage is not None
            for source in self._reachable_contexts(draft.stage).values()
            if isinstance(source, JobImage)
        }
        return {
            path: self._finish_pipeline(self.plan.pipelines[path], drafts[path], kept, pushed_by)
            for path in self.graph.nodes
        }

    def _index_children(self) -> dict[str, str]:
        """Pipeline -> the repository its image is pushed to, for the manifest lists naming it."""
        repositories: dict[str, str] = {}
        for path in self.graph.nodes:
            pipeline = self.plan.pipelines[path]
            for op in pipeline.ops:
                if op.do != "push-container" or op.get("images") is None:
                    continue
                reference = _normalise_reference(self.text(pipeline, op, "ref"), pipeline, op)
                images = self.known(pipeline, op, "images")
                if not isinstance(images, dict):
                    raise self.fail(pipeline, "#PushContainer images must be a map from platform to pipeline", op)
                if not images:
                    raise self.fail(pipeline, "#PushContainer images is empty", op)
                for key, value in images.items():
                    child = self.referenced(pipeline, op, value, f"images[{key!r}]")
                    # A child of two lists is pushed once; push_index copies it to the other.
                    repositories.setdefault(child.path, str(Reference.parse(reference).repository))
        return repositories

    def _draft_jobs(
        self, pipeline: Pipeline, index_repository: str | None, pushed_by: dict[str, tuple[str, str]]
    ) -> list[_Draft]:
        state = self.states[pipeline.path]
        drafts: list[_Draft] = []

        def request(stage: str | None, output: Output | None, kind: str, job_id: str) -> str:
            if stage is None:
                purpose = _PURPOSES.get(kind, kind)
                raise self.fail(pipeline, f"the pipeline has no files to {purpose} (it never fills its filesystem)")
            passthrough = self.stages[stage].passthrough_job
            if passthrough is not None and not isinstance(output, ExportFiles):
                # The stage is exactly a #DockerBuild image: that job pushes or saves it itself.
                draft = next((d for d in drafts if d.job_id == passthrough), None)
                if draft is None:
                    draft = _Draft(passthrough, "docker-build", None)
                    drafts.append(draft)
            elif isinstance(output, ExportFiles):
                # An export is a build of its own (buildah writes files or an image, not both).
                draft = _Draft(job_id, kind, stage)
                drafts.append(draft)
            else:
                draft = next(
                    (d for d in drafts if d.stage == stage and not any(isinstance(o, ExportFiles) for o in d.outputs)),
                    None,
                )
                if draft is None:
                    draft = _Draft(job_id, kind, stage)
                    drafts.append(draft)
            if output is not None and output not in draft.outputs:
                draft.outputs.append(output)
            return draft.job_id

        for op in pipeline.ops:
            if op.do == "push-container" and op.get("images") is None:
                reference = _normalise_reference(self.text(pipeline, op, "ref"), pipeline, op)
                repository = str(Reference.parse(reference).repository)
                job_id = request(state.before[op.index], PushImage(repository), "push", _push_job_id(pipeline.path, op.index))
                self.op_jobs[(pipeline.path, op.index)] = job_id
            elif op.do == "save-image":
                output = SaveArchive(self._host_path(pipeline, op, "dest"), self.text(pipeline, op, "tag"))
                job_id = request(state.before[op.index], output, "save", f"{pipeline.path}#save-{op.index}")
                self.op_jobs[(pipeline.path, op.index)] = job_id
        if index_repository is not None:
            job_id = request(state.final, PushImage(index_repository), "image", pipeline.path)
            pushed_by[pipeline.path] = (job_id, index_repository)
        if pipeline.path in self.files_needed:
            job_id = self.files_needed[pipeline.path]
            request(state.final, ExportFiles(self.job_dir(job_id) + "/files"), "files", job_id)
        exports = [op for op in pipeline.ops if op.do == "export"]
        if exports:
            stage = self.new_stage(pipeline.path, "scratch")
            for op in exports:
                before = state.before[op.index]
                if before is None:
                    raise self.fail(pipeline, "#Export reads a file, but the filesystem is still empty", op)
                stage.stages.add(before)
                source = self.text(pipeline, op, "source")
                stage.lines.append(
                    df.copy([source if source.startswith("/") else "/" + source], f"/export-{op.index}", from_stage=before)
                )
            job_id = f"{pipeline.path}#exports"
            request(stage.name, ExportFiles(self.job_dir(job_id) + "/files"), "exports", job_id)
        if not drafts and self.graph.nodes[pipeline.path].requested and state.final is not None:
            request(state.final, None, "build", pipeline.path)
        # #DockerBuild jobs run first: the others build on their images.
        builds = [job_id for job_id, spec in self.docker_builds.items() if spec.pipeline == pipeline.path]
        head = [next((d for d in drafts if d.job_id == job_id), None) or _Draft(job_id, "docker-build", None) for job_id in builds]
        return head + [d for d in drafts if d.job_id not in builds]

    def _host_path(self, pipeline: Pipeline, op: Op, name: str) -> str:
        return posixpath.normpath(posixpath.join(self.plan.folder, self.text(pipeline, op, name)))

    def _reachable(self, target: str) -> list[_Stage]:
        seen: set[str] = set()
        stack = [target]
        while stack:
            name = stack.pop()
            if name not in seen:
                seen.add(name)
                stack.extend(self.stages[name].stages)
        # Creation order is a topological order: a stage only reads stages made before it.
        return sorted((self.stages[name] for name in seen), key=lambda stage: stage.order)

    def _reachable_contexts(self, target: str) -> dict[str, ContextSource]:
        found: dict[str, ContextSource] = {}
        for stage in self._reachable(target):
            found.update(stage.contexts)
        return found

    def _finish_pipeline(
        self, pipeline: Pipeline, drafts: list[_Draft], kept: set[str], pushed_by: dict[str, tuple[str, str]]
    ) -> CompiledPipeline:
        platform = self.platform_of(pipeline)
        requested = self.graph.nodes[pipeline.path].requested
        jobs: list[BuildJob] = []
        for draft in drafts:
            outputs = ([KeepImage()] if draft.job_id in kept else []) + draft.outputs
            if draft.stage is None:
                if not outputs and not requested:
                    continue  # a #DockerBuild nothing reads (a later op replaced its result)
                jobs.append(self._docker_build_job(self.docker_builds[draft.job_id], tuple(outputs)))
            else:
                jobs.append(self._stage_job(pipeline, draft, platform, tuple(outputs)))
        tags: list[TagImage] = []
        indexes: list[IndexPush] = []
        exports: list[ExportRead] = []
        saves: list[SaveRecord] = []
        for op in pipeline.ops:
            if op.do == "push-container" and op.get("images") is None:
                reference = _normalise_reference(self.text(pipeline, op, "ref"))
                tags.append(TagImage(self.op_jobs[(pipeline.path, op.index)], reference, op.index))
            elif op.do == "push-container":
                indexes.append(self._index(pipeline, op, pushed_by))
            elif op.do == "export":
                exports.append(
                    ExportRead(
                        op.index,
                        self.text(pipeline, op, "source"),
                        self.text(pipeline, op, "format", default="string"),
                        f"{pipeline.path}#exports",
                        f"export-{op.index}",
                    )
                )
            elif op.do == "save-image":
                dest = self._host_path(pipeline, op, "dest")
                job = self.op_jobs[(pipeline.path, op.index)]
                saves.append(SaveRecord(op.index, self.text(pipeline, op, "tag"), dest, job))
        return CompiledPipeline(
            path=pipeline.path,
            platform=platform,
            jobs=tuple(jobs),
            tags=tuple(tags),
            indexes=tuple(indexes),
            exports=tuple(exports),
            saves=tuple(saves),
        )

    def _index(self, pipeline: Pipeline, op: Op, pushed_by: dict[str, tuple[str, str]]) -> IndexPush:
        reference = _normalise_reference(self.text(pipeline, op, "ref"), pipeline, op)
        entries: list[IndexEntry] = []
        seen: dict[str, str] = {}
        for key, value in op.get("images").items():
            child = self.referenced(pipeline, op, value, f"images[{key!r}]")
            try:
                platform = platforms.canonical(key)
            except platforms.PlatformError as error:
                raise self.fail(pipeline, f"images key {key!r}: {error}", op) from None
            built = platforms.canonical(self.platform_of(child))
            if built != platform:
                raise self.fail(pipeline, f"images[{key!r}] is {child.path}, which builds for {built}, not {platform}", op)
            if platform in seen:
                raise self.fail(pipeline, f"images has two entries for {platform}: {seen[platform]!r} and {key!r}", op)
            seen[platform] = key
            job, repository = pushed_by[child.path]
            entries.append(IndexEntry(platform, child.path, job, repository))
        return IndexPush(reference, tuple(entries), op.index)

    def _stage_job(self, pipeline: Pipeline, draft: _Draft, platform: str, outputs: tuple[Output, ...]) -> BuildJob:
        assert draft.stage is not None
        stages = self._reachable(draft.stage)
        directory = self.job_dir(draft.job_id)
        contexts = {name: self._final_source(source) for name, source in self._reachable_contexts(draft.stage).items()}
        needs = [job for job in (_job_of(source) for source in contexts.values()) if job]
        return BuildJob(
            id=draft.job_id,
            pipeline=pipeline.path,
            kind=draft.kind,
            platform=platform,
            dockerfile=GeneratedDockerfile(_dockerfile_text(draft.job_id, stages), directory),
            context=GeneratedDir(directory, ()),
            named_contexts=contexts,
            target=draft.stage,
            outputs=outputs,
            dir=directory,
            build_args={ALWAYS_ARG: self.ws.run_id} if any(stage.always for stage in stages) else {},
            hosts=_merge_hosts(pipeline, stages),
            secrets=tuple(sorted({secret for stage in stages for secret in stage.secrets})),
            cache_mounts=tuple(cache for stage in stages for cache in stage.caches),
            needs=tuple(dict.fromkeys(needs)),
        )

    def _final_source(self, source: ContextSource) -> ContextSource:
        if isinstance(source, GeneratedDir):
            for name, entries in self.generated.values():
                if source.path == self.ws.path("contexts", name):
                    return GeneratedDir(source.path, tuple(entries))
        return source

    def _docker_build_job(self, spec: _DockerBuildSpec, outputs: tuple[Output, ...]) -> BuildJob:
        pipeline = self.plan.pipelines[spec.pipeline]
        op = spec.op
        directory = self.job_dir(spec.job_id)
        inline = self.text(pipeline, op, "dockerfile", required=False)
        value = op.get("context")
        context: ContextSource
        if value is None:
            if not inline:
                raise self.fail(pipeline, "#DockerBuild needs a context or a dockerfile", op)
            context = GeneratedDir(directory, ())
        else:
            context = self.build_context(self.referenced(pipeline, op, value, "#DockerBuild context"))
        dockerfile: DockerfileSource
        if inline:
            dockerfile = GeneratedDockerfile(inline if inline.endswith("\n") else inline + "\n", directory)
        else:
            dockerfile = ContextDockerfile(self.text(pipeline, op, "dockerfilePath", required=False) or "Dockerfile")
        return BuildJob(
            id=spec.job_id,
            pipeline=spec.pipeline,
            kind="docker-build",
            platform=spec.platform,
            dockerfile=dockerfile,
            context=context,
            named_contexts={},
            target=self.text(pipeline, op, "target", required=False) or None,
            outputs=outputs,
            dir=directory,
            build_args=self._string_map(pipeline, op, "buildArg", secret_hint=True),
            labels=self._string_map(pipeline, op, "label"),
            hosts=self._string_map(pipeline, op, "hosts"),
            needs=tuple(job for job in [_job_of(context)] if job),
        )

    def _string_map(self, pipeline: Pipeline, op: Op, name: str, *, secret_hint: bool = False) -> dict[str, str]:
        value = self.known(pipeline, op, name, required=False) or {}
        if not isinstance(value, dict):
            raise self.fail(pipeline, f"{op.definition or op.do} {name} must be a map of strings", op)
        out: dict[str, str] = {}
        for key, item in value.items():
            if isinstance(item, SecretRef) and secret_hint:
                raise self.fail(
                    pipeline,
                    f"#DockerBuild buildArg {key!r} is a secret: build args are recorded in the image"
                    " history, so planrun does not pass secrets that way (mount it with RUN --mount=type=secret)",
                    op,
                )
            if item is UNKNOWN:
                raise self.fail(pipeline, f"{op.definition or op.do} {name}[{key!r}] has no value the plan can know", op)
            if not isinstance(item, str):
                raise self.fail(pipeline, f"{op.definition or op.do} {name}[{key!r}] must be a string", op)
            out[key] = item
        return out


_PURPOSES = {
    "push": "push",
    "save": "save",
    "image": "push as an image of a manifest list",
    "files": "give a #DockerBuild as its context",
}


def _push_job_id(pipeline: str, index: int) -> str:
    return f"{pipeline}#push-{index}"


def _job_of(source: ContextSource) -> str | None:
    if isinstance(source, (JobImage, JobFiles, PushRecord)):
        return source.job
    return None


def _merge_hosts(pipeline: Pipeline, stages: Sequence[_Stage]) -> dict[str, str]:
    hosts: dict[str, str] = {}
    for stage in stages:
        for host, address in stage.hosts.items():
            if hosts.get(host, address) != address:
                raise CompileError(
                    pipeline.path, f"the build maps {host} to both {hosts[host]} and {address} (hosts are per build)"
                )
            hosts[host] = address
    return hosts


def _dockerfile_text(job_id: str, stages: Sequence[_Stage]) -> str:
    lines = [f"# planrun: {job_id}"]
    current = None
    for stage in stages:
        if stage.pipeline != current:
            lines.append("")
            lines.append(f"# pipeline {stage.pipeline}")
            current = stage.pipeline
        lines.extend(stage.lines)
    return "\n".join(lines) + "\n"


def _dir_dest(path: str) -> str:
    """A COPY destination that is a folder (``COPY a/ b`` copies into ``b`` only if it ends in /)."""
    return path if path.endswith("/") else path + "/"


def _url_filename(url: str) -> str:
    from urllib.parse import urlsplit

    name = posixpath.basename(urlsplit(url).path)
    return name or "index"


def _later_state_ops(ops: Sequence[Op], index: int) -> bool:
    return any(op.do not in ("push-container", "save-image", "docker-login") for op in ops[index + 1 :])


def _normalise_reference(text: str, pipeline: Pipeline | None = None, op: Op | None = None) -> str:
    """Dagger's ParseNormalizedNamed + TagNameOnly: ``alpine`` is ``docker.io/library/alpine:latest``."""
    try:
        return str(Reference.parse(text))
    except InvalidReference as error:
        if pipeline is None:
            raise
        raise CompileError(pipeline.path, str(error), None if op is None else op.index) from None


def compile_plan(plan: Plan, graph: BuildGraph, workspace: Workspace) -> CompiledPlan:
    """Compile every pipeline of ``graph`` (in its order) into jobs."""
    compiler = _Compiler(plan, graph, workspace)
    for path in graph.nodes:
        compiler.compile_stages(plan.pipelines[path])
    # Which pipelines export their files for a #DockerBuild must be known before jobs are drafted.
    for spec in compiler.docker_builds.values():
        value = spec.op.get("context")
        if isinstance(value, PipelineRef) and value.pipeline in plan.pipelines:
            compiler.build_context(plan.pipelines[value.pipeline])
    pipelines = compiler.compile_pipelines()
    return CompiledPlan(workspace=workspace, pipelines=pipelines, logins=tuple(compiler.logins))
