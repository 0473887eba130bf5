"""Running a compiled plan: nodes on the scheduler, jobs on the engine, publishing by the runner.

For each pipeline, in the build graph's order and concurrently where the graph allows:

1. its jobs run in order (contexts materialised first); a job's pushes are by digest only;
2. each single-image ``#PushContainer`` tag is written right after the job that pushed it;
3. each ``#PushContainer`` with ``images`` pushes its manifest list once every child image is in
   the registry (the scheduler guarantees the children's pipelines succeeded): children are
   verified against the platforms the plan gives them, the index goes by digest, the tag last;
4. ``#Export`` files are read back and decoded (string, json, yaml).

A failure stops that pipeline and skips everything that depends on it; independent pipelines
finish, so one run reports every failure. The `RunReport` lists what was pushed (references with
digests, the platforms of each list), exported, saved, failed and skipped.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping

from .compile import CompiledPipeline, CompiledPlan
from .contexts import ContextPreparer
from .engines import Engine, JobResult, PushedImage
from .errors import BuildError, Cancelled, RunnerError
from .graph import BuildGraph, Node, NodeEvent, run_graph
from .progress import ProgressView
from .publish import IndexChildImage, push_manifest_list, tag_image
from .registry import RegistryClient
from .registry.errors import RegistryError
from .secrets import SecretSources


@dataclass(frozen=True)
class PushedReference:
    pipeline: str
    op_index: int
    reference: str
    digest: str
    kind: Literal["image", "index"]
    #: (platform, digest) of each image of a manifest list
    children: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ExportedValue:
    pipeline: str
    op_index: int
    source: str
    format: str
    value: Any


@dataclass(frozen=True)
class SavedImage:
    pipeline: str
    op_index: int
    tag: str
    path: str


@dataclass
class RunReport:
    engine: str
    pushed: list[PushedReference] = field(default_factory=list)
    exports: list[ExportedValue] = field(default_factory=list)
    saved: list[SavedImage] = field(default_factory=list)
    #: pipeline -> error message
    failures: dict[str, str] = field(default_factory=dict)
    #: pipeline -> the failed pipeline it needed
    skipped: dict[str, str] = field(default_factory=dict)
    cancelled: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: pipeline -> the last lines its failed build printed (not part of the JSON summary)
    failure_output: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.skipped and not self.cancelled

    def to_json(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "pushed": [
                {
                    "pipeline": p.pipeline,
                    "op": p.op_index,
                    "reference": p.reference,
                    "digest": p.digest,
                    "kind": p.kind,
                    "platforms": [{"platform": platform, "digest": digest} for platform, digest in p.children],
                }
                for p in self.pushed
            ],
            "exports": [asdict(e) for e in self.exports],
            "saved": [asdict(s) for s in self.saved],
            "failed": [{"pipeline": path, "error": error} for path, error in self.failures.items()],
            "skipped": [{"pipeline": path, "blocked_by": blocker} for path, blocker in self.skipped.items()],
            "cancelled": list(self.cancelled),
        }


class ResultStore:
    """Results of the jobs run so far, shared by the pipelines' threads."""

    def __init__(self) -> None:
        self._results: dict[str, JobResult] = {}
        self._lock = threading.Lock()

    def add(self, result: JobResult) -> None:
        with self._lock:
            self._results[result.job] = result

    def get(self, job_id: str) -> JobResult:
        with self._lock:
            try:
                return self._results[job_id]
            except KeyError:
                raise RunnerError(f"job {job_id} has not run") from None

    def kept_image(self, job_id: str) -> str:
        image = self.get(job_id).image
        if image is None:
            raise RunnerError(f"job {job_id} kept no image")
        return image

    def pushed(self, job_id: str, repository: str) -> PushedImage:
        return self.get(job_id).pushed_to(repository)

    def push_digest(self, job_id: str) -> str:
        result = self.get(job_id)
        if not result.pushed:
            raise RunnerError(f"job {job_id} pushed nothing")
        return result.pushed[0].digest


def decode_export(data: bytes, fmt: str, where: str) -> Any:
    text = data.decode("utf-8", errors="replace")
    if fmt == "string":
        return text
    if fmt == "json":
        try:
            return json.loads(text)
        except ValueError as error:
            raise RunnerError(f"{where} is not JSON: {error}") from None
    if fmt == "yaml":
        try:
            import yaml
        except ImportError:
            raise RunnerError(f"{where}: reading format yaml needs PyYAML (pip install pyyaml)") from None
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise RunnerError(f"{where} is not YAML: {' '.join(str(error).split())}") from None
    raise RunnerError(f"{where}: unknown export format {fmt!r}")


