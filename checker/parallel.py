"""Checking packages in worker processes (``-j N``).

The unit of work is a package (the files of one folder), because a package is
checked as a whole. Results come back in the order the jobs were given, so the
output does not depend on which worker finished first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Sequence, TypeVar

from plancheck.checker.diagnostics import Diagnostic
from plancheck.checker.sources import Source

T = TypeVar("T")
R = TypeVar("R")

#: below this many files to check, ``-j`` defaults to 1: starting workers costs more
#: than it saves (see docs/cli.md for the measurements)
AUTO_PARALLEL_FILES = 50
#: packages per ``check_sources`` call: larger batches share more work, smaller
#: ones keep memory bounded and the workers evenly loaded
BATCH_LIMIT = 32


@dataclass(frozen=True)
class CheckJob:
    """One call of ``check_sources``: everything that decides its result."""

    sources: tuple[Source, ...]
    default_platform: str
    tags: frozenset[str] = frozenset()


@dataclass
class CheckResult:
    """What ``check_sources`` found, before suppression and selection (this is what is cached)."""

    diagnostics: list[Diagnostic]
    #: files the check read besides the package's own
    dependencies: list[str] = field(default_factory=list)


def check_job(job: CheckJob) -> CheckResult:
    return check_batch((job,))[0]


def check_batch(batch: Sequence[CheckJob]) -> list[CheckResult]:
    """Check several packages (same settings) in one ``check_sources`` call, one result each.

    One call evaluates the bundled schema and shared imports once for all of
    them: about half the cost of a call per package. Each result gets the
    diagnostics of its own files and, as dependencies, the files the check
    read in its own folder (siblings) plus those outside every folder of the
    batch (imports, ``cue.mod``, ``values.yaml``): never fewer than it needs.
    """
    from plancheck.checker.check import CheckOptions, check_sources

    first = batch[0]
    sources = [s for job in batch for s in job.sources]
    report = check_sources(sources, CheckOptions(default_platform=first.default_platform, tags=first.tags))
    owner = {s.path: i for i, job in enumerate(batch) for s in job.sources}
    folders = [{os.path.dirname(os.path.abspath(s.path)) for s in job.sources} for job in batch]
    every_folder = set().union(*folders)
    results = [CheckResult([], []) for _ in batch]
    for d in report.diagnostics:
        i = owner.get(d.path)
        if i is not None:
            results[i].diagnostics.append(d)
    for dep in report.dependencies:
        path = os.path.abspath(dep)
        folder = path if path in every_folder else os.path.dirname(path)
        for i, result in enumerate(results):
            if folder in folders[i] or folder not in every_folder:
                result.dependencies.append(dep)
    return results


def batches(jobs: Sequence[CheckJob], workers: int, limit: int = BATCH_LIMIT) -> list[list[int]]:
    """Indices of ``jobs`` grouped into batches of equal settings, at most ``limit`` each,
    and small enough that every worker gets several."""
    groups: dict[tuple, list[int]] = {}
    for i, job in enumerate(jobs):
        groups.setdefault((job.default_platform, job.tags), []).append(i)
    out: list[list[int]] = []
    for indices in groups.values():
        size = max(1, min(limit, -(-len(indices) // (workers * 4)) if workers > 1 else limit))
        out.extend(indices[k : k + size] for k in range(0, len(indices), size))
    return out


def effective_jobs(requested: int | None, files: int, units: int) -> int:
    """Worker count for ``units`` packages holding ``files`` files: ``-j 0`` is one per CPU."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if requested is None:
        requested = cpus if files >= AUTO_PARALLEL_FILES else 1
    elif requested <= 0:
        requested = cpus
    return max(1, min(requested, units))


def map_ordered(fn: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """``[fn(x) for x in items]``, spread over ``jobs`` worker processes when ``jobs > 1``."""
    if jobs <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    import concurrent.futures
    import multiprocessing

    # fork shares the already imported modules and the parser tables with the
    # workers; spawn would re-import everything in each of them.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    _warm_up()
    # A few chunks per worker balance uneven packages without paying a round trip per package.
    chunk = max(1, len(items) // (jobs * 4))
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(pool.map(fn, items, chunksize=chunk))


def _warm_up() -> None:
    """Build the parser tables once in the parent, so forked workers inherit them."""
    from plancheck.grammar import parse

    parse("package warmup\n", "<warm-up>")
