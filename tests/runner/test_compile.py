"""Compiling pipelines to Dockerfiles, contexts and jobs (both engines take this form)."""

from __future__ import annotations

import pytest
from plancheck.checker.plan import UNKNOWN
from plancheck.runner import dockerfile as df
from plancheck.runner.compile import (
    ContextDockerfile,
    ExportFiles,
    FilteredDir,
    GeneratedDir,
    GeneratedDockerfile,
    GitSource,
    HttpSource,
    JobFiles,
    JobImage,
    KeepImage,
    PushImage,
    PushRecord,
    SaveArchive,
    Workspace,
    compile_plan,
)
from plancheck.runner.errors import CompileError
from plancheck.runner.graph import build_graph
from support.plans import (
    busybox_release,
    docker_build_release,
    docker_push,
    fetch_sources,
    go_service,
    op,
    pipeline,
    plan,
    ref,
    secret,
    secret_mounts,
)

pytestmark = pytest.mark.timeout(30)

WS = Workspace("/work", "run1")


def compiled(the_plan, targets=()):  # type: ignore[no-untyped-def]
    return compile_plan(the_plan, build_graph(the_plan, targets), WS)


def body(job) -> list[str]:  # type: ignore[no-untyped-def]
    return [line for line in job.dockerfile_text.splitlines() if line and not line.startswith("#")]


# -- Dockerfile text --------------------------------------------------------------------------


def test_run_uses_the_exec_form_without_a_shell() -> None:
    assert df.run(["sh", "-c", 'echo "$HOME" > /x']) == 'RUN ["sh", "-c", "echo \\"$HOME\\" > /x"]'


def test_paths_with_dollars_and_spaces_are_escaped() -> None:
    assert df.copy(["a$b"], "/c d/", from_stage="s") == 'COPY --from=s ["a\\\\$b", "/c d/"]'
    assert df.workdir("/srv/$HOME") == "WORKDIR /srv/\\$HOME"


def test_line_breaks_and_commas_in_mount_values_are_refused() -> None:
    with pytest.raises(df.DockerfileValueError, match="line break"):
        df.workdir("/a\nb")
    with pytest.raises(df.DockerfileValueError, match="','"):
        df.Mount("tmpfs", "/a,b").render()


# -- op by op -------------------------------------------------------------------------------------


def test_exec_env_is_per_command_and_dir_and_user_are_set_before_it() -> None:
    the_plan = plan(
        pipeline(
            "app",
            [
                op("fetch-container", ref="alpine:3.15"),
                op("exec", args=["make"], dir="/src", env={"CC": "gcc", "CFLAGS": "-O2 -g"}, user="builder"),
                op("exec", args=["make", "install"], dir="/src", user="builder"),
                op("push-container", ref="registry.example.com/app:1"),
            ],
        )
    )
    [job] = compiled(the_plan).pipelines["app"].jobs
    assert body(job) == [
        "FROM --platform=linux/amd64 alpine:3.15 AS app-0",
        "WORKDIR /src",
        "USER builder",
        'RUN ["env", "CC=gcc", "CFLAGS=-O2 -g", "make"]',
        'RUN ["make", "install"]',
    ]
    assert not any(line.startswith("ENV") for line in body(job))


def test_write_file_and_mkdir_are_generated_files_copied_with_their_mode() -> None:
    the_plan = plan(
        pipeline(
            "files",
            [
                op("write-file", dest="/etc/app.conf", content="debug = false\n", mode=0o600),
                op("mkdir", path="/var/lib/app", mode=0o700),
                op("workdir", path="/srv"),
                op("write-file", dest="relative.txt", content=b"\x00\x01"),
                op("export", source="/etc/app.conf"),
            ],
        )
    )
    pipeline_ = compiled(the_plan).pipelines["files"]
    [job] = pipeline_.jobs
    assert body(job) == [
        "FROM scratch AS files-0",
        "COPY --from=files-files op-0/app.conf /etc/app.conf",
        "COPY --from=files-files op-1/ /var/lib/",
        "WORKDIR /srv",
        "COPY --from=files-files op-3/relative.txt /srv/relative.txt",
        "FROM scratch AS files-1",
        "COPY --from=files-0 /etc/app.conf /export-4",
    ]
    generated = job.named_contexts["files-files"]
    assert isinstance(generated, GeneratedDir)
    assert [(f.path, f.content, f.mode) for f in generated.files] == [
        ("op-0/app.conf", b"debug = false\n", 0o600),
        ("op-1/app", None, 0o700),
        ("op-3/relative.txt", b"\x00\x01", 0o644),
    ]
    assert generated.path == "/work/contexts/files-files"
    assert job.outputs == (ExportFiles("/work/jobs/files-exports/files"),)
    [export] = pipeline_.exports
    assert (export.source, export.format, export.file) == ("/etc/app.conf", "string", "export-4")


