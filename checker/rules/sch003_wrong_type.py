"""# SCH003 wrong-type

## What it does
Reports an op field whose value has the wrong type or is not one of the
values the op accepts: a string where a list is expected
(`args: "make build"`), an int where a string is expected, a `format` that
is not `"json"`, `"yaml"` or `"string"`, a different `do` than the op's.

An `images` list on `#PushContainer` is PLT006, not this rule.

## Why is this bad?
CUE rejects the plan; were it accepted, the engine would fail when it runs
the op.

## Example
```cue
package main

import "alpha.dagger.io/dagger/op"

test: #up: [
	op.#FetchContainer & {ref: "golang:1.21"},
	op.#Exec & {args: "go test ./..."},
]
```

Use instead:
```cue
package main

import "alpha.dagger.io/dagger/op"

test: #up: [
	op.#FetchContainer & {ref: "golang:1.21"},
	op.#Exec & {args: ["go", "test", "./..."]},
]
```
"""

from __future__ import annotations

from typing import Iterable

from plancheck.checker.diagnostics import Diagnostic, Severity
from plancheck.checker.eval.evaluator import Issue
from plancheck.checker.eval.vertex import Vertex
from plancheck.checker.loader import is_bundled_path
from plancheck.checker.rules import RuleInfo

RULE = RuleInfo("SCH003", "wrong-type", Severity.ERROR, "wrong type for an op field")


def op_field(vertex: Vertex | None) -> tuple[str, str] | None:
    """``(op definition, field)`` when ``vertex`` is (inside) a field of a bundled op definition."""
    v = vertex
    while v is not None and v.parent is not None:
        parent = v.parent
        for group in parent.closed:
            d = group.vertex
            if d.path and isinstance(d.path[0], str) and d.path[0].startswith("#") and len(d.path) == 1:
                if any(is_bundled_path(c.env.file) for c in d.conjuncts) and isinstance(v.label, str):
                    return d.path[0], v.label
        v = parent
    return None


def is_op_field_conflict(issue: Issue) -> bool:
    return issue.vertex is not None and op_field(issue.vertex) is not None


def is_images_list(issue: Issue) -> bool:
    """An `images` list on #PushContainer: PLT006's business, not this rule's."""
    found = op_field(issue.vertex) if issue.vertex is not None else None
    return found == ("#PushContainer", "images")


def check(ctx) -> Iterable[Diagnostic]:
    for issue in ctx.issues("CUE005"):
        if not ctx.is_user(issue.origin.path) or not is_op_field_conflict(issue) or is_images_list(issue):
            continue
        definition, field = op_field(issue.vertex)  # type: ignore[misc]
        yield ctx.diagnostic(
            "SCH003",
            issue.origin,
            f"wrong value for field \"{field}\" of op.{definition}: {issue.message}",
            related=ctx.related(issue.related),
        )
