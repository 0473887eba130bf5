"""# PLT004 fetch-platform

## What it does
Reports an `arch` or `platform` field on `op.#FetchGit` or `op.#FetchHTTP`.
Git repositories and HTTP downloads are the same bytes on every platform: the
field means nothing there. The safe fix removes it.

## Why is this bad?
CUE rejects the field (the definitions are closed), and whoever wrote it
probably expected the fetch to pick an architecture-specific artifact, which
it does not: use a URL per platform instead.

## Example
```cue
package main

import "alpha.dagger.io/dagger/op"

src: #up: [
	op.#FetchGit & {remote: "https://github.com/acme/app", ref: "main", platform: "linux/arm64"},
]
```

Use instead:
```cue
package main

import "alpha.dagger.io/dagger/op"

src: #up: [
	op.#FetchGit & {remote: "https://github.com/acme/app", ref: "main"},
]
```

## Fix safety
Safe: the field has no effect besides failing the load.
"""

from __future__ import annotations

from typing import Iterable

from plancheck.checker.diagnostics import Applicability, Diagnostic, Fix, Severity
from plancheck.checker.edits import remove_declaration
from plancheck.checker.rules import RuleInfo

RULE = RuleInfo("PLT004", "fetch-platform", Severity.ERROR, "arch/platform on #FetchGit or #FetchHTTP", fix="safe")


def check(ctx) -> Iterable[Diagnostic]:
    for issue in ctx.issues("SCH001"):
        data = issue.data or {}
        definition = data.get("definition")
        label = data.get("label")
        if definition is None or not definition.path or label not in ("arch", "platform"):
            continue
        def_name = definition.path[-1]
        if def_name not in ("#FetchGit", "#FetchHTTP") or not ctx.is_user(issue.origin.path):
            continue
        decl = data.get("decl")
        fix = None
        text = ctx.text(issue.origin.path)
        if decl is not None and text is not None:
            fix = Fix(Applicability.SAFE, f"remove {label}", (remove_declaration(text, decl.span),))
        kind = "a git repository" if def_name == "#FetchGit" else "an HTTP download"
        yield ctx.diagnostic(
            "PLT004",
            issue.origin,
            f"{label} has no effect on op.{def_name}: {kind} is the same on every platform",
            fix=fix,
        )
