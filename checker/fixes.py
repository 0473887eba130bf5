"""Applying fixes: ``--fix``, ``--unsafe-fixes``, ``--diff``.

Fixes are applied in memory, package by package, in rounds (like ruff): apply
every fix that does not overlap one already taken, check the package again,
and repeat until nothing is left to fix, so that a fix that only becomes
possible after another one (or that conflicted with it) is applied too. Within
a round fixes are taken in source order, then by code and message, so the
result never depends on the order the rules ran in.

Nothing is written that does not parse: a file whose fixed text has a syntax
error keeps its original text, and so does a file that already had syntax
errors (the rules could not see all of it). Files are written atomically: a
temporary file in the same folder with the original's permissions, then
``os.replace``.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from plancheck.checker.diagnostics import Applicability, Diagnostic, Edit, Fix

#: rounds of fix-and-check per package before giving up on convergence
MAX_ROUNDS = 10


def applicable(d: Diagnostic, unsafe: bool) -> bool:
    return d.fix is not None and bool(d.fix.edits) and (unsafe or d.fix.applicability is Applicability.SAFE)


def _order(fix: Fix, code: str, message: str) -> tuple:
    starts = min(e.span.start.offset for e in fix.edits)
    ends = max(e.span.end.offset for e in fix.edits)
    return (starts, ends, code, message, fix.message)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    # Touching ranges are independent, but two edits at one point (two insertions,
    # or an insertion at the start of a replacement) have no defined order.
    return (a[0] < b[1] and b[0] < a[1]) or a[0] == b[0]


def apply_fixes(text: str, diagnostics: Iterable[Diagnostic]) -> tuple[str, list[Diagnostic]]:
    """``text`` with every fix applied that overlaps none taken before it; the diagnostics fixed.

    All edits of a fix are applied together or not at all.
    """
    candidates = sorted(
        (d for d in diagnostics if d.fix is not None and d.fix.edits),
        key=lambda d: _order(d.fix, d.code, d.message),
    )
    taken: list[tuple[int, int]] = []
    edits: list[Edit] = []
    fixed: list[Diagnostic] = []
    seen: set[tuple] = set()
    for d in candidates:
        ranges = [(e.span.start.offset, e.span.end.offset) for e in d.fix.edits]
        key = tuple((r, e.text) for r, e in zip(ranges, d.fix.edits))
        if key in seen:
            # The same edit offered twice (two diagnostics, one fix): it fixes both.
            fixed.append(d)
            continue
        if any(_overlaps(r, s) for i, r in enumerate(ranges) for s in ranges[i + 1 :]):
            continue  # a fix whose own edits collide is not applied
        if any(r[1] > len(text) or r[0] > r[1] for r in ranges):
            continue
        if any(_overlaps(r, t) for r in ranges for t in taken):
            continue
        taken.extend(ranges)
        edits.extend(d.fix.edits)
        seen.add(key)
        fixed.append(d)
    for e in sorted(edits, key=lambda e: e.span.start.offset, reverse=True):
        text = text[: e.span.start.offset] + e.text + text[e.span.end.offset :]
    return text, fixed


@dataclass
class PackageFix:
    """The outcome of fixing one package."""

    #: path -> fixed text (only the files that changed)
    changed: dict[str, str] = field(default_factory=dict)
    #: path -> code -> number of problems fixed
    fixed: dict[str, Counter] = field(default_factory=dict)
    #: path -> why its fixes were not applied
    skipped: dict[str, str] = field(default_factory=dict)
    #: what remains, from the last check of the fixed text
    diagnostics: list[Diagnostic] = field(default_factory=list)
    converged: bool = True

    @property
    def count(self) -> int:
        return sum(sum(c.values()) for c in self.fixed.values())


def fix_package(
    texts: Mapping[str, str],
    diagnostics: Sequence[Diagnostic],
    lint: Callable[[Mapping[str, str]], list[Diagnostic]],
    *,
    targets: Iterable[str],
    unsafe: bool = False,
    max_rounds: int = MAX_ROUNDS,
) -> PackageFix:
    """Fix the ``targets`` of one package until nothing fixable remains.

    ``texts`` holds every file of the package, ``diagnostics`` what a check of
    them found, and ``lint`` checks the package again from texts (fixed ones
    included) and returns the diagnostics a user sees.
    """
    from plancheck.grammar import parse

    original = dict(texts)
    current = dict(texts)
    outcome = PackageFix(diagnostics=list(diagnostics))
    targets = set(targets)
    # The rules could not see all of a file that does not parse: leave it alone.
    broken = {d.path for d in diagnostics if d.code == "CUE001"}
    for path in sorted(broken & targets):
        if any(applicable(d, unsafe) for d in diagnostics if d.path == path):
            outcome.skipped[path] = "it has syntax errors"
    history = {_state(current)}
    for _ in range(max_rounds):
        by_path: dict[str, list[Diagnostic]] = {}
        for d in outcome.diagnostics:
            if d.path in targets and d.path not in broken and d.path not in outcome.skipped and applicable(d, unsafe):
                by_path.setdefault(d.path, []).append(d)
        if not by_path:
            break
        changed = False
        for path in sorted(by_path):
            new, fixed = apply_fixes(current[path], by_path[path])
            if new == current[path]:
                continue
            if not parse(new, path).ok:
                outcome.skipped[path] = "the fixed text would not parse"
                outcome.fixed.pop(path, None)
                current[path] = original[path]
            else:
                current[path] = new
                outcome.fixed.setdefault(path, Counter()).update(d.code for d in fixed)
            changed = True
        if not changed:
            break
        outcome.diagnostics = lint(current)
        state = _state(current)
        if state in history:
            outcome.converged = False  # fixes that undo each other: stop rather than go round
            break
        history.add(state)
    else:
        outcome.converged = not any(
            applicable(d, unsafe) and d.path in targets and d.path not in outcome.skipped for d in outcome.diagnostics
        )
    outcome.changed = {p: t for p, t in current.items() if t != original[p]}
    return outcome


def _state(texts: Mapping[str, str]) -> tuple:
    return tuple(sorted(texts.items()))


# -- writing and showing -------------------------------------------------------


class WriteError(Exception):
    pass


def write_atomic(path: Path, text: str, expected: str | None = None) -> None:
    """Replace ``path``'s content by ``text`` atomically, keeping its permissions.

    With ``expected``, refuse (WriteError) when the file no longer holds that
    text: it was edited while plancheck ran.
    """
    import stat
    import tempfile

    real = Path(os.path.realpath(path))
    try:
        if expected is not None:
            from plancheck.checker.sources import decode

            if decode(real.read_bytes(), str(path)).text != expected:
                raise WriteError(f"{path}: changed on disk while checking; not fixed")
        mode = stat.S_IMODE(real.stat().st_mode)
        fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    except OSError as exc:
        raise WriteError(f"{path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise WriteError(f"{path}: {exc.strerror or exc}") from None


def unified_diff(path: str, before: str, after: str) -> str:
    import difflib

    a = before.splitlines(keepends=True)
    b = after.splitlines(keepends=True)
    out = []
    for line in difflib.unified_diff(a, b, fromfile=path, tofile=path):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
