"""# CUE003 import-not-found

## What it does
Reports an import whose package cannot be found the way CUE looks it up:
the standard library; the bundled `alpha.dagger.io/dagger` and
`alpha.dagger.io/dagger/op` packages (also spelled `dagger.io/…`); a folder
of the module when the path starts with the module path of
`cue.mod/module.cue`; else `cue.mod/pkg/`, `cue.mod/gen/` and `cue.mod/usr/`.

## Why is this bad?
CUE refuses to load the package; nothing in the plan runs.

## Example
```cue
package main

import "alpha.dagger.io/dagger/opp"

x: 1
```

Use instead:
```cue
package main

x: 1
```
"""

from __future__ import annotations

from typing import Iterable

from plancheck.checker.diagnostics import Diagnostic, Severity
from plancheck.checker.eval.values import Origin
from plancheck.checker.rules import RuleInfo

RULE = RuleInfo("CUE003", "import-not-found", Severity.ERROR, "import not found")


def check(ctx) -> Iterable[Diagnostic]:
    for info in ctx.package.imports:
        if info.target is None and ctx.is_user(info.unit.path):
            spec = info.spec
            hint = ""
            if spec.import_path.startswith(("alpha.dagger.io/", "dagger.io/")):
                hint = "; the bundled packages are alpha.dagger.io/dagger and alpha.dagger.io/dagger/op"
            yield ctx.diagnostic(
                "CUE003",
                Origin(info.unit.path, spec.path_span),
                f"cannot find package \"{spec.path}\"{hint}",
            )
