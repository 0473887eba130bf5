"""Diagnostics as data.

Every consumer (the CLI renderers, the language server, the runner) renders
the same :class:`Diagnostic` objects; nothing downstream re-parses text. Spans
are exact: they drive carets, quick fixes and editor ranges.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

from plancheck.grammar.span import Span


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class Applicability(str, enum.Enum):
    """Whether a fix may be applied without review (ruff's split)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text of ``span`` (in the diagnostic's file) by ``text``."""

    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    applicability: Applicability
    message: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True, slots=True)
class Related:
    """A secondary location that explains a diagnostic (e.g. the other side of a conflict)."""

    path: str
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    path: str
    span: Span
    message: str
    fix: Fix | None = None
    related: tuple[Related, ...] = ()
    #: LSP-style tags: "unnecessary" (e.g. unused import), "deprecated".
    tags: tuple[str, ...] = field(default=())

    def with_severity(self, severity: Severity) -> "Diagnostic":
        return replace(self, severity=severity)

    def sort_key(self) -> tuple:
        return (self.path, self.span.start.offset, self.span.end.offset, self.code, self.message)
