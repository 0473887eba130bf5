"""# SCH002 unset-op-field

## What it does
Warns about an op field that the op needs but that nothing in the package
ever sets: `ref` of a `#FetchContainer`, `args` of an `#Exec`, `dest` of a
`#Copy`… (fields with a default, such as `dir` or `mode`, are fine), and a
`#DockerBuild` with neither `context` nor `dockerfile`.

A field set to an input (`dagger.#Input & {string}`, `@dagger(input)`) is not
reported: it is set when the plan runs.

## Why is this bad?
Dagger runs a pipeline until the first op that is not concrete, then stops
without an error ("pipeline was partially executed because of missing
inputs"): the image is never built or pushed, and nothing says why.

## Example
```cue
package main

import "alpha.dagger.io/dagger/op"

app: #up: [
	op.#FetchContainer & {ref: "alpine:3.18"},
	op.#Exec,
]
```

Use instead:
```cue
package main

import "alpha.dagger.io/dagger/op"

app: #up: [
	op.#FetchContainer & {ref: "alpine:3.18"},
	op.#Exec & {args: ["apk", "add", "curl"]},
]
```
"""

from __future__ import annotations

from typing import Iterable

from plancheck.checker.diagnostics import Diagnostic, Severity
from plancheck.checker.eval.values import Disj, ListRef, StructRef
from plancheck.checker.eval.vertex import is_regular
from plancheck.checker.loader import is_bundled_path
from plancheck.checker.rules import RuleInfo

RULE = RuleInfo("SCH002", "unset-op-field", Severity.WARNING, "op field that nothing in the package sets")


def check(ctx) -> Iterable[Diagnostic]:
    ev = ctx.package.evaluator
    for site in ctx.built.sites:
        op = site.op
        if op.definition is None or not ctx.is_user(op.origin.path):
            continue
        sv = site.struct
        if sv.incomplete:
            continue
        unset = []
        for label, arc in sv.arcs.items():
            if not is_regular(label) or label in sv.optional:
                continue
            if any(not is_bundled_path(c.env.file) for c in arc.conjuncts):
                continue  # the plan says something about it
            value = ev.finalize(arc)
            if label == "args" and isinstance(value, ListRef) and not value.vertex.elements:
                unset.append(label)  # `[...string]` exports as [], but a command needs a name
                continue
            if value.concrete or isinstance(value, (StructRef, ListRef)):
                continue
            if isinstance(value, Disj) and value.default() is not None:
                continue
            unset.append(label)
        if op.definition == "#DockerBuild" and "context" not in op.fields and "dockerfile" not in op.fields:
            unset.append("context or dockerfile")
        for label in unset:
            yield ctx.diagnostic(
                "SCH002",
                op.origin,
                f"op.{op.definition} needs \"{label}\" but nothing sets it; the pipeline stops at this op",
            )
