"""# PLT007 images-key-mismatch

## What it does
Reports an `images` key of `op.#PushContainer` that names another platform
than the one its pipeline builds for — the platform the pipeline's ops set,
or, when they set none, the environment default (`platform:` of
`.dagger/env/<env>/values.yaml`, else `--platform`, else `linux/amd64`).

## Why is this bad?
The manifest list would announce, say, an arm64 image whose files are
amd64: every arm64 host pulls it and fails with "exec format error".

## Example
```cue
package main

import "alpha.dagger.io/dagger/op"

arm: #up: [op.#DockerBuild & {dockerfile: "FROM alpine:3.18"}]
release: #up: [
	op.#PushContainer & {ref: "registry.example.com/app:1.0", images: "linux/arm64": arm},
]
```

Use instead:
```cue
package main

import "alpha.dagger.io/dagger/op"

arm: #up: [op.#DockerBuild & {dockerfile: "FROM alpine:3.18", platform: "linux/arm64"}]
release: #up: [
	op.#PushContainer & {ref: "registry.example.com/app:1.0", images: "linux/arm64": arm},
]
```
"""

from __future__ import annotations

from typing import Iterable

from plancheck.checker import platforms
from plancheck.checker.diagnostics import Diagnostic, Related, Severity
from plancheck.checker.plan import PipelineRef
from plancheck.checker.platform_uses import platform_uses, span_of
from plancheck.checker.rules import RuleInfo

RULE = RuleInfo("PLT007", "images-key-mismatch", Severity.ERROR, "images key does not match its pipeline's platform")


def check(ctx) -> Iterable[Diagnostic]:
    ev = ctx.package.evaluator
    plan = ctx.plan
    for use in platform_uses(ev, ctx.built):
        if use.kind != "images-key":
            continue
        try:
            key_platform = platforms.canonical(use.value.value)
        except platforms.PlatformError:
            continue
        images = use.site.op.get("images")
        if not isinstance(images, dict):
            continue
        ref = images.get(use.value.value)
        if not isinstance(ref, PipelineRef) or ref.pipeline not in plan.pipelines:
            continue
        pipeline = plan.pipelines[ref.pipeline]
        if pipeline.platform is None or pipeline.platform == key_platform:
            continue
        origin = span_of(use.value, 0, len(use.value.value), ctx.text) or use.origin
        if origin is None or not ctx.is_user(origin.path):
            continue
        if pipeline.platform_source == "default":
            why = f"builds for the default platform {pipeline.platform} ({plan.default_platform_source})"
        else:
            why = f"builds for {pipeline.platform}"
        related = ()
        if pipeline.platform_origin is not None and ctx.is_user(pipeline.platform_origin.path):
            related = (Related(pipeline.platform_origin.path, pipeline.platform_origin.span, f"{pipeline.path} sets its platform here"),)
        yield ctx.diagnostic(
            "PLT007",
            origin,
            f"images key \"{use.value.value}\" names {key_platform}, but its pipeline {pipeline.path} {why}",
            related=related,
        )
