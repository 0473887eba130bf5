"""``--format concise``: one line per diagnostic, for editors' error parsers and grep.

    plans/app.cue:7:6: CUE001 missing ',' before 'd'
"""

from __future__ import annotations

from plancheck.checker.render import RenderInput
from plancheck.checker.render.full import summary


def render(data: RenderInput) -> str:
    lines = [
        # One line each, whatever the message holds: tools split this output by line.
        f"{d.path}:{d.span.start.line}:{d.span.start.column}: {d.code} {' '.join(d.message.splitlines())}\n"
        for d in data.diagnostics
    ]
    if not data.quiet:
        lines.append(summary(data))
    return "".join(lines)
