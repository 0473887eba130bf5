"""``--format sarif``: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run. ``tool.driver.rules`` describes every rule that fired (id, name,
short and full description, the doc page as help, its URL, default level);
each result points at its rule by id and index, and carries its region and,
when there is one, its fix. Paths relative to the working folder are written
relative to the ``%SRCROOT%`` base; columns count Unicode code points
(``columnKind``), end columns are exclusive, as in SARIF.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from plancheck.checker import rules
from plancheck.checker.diagnostics import Diagnostic, Severity
from plancheck.checker.render import RenderInput
from plancheck.checker.version import __version__
from plancheck.grammar.span import Span

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://plancheck.dev/"
BASE_ID = "%SRCROOT%"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(data: RenderInput) -> str:
    codes = sorted({d.code for d in data.diagnostics})
    index = {code: i for i, code in enumerate(codes)}
    run: dict = {
        "tool": {
            "driver": {
                "name": "plancheck",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(code) for code in codes],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, index[d.code]) for d in data.diagnostics],
    }
    if data.root is not None:
        run["originalUriBaseIds"] = {BASE_ID: {"uri": Path(data.root).as_uri().rstrip("/") + "/"}}
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _descriptor(code: str) -> dict:
    if not rules.is_known(code):
        return {"id": code}
    info = rules.info(code)
    doc = rules.doc(code)
    return {
        "id": code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": _what_it_does(doc) or info.summary},
        "help": {"text": doc, "markdown": doc},
        "helpUri": info.url,
        "defaultConfiguration": {"level": _LEVEL[info.severity]},
        "properties": {"fix": info.fix},
    }


def _what_it_does(doc: str) -> str:
    """The "What it does" section of a rule doc, as one paragraph of plain text."""
    marker = "## What it does"
    start = doc.find(marker)
    if start < 0:
        return ""
    body = doc[start + len(marker) :]
    end = body.find("\n## ")
    if end >= 0:
        body = body[:end]
    return " ".join(body.split())


def _result(d: Diagnostic, rule_index: int) -> dict:
    result: dict = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": _LEVEL[d.severity],
        "message": {"text": d.message},
        "locations": [{"physicalLocation": _physical(d.path, d.span)}],
    }
    if d.related:
        result["relatedLocations"] = [
            {"id": i, "physicalLocation": _physical(r.path, r.span), "message": {"text": r.message}}
            for i, r in enumerate(d.related)
        ]
    if d.fix is not None:
        result["fixes"] = [
            {
                "description": {"text": d.fix.message},
                "artifactChanges": [
                    {
                        "artifactLocation": _artifact(d.path),
                        "replacements": [
                            {"deletedRegion": _region(e.span), "insertedContent": {"text": e.text}} for e in d.fix.edits
                        ],
                    }
                ],
                "properties": {"applicability": d.fix.applicability.value},
            }
        ]
    return result


def _physical(path: str, span: Span) -> dict:
    return {"artifactLocation": _artifact(path), "region": _region(span)}


def _artifact(path: str) -> dict:
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path.replace(os.sep, "/")), "uriBaseId": BASE_ID}


def _region(span: Span) -> dict:
    return {
        "startLine": span.start.line,
        "startColumn": span.start.column,
        "endLine": span.end.line,
        "endColumn": span.end.column,
    }
