"""Hand-built plan models for the runner's tests.

They mirror what the evaluator (``plancheck.checker.check.load_plan``) makes of real plans: the
examples under ``examples/`` and Dagger's stdlib idioms. `pipeline` derives ``depends_on`` from
the `PipelineRef` values in the op fields, as the evaluator does, so a test only writes ops.

Import as ``support.plans`` (``tests`` is put on ``sys.path`` by ``tests/runner/conftest.py``).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from plancheck.checker.plan import Op, OpField, Origin, Pipeline, PipelineRef, Plan, SecretRef
from plancheck.grammar.span import Position, Span

DEFINITIONS = {
    "fetch-container": "#FetchContainer",
    "push-container": "#PushContainer",
    "save-image": "#SaveImage",
    "fetch-git": "#FetchGit",
    "fetch-http": "#FetchHTTP",
    "exec": "#Exec",
    "local": "#Local",
    "copy": "#Copy",
    "load": "#Load",
    "subdir": "#Subdir",
    "workdir": "#Workdir",
    "write-file": "#WriteFile",
    "mkdir": "#Mkdir",
    "docker-build": "#DockerBuild",
    "docker-login": "#DockerLogin",
    "export": "#Export",
}

# The schema defaults the evaluator fills in (alpha.dagger.io/dagger/op).
DEFAULTS: dict[str, dict[str, Any]] = {
    "exec": {"dir": "/", "mount": {}},
    "local": {"include": [], "exclude": []},
    "copy": {"src": "/", "dest": "/"},
    "write-file": {"mode": 0o644},
    "mkdir": {"dir": "/", "mode": 0o755},
    "export": {"format": "string"},
    "fetch-http": {"mode": 0o644},
}

FILE = "/plans/main.cue"


def origin(line: int = 1) -> Origin:
    start = Position(line, 1, 0, 0)
    return Origin(FILE, Span(start, Position(line, 2, 1, 1)))


def op(do: str, **fields: Any) -> dict[str, Any]:
    """An op as written in CUE; `pipeline` turns it into an `Op` with its index and defaults."""
    return {"do": do, **fields}


def ref(path: str) -> PipelineRef:
    return PipelineRef(path)


def secret(secret_id: str) -> SecretRef:
    return SecretRef(secret_id)


def _refs(value: Any) -> Iterable[str]:
    if isinstance(value, PipelineRef):
        yield value.pipeline
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _refs(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _refs(item)


def pipeline(
    path: str,
    ops: list[dict[str, Any]],
    *,
    platform: str | None = "linux/amd64",
    platform_source: str = "default",
    inline: bool = False,
    line: int = 1,
) -> Pipeline:
    built: list[Op] = []
    depends: list[str] = []
    for index, written in enumerate(ops):
        do = written["do"]
        fields: dict[str, OpField] = {"do": OpField("do", do, origin(line + index))}
        for name, value in DEFAULTS.get(do, {}).items():
            if name not in written:
                fields[name] = OpField(name, value, None, default=True)
        for name, value in written.items():
            if name != "do":
                fields[name] = OpField(name, value, origin(line + index))
                depends.extend(_refs(value))
        built.append(Op(index, do, DEFINITIONS.get(do), fields, origin(line + index)))
    return Pipeline(
        path=path,
        origin=origin(line),
        ops=tuple(built),
        depends_on=tuple(dict.fromkeys(depends)),
        platform=platform,
        platform_source=platform_source,
        inline=inline,
    )


def plan(*pipelines: Pipeline, folder: str = "/plans", default_platform: str = "linux/amd64") -> Plan:
    return Plan(
        package="main",
        folder=folder,
        pipelines={p.path: p for p in pipelines},
        default_platform=default_platform,
    )


# -- realistic plans ---------------------------------------------------------------------------


def busybox_release(
    registry: str, *, repository: str = "demo/app", tag: str = "1.0", base: str = "base/busybox", run_on: str = "amd64"
) -> Plan:
    """Two platforms from per-arch busybox bases; a RUN step only on ``run_on`` (the host's arch).

    The other platform uses file steps only (``#WriteFile``, ``#Mkdir``, ``#Copy`` from a
    platform-independent pipeline), so no emulator is needed to build it.
    """
    image = f"{registry}/{base}"
    pipelines = [
        pipeline(
            "banner",
            [op("write-file", dest="/banner.txt", content="built by planrun\n")],
            platform="linux/amd64",
        )
    ]
    for arch in ("amd64", "arm64"):
        if arch == run_on:
            make_hello = op("exec", args=["sh", "-c", 'echo "$GREETING from $(uname -m)" > /hello.txt'], env={"GREETING": "hello"})
        else:
            make_hello = op("write-file", dest="/hello.txt", content=f"hello from {arch}\n")
        pipelines.append(
            pipeline(
                f"images.{arch}",
                [
                    op("fetch-container", ref=f"{image}:{arch}", platform=f"linux/{arch}"),
                    make_hello,
                    op("mkdir", path="/data", mode=0o700),
                    op("copy", **{"from": ref("banner"), "src": "/banner.txt", "dest": "/etc/banner.txt"}),
                ],
                platform=f"linux/{arch}",
                platform_source="op",
            )
        )
    pipelines.append(
        pipeline(
            "release",
            [
                op(
                    "push-container",
                    ref=f"{registry}/{repository}:{tag}",
                    images={"linux/amd64": ref("images.amd64"), "linux/arm64": ref("images.arm64")},
                )
            ],
        )
    )
    return plan(*pipelines)


def docker_build_release(folder: str = "/plans/site", registry: str = "registry.example.com") -> Plan:
    """examples/multiarch-image: a ``#Local`` context built by ``#DockerBuild`` per platform."""
    images = {}
    pipelines = [
        pipeline(
            "context",
            [op("local", dir=".", include=["Dockerfile", "site"], exclude=[])],
            platform="linux/amd64",
        )
    ]
    for platform in ("linux/amd64", "linux/arm64", "linux/arm/v7"):
        path = f'images."{platform}"'
        images[platform] = ref(path)
        pipelines.append(
            pipeline(
                path,
                [
                    op(
                        "docker-build",
                        context=ref("context"),
                        platform=platform,
                        buildArg={"SITE_VERSION": "2.3.0"},
                        label={"org.opencontainers.image.version": "2.3.0"},
                    )
                ],
                platform=platform,
                platform_source="op",
            )
        )
    pipelines.append(
        pipeline("release", [op("push-container", ref=f"{registry}/docs/site:2.3.0", images=images)])
    )
    return plan(*pipelines, folder=folder)


def go_service(folder: str = "/plans/ledger", registry: str = "registry.example.com") -> Plan:
    """examples/go-service: tests on amd64, cross-compiled binaries, distroless images."""
    go_env = {"CGO_ENABLED": "0", "GOCACHE": "/root/.cache/go-build", "GOMODCACHE": "/go/pkg/mod"}
    caches = {"/root/.cache/go-build": "cache", "/go/pkg/mod": "cache"}
    pipelines = [
        pipeline(
            "source",
            [op("local", dir=".", include=["go.mod", "cmd", "internal"], exclude=["**/*.cue"])],
        ),
        pipeline(
            "builder",
            [
                op("fetch-container", ref="golang:1.17-alpine3.15", platform="linux/amd64"),
                op("copy", **{"from": ref("source"), "dest": "/src"}),
                op("workdir", path="/src"),
            ],
            platform_source="op",
        ),
        pipeline(
            "test",
            [
                op("load", **{"from": ref("builder")}),
                op("exec", args=["go", "test", "-count=1", "./..."], dir="/src", env=go_env, mount=caches),
            ],
            platform_source="load",
        ),
    ]
    images = {}
    for arch in ("amd64", "arm64"):
        pipelines.append(
            pipeline(
                f"binaries.{arch}",
                [
                    op("load", **{"from": ref("test")}),
                    op(
                        "exec",
                        args=["go", "build", "-o", "/out/ledger", "./cmd/ledger"],
                        dir="/src",
                        env={**go_env, "GOOS": "linux", "GOARCH": arch},
                        mount=caches,
                    ),
                    op("subdir", dir="/out"),
                ],
                platform_source="load",
            )
        )
        path = f'images."linux/{arch}"'
        images[f"linux/{arch}"] = ref(path)
        pipelines.append(
            pipeline(
                path,
                [
                    op(
                        "docker-build",
                        context=ref(f"binaries.{arch}"),
                        platform=f"linux/{arch}",
                        dockerfile=(
                            "FROM gcr.io/distroless/static:nonroot\n"
                            "COPY ledger /usr/local/bin/ledger\n"
                            'ENTRYPOINT ["/usr/local/bin/ledger"]\n'
                        ),
                        label={"org.opencontainers.image.version": "0.3.1"},
                    )
                ],
                platform=f"linux/{arch}",
                platform_source="op",
            )
        )
    pipelines.append(
        pipeline("release", [op("push-container", ref=f"{registry}/payments/ledger:0.3.1", images=images)])
    )
    return plan(*pipelines, folder=folder)


def fetch_sources(folder: str = "/plans/charts") -> Plan:
    """examples/fetch-sources: git, http with a checksum, file steps, exports."""
    return plan(
        pipeline(
            "chart",
            [
                op("fetch-git", remote="https://git.example.com/payments/charts.git", ref="ledger-0.3.1"),
                op("subdir", dir="charts/ledger"),
            ],
        ),
        pipeline(
            "chartInfo",
            [op("load", **{"from": ref("chart")}), op("export", source="/Chart.yaml", format="yaml")],
            platform_source="load",
        ),
        pipeline(
            "helmArchive",
            [
                op(
                    "fetch-http",
                    url="https://get.helm.sh/helm-v3.7.1-linux-amd64.tar.gz",
                    checksum="sha256:6cd6cad4b97e10c33c978ff3ac97bb42b68f79766f1d2284cfd62ec04cd177f4",
                    filename="helm.tar.gz",
                )
            ],
        ),
        pipeline(
            "manifests",
            [
                op("fetch-container", ref="alpine:3.15", platform="linux/amd64"),
                op("mkdir", path="/work/chart"),
                op("copy", **{"from": ref("chart"), "dest": "/work/chart"}),
                op("copy", **{"from": ref("helmArchive"), "src": "/helm.tar.gz", "dest": "/work/helm.tar.gz"}),
                op("write-file", dest="/work/values.yaml", content="replicaCount: 3\n"),
                op("write-file", dest="/work/render.sh", mode=0o755, content="#!/bin/sh\nset -eu\necho rendered\n"),
                op("exec", args=["/work/render.sh"], dir="/work", env={"NAMESPACE": "payments"}),
                op("subdir", dir="/out"),
                op("export", source="/deployment.yaml"),
            ],
            platform_source="op",
        ),
    )


def secret_mounts(registry: str = "registry.example.com") -> Plan:
    """One build with every kind of mount, hosts, a user and an ``always`` step."""
    return plan(
        pipeline("assets", [op("write-file", dest="/config.json", content='{"debug": false}\n')]),
        pipeline(
            "app",
            [
                op("fetch-container", ref="alpine:3.15", platform="linux/arm64"),
                op(
                    "exec",
                    args=["sh", "-c", "wget --header=\"Authorization: $(cat /run/secrets/token)\" https://pkg.internal/x"],
                    mount={
                        "/run/secrets/token": {"secret": secret("npm-token")},
                        "/var/cache/apk": "cache",
                        "/tmp": "tmpfs",
                        "/assets": {"from": ref("assets"), "path": "/"},
                    },
                    hosts={"pkg.internal": "10.0.0.5"},
                    user="build",
                    always=True,
                ),
                op("push-container", ref=f"{registry}/team/app:edge"),
            ],
            platform="linux/arm64",
            platform_source="op",
        ),
    )


def docker_push(registry: str = "registry.example.com") -> Plan:
    """Dagger's stdlib ``docker.#Push``: push, then read the pushed reference back."""
    return plan(
        pipeline(
            "image",
            [op("fetch-container", ref="alpine:3.15"), op("exec", args=["touch", "/marker"])],
        ),
        pipeline(
            "push",
            [
                op("load", **{"from": ref("image")}),
                op("push-container", ref=f"{registry}/team/tool:1.2"),
                op("subdir", dir="/dagger"),
                op("export", source="/image_ref"),
            ],
            platform_source="load",
        ),
    )
