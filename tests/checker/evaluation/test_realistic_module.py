"""False positives are the worst bug: plancheck reports nothing on realistic, correct plans."""

from __future__ import annotations

from pathlib import Path

from plancheck.checker.check import check_sources
from plancheck.checker.sources import discover, read

ROOT = Path(__file__).resolve().parents[3]


def _check(folder: Path):
    return check_sources([read(p) for p in discover([str(folder)])])


def test_stdlib_style_module_is_clean():
    module = ROOT / "tests" / "fixtures" / "stdlib_module"
    packages = {p.parent for p in discover([str(module)])}
    assert len(packages) >= 25
    report = _check(module)
    assert [(d.path, d.span.start.line, d.code, d.message) for d in report.diagnostics] == []
    # The plans instantiate the definitions: pipelines exist, with platforms.
    pipelines = [p for plan in report.plans.values() for p in plan.pipelines.values()]
    assert len(pipelines) >= 20
    assert {p.platform for p in pipelines if p.platform} >= {"linux/amd64", "linux/arm64"}


def test_examples_are_clean():
    report = _check(ROOT / "examples")
    assert [(d.path, d.span.start.line, d.code, d.message) for d in report.diagnostics] == []
