"""# CUE001 syntax-error

## What it does
Reports text that is not valid CUE: a missing `:` or `,`, an unclosed bracket
or string, an invalid escape, a number that is not a number, a multi-line
string whose lines are not indented like its closing quotes, and so on.

The parser recovers after each mistake and keeps going, so every syntax error
of a file is reported at once, and the rest of the file is still checked.

## Why is this bad?
CUE refuses the whole package when one file does not parse: nothing in the
plan runs.

## Example
```cue
image: {
	ref "alpine:3.18"
	platform: "linux/arm64"
}
```

Use instead:
```cue
image: {
	ref:      "alpine:3.18"
	platform: "linux/arm64"
}
```

## Notes
CUE v0.4 needs explicit commas between list elements written on separate
lines (`[\n\t"a",\n\t"b",\n]`); struct fields are separated by newlines.
"""

from plancheck.checker.diagnostics import Severity
from plancheck.checker.rules import RuleInfo

RULE = RuleInfo("CUE001", "syntax-error", Severity.ERROR, "syntax error")
