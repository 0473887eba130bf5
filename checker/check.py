"""Checking a set of plan files: the pipeline every front end calls.

text ─► parse ─► packages (loader) ─► evaluate ─► plan model ─► rules ─► diagnostics.

Files of one folder and package are checked together; sibling files of the
same package that were not named are read for context (their diagnostics
are not reported), so a pre-commit run on one changed file still sees its
whole package.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from plancheck.checker import rules
from plancheck.checker.diagnostics import Diagnostic, Severity
from plancheck.checker.sources import Source
from plancheck.grammar.collection import paused_gc
from plancheck.grammar.span import LineIndex, Span

if TYPE_CHECKING:
    from plancheck.grammar.parser import ParseResult


@dataclass(frozen=True)
class CheckOptions:
    """Settings of one check (the CLI, the language server and the runner fill them)."""

    #: platform used when neither an op nor values.yaml says (canonical form)
    default_platform: str = "linux/amd64"
    #: tags for files guarded by ``@if(tag)`` (like ``cue -t``)
    tags: frozenset[str] = frozenset()
    #: unsaved editor buffers: path -> text, read instead of the disk
    overlays: dict[str, str] = field(default_factory=dict)
    #: read the other files of each checked package from disk (off for single stdin texts)
    include_siblings: bool = True


@dataclass
class Report:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: path -> text of every file checked (for snippets and fixes)
    sources: dict[str, str] = field(default_factory=dict)
    #: files read besides the ones checked (imported packages, cue.mod, values.yaml)
    #: and paths looked for (folders searched for an import, a cue.mod not found),
    #: so that caches can tell when a result is stale
    dependencies: list[str] = field(default_factory=list)
    #: the plan model of every package checked, by folder (and package name)
    plans: dict[str, object] = field(default_factory=dict)
    #: the parse of every file checked (the language server reuses them)
    parses: dict[str, object] = field(default_factory=dict)
    #: every evaluated package, for questions such as checker.query.field_value
    evaluated: list[object] = field(default_factory=list)

    @property
    def files_checked(self) -> int:
        return len(self.sources)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)


@dataclass
class PlanResult:
    """What the runner gets: the plan of one package, and the report that vetted it."""

    plan: object | None
    report: Report


def check_sources(
    sources: list[Source], options: CheckOptions | None = None, parses: Mapping[str, ParseResult] | None = None
) -> Report:
    """Check ``sources``; ``parses`` (path -> parse of that source's text) saves
    parsing again what a caller already parsed (the language server's
    incremental checks pass parses made of re-used declarations)."""
    options = options or CheckOptions()
    report = Report()
    for source in sources:
        report.sources[source.path] = source.text
    # Pausing the collector during evaluation saves a third of the time.
    with paused_gc():
        _check(sources, options, report, parses or {})
    report.diagnostics.sort(key=Diagnostic.sort_key)
    return report


def load_plan(path: str, options: CheckOptions | None = None) -> PlanResult:
    """Check the package in folder ``path`` (or the package of file ``path``) and build its plan."""
    from plancheck.checker import sources as src

    p = Path(path)
    files = [f for f in src.discover([str(p)]) if f.parent.resolve() == (p if p.is_dir() else p.parent).resolve()] if p.exists() else []
    if p.is_file():
        files = [p]
    report = check_sources([src.read(f) for f in files], options)
    plans = list(report.plans.values())
    plan = plans[0] if len(plans) == 1 else None
    return PlanResult(plan, report)


# ---------------------------------------------------------------------------


def _check(sources: list[Source], options: CheckOptions, report: Report, parses: Mapping[str, ParseResult]) -> None:
    from plancheck.checker.context import RuleContext
    from plancheck.checker.environment import default_platform
    from plancheck.checker.evaluate import Evaluation
    from plancheck.checker.loader import Loader, Package, group_packages
    from plancheck.checker.plan_builder import build_plan

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 6000))
    loader = Loader(dict(options.overlays), options.tags)
    units = []
    for source in sources:
        report.diagnostics.extend(_encoding_diagnostics(source))
        unit = loader.unit(source.path, source.text, parses.get(source.path))
        report.parses[source.path] = unit.result
        for issue in unit.result.errors:
            report.diagnostics.append(
                Diagnostic(issue.code, rules.info(issue.code).severity, source.path, issue.span, issue.message)
            )
        units.append(unit)
    checked_abs = {os.path.abspath(u.path) for u in units}
    packages = []
    for group in group_packages(units):
        name = group[0].package_name
        folder = Path(os.path.dirname(os.path.abspath(group[0].path)))
        members = list(group)
        if options.include_siblings and name:
            loader.probed_paths.add(str(folder))  # a new sibling joins the package
            for sibling in loader.folder_files(folder):
                if os.path.abspath(sibling) in checked_abs:
                    continue
                text = loader.read(sibling)
                if text is None:
                    continue
                unit = loader.unit(str(sibling), text)
                if unit.package_name == name:
                    members.append(unit)
                    report.dependencies.append(str(sibling))
        for unit in members:
            loader.register(unit)
        active = [u for u in members if loader.active(u)]
        if active:
            packages.append((Package(name, folder, active), group))
    # One evaluation for every package: a package imported by others (or
    # checked itself) is evaluated once.
    user_files = {u.path for u in units}
    evaluation = Evaluation(loader, lambda p: p in user_files)
    contexts = []
    for package, group in packages:
        evaluated = evaluation.evaluate(package)
        report.evaluated.append(evaluated)
        platform, source = default_platform(package.folder, options.default_platform, loader)
        built = build_plan(evaluated.evaluator, evaluated.root, package.name, str(package.folder), platform, source)
        report.plans[f"{package.folder}:{package.name}"] = built.plan
        checked = {u.path for u in group}
        contexts.append(RuleContext(evaluated, built, [u for u in group if u in package.files], platform, checked))
    # Rules run once everything is evaluated: an issue found while evaluating
    # one package may lie in another.
    for ctx in contexts:
        for check in rules.checks():
            report.diagnostics.extend(check(ctx))
    report.dependencies.extend(sorted(loader.read_paths | loader.probed_paths))
    report.diagnostics[:] = _dedupe(report.diagnostics)


def _dedupe(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """One mistake, one diagnostic: a value reached through several paths (an
    `images` map pushed twice, a definition used in several places) is reported
    once per code and place."""
    seen: set[tuple] = set()
    out = []
    for d in diagnostics:
        key = (d.code, d.path, d.span.start.offset, d.span.end.offset)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def _encoding_diagnostics(source: Source) -> list[Diagnostic]:
    if source.bad_utf8_at is None:
        return []
    at = LineIndex(source.text).position(source.bad_utf8_at)
    return [Diagnostic("CUE001", Severity.ERROR, source.path, Span(at, at), "illegal UTF-8 encoding")]
