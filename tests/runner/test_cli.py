"""The ``planrun`` command: arguments, exit codes, plans read from CUE by the evaluator."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from plancheck.checker import check
from plancheck.runner import cli
from plancheck.runner.registry import Credentials, RegistryClient, Repository
from support import plans
from support.images import BusyboxUnavailable, busybox_image, push_built_image
from support.registry_server import RegistryServer
from support.skopeo import inspect_raw

pytestmark = pytest.mark.timeout(120)

needs_evaluator = pytest.mark.skipif(
    not hasattr(check, "load_plan"), reason="evaluator not yet available (plancheck.checker.check.load_plan)"
)

PLAN = """\
package main

import (
	"alpha.dagger.io/dagger"
	"alpha.dagger.io/dagger/op"
)

registry: "{registry}"

banner: #up: [
	op.#WriteFile & {{dest: "/banner.txt", content: "built by planrun\\n"}},
]

images: [string]: dagger.#Artifact
for arch in ["amd64", "arm64"] {{
	images: "linux/\\(arch)": #up: [
		op.#FetchContainer & {{ref: "\\(registry)/{base}:\\(arch)", platform: "linux/\\(arch)"}},
		op.#Copy & {{from: banner, src: "/banner.txt", dest: "/etc/banner.txt"}},
		op.#Mkdir & {{path: "/data", mode: 0o700}},
	]
}}

