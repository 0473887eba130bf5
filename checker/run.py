"""One check, composed the same way for every front end.

::

    paths ─► packages (folders) ─► settings (config.py, nearest file wins)
          ─► check_sources (cached per package, in worker processes with -j)
          ─► suppression comments (suppress.py) ─► rule selection, per-path ignores
          ─► severity overrides ─► sorted diagnostics and statistics

:func:`lint` is the whole pipeline for one package held in memory (the
language server calls it with the editor's buffers); :func:`run` adds
discovery, configuration files, the cache and parallelism (the CLI calls it).
``check_sources`` is the only call into the checker proper.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from plancheck.checker import sources as src
from plancheck.checker.config import ConfigResolver, Overrides, Settings
from plancheck.checker.diagnostics import Applicability, Diagnostic


@dataclass(frozen=True)
class RunOptions:
    """What the command line sets for a whole run."""

    overrides: Overrides = field(default_factory=Overrides)
    #: tags for files guarded by ``@if(tag)``
    tags: frozenset[str] = frozenset()
    #: ``--config FILE`` (every path uses it)
    config_file: Path | None = None
    #: ``--isolated``: no configuration file at all
    isolated: bool = False
    #: worker processes: None = automatic, 0 = one per CPU
    jobs: int | None = None
    use_cache: bool = True
    #: None = ``.plancheck_cache`` at the project root
    cache_dir: Path | None = None


@dataclass
class Package:
    """The files of one folder, checked together (a CUE package spans files)."""

    folder: Path
    #: the files reported on (``check_sources`` reads the rest of their package itself)
    sources: list[src.Source]
    #: display paths of the files reported on
    targets: frozenset[str]
    settings: Settings
    #: display path -> file on disk (absent for standard input)
    files: dict[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class Statistic:
    code: str
    name: str
    count: int
    #: how many of them ``--fix`` (with ``--unsafe-fixes`` when asked) can fix
    fixable: int


@dataclass
class RunResult:
    #: sorted; only the files reported on
    diagnostics: list[Diagnostic]
    #: display path -> text of every file reported on
    sources: dict[str, str]
    packages: list[Package]
    #: diagnostics at or above the ``fail-on`` severity of their file
    failing: int = 0
    cache_hits: int = 0

    @property
    def files_checked(self) -> int:
        return len(self.sources)

    def statistics(self, unsafe_fixes: bool = False) -> list[Statistic]:
        return statistics(self.diagnostics, unsafe_fixes)


def statistics(diagnostics: Iterable[Diagnostic], unsafe_fixes: bool = False) -> list[Statistic]:
    """Count per code, most frequent first (``--statistics``)."""
    from plancheck.checker import rules

    counts: Counter[str] = Counter()
    fixable: Counter[str] = Counter()
    for d in diagnostics:
        counts[d.code] += 1
        if is_fixable(d, unsafe_fixes):
            fixable[d.code] += 1
    out = []
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        name = rules.info(code).name if rules.is_known(code) else ""
        out.append(Statistic(code, name, n, fixable[code]))
    return out


def is_fixable(d: Diagnostic, unsafe_fixes: bool = False) -> bool:
    return d.fix is not None and (unsafe_fixes or d.fix.applicability is Applicability.SAFE)


# -- one package in memory -------------------------------------------------------


def lint(
    sources: Sequence[src.Source],
    settings: Settings,
    *,
    tags: frozenset[str] = frozenset(),
    targets: Iterable[str] | None = None,
    overlays: Mapping[str, str] | None = None,
) -> list[Diagnostic]:
    """Check one package held in memory and return what the user sees, sorted.

    ``targets`` limits the report to those paths (default: every source);
    ``overlays`` (path -> text) are unsaved buffers read instead of the disk.
    """
    from plancheck.checker.check import CheckOptions, check_sources

    options = CheckOptions(default_platform=settings.default_platform, tags=tags, overlays=dict(overlays or {}))
    report = check_sources(list(sources), options)
    texts = {s.path: s.text for s in sources}
    texts.update(report.sources)
    return finish(report.diagnostics, texts, settings, targets)


def finish(
    raw: Iterable[Diagnostic],
    texts: Mapping[str, str],
    settings: Settings,
    targets: Iterable[str] | None = None,
) -> list[Diagnostic]:
    """What the checker found, as the user sees it: suppression, selection, severity, order."""
    from plancheck.checker import suppress

    wanted = set(texts if targets is None else targets)
    found = [d for d in raw if d.path in wanted]
    found = suppress.apply(found, {p: t for p, t in texts.items() if p in wanted})
    out: list[Diagnostic] = []
    for d in found:
        if not settings.selection_for(d.path).enabled(d.code):
            continue
        severity = settings.severity_of(d.code, d.severity)
        out.append(d if severity is d.severity else d.with_severity(severity))
    out.sort(key=Diagnostic.sort_key)
    return out


# -- a whole run -----------------------------------------------------------------


def resolver(options: RunOptions, cwd: Path | None = None) -> ConfigResolver:
    """Raises :class:`~plancheck.checker.config.ConfigError` for an invalid ``--config`` file."""
    return ConfigResolver(
        cwd=cwd or Path.cwd(),
        overrides=options.overrides,
        explicit=options.config_file,
        isolated=options.isolated,
    )


def collect(paths: Sequence[str], configs: ConfigResolver, stdin: src.Source | None = None) -> list[Package]:
    """The packages to check for ``paths`` (files or folders) or for one file read from stdin.

    A folder contributes every ``*.cue`` below it, a file itself; files
    excluded by their configuration are dropped. The other files of a named
    file's package are not listed: ``check_sources`` reads them for context
    (and lists them as dependencies) without reporting on them.

    Raises :class:`~plancheck.checker.sources.SourceError` and ``ConfigError``.
    """
    folders: dict[Path, dict[str, Path | None]] = {}
    settings: dict[Path, Settings] = {}
    if stdin is not None:
        folder = Path(os.path.abspath(stdin.path)).parent
        folders[folder] = {stdin.path: None}
        settings[folder] = configs.for_folder(folder)
    else:
        for file in src.discover(list(paths)):
            folder = Path(os.path.abspath(file.parent))
            folder_settings = settings.get(folder)
            if folder_settings is None:
                folder_settings = settings[folder] = configs.for_folder(folder)
            # Named files are excluded too: pre-commit names every changed file.
            if folder_settings.exclude and folder_settings.is_excluded(file):
                continue
            folders.setdefault(folder, {})[_shown(file)] = file
    packages: list[Package] = []
    for folder in sorted(folders):
        targets = folders[folder]
        files: dict[str, Path] = {}
        read: list[src.Source] = []
        for shown, path in sorted(targets.items()):
            if path is None:
                read.append(stdin)
            else:
                files[shown] = path
                read.append(src.read(path, shown))
        packages.append(Package(folder, read, frozenset(targets), settings[folder], files))
    return packages


def _shown(file: Path) -> str:
    """How a path is shown: as given when relative to the working folder (cheap), else resolved."""
    text = str(file)
    if not file.is_absolute() and not text.startswith(".."):
        return os.path.normpath(text)
    return src.display_path(file)


def run(paths: Sequence[str], options: RunOptions = RunOptions(), stdin: src.Source | None = None) -> RunResult:
    """Check ``paths`` (or one file from standard input) with configuration, cache and workers.

    Raises ``SourceError`` and ``ConfigError`` (exit code 2 in the CLI).
    """
    configs = resolver(options)
    packages = collect(paths or ["."], configs, stdin)
    return check_packages(packages, options, use_cache=options.use_cache and stdin is None, first_path=(paths or ["."])[0])


def check_packages(
    packages: list[Package], options: RunOptions, *, use_cache: bool = True, first_path: str = "."
) -> RunResult:
    from plancheck.checker import parallel
    from plancheck.checker.parallel import CheckJob

    jobs = [CheckJob(tuple(p.sources), p.settings.default_platform, options.tags) for p in packages]
    cache = None
    if use_cache and packages:
        from plancheck.checker.cache import Cache

        folder = options.cache_dir or Cache.default_dir(Path(first_path))
        cache = Cache(folder)
    results: list = [None] * len(jobs)
    misses: list[int] = []
    for i, job in enumerate(jobs):
        hit = cache.get(job) if cache is not None else None
        if hit is None:
            misses.append(i)
        else:
            results[i] = hit
    files = sum(len(jobs[i].sources) for i in misses)
    workers = parallel.effective_jobs(options.jobs, files, len(misses))
    groups = [[misses[k] for k in group] for group in parallel.batches([jobs[i] for i in misses], workers)]
    checked = parallel.map_ordered(parallel.check_batch, [tuple(jobs[i] for i in group) for group in groups], workers)
    for group, raws in zip(groups, checked):
        for i, raw in zip(group, raws):
            results[i] = raw
            if cache is not None:
                cache.put(jobs[i], raw)
    diagnostics: list[Diagnostic] = []
    texts: dict[str, str] = {}
    failing = 0
    for package, raw in zip(packages, results):
        package_texts = {s.path: s.text for s in package.sources}
        found = finish(raw.diagnostics, package_texts, package.settings, package.targets)
        threshold = package.settings.fail_on.rank
        failing += sum(1 for d in found if d.severity.rank >= threshold)
        diagnostics.extend(found)
        for s in package.sources:
            if s.path in package.targets:
                texts[s.path] = s.text
    diagnostics.sort(key=Diagnostic.sort_key)
    return RunResult(diagnostics, texts, packages, failing, len(jobs) - len(misses))


# -- fixing ----------------------------------------------------------------------

MAX_FIX_ROUNDS = 10


@dataclass
class FixRun:
    """The outcome of ``--fix``/``--diff`` over a run: new texts and what remains."""

    #: (package, what fixing it did), for the packages that had something to fix
    packages: list[tuple[Package, "object"]]
    #: the run with the diagnostics and texts after fixing
    result: RunResult

    @property
    def count(self) -> int:
        return sum(outcome.count for _, outcome in self.packages)

    @property
    def skipped(self) -> dict[str, str]:
        return {p: r for _, outcome in self.packages for p, r in outcome.skipped.items()}

    @property
    def unconverged(self) -> list[str]:
        return sorted(p for pkg, outcome in self.packages if not outcome.converged for p in outcome.changed)

    def by_path(self) -> dict[str, Counter]:
        return {p: c for _, outcome in self.packages for p, c in outcome.fixed.items()}

    def diffs(self) -> list[tuple[Package, str, str, str]]:
        """(package, display path, text before, text after) of every changed file."""
        out = []
        for package, outcome in self.packages:
            before = {s.path: s.text for s in package.sources}
            for path in sorted(outcome.changed):
                out.append((package, path, before[path], outcome.changed[path]))
        return out

    def writes(self) -> list[tuple[Package, Path, str, str]]:
        """(package, file on disk, text before, text after) of every changed file."""
        return [(pkg, pkg.files[path], before, after) for pkg, path, before, after in self.diffs() if path in pkg.files]

    def stdin_text(self, stdin: src.Source) -> str:
        for _, path, _, after in self.diffs():
            if path == stdin.path:
                return after
        return stdin.text


def fix(result: RunResult, options: RunOptions, *, unsafe: bool = False) -> FixRun:
    """Fix every package of ``result`` that has something to fix, in memory (nothing is written)."""
    from plancheck.checker import fixes

    packages: list[tuple[Package, fixes.PackageFix]] = []
    diagnostics: list[Diagnostic] = []
    texts = dict(result.sources)
    failing = 0
    for package in result.packages:
        found = [d for d in result.diagnostics if d.path in package.targets]
        if any(fixes.applicable(d, unsafe) for d in found):
            outcome = fixes.fix_package(
                {s.path: s.text for s in package.sources},
                found,
                _package_linter(package, options),
                targets=package.targets,
                unsafe=unsafe,
                max_rounds=MAX_FIX_ROUNDS,
            )
            packages.append((package, outcome))
            found = outcome.diagnostics
            for path, text in outcome.changed.items():
                if path in texts:
                    texts[path] = text
        threshold = package.settings.fail_on.rank
        failing += sum(1 for d in found if d.severity.rank >= threshold)
        diagnostics.extend(found)
    diagnostics.sort(key=Diagnostic.sort_key)
    after = RunResult(diagnostics, texts, result.packages, failing, result.cache_hits)
    return FixRun(packages, after)


def _package_linter(package: Package, options: RunOptions):
    bad_utf8 = {s.path: s.bad_utf8_at for s in package.sources}

    def lint_texts(texts: Mapping[str, str]) -> list[Diagnostic]:
        sources = [src.Source(p, t, bad_utf8.get(p)) for p, t in texts.items()]
        return lint(sources, package.settings, tags=options.tags, targets=package.targets)

    return lint_texts
