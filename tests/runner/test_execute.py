"""Running compiled plans with a scripted engine: order, failures, exports, the report."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from plancheck.runner.compile import BuildJob, ContextSource, ExportFiles, PushImage, Workspace, compile_plan
from plancheck.runner.engines import Engine, EngineSettings, JobResult, PushedImage, Step
from plancheck.runner.errors import BuildError, RunnerError
from plancheck.runner.execute import PlanRunner, decode_export
from plancheck.runner.graph import build_graph
from plancheck.runner.progress import PlainProgress
from plancheck.runner.secrets import SecretSources
from support.plans import busybox_release, op, pipeline, plan, ref

pytestmark = pytest.mark.timeout(60)


class ScriptedEngine(Engine):
    """Runs nothing: records jobs, fails the ones asked, writes export files."""

    name = "scripted"

    def __init__(self, fail: set[str] = frozenset(), files: dict[str, bytes] | None = None) -> None:
        super().__init__(EngineSettings())
        self.fail = fail
        self.files = files or {}
        self.ran: list[str] = []
        self.lock = threading.Lock()

    def fetches(self, source: ContextSource) -> bool:
        return True

    def steps(self, job: BuildJob, workspace: Workspace, results) -> list[Step]:  # type: ignore[no-untyped-def]
        return []

    def placeholder_image(self, job: BuildJob, workspace: Workspace) -> str:
        return job.id

    def run(self, job, workspace, results, reporter, cancel=None) -> JobResult:  # type: ignore[no-untyped-def]
        with self.lock:
            self.ran.append(job.id)
        reporter.step(f"building {job.id}")
        if job.id in self.fail:
            raise BuildError(job.id, "buildah bud exited with status 1: RUN make: exit status 2")
        result = JobResult(job.id)
        for output in job.outputs:
            if isinstance(output, PushImage):
                result.pushed.append(PushedImage(output.repository, "sha256:" + f"{len(self.ran):064d}"))
            elif isinstance(output, ExportFiles):
                Path(output.path).mkdir(parents=True, exist_ok=True)
                for name, data in self.files.items():
                    (Path(output.path) / name).write_bytes(data)
                result.files = output.path
        return result


class NoRegistry:
    """A registry client that must not be used."""

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        raise AssertionError(f"the registry was used ({name}) although nothing should be pushed")


def run(the_plan, engine: Engine, tmp_path: Path, targets=(), jobs: int = 2):  # type: ignore[no-untyped-def]
    ws = Workspace(str(tmp_path / "work"), "run1")
    graph = build_graph(the_plan, targets)
    compiled = compile_plan(the_plan, graph, ws)
    log = io.StringIO()
    runner = PlanRunner(
        compiled,
        graph,
        engine,
        client=NoRegistry(),  # type: ignore[arg-type]
        view=PlainProgress(log),
        secrets=SecretSources({}),
        jobs=jobs,
    )
    return runner.run(), log.getvalue()


def test_a_failed_image_skips_the_manifest_list_and_the_tag_never_moves(tmp_path: Path) -> None:
    engine = ScriptedEngine(fail={"images.arm64"})
    report, log = run(busybox_release("127.0.0.1:5000"), engine, tmp_path)
    assert not report.ok
    assert report.failures == {"images.arm64": "images.arm64: buildah bud exited with status 1: RUN make: exit status 2"}
    assert report.skipped == {"release": "images.arm64"}
    assert report.pushed == []
    assert sorted(engine.ran) == ["images.amd64", "images.arm64"]
    assert "[images.arm64] failed" in log
    assert "[release] skipped: needs images.arm64, which failed" in log
    assert "[banner] inlined: stages of images.amd64, images.arm64" in log
    data = report.to_json()
    assert data["failed"] == [{"pipeline": "images.arm64", "error": report.failures["images.arm64"]}]
    assert data["skipped"] == [{"pipeline": "release", "blocked_by": "images.arm64"}]


def test_exports_are_decoded_and_reported(tmp_path: Path) -> None:
    the_plan = plan(
        pipeline(
            "info",
            [
                op("fetch-container", ref="alpine"),
                op("export", source="/etc/os-release"),
                op("export", source="/meta.json", format="json"),
                op("export", source="/chart.yaml", format="yaml"),
            ],
        )
    )
    engine = ScriptedEngine(files={"export-1": b"ID=alpine\n", "export-2": b'{"n": 1}', "export-3": b"name: ledger\nreplicas: 3\n"})
    report, _ = run(the_plan, engine, tmp_path)
    assert report.ok
    assert [(e.op_index, e.format, e.value) for e in report.exports] == [
        (1, "string", "ID=alpine\n"),
        (2, "json", {"n": 1}),
        (3, "yaml", {"name": "ledger", "replicas": 3}),
    ]
    assert report.to_json()["exports"][1] == {"pipeline": "info", "op_index": 2, "source": "/meta.json", "format": "json", "value": {"n": 1}}


def test_an_export_that_does_not_decode_fails_its_pipeline(tmp_path: Path) -> None:
    the_plan = plan(pipeline("info", [op("fetch-container", ref="alpine"), op("export", source="/x", format="json")]))
    report, _ = run(the_plan, ScriptedEngine(files={"export-1": b"{nope"}), tmp_path)
    assert list(report.failures) == ["info"]
    assert report.failures["info"].startswith("info #Export /x is not JSON")


def test_decode_export_formats() -> None:
    assert decode_export(b"true", "json", "x") is True
    assert decode_export(b"- a\n- b\n", "yaml", "x") == ["a", "b"]
    with pytest.raises(RunnerError, match="unknown export format"):
        decode_export(b"", "toml", "x")


def test_pipelines_run_after_what_they_need(tmp_path: Path) -> None:
    the_plan = plan(
        pipeline("src", [op("local", dir=".")]),
        pipeline("bin", [op("fetch-container", ref="golang"), op("copy", **{"from": ref("src"), "dest": "/src"}), op("exec", args=["go", "build"])]),
        pipeline("img", [op("docker-build", context=ref("bin"), dockerfile="FROM scratch\nCOPY . /\n"), op("push-container", ref="r.example.com/a:1")]),
    )
    engine = ScriptedEngine(fail={"img#build-0"})
    (tmp_path / "plan").mkdir()
    the_plan = plan(*the_plan.pipelines.values(), folder=str(tmp_path / "plan"))
    report, _ = run(the_plan, engine, tmp_path)
    assert engine.ran == ["bin#files", "img#build-0"]
    assert list(report.failures) == ["img"]
