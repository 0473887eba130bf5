"""The bad example set produces every code of the catalogue at least once, through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from plancheck.checker import rules

ROOT = Path(__file__).resolve().parents[3]


def test_every_rule_fires_on_the_bad_plans(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "plancheck.checker.cli", "--no-cache", "--format", "json", "tests/fixtures/bad_plans"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=dict(os.environ, NO_COLOR="1"),
    )
    assert proc.returncode == 1, proc.stderr
    codes = {item["code"] for item in json.loads(proc.stdout)}
    assert codes == set(rules.codes())


def test_examples_are_clean_through_the_cli():
    proc = subprocess.run(
        [sys.executable, "-m", "plancheck.checker.cli", "--no-cache", "examples/"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=dict(os.environ, NO_COLOR="1"),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "All checks passed" in proc.stdout
