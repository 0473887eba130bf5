"""Diagnostics built by hand, at given text of a file, with or without a fix."""

from __future__ import annotations

from plancheck.checker.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity
from plancheck.grammar.span import LineIndex


def span_of(text: str, needle: str, nth: int = 0):
    """The span of the ``nth`` occurrence of ``needle`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return LineIndex(text).span(start, start + len(needle))


def make_diag(
    path: str,
    text: str,
    needle: str,
    code: str = "PLT002",
    message: str = "platform is not canonical",
    *,
    severity: Severity = Severity.WARNING,
    replace: str | None = None,
    unsafe: bool = False,
    nth: int = 0,
) -> Diagnostic:
    """A diagnostic on ``needle``; with ``replace``, a fix that replaces it."""
    span = span_of(text, needle, nth)
    fix = None
    if replace is not None:
        applicability = Applicability.UNSAFE if unsafe else Applicability.SAFE
        fix = Fix(applicability, f"replace with {replace!r}", (Edit(span, replace),))
    return Diagnostic(code, severity, path, span, message, fix)
