"""The buildctl engine: exact argv and environment, rawjson progress, metadata, a real daemon.

The recorded progress in ``data/buildctl-rawjson-*.jsonl`` follows BuildKit's ``SolveStatus``
JSON (client/graph.go: ``vertexes`` with digest/name/started/completed/cached/error,
``statuses``, ``logs`` with base64 ``data``, ``warnings`` with base64 ``short``), one object per
line as ``buildctl build --progress rawjson`` writes them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from plancheck.runner.compile import Workspace, compile_plan
from plancheck.runner.engines import (
    Builder,
    BuilderMap,
    BuildctlEngine,
    Command,
    EngineSettings,
    TLSConfig,
    choose_engine,
)
from plancheck.runner.engines.buildkit_progress import SolveStatusReader
from plancheck.runner.errors import BuildError, UsageError
from plancheck.runner.execute import ResultStore
from plancheck.runner.graph import build_graph
from plancheck.runner.secrets import SecretSources
from support import fake_buildctl
from support.plans import busybox_release, docker_build_release, fetch_sources, op, pipeline, plan, ref, secret_mounts

pytestmark = pytest.mark.timeout(60)

DATA = Path(__file__).parent / "data"
WS = Workspace("/work", "run1")


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def step(self, text: str) -> None:
        self.events.append(("step", text))

    def log(self, line: str) -> None:
        self.events.append(("log", line))


def jobs_of(the_plan, path: str):  # type: ignore[no-untyped-def]
    return compile_plan(the_plan, build_graph(the_plan), WS).pipelines[path].jobs


def engine(**settings) -> BuildctlEngine:  # type: ignore[no-untyped-def]
    builders = settings.pop("builders", None)
    return BuildctlEngine(EngineSettings(**settings), builders, **{})


def argv_of(step) -> list[str]:  # type: ignore[no-untyped-def]
    assert isinstance(step, Command)
    return list(step.argv)


def test_image_push_by_digest_with_a_generated_dockerfile() -> None:
    [job] = jobs_of(busybox_release("reg.example.com:5000"), "images.arm64")
    [step] = engine(insecure_registries=("reg.example.com:5000",)).steps(job, WS, ResultStore())
    assert argv_of(step) == [
        "buildctl",
        "build",
        "--progress", "rawjson",
        "--frontend", "dockerfile.v0",
        "--local", "context=/work/jobs/images-arm64",
        "--local", "dockerfile=/work/jobs/images-arm64",
        "--opt", "filename=Dockerfile",
        "--opt", "platform=linux/arm64",
        "--opt", "target=images-arm64-0",
        "--local", "banner-files=/work/contexts/banner-files",
        "--opt", "context:banner-files=local:banner-files",
        "--local", "images-arm64-files=/work/contexts/images-arm64-files",
        "--opt", "context:images-arm64-files=local:images-arm64-files",
        "--output", "type=image,name=reg.example.com:5000/demo/app,push=true,push-by-digest=true,oci-mediatypes=true,registry.insecure=true",
        "--metadata-file", "/work/jobs/images-arm64/metadata-0.json",
    ]  # fmt: skip
    assert step.env == {}


def test_remote_builder_per_platform_with_tls() -> None:
    default = Builder("tcp://amd64-builder:1234", TLSConfig(cacert="/tls/ca.pem", cert="/tls/cert.pem", key="/tls/key.pem"))
    builders = BuilderMap.parse(["linux/arm64=tcp://arm-builder:1234,tlscacert=/tls/arm/ca.pem,tlsservername=arm.internal"], default)
    e = engine(builders=builders)
    [arm] = jobs_of(busybox_release("reg.example.com"), "images.arm64")
    [amd] = jobs_of(busybox_release("reg.example.com"), "images.amd64")
    arm_argv = argv_of(e.steps(arm, WS, ResultStore())[0])
    amd_argv = argv_of(e.steps(amd, WS, ResultStore())[0])
    assert arm_argv[:8] == [
        "buildctl", "--addr", "tcp://arm-builder:1234", "--tlsservername", "arm.internal", "--tlscacert", "/tls/arm/ca.pem", "build",
    ]  # fmt: skip
    assert amd_argv[:10] == [
        "buildctl", "--addr", "tcp://amd64-builder:1234",
        "--tlscacert", "/tls/ca.pem", "--tlscert", "/tls/cert.pem", "--tlskey", "/tls/key.pem", "build",
    ]  # fmt: skip


def test_a_builder_without_its_own_tls_uses_the_default_tls() -> None:
    default = Builder(None, TLSConfig(cacert="/ca.pem"))
    builders = BuilderMap.parse(["linux/aarch64=tcp://arm:1234"], default)
    assert builders.for_platform("linux/arm64").flags() == ["--addr", "tcp://arm:1234", "--tlscacert", "/ca.pem"]
    assert builders.for_platform("linux/amd64").flags() == ["--tlscacert", "/ca.pem"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("linux/arm64", "expected PLATFORM=ADDRESS"),
        ("linux/armm64=tcp://x:1", "invalid --builder"),
        ("linux/arm64=tcp://x:1,tls=1", "unknown option 'tls=1'"),
    ],
)
def test_invalid_builders_are_usage_errors(spec: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        BuilderMap.parse([spec], Builder(None))


def test_secrets_pass_their_source_never_their_value_and_hosts_become_add_hosts(tmp_path: Path) -> None:
    value = "npm_9f8e7d6c5b4a-very-secret"
    secrets = SecretSources.parse(["id=npm-token,env=NPM_TOKEN"], {"NPM_TOKEN": value})
    [job] = jobs_of(secret_mounts(), "app")
    e = engine(secrets=secrets, docker_config="/home/ci/.docker")
    [step] = e.steps(job, WS, ResultStore())
    argv = argv_of(step)
    assert argv[argv.index("--secret") + 1] == "id=npm-token,env=NPM_TOKEN"
    assert "add-hosts=pkg.internal=10.0.0.5" in argv
    assert "build-arg:PLANRUN_ALWAYS=run1" in argv
    assert step.env == {"DOCKER_CONFIG": "/home/ci/.docker"}
    assert not any(value in arg for arg in argv)
    assert value not in json.dumps(step.env)


def test_cache_import_and_export_are_passed_through_per_platform() -> None:
    e = BuildctlEngine(
        EngineSettings(),
        import_cache=["type=registry,ref=reg.example.com/cache:{platform}"],
        export_cache=["type=registry,ref=reg.example.com/cache:{platform},mode=max", "type=inline"],
    )
    [job] = jobs_of(busybox_release("reg.example.com"), "images.arm64")
    argv = argv_of(e.steps(job, WS, ResultStore())[0])
    assert argv[argv.index("--import-cache") :][:6] == [
        "--import-cache", "type=registry,ref=reg.example.com/cache:linux-arm64",
        "--export-cache", "type=registry,ref=reg.example.com/cache:linux-arm64,mode=max",
        "--export-cache", "type=inline",
    ]  # fmt: skip


def test_docker_build_reads_the_dockerfile_from_its_context_with_args_and_labels() -> None:
    [job] = jobs_of(docker_build_release(), 'images."linux/arm/v7"')
    argv = argv_of(engine(media_types="docker", annotations={}).steps(job, WS, ResultStore())[0])
    assert argv[argv.index("build") + 5 :] == [
        "--local", "context=/work/contexts/context-context",
        "--local", "dockerfile=/work/contexts/context-context",
        "--opt", "filename=Dockerfile",
        "--opt", "platform=linux/arm/v7",
        "--opt", "build-arg:SITE_VERSION=2.3.0",
        "--opt", "label:org.opencontainers.image.version=2.3.0",
        "--output", "type=image,name=registry.example.com/docs/site,push=true,push-by-digest=true,oci-mediatypes=false",
        "--metadata-file", '/work/jobs/images-linux-arm-v7-build-0/metadata-0.json',
    ]  # fmt: skip


def test_git_and_http_sources_are_fetched_by_buildkit_unless_a_checksum_is_needed() -> None:
    [job] = jobs_of(fetch_sources(), "manifests")
    argv = argv_of(engine().steps(job, WS, ResultStore())[0])
    assert "context:chart-git-0=https://git.example.com/payments/charts.git#ledger-0.3.1" in argv
    # The helm archive has a checksum: the runner fetched and verified it into a folder.
    assert "helmarchive-http-0=/work/contexts/helmarchive-http-0" in argv
    assert "context:helmarchive-http-0=local:helmarchive-http-0" in argv
    assert argv[-2:] == ["--output", "type=local,dest=/work/jobs/manifests-exports/files"]


def test_a_kept_image_becomes_an_oci_layout_context_of_the_next_job() -> None:
    the_plan = plan(
        pipeline("src", [op("local", dir=".")]),
        pipeline("app", [op("docker-build", context=ref("src")), op("write-file", dest="/v", content="1"), op("push-container", ref="r.example.com/a:1")]),
    )
    build, push = jobs_of(the_plan, "app")
    e = engine(annotations={"org.opencontainers.image.source": "https://git.example.com/a,b"})
    [build_step] = e.steps(build, WS, ResultStore())
    assert argv_of(build_step)[-4:] == [
        "--output", "type=oci,dest=/work/jobs/app-build-0/oci,tar=false,oci-mediatypes=true",
        "--metadata-file", "/work/jobs/app-build-0/metadata-0.json",
    ]  # fmt: skip
    results = ResultStore()
    from plancheck.runner.engines import JobResult

    results.add(JobResult("app#build-0", image="/work/jobs/app-build-0/oci@sha256:" + "a" * 64))
    argv = argv_of(e.steps(push, WS, results)[0])
    assert argv[argv.index("--oci-layout") : argv.index("--oci-layout") + 4] == [
        "--oci-layout", "app-build-0=/work/jobs/app-build-0/oci",
        "--opt", "context:app-build-0=oci-layout://app-build-0@sha256:" + "a" * 64,
    ]  # fmt: skip
    # An annotation value with a comma is quoted as one CSV field of --output.
    assert argv[argv.index("--output") + 1].endswith(',"annotation.org.opencontainers.image.source=https://git.example.com/a,b"')


def test_a_job_with_several_outputs_runs_one_build_per_output() -> None:
    the_plan = plan(
        pipeline(
            "img",
            [op("fetch-container", ref="alpine"), op("push-container", ref="a.example.com/x:1"), op("save-image", tag="x:1", dest="x.tar")],
        ),
        folder="/p",
    )
    [job] = jobs_of(the_plan, "img")
    steps = engine().steps(job, WS, ResultStore())
    assert [argv_of(s)[argv_of(s).index("--output") + 1].split(",")[0] for s in steps] == ["type=image", "type=docker"]
    assert argv_of(steps[1])[-2:] == ["--output", "type=docker,name=x:1,dest=/p/x.tar"]


# -- rawjson --------------------------------------------------------------------------------


def test_rawjson_progress_becomes_steps_and_whole_log_lines() -> None:
    recorder = Recorder()
    reader = SolveStatusReader(recorder)
    for line in (DATA / "buildctl-rawjson-push.jsonl").read_text().splitlines():
        reader.feed(line)
    assert recorder.events == [
        ("step", "[internal] load build definition from Dockerfile"),
        ("step", "[internal] load metadata for docker.io/library/alpine:3.15"),
        ("step", "[context app-files] load from client"),
        (
            "step",
            "[app-0 1/3] FROM docker.io/library/alpine:3.15@sha256:21a3deaa0d32a8057914f36584b5288d2e5ecc984380bc0118285c70fa8c9300 (cached)",
        ),
        ("step", "[app-0 2/3] COPY --from=app-files op-1/app.conf /etc/app.conf"),
        ("step", '[app-0 3/3] RUN ["sh", "-c", "echo building; echo done"]'),
        ("log", "building"),
        ("log", "done"),
        ("log", "warning: using the default shell"),
        ("log", 'warning: FromPlatformFlagConstDisallowed: FROM --platform flag should not use constant value "linux/amd64" (line 5)'),
        ("step", "exporting to image"),
    ]
    assert reader.counts == (7, 1)
    assert reader.errors == []


def test_rawjson_of_a_failed_build_reports_the_failing_step() -> None:
    recorder = Recorder()
    reader = SolveStatusReader(recorder)
    for line in (DATA / "buildctl-rawjson-failed.jsonl").read_text().splitlines():
        reader.feed(line)
    assert reader.errors == ['[app-0 2/2] RUN ["make", "test"]: process "make test" did not complete successfully: exit code: 2']
    assert ("log", "make: *** No rule to make target 'test'.  Stop.") in recorder.events
    assert recorder.events[-1] == ("log", 'error: failed to solve: process "make test" did not complete successfully: exit code: 2')


def test_garbage_lines_are_passed_on_as_text() -> None:
    recorder = Recorder()
    reader = SolveStatusReader(recorder)
    reader.feed("{not json")
    reader.feed('{"logs":[{"vertex":"x","stream":1,"data":"not-base64!!"}]}')
    reader.feed("")
    assert recorder.events == [("log", "{not json")]
    reader._flush(reader.vertexes["x"])
    assert recorder.events[-1] == ("log", "not-base64!!")


# -- running (fake buildctl) ----------------------------------------------------------------


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    binary = fake_buildctl.install(tmp_path / "bin")
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("FAKE_BUILDCTL_LOG", str(log))
    monkeypatch.setenv("FAKE_BUILDCTL_ENV_KEYS", "DOCKER_CONFIG,NPM_TOKEN")
    monkeypatch.setenv("PATH", f"{binary.parent}{os.pathsep}{os.environ['PATH']}")
    return log


def test_run_reads_the_pushed_digest_from_the_metadata_file(fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_BUILDCTL_REPLAY", str(DATA / "buildctl-rawjson-push.jsonl"))
    monkeypatch.setenv("NPM_TOKEN", "tok-123456789")
    ws = Workspace(str(tmp_path / "work"), "run1")
    the_plan = secret_mounts()
    [job] = compile_plan(the_plan, build_graph(the_plan), ws).pipelines["app"].jobs
    secrets = SecretSources.parse(["id=npm-token,env=NPM_TOKEN"])
    recorder = Recorder()
    result = BuildctlEngine(EngineSettings(secrets=secrets, docker_config="/cfg")).run(job, ws, ResultStore(), recorder)
    [pushed] = result.pushed
    assert pushed.repository == "registry.example.com/team/app"
    assert pushed.digest.startswith("sha256:") and pushed.size == 1234
    [call] = [json.loads(line) for line in fake.read_text().splitlines()]
    assert call["env"]["DOCKER_CONFIG"] == "/cfg"
    # The secret reached buildctl through its environment, not its arguments.
    assert call["env"]["NPM_TOKEN"] == "tok-123456789"
    assert not any("tok-123456789" in arg for arg in call["argv"])
    assert ("step", "exporting to image") in recorder.events


def test_a_failed_build_names_the_failing_step(fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_BUILDCTL_REPLAY", str(DATA / "buildctl-rawjson-failed.jsonl"))
    monkeypatch.setenv("FAKE_BUILDCTL_EXIT", "1")
    ws = Workspace(str(tmp_path / "work"), "run1")
    the_plan = busybox_release("reg.example.com")
    [job] = compile_plan(the_plan, build_graph(the_plan), ws).pipelines["images.amd64"].jobs
    with pytest.raises(BuildError) as caught:
        BuildctlEngine(EngineSettings()).run(job, ws, ResultStore(), Recorder())
    assert str(caught.value) == (
        'images.amd64: buildctl exited with status 1: [app-0 2/2] RUN ["make", "test"]:'
        ' process "make test" did not complete successfully: exit code: 2'
    )
    assert "make: *** No rule" in caught.value.output_tail


def test_secret_values_echoed_by_a_build_are_masked(fake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    leaky = tmp_path / "leak.jsonl"
    leaky.write_text("echoing hunter2-secret-value\n")
    monkeypatch.setenv("FAKE_BUILDCTL_REPLAY", str(leaky))
    monkeypatch.setenv("NPM_TOKEN", "hunter2-secret-value")
    ws = Workspace(str(tmp_path / "work"), "run1")
    the_plan = secret_mounts()
    [job] = compile_plan(the_plan, build_graph(the_plan), ws).pipelines["app"].jobs
    recorder = Recorder()
    BuildctlEngine(EngineSettings(secrets=SecretSources.parse(["id=npm-token,env=NPM_TOKEN"]))).run(job, ws, ResultStore(), recorder)
    assert ("log", "echoing ****") in recorder.events


def test_auto_picks_buildctl_only_when_a_daemon_answers(fake: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    e = BuildctlEngine(EngineSettings(), BuilderMap(Builder("unix:///run/buildkit/buildkitd.sock")))
    choice = choose_engine("auto", e)
    assert choice.name == "buildah" and "no BuildKit daemon answered" in choice.reason
    calls = [json.loads(line)["argv"] for line in fake.read_text().splitlines()]
    assert calls == [["--addr", "unix:///run/buildkit/buildkitd.sock", "--timeout", "3", "debug", "workers"]]
    monkeypatch.setenv("FAKE_BUILDCTL_DAEMON", "1")
    assert choose_engine("auto", e).name == "buildctl"


def test_auto_without_buildctl_on_path_picks_buildah() -> None:
    choice = choose_engine("auto", BuildctlEngine(EngineSettings()), which=lambda name: None)
    assert (choice.name, choice.reason) == ("buildah", "buildctl is not on PATH")


# -- a real BuildKit daemon -------------------------------------------------------------------


def _daemon() -> str | None:
    if shutil.which("buildctl") is None:
        return "buildctl is not installed (no Debian package; install BuildKit to run this test)"
    result = subprocess.run(["buildctl", "--timeout", "3", "debug", "workers"], capture_output=True, text=True, timeout=10)
    if result.returncode != 0:
        return f"no BuildKit daemon answers buildctl ({' '.join(result.stderr.split())[:120]})"
    return None


@pytest.mark.timeout(600)
def test_real_buildctl_builds_and_pushes_a_manifest_list(tmp_path: Path) -> None:
    reason = _daemon()
    if reason:
        pytest.skip(reason)
    from plancheck.runner import cli
    from support.registry_server import RegistryServer, registry_available
    from support.images import BusyboxUnavailable, busybox_image, push_built_image
    from support.skopeo import inspect_raw
    from plancheck.runner.registry import Credentials, RegistryClient, Repository

    if not registry_available():
        pytest.skip("docker-registry is not installed")
    with RegistryServer.start(tmp_path / "registry") as server:
        try:
            with RegistryClient(Credentials.anonymous()) as client:
                for arch in ("amd64", "arm64"):
                    push_built_image(client, Repository(server.address, "base/busybox"), busybox_image(f"linux/{arch}"), tags=(arch,))
        except BusyboxUnavailable as error:
            pytest.skip(str(error))
        # The daemon reaches the registry on the same loopback only when it runs on this host.
        args = cli.build_parser().parse_args(["--engine", "buildctl", "--progress", "plain", "--insecure-registry", server.address])
        out, err = tmp_path / "out", tmp_path / "err"
        with out.open("w") as stdout, err.open("w") as stderr:
            code = cli.execute(busybox_release(server.address), args, stdout=stdout, stderr=stderr)
        assert code == 0, err.read_text()[-2000:]
        index = json.loads(inspect_raw(f"{server.address}/demo/app:1.0"))
        assert sorted(m["platform"]["architecture"] for m in index["manifests"]) == ["amd64", "arm64"]
