"""#Local include/exclude patterns and the filtered copy of a folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from plancheck.runner.contexts import copy_filtered
from plancheck.runner.errors import SourceError
from plancheck.runner.patterns import PathFilter

pytestmark = pytest.mark.timeout(30)


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.go", "main.go", True),
        ("*.go", "cmd/main.go", False),
        ("**/*.go", "cmd/main.go", True),
        ("**/*.go", "main.go", True),
        ("cmd", "cmd/ledger/main.go", True),
        ("cmd/*", "cmd/ledger", True),
        ("c?d", "cmd", True),
        ("[a-c]md", "cmd", True),
        ("[!a-c]md", "cmd", False),
        ("/docs/", "docs/index.md", True),
        ("docs", "docsite/index.md", False),
        ("**/.dagger/", "a/b/.dagger/state", True),
        ("**/.dagger/", ".dagger/state", True),
    ],
)
def test_exclude_pattern_matching(pattern: str, path: str, expected: bool) -> None:
    assert PathFilter(exclude=(pattern,)).excluded(path) is expected


def test_a_negated_exclude_re_includes() -> None:
    f = PathFilter(exclude=("*.md", "!README.md"))
    assert f.excluded("CHANGES.md")
    assert not f.excluded("README.md")
    assert f.included("README.md")


def test_the_last_matching_exclude_wins() -> None:
    f = PathFilter(exclude=("!keep.txt", "*.txt"))
    assert f.excluded("keep.txt")


def test_includes_select_paths_and_everything_below_them() -> None:
    f = PathFilter(include=("go.mod", "cmd"), exclude=("**/*.cue",))
    assert f.included("go.mod")
    assert f.included("cmd/ledger/main.go")
    assert not f.included("cmd/ledger/plan.cue")
    assert not f.included("README.md")
    assert f.may_hold_included("cmd")
    assert not f.may_hold_included("docs")


def test_wildcard_includes_may_match_in_any_folder() -> None:
    f = PathFilter(include=("**/*.go",))
    assert f.may_hold_included("deep/er")
    assert f.included("deep/er/x.go")
    assert not f.included("deep/er/x.py")


def test_for_local_always_leaves_out_the_dagger_folder() -> None:
    f = PathFilter.for_local([], [])
    assert not f.included(".dagger/env/values.yaml")
    assert f.included("main.cue")


def _tree(root: Path) -> None:
    files = {
        "Dockerfile": "FROM scratch\n",
        "site/index.html": "<h1>hi</h1>\n",
        "site/css/app.css": "body{}\n",
        "site/plan.cue": "package x\n",
        "notes/todo.txt": "x\n",
        ".dagger/env/values.yaml": "plan: {}\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "site" / "run.sh").write_text("#!/bin/sh\n")
    (root / "site" / "run.sh").chmod(0o755)
    os.symlink("index.html", root / "site" / "home.html")


def _listing(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() + ("/" if p.is_dir() and not p.is_symlink() else "") for p in root.rglob("*"))


def test_copy_filtered_keeps_selected_files_with_modes_and_links(tmp_path: Path) -> None:
    source, target = tmp_path / "src", tmp_path / "out"
    source.mkdir()
    _tree(source)
    count = copy_filtered(source, target, PathFilter.for_local(["Dockerfile", "site"], ["**/*.cue"]))
    assert count == 5
    assert _listing(target) == [
        "Dockerfile",
        "site/",
        "site/css/",
        "site/css/app.css",
        "site/home.html",
        "site/index.html",
        "site/run.sh",
    ]
    assert (target / "site" / "run.sh").stat().st_mode & 0o777 == 0o755
    assert os.readlink(target / "site" / "home.html") == "index.html"


def test_copy_filtered_without_includes_takes_everything_but_excludes(tmp_path: Path) -> None:
    source, target = tmp_path / "src", tmp_path / "out"
    source.mkdir()
    _tree(source)
    copy_filtered(source, target, PathFilter.for_local([], ["notes"]))
    listing = _listing(target)
    assert "notes/todo.txt" not in listing and ".dagger/env/values.yaml" not in listing
    assert "site/plan.cue" in listing


def test_copy_filtered_replaces_an_earlier_copy(tmp_path: Path) -> None:
    source, target = tmp_path / "src", tmp_path / "out"
    source.mkdir()
    _tree(source)
    copy_filtered(source, target, PathFilter.for_local([], []))
    (source / "notes" / "todo.txt").unlink()
    copy_filtered(source, target, PathFilter.for_local([], []))
    assert not (target / "notes" / "todo.txt").exists()


def test_a_missing_local_folder_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        copy_filtered(tmp_path / "nope", tmp_path / "out", PathFilter())
