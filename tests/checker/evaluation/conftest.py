"""Helpers for checker tests: check plan text written into a temporary package."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from plancheck.checker.check import CheckOptions, Report, check_sources
from plancheck.checker.sources import read


class PlanChecker:
    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, files: dict[str, str]) -> Path:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        return self.root

    def check(self, files: dict[str, str] | str, options: CheckOptions | None = None, only: str | None = None) -> Report:
        if isinstance(files, str):
            files = {"main.cue": files}
        self.write(files)
        names = [only] if only else [n for n in files if n.endswith(".cue") and "cue.mod" not in n]
        return check_sources([read(self.root / n, str(self.root / n)) for n in names], options or CheckOptions())

    def codes(self, files: dict[str, str] | str, **kw) -> list[str]:
        return [d.code for d in self.check(files, **kw).diagnostics]


@pytest.fixture
def plans(tmp_path: Path) -> PlanChecker:
    return PlanChecker(tmp_path)
