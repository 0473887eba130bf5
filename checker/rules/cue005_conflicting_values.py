"""# CUE005 conflicting-values

## What it does
Reports values that cannot be unified: two different concrete values
(`"a" & "b"`), a value of the wrong type (`string & 1`), a value outside a
bound (`=~"^v"` and `"1.0"`), or a value that matches no term of a
disjunction. The diagnostic points at the value written last and names the
other side.

Conflicts on the fields of an op (`op.#Exec & {args: "ls"}`) are reported
by SCH003 instead.

## Why is this bad?
CUE rejects the plan.

## Example
```cue
package main

version: "1.0"
version: "1.1"
```

Use instead:
```cue
package main

version: "1.1"
```
"""

from __future__ import annotations

from typing import Iterable

from plancheck.checker.diagnostics import Diagnostic, Severity
from plancheck.checker.rules import RuleInfo
from plancheck.checker.rules.sch003_wrong_type import is_op_field_conflict

RULE = RuleInfo("CUE005", "conflicting-values", Severity.ERROR, "conflicting values")


def check(ctx) -> Iterable[Diagnostic]:
    for issue in ctx.issues("CUE005"):
        if not ctx.is_user(issue.origin.path) or is_op_field_conflict(issue):
            continue
        yield ctx.diagnostic("CUE005", issue.origin, issue.message, related=ctx.related(issue.related))
