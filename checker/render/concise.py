"""``--format concise``: one line per diagnostic, for editors' error parsers and grep.

    plans/app.cue:7:6: CUE001 missing ',' before 'd'
"""

from __future__ import annotations

from plancheck.checker.render import RenderInput
from plancheck.checker.render.full import summary


def render(data: RenderInput) -> str:
    lines = [f"{d.path}:{d.span.start.line}:{d.span.start.column}: {d.code} {d.message}\n" for d in data.diagnostics]
    if not data.quiet:
        lines.append(summary(data))
    return "".join(lines)
