"""# SCH004 unknown-op

## What it does
Reports an op in a `#up` list whose `do` names no operation of Dagger v0.1
(`do: "exce"`), with the nearest valid name.

The operations are `fetch-container`, `push-container`, `docker-build`,
`fetch-git`, `fetch-http`, `exec`, `copy`, `load`, `local`, `subdir`,
`workdir`, `mkdir`, `write-file`, `export`, `docker-login` and `save-image`.

## Why is this bad?
The engine stops the pipeline with "invalid operation" when it reaches the op.

## Example
```cue
package main

build: #up: [
	{do: "fetch-container", ref: "alpine:3.18"},
	{do: "exce", args: ["true"]},
]
```

Use instead:
```cue
package main

build: #up: [
	{do: "fetch-container", ref: "alpine:3.18"},
	{do: "exec", args: ["true"]},
]
```

## Fix safety
Replacing the name by the suggestion is unsafe: it is a guess.
"""

from __future__ import annotations

import difflib
from typing import Iterable

from plancheck.checker.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity
from plancheck.checker.eval.values import Str, resolve_default
from plancheck.checker.plan_builder import OPS
from plancheck.checker.rules import RuleInfo

RULE = RuleInfo("SCH004", "unknown-op", Severity.ERROR, "unknown do: value", fix="unsafe")


def check(ctx) -> Iterable[Diagnostic]:
    ev = ctx.package.evaluator
    for site in ctx.built.sites:
        do_arc = site.struct.arcs.get("do")
        if do_arc is None:
            continue
        value = resolve_default(ev.finalize(do_arc))
        if not isinstance(value, Str) or value.value in OPS or value.origin is None:
            continue
        if not ctx.is_user(value.origin.path):
            continue
        best = difflib.get_close_matches(value.value, list(OPS), n=1, cutoff=0.6)
        hint = f"; did you mean \"{best[0]}\"?" if best else f"; valid operations: {', '.join(sorted(OPS))}"
        fix = None
        if best and not value.pieces:
            fix = Fix(Applicability.UNSAFE, f"replace with \"{best[0]}\"", (Edit(value.origin.span, f'"{best[0]}"'),))
        yield ctx.diagnostic("SCH004", value.origin, f"unknown operation \"{value.value}\"{hint}", fix=fix)
