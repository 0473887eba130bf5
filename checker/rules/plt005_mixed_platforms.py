"""# PLT005 mixed-platforms

## What it does
Reports a pipeline that names two different platforms: a
`#FetchContainer` for `linux/arm64` followed by a `#DockerBuild` for
`linux/amd64`, a `#Load` of a pipeline built for another platform than the
one this pipeline fetched, or a `#FetchContainer` with both `platform` and
`arch`. Platforms are compared in canonical form (`linux/aarch64` and
`linux/arm64` are the same).

`#Copy` from a pipeline of another platform is legitimate cross-building
(for example copying a binary built on amd64 into an arm64 image) and is not
reported.

## Why is this bad?
A `#up` pipeline runs on one platform: the ops after the switch run on the
wrong architecture ("exec format error"), or the image pushed at the end
claims a platform its files do not match.

## Example
```cue
package main

import "alpha.dagger.io/dagger/op"

app: #up: [
	op.#FetchContainer & {ref: "alpine:3.18", platform: "linux/arm64"},
	op.#DockerBuild & {dockerfile: "FROM alpine:3.18", platform: "linux/amd64"},
]
```

Use instead:
```cue
package main

import "alpha.dagger.io/dagger/op"

app: #up: [
	op.#FetchContainer & {ref: "alpine:3.18", platform: "linux/arm64"},
	op.#DockerBuild & {dockerfile: "FROM alpine:3.18", platform: "linux/arm64"},
]
```
"""

from __future__ import annotations

from typing import Iterable

from plancheck.checker import platforms
from plancheck.checker.diagnostics import Diagnostic, Related, Severity
from plancheck.checker.plan import Origin, PipelineRef
from plancheck.checker.rules import RuleInfo

RULE = RuleInfo("PLT005", "mixed-platforms", Severity.ERROR, "two different platforms inside one pipeline")


def check(ctx) -> Iterable[Diagnostic]:
    plan = ctx.plan
    for pipeline in plan.pipelines.values():
        first: tuple[str, Origin | None, str] | None = None
        for op in pipeline.ops:
            for platform, origin, what in _platforms_of(op, plan):
                if platform is None:
                    continue
                if first is None:
                    first = (platform, origin, what)
                    continue
                if platform == first[0] or origin is None or not ctx.is_user(origin.path):
                    continue
                related = ()
                if first[1] is not None and ctx.is_user(first[1].path):
                    related = (Related(first[1].path, first[1].span, f"{first[2]} is for {first[0]}"),)
                yield ctx.diagnostic(
                    "PLT005",
                    origin,
                    f"pipeline {pipeline.path} mixes platforms: {what} is for {platform}, but {first[2]} is for {first[0]}",
                    related=related,
                )


def _platforms_of(op, plan):
    """(canonical platform, origin, description) of each platform an op sets."""
    out = []
    if op.do in ("fetch-container", "docker-build"):
        names = ("platform", "arch") if op.do == "fetch-container" else ("platform",)
        for name in names:
            f = op.fields.get(name)
            if f is None or not isinstance(f.value, str):
                continue
            out.append((_canonical(f.value), f.origin, f"op {op.index} ({op.do} {name})"))
    elif op.do == "load":
        ref = op.get("from")
        f = op.fields.get("from")
        if isinstance(ref, PipelineRef) and ref.pipeline in plan.pipelines:
            loaded = plan.pipelines[ref.pipeline]
            if loaded.platform_source != "default" and loaded.platform is not None:
                out.append((loaded.platform, f.origin if f else op.origin, f"op {op.index} (load of {loaded.path})"))
    return out


def _canonical(spec: str) -> str | None:
    try:
        return platforms.canonical(spec)
    except platforms.PlatformError:
        return None
