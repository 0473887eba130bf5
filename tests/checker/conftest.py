"""Fixtures for the CLI machinery tests.

The machinery (suppression, selection, fixes, renderers, cache) must work for
every rule, including those not written yet: ``fake_rules`` registers codes
such as PLT002 for the duration of a test. Diagnostics built by hand come from
``checker_factories`` (this folder is put on sys.path: pytest runs with
``--import-mode=importlib`` and tests/ is not a package).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from plancheck.checker import rules

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

FAKE_CODES = ("PLT002", "PLT003", "PLT007", "SCH001")


@pytest.fixture
def fake_rules(monkeypatch):
    """Make PLT002, PLT003, PLT007 and SCH001 known codes (their modules are never imported)."""
    for code in FAKE_CODES:
        if not rules.is_known(code):
            monkeypatch.setitem(rules._MODULES, code, f"_not_written_{code.lower()}")
    return FAKE_CODES


