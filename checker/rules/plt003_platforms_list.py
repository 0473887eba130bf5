"""# PLT003 platforms-list

## What it does
Reports the `platforms` list of `op.#DockerBuild`. A `#up` pipeline builds
for one platform: write `platform:`. With one entry this is a warning whose
safe fix rewrites `platforms: ["linux/arm64"]` as `platform: "linux/arm64"`.
With several it is an error: the unsafe fix splits the pipeline into one
pipeline per platform under a map keyed by platform and, when the pipeline
pushed its image, adds a `#PushContainer` with `images` that pushes them all
as one manifest list.

## Why is this bad?
Dagger joins the entries into the frontend's `platform` option and, for more
than one, asks BuildKit for a multi-platform result it cannot handle: the
build fails with "invalid map result" (dagger/dagger#437). One entry works
but hides that the pipeline is single-platform.

## Example
```cue
package main

import "alpha.dagger.io/dagger/op"

app: #up: [
	op.#DockerBuild & {
		dockerfile: "FROM alpine:3.18"
		platforms: ["linux/amd64", "linux/arm64"]
	},
]
```

Use instead:
```cue
package main

import "alpha.dagger.io/dagger/op"

app: {
	"linux/amd64": #up: [
		op.#DockerBuild & {
			dockerfile: "FROM alpine:3.18"
			platform:   "linux/amd64"
		},
	]
	"linux/arm64": #up: [
		op.#DockerBuild & {
			dockerfile: "FROM alpine:3.18"
			platform:   "linux/arm64"
		},
	]
}
```

## Fix safety
One entry: safe, the build is the same. Several: unsafe, the plan's
structure changes (the pipeline becomes a map of pipelines), so references
to it need review.
"""

from __future__ import annotations

from typing import Iterable

from plancheck.checker.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity
from plancheck.checker.eval.values import Origin
from plancheck.checker.rules import RuleInfo
from plancheck.grammar import ast

RULE = RuleInfo("PLT003", "platforms-list", Severity.WARNING, "platforms list on #DockerBuild", fix="sometimes")


def check(ctx) -> Iterable[Diagnostic]:
    ev = ctx.package.evaluator
    for site in ctx.built.sites:
        if site.op.do != "docker-build":
            continue
        arc = site.struct.arcs.get("platforms")
        if arc is None or "platforms" in site.struct.optional:
            continue
        lv = ev.list_of(arc)
        if lv is None or lv.list_open and not lv.elements:
            continue
        decl = _user_decl(ctx, arc)
        if decl is None:
            continue
        file, field = decl
        count = len(lv.elements or [])
        origin = Origin(file, field.label.span)
        text = ctx.text(file) or ""
        if count <= 1:
            fix = _single_fix(text, field)
            yield ctx.diagnostic(
                "PLT003",
                origin,
                "a #up pipeline builds one platform: write platform: instead of a platforms list",
                fix=fix,
            )
        else:
            from plancheck.checker.split_pipeline import split_fix

            fix = split_fix(ctx, site, field, file)
            d = ctx.diagnostic(
                "PLT003",
                origin,
                f"#DockerBuild cannot build {count} platforms in one pipeline (BuildKit fails with \"invalid map result\"): use one pipeline per platform, pushed together with #PushContainer images",
                fix=fix,
            )
            yield d.with_severity(Severity.ERROR)


def _user_decl(ctx, arc) -> tuple[str, ast.Field] | None:
    for file, decl in arc.decls:
        if ctx.is_user(file):
            return file, decl
    return None


def _single_fix(text: str, field: ast.Field) -> Fix | None:
    value = field.value
    if not isinstance(value, ast.ListLit) or field.label.kind is not ast.LabelKind.IDENT:
        return None
    elems = [e for e in value.elements if not isinstance(e, ast.Ellipsis)]
    if len(elems) != 1 or isinstance(elems[0], ast.Comprehension) or len(value.elements) != 1:
        return None
    entry = text[elems[0].span.start.offset : elems[0].span.end.offset]
    return Fix(Applicability.SAFE, f"write platform: {entry}", (Edit(field.span, f"platform: {entry}"),))
