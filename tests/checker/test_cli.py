"""The ``plancheck`` command through a real process: golden output, exit codes, stdin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "cli"


def plancheck(*args: str, stdin: str | None = None, cwd: Path = GOLDEN) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "plancheck.checker.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("PLANCHECK_UPDATE_GOLDEN"):
        path.write_text(actual)
    assert actual == path.read_text()


@pytest.mark.parametrize("fmt, suffix", [("full", "txt"), ("json", "json")])
def test_three_syntax_errors_golden(fmt, suffix):
    proc = plancheck("--format", fmt, "three_errors.cue")
    assert proc.returncode == 1, proc.stderr
    golden(f"three_errors.{fmt}.{suffix}", proc.stdout)


def test_json_fields_and_positions():
    proc = plancheck("--format", "json", "three_errors.cue")
    items = json.loads(proc.stdout)
    assert len(items) == 3
    assert set(items[0]) == {"path", "line", "column", "end_line", "end_column", "code", "severity", "message", "fix"}
    first = items[0]
    assert (first["line"], first["column"], first["end_line"], first["end_column"]) == (4, 6, 4, 14)
    assert first["code"] == "CUE001" and first["severity"] == "error" and first["fix"] is None


def test_clean_file_exits_zero(tmp_path):
    (tmp_path / "ok.cue").write_text('package ok\n\na: "b"\n')
    proc = plancheck(str(tmp_path))
    assert proc.returncode == 0
    assert "All checks passed (1 file)." in proc.stdout


def test_missing_path_is_a_usage_error():
    proc = plancheck("no/such/dir")
    assert proc.returncode == 2
    assert "no such file or folder" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_option_is_a_usage_error():
    proc = plancheck("--format", "xml", "three_errors.cue")
    assert proc.returncode == 2


def test_stdin_with_filename():
    proc = plancheck("--format", "json", "-", "--stdin-filename", "plans/app.cue", stdin="a: 1 b: 2\n")
    assert proc.returncode == 1
    items = json.loads(proc.stdout)
    assert [(i["path"], i["line"], i["column"], i["message"]) for i in items] == [
        ("plans/app.cue", 1, 6, "missing ',' before 'b'")
    ]


def test_version():
    proc = plancheck("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("plancheck ")


def test_folder_walk_skips_cue_mod_and_hidden(tmp_path):
    (tmp_path / "cue.mod" / "pkg").mkdir(parents=True)
    (tmp_path / "cue.mod" / "pkg" / "bad.cue").write_text("a: (\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "bad.cue").write_text("a: (\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.cue").write_text("a: (\n")
    (tmp_path / "notes.txt").write_text("a: (\n")
    proc = plancheck("--format", "json", str(tmp_path))
    paths = {Path(i["path"]).name for i in json.loads(proc.stdout)}
    assert paths == {"bad.cue"} and len(json.loads(proc.stdout)) == 1


def test_invalid_utf8_is_a_located_error(tmp_path):
    (tmp_path / "x.cue").write_bytes(b'a: "\xff"\n')
    proc = plancheck("--format", "json", str(tmp_path / "x.cue"))
    items = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert items[0]["message"] == "illegal UTF-8 encoding" and items[0]["column"] == 5
