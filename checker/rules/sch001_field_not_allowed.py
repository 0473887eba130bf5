"""# SCH001 field-not-allowed

## What it does
Reports a field that a closed definition does not declare: a misspelt op
field (`platfrom` on `op.#DockerBuild`), a field of another op, or a field
added to a struct built from your own definition. Suggests the nearest
allowed field and offers to rename it.

Definitions are closed in CUE: a struct unified with `op.#DockerBuild` may
only hold the fields `#DockerBuild` declares (definitions that end with `...`
stay open).

## Why is this bad?
CUE rejects the plan ("field not allowed"). Were it accepted, the value
would be ignored: a misspelt `platfrom` silently builds for the default
platform.

## Example
```cue
package main

import "alpha.dagger.io/dagger/op"

app: #up: [
	op.#FetchContainer & {ref: "alpine:3.18", platfrom: "linux/arm64"},
]
```

Use instead:
```cue
package main

import "alpha.dagger.io/dagger/op"

app: #up: [
	op.#FetchContainer & {ref: "alpine:3.18", platform: "linux/arm64"},
]
```

## Fix safety
Renaming to the suggested field is unsafe: the suggestion is a guess, and the
renamed field starts to take effect.
"""

from __future__ import annotations

from typing import Iterable

from plancheck.checker.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity
from plancheck.checker.rules import RuleInfo
from plancheck.grammar import ast
from plancheck.grammar.span import Position, Span

RULE = RuleInfo("SCH001", "field-not-allowed", Severity.ERROR, "field not allowed in a closed definition", fix="unsafe")

# `arch`/`platform` on fetch-git and fetch-http is PLT004's business.
_COVERED_ELSEWHERE = {("#FetchGit", "arch"), ("#FetchGit", "platform"), ("#FetchHTTP", "arch"), ("#FetchHTTP", "platform")}


def check(ctx) -> Iterable[Diagnostic]:
    for issue in ctx.issues("SCH001"):
        if not ctx.is_user(issue.origin.path):
            continue
        data = issue.data or {}
        definition = data.get("definition")
        label = data.get("label")
        def_name = definition.path[-1] if definition is not None and definition.path else None
        if (def_name, label) in _COVERED_ELSEWHERE:
            continue
        fix = None
        suggestion = _suggested(issue.message)
        decl = data.get("decl")
        if suggestion and decl is not None and decl.label.kind in (ast.LabelKind.IDENT, ast.LabelKind.STRING):
            text = suggestion if decl.label.kind is ast.LabelKind.IDENT else f'"{suggestion}"'
            fix = Fix(Applicability.UNSAFE, f"rename to \"{suggestion}\"", (Edit(_name_span(decl.label), text),))
        yield ctx.diagnostic("SCH001", issue.origin, issue.message, fix=fix)


def _suggested(message: str) -> str | None:
    marker = 'did you mean "'
    i = message.find(marker)
    if i < 0:
        return None
    rest = message[i + len(marker) :]
    return rest[: rest.find('"')] if '"' in rest else None


def _name_span(label: ast.Label) -> Span:
    """The span of the label's name alone: without an `X=` alias or a `?`."""
    start, end = label.span
    if label.alias is not None:
        a = label.alias.span.end
        start = Position(a.line, a.column + 1, a.offset + 1, a.byte + 1)  # past the '='
    if label.optional:
        end = Position(end.line, end.column - 1, end.offset - 1, end.byte - 1)  # before the '?'
    return Span(start, end)
