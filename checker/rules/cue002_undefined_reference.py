"""# CUE002 undefined-reference

## What it does
Reports a reference to a name that is not declared in any enclosing scope,
or to a member that an imported package does not have (`op.#DockrBuild`,
`strings.Jion`). Suggests the nearest name in scope.

Scoping follows CUE: a struct's *identifier* labels are visible inside it,
quoted labels (`"env": …`) declare nothing, and the package scope spans
every file of the package. A name that only a comprehension body declares is
not reported (it may exist at run time).

## Why is this bad?
CUE rejects the plan, or the value stays incomplete and the pipeline stops.

## Example
```cue
package main

import "alpha.dagger.io/dagger/op"

base: #up: [op.#FetchContainer & {ref: "alpine:3.18"}]
app: #up: [
	op.#Load & {from: bsae},
]
```

Use instead:
```cue
package main

import "alpha.dagger.io/dagger/op"

base: #up: [op.#FetchContainer & {ref: "alpine:3.18"}]
app: #up: [
	op.#Load & {from: base},
]
```
"""

from __future__ import annotations

from typing import Iterable

from plancheck.checker.diagnostics import Diagnostic, Severity
from plancheck.checker.rules import RuleInfo

RULE = RuleInfo("CUE002", "undefined-reference", Severity.ERROR, "reference to an undefined name")


def check(ctx) -> Iterable[Diagnostic]:
    for issue in ctx.issues("CUE002"):
        if ctx.is_user(issue.origin.path):
            yield ctx.diagnostic("CUE002", issue.origin, issue.message)
