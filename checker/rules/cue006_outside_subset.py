"""# CUE006 outside-subset

## What it does
Warns about CUE constructs that plancheck does not evaluate: slices
(`a[1:3]`), number multipliers (`1Ki`), `(expr)` labels, the legacy `::`
definition marker and `;` separator, backquoted identifiers, the deprecated
`X = expr` alias declaration, and builtins plancheck does not know.

The value of such a construct is treated as *unknown*: plancheck checks
nothing that depends on it, rather than guessing.

## Why is this bad?
It is not wrong CUE, but plancheck cannot prove anything about the parts of
the plan that depend on it, so mistakes there go unreported.

## Example
```cue
size: 4Ki
```

Use instead:
```cue
size: 4096
```
"""

from plancheck.checker.diagnostics import Severity
from plancheck.checker.rules import RuleInfo

RULE = RuleInfo("CUE006", "outside-subset", Severity.WARNING, "construct outside the supported subset")
