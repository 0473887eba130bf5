"""``--format github``: GitHub Actions workflow commands, shown as annotations on the diff.

    ::error file=plans/app.cue,line=7,col=6,endLine=7,endColumn=7,title=CUE001::missing ',' before 'd'

The message and the property values are escaped as the runner expects: ``%``,
carriage return and newline everywhere, and ``:`` and ``,`` in properties.
"""

from __future__ import annotations

from plancheck.checker.diagnostics import Severity
from plancheck.checker.render import RenderInput

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(data: RenderInput) -> str:
    out = []
    for d in data.diagnostics:
        start, end = d.span.start, d.span.end
        props = ",".join(
            f"{key}={escape_property(str(value))}"
            for key, value in (
                ("file", d.path),
                ("line", start.line),
                ("col", start.column),
                ("endLine", end.line),
                ("endColumn", end.column),
                ("title", d.code),
            )
        )
        out.append(f"::{_COMMAND[d.severity]} {props}::{escape_data(d.message)}\n")
    return "".join(out)