def test_local_is_a_filtered_named_context_copied_onto_the_root() -> None:
    the_plan = plan(
        pipeline(
            "src",
            [op("local", dir="site", include=["*.html"], exclude=["drafts"]), op("export", source="/index.html")],
        ),
        folder="/home/me/plan",
    )
    [job] = compiled(the_plan).pipelines["src"].jobs
    assert "COPY --from=src-local-0 / /" in body(job)
    assert job.named_contexts["src-local-0"] == FilteredDir(
        "/home/me/plan/site", ("*.html",), ("drafts",), "/work/contexts/src-local-0"
    )


def test_load_copy_and_mount_inline_the_other_pipelines_as_stages() -> None:
    job = compiled(busybox_release("reg.test:5000")).pipelines["images.arm64"].jobs[0]
    assert body(job) == [
        "FROM scratch AS banner-0",
        "COPY --from=banner-files op-0/banner.txt /banner.txt",
        "FROM --platform=linux/arm64 reg.test:5000/base/busybox:arm64 AS images-arm64-0",
        "COPY --from=images-arm64-files op-1/hello.txt /hello.txt",
        "COPY --from=images-arm64-files op-2/ /",
        "COPY --from=banner-0 /banner.txt /etc/banner.txt",
    ]
    assert job.target == "images-arm64-0"
    assert job.platform == "linux/arm64"


def test_mounts_secrets_hosts_and_always() -> None:
    [job] = compiled(secret_mounts()).pipelines["app"].jobs
    run = next(line for line in body(job) if line.startswith("RUN"))
    assert run.startswith(
        "RUN --mount=type=secret,id=npm-token,target=/run/secrets/token,mode=0400,uid=0,gid=0"
        " --mount=type=cache,id=app-op1-var-cache-apk,target=/var/cache/apk"
        " --mount=type=tmpfs,target=/tmp"
        " --mount=type=bind,from=assets-0,source=/,target=/assets,rw "
    )
    assert "ARG PLANRUN_ALWAYS" in body(job)
    assert job.build_args == {"PLANRUN_ALWAYS": "run1"}
    assert job.secrets == ("npm-token",)
    assert job.hosts == {"pkg.internal": "10.0.0.5"}
    assert [(c.id, c.target) for c in job.cache_mounts] == [("app-op1-var-cache-apk", "/var/cache/apk")]


def test_fetch_git_and_http_are_named_contexts_in_a_new_stage() -> None:
    result = compiled(fetch_sources())
    [job] = result.pipelines["manifests"].jobs
    lines = body(job)
    assert "FROM scratch AS chart-0" in lines
    assert "COPY --from=chart-git-0 / /" in lines
    assert "COPY --from=chart-0 /charts/ledger/ /" in lines
    assert "COPY --from=helmarchive-http-0 --chmod=644 context /helm.tar.gz" in lines
    git = job.named_contexts["chart-git-0"]
    assert isinstance(git, GitSource) and git.url() == "https://git.example.com/payments/charts.git#ledger-0.3.1"
    assert git.buildkit_fetchable
    http = job.named_contexts["helmarchive-http-0"]
    assert isinstance(http, HttpSource) and http.checksum and not http.buildkit_fetchable


def test_git_urls_buildkit_cannot_read_as_git_are_fetched_by_the_runner() -> None:
    assert not GitSource("https://github.com/x/y", "main", "/p").buildkit_fetchable
    assert GitSource("git@github.com:x/y.git", "main", "/p").buildkit_fetchable
    assert not GitSource("https://x/y.git", "main", "/p", auth_token="t").buildkit_fetchable
    assert not GitSource("https://x/y.git", "main", "/p", keep_git_dir=True).buildkit_fetchable


