"""Checking a set of plan files: the pipeline every front end calls.

text ─► parse ─► (later: load packages, evaluate, run rules) ─► diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from plancheck.checker import rules
from plancheck.checker.diagnostics import Diagnostic, Severity
from plancheck.checker.sources import Source
from plancheck.grammar import parse
from plancheck.grammar.span import LineIndex, Span


@dataclass(frozen=True)
class CheckOptions:
    """Settings of one check (the CLI, the language server and the runner fill them)."""

    #: platform used when neither an op nor values.yaml says (canonical form)
    default_platform: str = "linux/amd64"
    #: tags for files guarded by ``@if(tag)`` (like ``cue -t``)
    tags: frozenset[str] = frozenset()
    #: unsaved editor buffers: path -> text, read instead of the disk
    overlays: dict[str, str] = field(default_factory=dict)


@dataclass
class Report:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: path -> text of every file checked (for snippets and fixes)
    sources: dict[str, str] = field(default_factory=dict)
    #: files read besides the ones checked (imported packages, cue.mod, values.yaml),
    #: so that caches can tell when a result is stale
    dependencies: list[str] = field(default_factory=list)

    @property
    def files_checked(self) -> int:
        return len(self.sources)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)


def check_sources(sources: list[Source], options: CheckOptions | None = None) -> Report:
    report = Report()
    for source in sources:
        report.sources[source.path] = source.text
        report.diagnostics.extend(syntax_diagnostics(source))
    report.diagnostics.sort(key=Diagnostic.sort_key)
    return report


def syntax_diagnostics(source: Source) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if source.bad_utf8_at is not None:
        index = LineIndex(source.text)
        at = index.position(source.bad_utf8_at)
        out.append(Diagnostic("CUE001", Severity.ERROR, source.path, Span(at, at), "illegal UTF-8 encoding"))
    result = parse(source.text, source.path)
    for issue in result.errors:
        severity = rules.info(issue.code).severity
        out.append(Diagnostic(issue.code, severity, source.path, issue.span, issue.message))
    return out
