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
    from plancheck.checker.check import CheckOptions, check_sources

    report = check_sources(list(job.sources), CheckOptions(default_platform=job.default_platform, tags=job.tags))
    return CheckResult(list(report.diagnostics), list(report.dependencies))


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
