"""``--format json``: one JSON array, the schema of SPEC §5.

Lines and columns are 1-based, columns count characters, ends are exclusive.
"""

from __future__ import annotations

import json

from plancheck.checker.diagnostics import Diagnostic
from plancheck.checker.render import RenderInput


def diagnostic_to_json(d: Diagnostic) -> dict:
    fix = None
    if d.fix is not None:
        fix = {
            "applicability": d.fix.applicability.value,
            "message": d.fix.message,
            "edits": [
                {
                    "line": e.span.start.line,
                    "column": e.span.start.column,
                    "end_line": e.span.end.line,
                    "end_column": e.span.end.column,
                    "text": e.text,
                }
                for e in d.fix.edits
            ],
        }
    return {
        "path": d.path,
        "line": d.span.start.line,
        "column": d.span.start.column,
        "end_line": d.span.end.line,
        "end_column": d.span.end.column,
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        "fix": fix,
    }


def render(data: RenderInput) -> str:
    return json.dumps([diagnostic_to_json(d) for d in data.diagnostics], indent=2, ensure_ascii=False) + "\n"