release: #up: [
	op.#PushContainer & {{ref: "\\(registry)/{repository}:1.0", "images": images}},
]
"""


def write_plan(folder: Path, registry: str = "registry.example.com", base: str = "base/busybox", repository: str = "demo/app") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cue.mod").mkdir(exist_ok=True)
    (folder / "cue.mod" / "module.cue").write_text('module: "example.com/demo"\n')
    (folder / "main.cue").write_text(PLAN.format(registry=registry, base=base, repository=repository))
    return folder


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- arguments --------------------------------------------------------------------------------


def test_the_first_argument_is_a_path_only_if_it_exists(tmp_path: Path) -> None:
    assert cli.split_arguments([str(tmp_path), "release"]) == cli.Invocation(str(tmp_path), ("release",))
    assert cli.split_arguments(["release", "images"]) == cli.Invocation(".", ("release", "images"))
    assert cli.split_arguments([]) == cli.Invocation(".", ())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--engine", "docker"], "invalid choice: 'docker'"),
        (["--no-such-flag"], "unrecognized arguments"),
        (["-j", "x"], "invalid int value"),
    ],
)
def test_bad_options_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(argv, capsys)
    assert code == 2
    assert message in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-j", "0"], "-j must be at least 1"),
        (["--media-type", "docker", "--annotation", "a=b"], "--annotation needs OCI media types"),
        (["--annotation", "novalue"], "invalid --annotation 'novalue'"),
        (["--builder", "linux/arm64"], "invalid --builder"),
        (["--secret", "id=a,what=b"], "unknown key 'what'"),
    ],
)
def test_usage_errors_after_loading_exit_2(argv: list[str], message: str) -> None:
    args = cli.build_parser().parse_args(["--dry-run", "--engine", "buildah", *argv])
    err = io.StringIO()
    code = cli.execute(plans.busybox_release("reg.example.com"), args, stdout=io.StringIO(), stderr=err, environ={})
    assert code == 2
    assert message in err.getvalue()


def test_an_unknown_target_exits_2() -> None:
    args = cli.build_parser().parse_args(["--dry-run", "--engine", "buildah"])
    err = io.StringIO()
    code = cli.execute(plans.busybox_release("r.example.com"), args, ["images.riscv64"], stdout=io.StringIO(), stderr=err, environ={})
    assert code == 2 and "no pipeline at 'images.riscv64'" in err.getvalue()


def test_a_plan_that_cannot_be_compiled_exits_1() -> None:
    the_plan = plans.plan(plans.pipeline("p", [plans.op("exec", args=["true"]), plans.op("export", source="/x")]))
    args = cli.build_parser().parse_args(["--dry-run", "--engine", "buildah"])
    err = io.StringIO()
    assert cli.execute(the_plan, args, stdout=io.StringIO(), stderr=err, environ={}) == 1
    assert "planrun: error: p, op #0: #Exec runs a program" in err.getvalue()


def test_a_missing_engine_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    args = cli.build_parser().parse_args(["--engine", "buildctl", "--workdir", str(tmp_path / "w")])
    err = io.StringIO()
    code = cli.execute(plans.busybox_release("reg.example.com"), args, stdout=io.StringIO(), stderr=err, environ={"PATH": str(tmp_path)})
    assert code == 2
    assert "buildctl is not on PATH" in err.getvalue()


def test_a_missing_secret_source_refuses_to_run(tmp_path: Path) -> None:
    args = cli.build_parser().parse_args(["--engine", "buildah", "--workdir", str(tmp_path / "w")])
    err = io.StringIO()
    code = cli.execute(plans.secret_mounts(), args, stdout=io.StringIO(), stderr=err, environ={})
    assert code == 2
    assert "the plan uses secret npm-token, but no --secret says where it is" in err.getvalue()


def test_summary_lists_pushes_exports_failures_and_skips() -> None:
    from plancheck.runner.execute import ExportedValue, PushedReference, RunReport

    report = RunReport(
        engine="buildah",
        pushed=[PushedReference("release", 0, "r.example.com/a:1", "sha256:" + "1" * 64, "index", (("linux/amd64", "sha256:" + "2" * 64),))],
        exports=[ExportedValue("info", 1, "/meta.json", "json", {"b": 1, "a": [1, 2]})],
        failures={"x": "x: boom"},
        skipped={"y": "x"},
        seconds=1.25,
    )
    assert cli.summary(report).splitlines() == [
        f"pushed r.example.com/a:1@sha256:{'1' * 64} (manifest list, release, op #0)",
        f"    linux/amd64    sha256:{'2' * 64}",
        'exported info /meta.json (json): {"a": [1, 2], "b": 1}',
        "failed x: x: boom",
        "skipped y: needs x, which failed",
        "planrun: FAILED in 1.2s (engine buildah)",
    ]


# -- with the evaluator -------------------------------------------------------------------------


@needs_evaluator
def test_dry_run_of_a_cue_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_plan(tmp_path / "plan")
    code, out, err = run_main([str(folder), "--dry-run", "--engine", "buildah", "-j", "2"], capsys)
    assert code == 0, err
    assert 'images."linux/arm64"  linux/arm64   after banner' in out
    assert "### manifest list registry.example.com/demo/app:1.0 (oci): linux/amd64 from images.\"linux/amd64\", linux/arm64 from images.\"linux/arm64\"" in out
    assert "FROM --platform=linux/arm64 registry.example.com/base/busybox:arm64 AS images-linux-arm64-0" in out


@needs_evaluator
def test_graph_of_a_cue_plan_with_a_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_plan(tmp_path / "plan")
    code, out, _ = run_main([str(folder), 'images."linux/amd64"', "--graph"], capsys)
    assert code == 0
    assert out.splitlines()[0] == "flowchart LR"
    assert "release" not in out and 'images.#quot;linux/amd64#quot;' in out


@needs_evaluator
def test_a_plan_with_errors_is_refused_and_shown_like_plancheck(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_plan(tmp_path / "plan")
    main = folder / "main.cue"
    main.write_text(main.read_text().replace('platform: "linux/\\(arch)"', 'platfrom: "linux/\\(arch)"'))
    code, out, err = run_main([str(folder), "--dry-run", "--engine", "buildah"], capsys)
    assert code == 1
    assert out == ""
    assert "SCH001" in err and "platfrom" in err
    assert "planrun: the plan has errors; nothing was run" in err


@needs_evaluator
@pytest.mark.timeout(300)
def test_planrun_builds_and_pushes_a_cue_plan(
    registry: RegistryServer, repo_path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("buildah") is None:
        pytest.skip("buildah is not installed (Debian package buildah)")
    base = Repository(registry.address, f"{repo_path}/base")
    with RegistryClient(Credentials.anonymous()) as client:
        for arch in ("amd64", "arm64"):
            try:
                push_built_image(client, base, busybox_image(f"linux/{arch}"), tags=(arch,))
            except BusyboxUnavailable as error:
                pytest.skip(str(error))
    folder = write_plan(tmp_path / "plan", registry.address, base.path, f"{repo_path}/app")
    code, out, err = run_main(
        [
            str(folder), "release",
            "--engine", "buildah", "--progress", "plain",
            "--buildah-root", str(tmp_path / "b" / "root"), "--buildah-runroot", str(tmp_path / "b" / "run"),
            "--insecure-registry", registry.address,
            "--output-json", str(tmp_path / "summary.json"),
        ],
        capsys,
    )  # fmt: skip
    assert code == 0, err[-3000:]
    index = json.loads(inspect_raw(f"{registry.address}/{repo_path}/app:1.0"))
    assert sorted(m["platform"]["architecture"] for m in index["manifests"]) == ["amd64", "arm64"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["ok"] and summary["pushed"][0]["kind"] == "index"
    assert "planrun: engine buildah (--engine buildah)" in err
    assert "[release] done" in err
