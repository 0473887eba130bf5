"""# PLT006 images-list

## What it does
Reports an `images` field on `op.#PushContainer` written as a list. It must
be a map keyed by platform, so that each image is pushed for its platform
and named in the manifest list.

## Why is this bad?
A list says nothing about which image is which platform: the manifest list
cannot be built (and CUE rejects the list against the schema).

## Example
```cue
package main

import "alpha.dagger.io/dagger/op"

amd: #up: [op.#DockerBuild & {dockerfile: "FROM alpine:3.18", platform: "linux/amd64"}]
arm: #up: [op.#DockerBuild & {dockerfile: "FROM alpine:3.18", platform: "linux/arm64"}]
release: #up: [
	op.#PushContainer & {ref: "registry.example.com/app:1.0", images: [amd, arm]},
]
```

Use instead:
```cue
package main

import "alpha.dagger.io/dagger/op"

amd: #up: [op.#DockerBuild & {dockerfile: "FROM alpine:3.18", platform: "linux/amd64"}]
arm: #up: [op.#DockerBuild & {dockerfile: "FROM alpine:3.18", platform: "linux/arm64"}]
release: #up: [
	op.#PushContainer & {ref: "registry.example.com/app:1.0", images: {"linux/amd64": amd, "linux/arm64": arm}},
]
```
"""

from __future__ import annotations

from typing import Iterable

from plancheck.checker.diagnostics import Diagnostic, Severity
from plancheck.checker.eval.values import Origin
from plancheck.checker.rules import RuleInfo

RULE = RuleInfo("PLT006", "images-list", Severity.ERROR, "images on #PushContainer is a list")


def check(ctx) -> Iterable[Diagnostic]:
    ev = ctx.package.evaluator
    for site in ctx.built.sites:
        if site.op.do != "push-container":
            continue
        arc = site.struct.arcs.get("images")
        if arc is None:
            continue
        if not any(c.expr.__class__.__name__ == "ListLit" or _is_list_value(ev, c) for c in arc.conjuncts):
            continue
        for file, decl in arc.decls:
            if not ctx.is_user(file):
                continue
            origin = Origin(file, decl.value.span)
            yield ctx.diagnostic(
                "PLT006",
                origin,
                "images must be a map keyed by platform (e.g. {\"linux/amd64\": amd, \"linux/arm64\": arm}), not a list",
            )


def _is_list_value(ev, conjunct) -> bool:
    from plancheck.checker.eval.values import ListRef, resolve_default

    if conjunct.expr.__class__.__name__ not in ("Ident", "Selector"):
        return False
    return isinstance(resolve_default(ev.eval(conjunct.expr, conjunct.env)), ListRef)
