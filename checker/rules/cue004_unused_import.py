"""# CUE004 unused-import

## What it does
Reports an import that nothing in the file uses. The fix removes it.

## Why is this bad?
CUE rejects a file that imports a package it does not use ("imported and not
used"), so the whole plan fails to load.

## Example
```cue
package main

import (
	"strings"
	"alpha.dagger.io/dagger/op"
)

base: #up: [op.#FetchContainer & {ref: "alpine:3.18"}]
```

Use instead:
```cue
package main

import (
	"alpha.dagger.io/dagger/op"
)

base: #up: [op.#FetchContainer & {ref: "alpine:3.18"}]
```

## Fix safety
The fix is safe: the import has no effect besides failing the load.
"""

from __future__ import annotations

from typing import Iterable

from plancheck.checker.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity
from plancheck.checker.eval.values import Origin
from plancheck.checker.rules import RuleInfo
from plancheck.grammar import ast
from plancheck.grammar.span import LineIndex

RULE = RuleInfo("CUE004", "unused-import", Severity.ERROR, "import not used", fix="safe")


def check(ctx) -> Iterable[Diagnostic]:
    by_file: dict[str, list] = {}
    for info in ctx.package.imports:
        if ctx.is_user(info.unit.path):
            by_file.setdefault(info.unit.path, []).append(info)
    for path, infos in by_file.items():
        unit = infos[0].unit
        used = _identifiers(unit)
        index = None
        for info in infos:
            if info.target is None:
                continue  # CUE003 reports it
            if info.name in used or info.spec.alias is not None and info.spec.alias.name == "_":
                continue
            if index is None:
                index = LineIndex(unit.text)
            fix = _removal(unit, info.spec, index)
            yield ctx.diagnostic(
                "CUE004",
                Origin(path, info.spec.span),
                f"imported and not used: \"{info.spec.path}\"",
                fix=fix,
                tags=("unnecessary",),
            )


def _identifiers(unit) -> set[str]:
    """Every identifier the file writes (binding ones too: over-approximating
    what is used can only hide a CUE004, never invent one)."""
    return {t.value for t in unit.result.tokens if t.type == "IDENT"}


def _removal(unit, spec: ast.ImportSpec, index: LineIndex) -> Fix:
    """Remove the spec's line (or the whole import declaration if it is its only spec)."""
    text = unit.text
    target = spec.span
    for decl in unit.ast.imports:
        if spec in decl.specs and len(decl.specs) == 1:
            target = decl.span
    start = index.line_start(target.start.line)
    end_line_end = index.line_end(target.end.line)
    only_on_lines = text[start : target.start.offset].strip() == "" and text[target.end.offset : end_line_end].strip() == ""
    if only_on_lines:
        end = min(end_line_end + 1, len(text))
        span = index.span(start, end)
    else:
        span = target
    return Fix(Applicability.SAFE, f"remove the import of \"{spec.path}\"", (Edit(span, ""),))