def test_docker_build_on_a_local_context_pushes_directly() -> None:
    result = compiled(docker_build_release())
    [job] = result.pipelines['images."linux/arm/v7"'].jobs
    assert job.kind == "docker-build"
    assert job.platform == "linux/arm/v7"
    assert job.dockerfile == ContextDockerfile("Dockerfile")
    assert isinstance(job.context, FilteredDir) and job.context.include == ("Dockerfile", "site")
    assert job.build_args == {"SITE_VERSION": "2.3.0"}
    assert job.labels == {"org.opencontainers.image.version": "2.3.0"}
    assert job.outputs == (PushImage("registry.example.com/docs/site"),)
    [index] = result.pipelines["release"].indexes
    assert [(e.platform, e.job) for e in index.entries] == [
        ("linux/amd64", 'images."linux/amd64"#build-0'),
        ("linux/arm64", 'images."linux/arm64"#build-0'),
        ("linux/arm/v7", 'images."linux/arm/v7"#build-0'),
    ]
    assert result.pipelines["context"].inlined


def test_a_docker_build_context_made_by_a_pipeline_is_exported_as_files() -> None:
    result = compiled(go_service())
    [files_job] = result.pipelines["binaries.arm64"].jobs
    assert files_job.id == "binaries.arm64#files"
    assert files_job.outputs == (ExportFiles("/work/jobs/binaries-arm64-files/files"),)
    [build] = result.pipelines['images."linux/arm64"'].jobs
    assert build.context == JobFiles("binaries.arm64#files", "/work/jobs/binaries-arm64-files/files")
    assert build.needs == ("binaries.arm64#files",)
    assert isinstance(build.dockerfile, GeneratedDockerfile)
    assert build.dockerfile.text.startswith("FROM gcr.io/distroless/static:nonroot\n")


def test_ops_after_a_docker_build_build_on_its_kept_image() -> None:
    the_plan = plan(
        pipeline("src", [op("local", dir=".")]),
        pipeline(
            "app",
            [
                op("docker-build", context=ref("src")),
                op("write-file", dest="/VERSION", content="1\n"),
                op("push-container", ref="registry.example.com/app:1"),
            ],
        ),
    )
    build, push = compiled(the_plan).pipelines["app"].jobs
    assert build.id == "app#build-0" and build.outputs == (KeepImage(),)
    assert push.named_contexts["app-build-0"] == JobImage("app#build-0")
    assert body(push)[0] == "FROM app-build-0 AS app-0"
    assert push.needs == ("app#build-0",)


def test_push_then_export_reads_the_pushed_reference_back() -> None:
    result = compiled(docker_push())
    push_job, exports_job = result.pipelines["push"].jobs
    assert push_job.outputs == (PushImage("registry.example.com/team/tool"),)
    [tag] = result.pipelines["push"].tags
    assert (tag.job, tag.reference) == ("push#push-1", "registry.example.com/team/tool:1.2")
    record = exports_job.named_contexts["push-pushed-1"]
    assert record == PushRecord("push#push-1", "registry.example.com/team/tool:1.2", "/work/contexts/push-pushed-1")
    assert "COPY --from=push-pushed-1 / /dagger/" in body(exports_job)
    assert exports_job.needs == ("push#push-1",)


def test_save_image_writes_an_archive_next_to_the_plan() -> None:
    the_plan = plan(
        pipeline("img", [op("fetch-container", ref="alpine"), op("save-image", tag="app:dev", dest="out/app.tar")]),
        folder="/plans",
    )
    result = compiled(the_plan)
    [job] = result.pipelines["img"].jobs
    assert job.outputs == (SaveArchive("/plans/out/app.tar", "app:dev"),)


def test_two_pushes_of_one_state_share_a_build() -> None:
    the_plan = plan(
        pipeline(
            "img",
            [
                op("fetch-container", ref="alpine"),
                op("push-container", ref="one.example.com/a:1"),
                op("push-container", ref="two.example.com/b:1"),
            ],
        )
    )
    [job] = compiled(the_plan).pipelines["img"].jobs
    assert job.outputs == (PushImage("one.example.com/a"), PushImage("two.example.com/b"))


