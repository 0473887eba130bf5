"""Checker diagnostics as LSP diagnostics."""

from __future__ import annotations

from typing import Callable

from lsprotocol import types

from plancheck.checker import rules
from plancheck.checker.diagnostics import Diagnostic, Severity
from plancheck.lsp.documents import TextDocument, path_to_uri

SOURCE = "plancheck"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
_TAGS = {"unnecessary": types.DiagnosticTag.Unnecessary, "deprecated": types.DiagnosticTag.Deprecated}
#: codes whose diagnostics mark text that can go (editors fade it)
_UNNECESSARY_CODES = frozenset({"CUE004"})


def to_lsp(
    diagnostic: Diagnostic,
    document: TextDocument,
    encoding: str,
    locate: Callable[[str], TextDocument | None] = lambda path: None,
) -> types.Diagnostic:
    """One diagnostic of ``document``; ``locate`` finds the files its related locations name."""
    tags = [_TAGS[t] for t in diagnostic.tags if t in _TAGS]
    if diagnostic.code in _UNNECESSARY_CODES and types.DiagnosticTag.Unnecessary not in tags:
        tags.append(types.DiagnosticTag.Unnecessary)
    related = []
    for item in diagnostic.related:
        other = document if item.path == document.path else locate(item.path)
        if other is None:
            other = TextDocument(path_to_uri(item.path), "")
        related.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=other.uri, range=other.span_range(item.span, encoding)),
                message=item.message,
            )
        )
    description = None
    if rules.is_known(diagnostic.code):
        description = types.CodeDescription(href=rules.info(diagnostic.code).url)
    return types.Diagnostic(
        range=document.span_range(diagnostic.span, encoding),
        message=diagnostic.message,
        severity=_SEVERITY.get(diagnostic.severity, types.DiagnosticSeverity.Error),
        code=diagnostic.code,
        code_description=description,
        source=SOURCE,
        tags=tags or None,
        related_information=related or None,
    )
