"""# SUP001 unused-suppression

## What it does
Reports a suppression comment that suppresses nothing:

- a code in `// plancheck: ignore[...]` or `// plancheck: file-ignore[...]`
  that is not reported where the comment applies (or is listed twice);
- a blanket `// plancheck: ignore` on a line where nothing is reported;
- a code that does not exist, or that cannot be suppressed (`CUE001`: a
  file that does not parse must never pass);
- a comment that starts with `plancheck:` but is not a valid suppression
  (`// plancheck: ignore PLT002`, `// plancheck: file-ignore`).

An unused code is not reported in a file with syntax errors, where rules may
not have seen every line.

## Why is this bad?
A suppression that outlived its diagnostic hides the next, unrelated
mistake on that line, and a misspelt one suppresses nothing while looking
as if it did.

## Example
```cue
package main

name: "app" // plancheck: ignore[CUE006]
```

Use instead:
```cue
package main

name: "app"
```

## Fix safety
The fix is safe: it removes the whole comment when none of its codes is
used, otherwise only the unused codes from its list. Invalid comments have
no fix: what they meant is not known.
"""

from plancheck.checker.diagnostics import Severity
from plancheck.checker.rules import RuleInfo

RULE = RuleInfo("SUP001", "unused-suppression", Severity.WARNING, "suppression comment that suppresses nothing", fix="sometimes")