def test_references_are_normalised_like_docker() -> None:
    the_plan = plan(pipeline("img", [op("fetch-container", ref="alpine"), op("push-container", ref="me/app")]))
    result = compiled(the_plan)
    assert result.pipelines["img"].jobs[0].outputs == (PushImage("docker.io/me/app"),)
    assert result.pipelines["img"].tags[0].reference == "docker.io/me/app:latest"


def test_a_requested_pipeline_without_outputs_is_still_built() -> None:
    the_plan = busybox_release("reg.test:5000")
    [job] = compiled(the_plan, ["banner"]).pipelines["banner"].jobs
    assert (job.kind, job.outputs) == ("build", ())


def test_dependencies_that_are_only_stages_have_no_jobs() -> None:
    result = compiled(go_service())
    assert [path for path, p in result.pipelines.items() if p.inlined] == ["source", "builder", "test"]


# -- what cannot be compiled ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ops", "message"),
    [
        ([op("exec", args=["true"])], "the filesystem is still empty"),
        ([op("fetch-container", ref=UNKNOWN)], "'ref' has no value the plan can know"),
        ([op("fetch-container", ref="alpine"), op("exec", args=[])], "non-empty list of strings"),
        ([op("fetch-container", ref="alpine"), op("exec", args=["x"], mount={"/s": {"stream": "x"}})], "stream"),
        ([op("fetch-container", ref="alpine"), op("exec", args=["x"], mount={"/c": "caches"})], "is not \"cache\""),
        ([op("fetch-container", ref="alpine"), op("exec", args=["x"], env={"A B": "1"})], "not a valid variable name"),
        ([op("load", **{"from": UNKNOWN})], "#Load from is not a pipeline the plan can know"),
        ([op("docker-build", platforms=["linux/amd64", "linux/arm64"], dockerfile="FROM x")], "lists 2 platforms"),
        ([op("docker-build", dockerfile="FROM x", buildArg={"TOKEN": secret("t")})], "is a secret"),
        ([op("fetch-container", ref="alpine"), op("push-container", ref="Bad//ref")], "invalid reference"),
        ([op("frobnicate")], "op 'frobnicate' cannot be run"),
    ],
)
def test_uncompilable_ops_name_the_pipeline_and_op(ops: list, message: str) -> None:  # type: ignore[type-arg]
    the_plan = plan(pipeline("p", [*ops, op("export", source="/x")]))
    with pytest.raises(CompileError, match=message) as caught:
        compiled(the_plan)
    assert str(caught.value).startswith("p, op #")


def test_an_images_key_that_does_not_match_the_child_platform_is_refused() -> None:
    the_plan = plan(
        pipeline("a", [op("fetch-container", ref="alpine", platform="linux/arm64")], platform="linux/arm64"),
        pipeline("r", [op("push-container", ref="r.example/x:1", images={"linux/amd64": ref("a")})]),
    )
    with pytest.raises(CompileError, match=r"images\['linux/amd64'\] is a, which builds for linux/arm64"):
        compiled(the_plan)


def test_two_images_keys_for_one_platform_are_refused() -> None:
    the_plan = plan(
        pipeline("a", [op("fetch-container", ref="alpine")]),
        pipeline("b", [op("fetch-container", ref="busybox")]),
        pipeline("r", [op("push-container", ref="r.example/x:1", images={"linux/amd64": ref("a"), "amd64": ref("b")})]),
    )
    with pytest.raises(CompileError, match="two entries for linux/amd64"):
        compiled(the_plan)


def test_each_tag_names_the_state_its_push_saw() -> None:
    the_plan = plan(
        pipeline(
            "img",
            [
                op("fetch-container", ref="alpine"),
                op("push-container", ref="r.example.com/app:base"),
                op("write-file", dest="/VERSION", content="2"),
                op("push-container", ref="r.example.com/app:2"),
                op("push-container", ref="r.example.com/app:latest"),
            ],
        )
    )
    result = compiled(the_plan).pipelines["img"]
    assert [(t.reference, t.job) for t in result.tags] == [
        ("r.example.com/app:base", "img#push-1"),
        ("r.example.com/app:2", "img#push-3"),
        ("r.example.com/app:latest", "img#push-3"),
    ]
    assert [job.outputs for job in result.jobs] == [(PushImage("r.example.com/app"),), (PushImage("r.example.com/app"),)]
