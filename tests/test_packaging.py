"""The package layout of SPEC §2 holds: every code folder is installed, versions agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"grammar": "plancheck.grammar", "checker": "plancheck.checker", "lsp": "plancheck.lsp", "runner": "plancheck.runner"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_subpackage_is_listed_for_installation():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = set()
    for folder, package in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([package, *rel.parts]) if rel.parts else package)
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_version_matches_pyproject():
    from plancheck.checker.version import __version__

    assert __version__ == _pyproject()["project"]["version"]


def test_dependencies_point_one_way():
    """grammar ◄ checker ◄ {lsp, runner}: no import against the arrow."""
    forbidden = {
        "grammar": ("plancheck.checker", "plancheck.lsp", "plancheck.runner"),
        "checker": ("plancheck.lsp", "plancheck.runner"),
        "lsp": ("plancheck.runner",),
        "runner": ("plancheck.lsp",),
    }
    pattern = re.compile(r"^\s*(?:from|import)\s+(plancheck\.\w+)", re.M)
    for folder, bad in forbidden.items():
        for path in (ROOT / folder).rglob("*.py"):
            for name in pattern.findall(path.read_text(encoding="utf-8")):
                assert not name.startswith(bad), f"{path.relative_to(ROOT)} imports {name}"
