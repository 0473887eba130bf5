"""# PLT002 noncanonical-platform

## What it does
Warns about a valid platform written in a form other than the canonical one
that BuildKit and registries use: an alias (`linux/aarch64`, `linux/x86_64`,
`armhf`), upper case (`Linux/AMD64`), a redundant variant (`linux/arm64/v8`,
`linux/amd64/v1`) or a missing one (`linux/arm` means `linux/arm/v7`). The
safe fix writes the canonical form (`linux/arm64`, `linux/amd64`,
`linux/arm/v7`).

A bare architecture (`arm64`) is a common shorthand for `linux/arm64` and is
not reported, except where the shorthand hides a variant (`arm`).

## Why is this bad?
Every tool normalises these spellings, but plans that compare platforms as
strings (map keys, `if` conditions, tags) treat `linux/aarch64` and
`linux/arm64` as different platforms; manifest-list entries and cache keys
then disagree.

## Example
```cue
package main

import "alpha.dagger.io/dagger/op"

app: #up: [
	op.#FetchContainer & {ref: "alpine:3.18", platform: "linux/aarch64"},
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
The fix is safe: both spellings name the same platform. It is offered when
the platform is written as one string literal or one map key.
"""

from __future__ import annotations

from typing import Iterable

from plancheck.checker import platforms
from plancheck.checker.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity
from plancheck.checker.platform_uses import literal_text_span, platform_uses, span_of
from plancheck.checker.rules import RuleInfo

RULE = RuleInfo("PLT002", "noncanonical-platform", Severity.WARNING, "platform spelled in a non-canonical form", fix="safe")

_BARE = "a bare architecture means"


def check(ctx) -> Iterable[Diagnostic]:
    ev = ctx.package.evaluator
    for use in platform_uses(ev, ctx.built):
        spec = use.value.value
        try:
            canonical = platforms.canonical(spec)
            reasons = [r for r in platforms.noncanonical_reasons(spec) if not r.startswith(_BARE)]
        except platforms.PlatformError:
            continue  # PLT001
        if not reasons:
            continue
        origin = span_of(use.value, 0, len(spec), ctx.text) or use.origin
        if origin is None or not ctx.is_user(origin.path):
            continue
        fix = None
        whole = literal_text_span(use.value, ctx.text)
        if whole is not None and ctx.is_user(whole.path):
            fix = Fix(Applicability.SAFE, f"write \"{canonical}\"", (Edit(whole.span, f'"{canonical}"'),))
        yield ctx.diagnostic(
            "PLT002",
            origin,
            f"platform \"{spec}\" is not in canonical form: {'; '.join(reasons)} (canonical: \"{canonical}\")",
            fix=fix,
        )
