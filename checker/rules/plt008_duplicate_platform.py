"""# PLT008 duplicate-platform

## What it does
Reports two entries of one manifest list (the `images` of one
`op.#PushContainer`) that resolve to the same platform, such as `arm64` and
`linux/arm64`, or `linux/arm` and `linux/arm/v7`.

## Why is this bad?
A manifest list holds one image per platform: one of the two images is
silently shadowed, and which one a host pulls depends on the registry.

## Example
```cue
package main

import "alpha.dagger.io/dagger/op"

a: #up: [op.#DockerBuild & {dockerfile: "FROM alpine:3.18", platform: "linux/arm64"}]
b: #up: [op.#DockerBuild & {dockerfile: "FROM alpine:3.19", platform: "linux/arm64"}]
release: #up: [
	op.#PushContainer & {ref: "registry.example.com/app:1.0", images: {arm64: a, "linux/arm64": b}},
]
```

Use instead:
```cue
package main

import "alpha.dagger.io/dagger/op"

a: #up: [op.#DockerBuild & {dockerfile: "FROM alpine:3.18", platform: "linux/arm64"}]
release: #up: [
	op.#PushContainer & {ref: "registry.example.com/app:1.0", images: {"linux/arm64": a}},
]
```
"""

from __future__ import annotations

from typing import Iterable

from plancheck.checker import platforms
from plancheck.checker.diagnostics import Diagnostic, Related, Severity
from plancheck.checker.platform_uses import platform_uses, span_of
from plancheck.checker.rules import RuleInfo

RULE = RuleInfo("PLT008", "duplicate-platform", Severity.ERROR, "two manifest-list entries for the same platform")


def check(ctx) -> Iterable[Diagnostic]:
    ev = ctx.package.evaluator
    firsts: dict[tuple[int, str], tuple[str, object]] = {}
    for use in platform_uses(ev, ctx.built):
        if use.kind != "images-key":
            continue
        try:
            canonical = platforms.canonical(use.value.value)
        except platforms.PlatformError:
            continue
        group = (id(use.site.struct), canonical)
        origin = span_of(use.value, 0, len(use.value.value), ctx.text) or use.origin
        if group not in firsts:
            firsts[group] = (use.value.value, origin)
            continue
        if origin is None or not ctx.is_user(origin.path):
            continue
        first_key, first_origin = firsts[group]
        related = ()
        if first_origin is not None and ctx.is_user(first_origin.path):
            related = (Related(first_origin.path, first_origin.span, f"\"{first_key}\" is here"),)
        yield ctx.diagnostic(
            "PLT008",
            origin,
            f"images keys \"{first_key}\" and \"{use.value.value}\" are the same platform {canonical}: a manifest list holds one image per platform",
            related=related,
        )