class PlanRunner:
    def __init__(
        self,
        compiled: CompiledPlan,
        graph: BuildGraph,
        engine: Engine,
        *,
        client: RegistryClient,
        view: ProgressView,
        secrets: SecretSources,
        jobs: int,
        media_types: Literal["oci", "docker"] = "oci",
        annotations: Mapping[str, str] | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.compiled = compiled
        self.graph = graph
        self.engine = engine
        self.client = client
        self.view = view
        self.jobs = jobs
        self.media_types = media_types
        self.annotations = dict(annotations or {})
        self.cancel = cancel or threading.Event()
        self.results = ResultStore()
        self.preparer = ContextPreparer(
            engine_fetches=engine.fetches, secrets=secrets, push_digest=self.results.push_digest
        )
        self.report = RunReport(engine=engine.name)
        self._lock = threading.Lock()

    def run(self) -> RunReport:
        started = time.monotonic()
        for path in self.graph.nodes:
            if self.compiled.pipelines[path].inlined:
                users = ", ".join(self.graph.dependents(path)) or "nothing"
                self.view.pipeline(path, "inlined", f"stages of {users}")
        outcome = run_graph(self.graph, self._run_node, jobs=self.jobs, on_event=self._on_event, cancel=self.cancel)
        for path, error in outcome.failures.items():
            self.report.failures[path] = _message(error)
            if isinstance(error, BuildError) and error.output_tail:
                self.report.failure_output[path] = error.output_tail
        self.report.skipped.update(outcome.skipped)
        self.report.cancelled = list(outcome.cancelled)
        self.report.seconds = time.monotonic() - started
        return self.report

    def _on_event(self, event: NodeEvent) -> None:
        compiled = self.compiled.pipelines[event.node]
        if compiled.inlined:
            return
        if event.kind == "started":
            self.view.pipeline(event.node, "running")
        elif event.kind == "succeeded":
            self.view.pipeline(event.node, "done", self._done_detail(compiled))
        elif event.kind == "failed":
            self.view.pipeline(event.node, "failed", _message(event.error))
        elif event.kind == "skipped":
            self.view.pipeline(event.node, "skipped", f"needs {event.blocked_by}, which failed")

    def _done_detail(self, compiled: CompiledPipeline) -> str:
        with self._lock:
            pushed = [p for p in self.report.pushed if p.pipeline == compiled.path]
        if pushed:
            return ", ".join(f"{p.reference}@{p.digest}" for p in pushed)
        digests = [image.digest for job in compiled.jobs for image in self._results_of(job.id)]
        return ", ".join(f"pushed by digest {digest}" for digest in digests)

    def _results_of(self, job_id: str) -> list[PushedImage]:
        try:
            return self.results.get(job_id).pushed
        except RunnerError:
            return []

    def _run_node(self, node: Node) -> None:
        compiled = self.compiled.pipelines[node.path]
        for job in compiled.jobs:
            if self.cancel.is_set():
                raise Cancelled(f"{node.path} was cancelled")
            self.preparer.prepare(job)
            result = self.engine.run(
                job, self.compiled.workspace, self.results, self.view.reporter(node.path, job.id), self.cancel
            )
            self.results.add(result)
            for tag in compiled.tags:
                if tag.job == job.id:
                    self._tag(compiled, tag.reference, tag.op_index, result)
        for index in compiled.indexes:
            children = [
                IndexChildImage(entry.platform, self.results.pushed(entry.job, entry.repository).digest, entry.repository)
                for entry in index.entries
            ]
            self.view.step(node.path, node.path, f"pushing manifest list {index.reference}")
            try:
                digest = push_manifest_list(
                    self.client, index.reference, children, media_types=self.media_types, annotations=self.annotations
                )
            except RegistryError as error:
                raise BuildError(node.path, f"cannot push the manifest list {index.reference}: {error}") from None
            self._record(
                PushedReference(
                    node.path,
                    index.op_index,
                    index.reference,
                    digest,
                    "index",
                    tuple((child.platform, child.digest) for child in children),
                )
            )
        for export in compiled.exports:
            files = self.results.get(export.job).files
            path = Path(files or "") / export.file
            where = f"{node.path} #Export {export.source}"
            try:
                data = path.read_bytes()
            except OSError as error:
                raise BuildError(export.job, f"cannot read the exported {export.source}: {error.strerror}") from None
            value = decode_export(data, export.format, where)
            with self._lock:
                self.report.exports.append(ExportedValue(node.path, export.op_index, export.source, export.format, value))
        for save in compiled.saves:
            with self._lock:
                self.report.saved.append(SavedImage(node.path, save.op_index, save.tag, save.path))

    def _tag(self, compiled: CompiledPipeline, reference: str, op_index: int, result: JobResult) -> None:
        from .registry import Reference

        repository = str(Reference.parse(reference).repository)
        image = result.pushed_to(repository)
        self.view.step(compiled.path, result.job, f"tagging {reference}")
        try:
            digest = tag_image(self.client, repository, image.digest, reference)
        except RegistryError as error:
            raise BuildError(result.job, f"cannot tag {reference}: {error}") from None
        self._record(PushedReference(compiled.path, op_index, reference, digest, "image"))

    def _record(self, pushed: PushedReference) -> None:
        with self._lock:
            self.report.pushed.append(pushed)


def _message(error: BaseException | None) -> str:
    if error is None:
        return "failed"
    if isinstance(error, RunnerError):
        return str(error)
    return f"{error.__class__.__name__}: {error}"
