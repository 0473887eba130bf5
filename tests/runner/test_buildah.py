"""The buildah engine's commands (the real runs are in test_e2e_buildah.py)."""

from __future__ import annotations

import pytest
from plancheck.runner.compile import Workspace, compile_plan
from plancheck.runner.engines import BuildahEngine, BuildahStorage, Command, EngineSettings, JobResult, RegistryAction
from plancheck.runner.execute import ResultStore
from plancheck.runner.graph import build_graph
from plancheck.runner.secrets import SecretSources
from support.plans import busybox_release, docker_build_release, fetch_sources, op, pipeline, plan, ref, secret_mounts

pytestmark = pytest.mark.timeout(30)

WS = Workspace("/work", "run1")
STORAGE = BuildahStorage(root="/var/lib/planrun", runroot="/run/planrun")
GLOBAL = ["buildah", "--root", "/var/lib/planrun", "--runroot", "/run/planrun", "--storage-driver", "vfs"]


def jobs_of(the_plan, path: str):  # type: ignore[no-untyped-def]
    return compile_plan(the_plan, build_graph(the_plan), WS).pipelines[path].jobs


def test_build_then_write_the_image_to_disk_then_upload_by_digest() -> None:
    [job] = jobs_of(busybox_release("127.0.0.1:5000"), "images.arm64")
    steps = BuildahEngine(EngineSettings(), storage=STORAGE).steps(job, WS, ResultStore())
    build, push, upload = steps
    assert isinstance(build, Command) and isinstance(push, Command) and isinstance(upload, RegistryAction)
    assert list(build.argv) == GLOBAL + [
        "bud", "--isolation", "chroot", "--platform", "linux/arm64", "--format", "oci",
        # The base image comes from a loopback registry: plain HTTP, as the registry client does.
        "--tls-verify=false",
        "-f", "/work/jobs/images-arm64/Dockerfile",
        "--target", "images-arm64-0",
        "--build-context", "banner-files=/work/contexts/banner-files",
        "--build-context", "images-arm64-files=/work/contexts/images-arm64-files",
        "--iidfile", "/work/jobs/images-arm64/image-id",
        "-t", "localhost/planrun-run1/images-arm64",
        "/work/jobs/images-arm64",
    ]  # fmt: skip
    assert list(push.argv) == GLOBAL + [
        "push", "--quiet", "--format", "oci", "--digestfile", "/work/jobs/images-arm64/pushed-0.digest",
        "localhost/planrun-run1/images-arm64", "dir:/work/jobs/images-arm64/pushed-0",
    ]  # fmt: skip
    assert upload.text == "upload /work/jobs/images-arm64/pushed-0 to 127.0.0.1:5000/demo/app by digest (planrun's registry client)"


def test_tls_stays_on_for_registries_that_are_not_insecure() -> None:
    [job] = jobs_of(busybox_release("registry.example.com"), "images.amd64")
    argv = BuildahEngine(EngineSettings(insecure_registries=("other.example.com:5000",))).steps(job, WS, ResultStore())[0].argv
    assert "--tls-verify=false" not in argv
    insecure = EngineSettings(insecure_registries=("registry.example.com",))
    assert "--tls-verify=false" in BuildahEngine(insecure).steps(job, WS, ResultStore())[0].argv


def test_docker_media_types_secrets_hosts_args_and_auth() -> None:
    [job] = jobs_of(secret_mounts(), "app")
    settings = EngineSettings(
        secrets=SecretSources.parse(["id=npm-token,src=/run/secrets/npm"]),
        media_types="docker",
        docker_config="/home/ci/.docker",
    )
    build, push, _ = BuildahEngine(settings, storage=STORAGE).steps(job, WS, ResultStore())
    argv = list(build.argv)
    assert argv[argv.index("--format") + 1] == "docker"
    assert argv[argv.index("--authfile") + 1] == "/home/ci/.docker/config.json"
    assert argv[argv.index("--secret") + 1] == "id=npm-token,src=/run/secrets/npm"
    assert argv[argv.index("--add-host") + 1] == "pkg.internal:10.0.0.5"
    assert argv[argv.index("--build-arg") + 1] == "PLANRUN_ALWAYS=run1"
    assert list(push.argv)[list(push.argv).index("--format") + 1] == "v2s2"
    assert build.env == {}


def test_docker_build_uses_the_dockerfile_in_its_context() -> None:
    [job] = jobs_of(docker_build_release(), 'images."linux/arm64"')
    argv = list(BuildahEngine(EngineSettings(annotations={"a": "b"})).steps(job, WS, ResultStore())[0].argv)
    assert argv[argv.index("-f") + 1] == "/work/contexts/context-context/Dockerfile"
    assert argv[-1] == "/work/contexts/context-context"
    assert ["--build-arg", "SITE_VERSION=2.3.0"] == argv[argv.index("--build-arg") : argv.index("--build-arg") + 2]
    assert ["--label", "org.opencontainers.image.version=2.3.0"] == argv[argv.index("--label") : argv.index("--label") + 2]
    assert ["--annotation", "a=b"] == argv[argv.index("--annotation") : argv.index("--annotation") + 2]


def test_exports_write_files_and_sources_are_fetched_by_the_runner() -> None:
    [job] = jobs_of(fetch_sources(), "chartInfo")
    engine = BuildahEngine(EngineSettings())
    [build] = engine.steps(job, WS, ResultStore())
    argv = list(build.argv)
    assert argv[-1] == "/work/jobs/chartinfo-exports"
    assert argv[argv.index("-o") + 1] == "type=local,dest=/work/jobs/chartinfo-exports/files"
    assert "-t" not in argv
    assert "chart-git-0=/work/contexts/chart-git-0" in argv
    assert not engine.fetches(job.named_contexts["chart-git-0"])


def test_a_kept_image_is_a_container_image_context() -> None:
    the_plan = plan(
        pipeline("src", [op("local", dir=".")]),
        pipeline("app", [op("docker-build", context=ref("src")), op("write-file", dest="/v", content="1"), op("export", source="/v")]),
    )
    build, exports = jobs_of(the_plan, "app")
    engine = BuildahEngine(EngineSettings())
    results = ResultStore()
    results.add(JobResult("app#build-0", image=engine.local_name(build, WS)))
    argv = list(engine.steps(exports, WS, results)[0].argv)
    assert "app-build-0=container-image://localhost/planrun-run1/app-build-0" in argv


def test_save_image_pushes_a_docker_archive() -> None:
    the_plan = plan(pipeline("img", [op("fetch-container", ref="alpine"), op("save-image", tag="app:dev", dest="app.tar")]), folder="/p")
    [job] = jobs_of(the_plan, "img")
    _, save = BuildahEngine(EngineSettings(), storage=STORAGE).steps(job, WS, ResultStore())
    assert list(save.argv) == GLOBAL + ["push", "--quiet", "localhost/planrun-run1/img-save-1", "docker-archive:/p/app.tar:app:dev"]
