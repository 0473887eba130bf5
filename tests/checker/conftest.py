"""Fixtures for the CLI machinery tests.

The machinery (suppression, selection, fixes, renderers, cache) must work for
every rule, including those not written yet: ``fake_rules`` registers codes
such as PLT002 for the duration of a test. Diagnostics built by hand come from
``checker_factories`` (this folder is put on sys.path: pytest runs with
``--import-mode=importlib`` and tests/ is not a package).
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from plancheck.checker import rules
from plancheck.checker.diagnostics import Severity

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

FAKE_CODES = ("PLT002", "PLT003", "PLT007", "SCH001")


def _install(monkeypatch, codes, force: bool) -> None:
    for code in codes:
        if rules.is_known(code) and not force:
            continue
        name = f"_stand_in_{code.lower()}"
        module = types.ModuleType(f"plancheck.checker.rules.{name}")
        module.__doc__ = f"# {code} stand-in\n\n## What it does\nStands in for {code} in tests.\n"
        severity = Severity.ERROR if code.startswith("CUE") else Severity.WARNING
        module.RULE = rules.RuleInfo(code, f"stand-in-{code.lower()}", severity, f"stand-in for {code}", fix="sometimes")
        monkeypatch.setitem(sys.modules, module.__name__, module)
        monkeypatch.setitem(rules._MODULES, code, name)
    rules.module.cache_clear()


@pytest.fixture
def fake_rules(monkeypatch):
    """Make PLT002, PLT003, PLT007 and SCH001 known codes while they are not written yet.

    Each gets a stand-in module (a RULE and a doc page); real rules, once
    registered, are used as they are.
    """
    _install(monkeypatch, FAKE_CODES, force=False)
    yield FAKE_CODES
    rules.module.cache_clear()


@pytest.fixture
def stand_in_rules(monkeypatch):
    """Stand-ins for every code the render goldens use, real or not: the goldens embed rule
    docs (SARIF), and must not change when a rule's documentation does."""
    codes = (*FAKE_CODES, "CUE001", "SUP001")
    _install(monkeypatch, codes, force=True)
    yield codes
    rules.module.cache_clear()
