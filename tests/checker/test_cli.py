"""The ``plancheck`` command through a real process: golden output, exit codes, stdin."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "cli"
# Never write a cache into the checkout; one folder for the whole session.
CACHE = tempfile.mkdtemp(prefix="plancheck-test-cache-")


def plancheck(*args: str, stdin: str | None = None, cwd: Path = GOLDEN, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    env = {**base, "NO_COLOR": "1", "PLANCHECK_CACHE_DIR": CACHE, **(env or {})}
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


@pytest.mark.parametrize(
    "fmt, suffix", [("full", "txt"), ("json", "json"), ("concise", "txt"), ("github", "txt"), ("sarif", "json")]
)
def test_three_syntax_errors_golden(fmt, suffix):
    proc = plancheck("--format", fmt, "three_errors.cue")
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    if fmt == "sarif":
        out = out.replace(Path(GOLDEN).as_uri(), "file:///CWD").replace(_version(), "VERSION")
    golden(f"three_errors.{fmt}.{suffix}", out)


def _version() -> str:
    from plancheck.checker.version import __version__

    return __version__


def test_full_format_in_colour_when_forced():
    proc = plancheck("three_errors.cue", env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    golden("three_errors.full.color.txt", proc.stdout)
    assert "\x1b[" in proc.stdout
    assert "\x1b[" not in plancheck("three_errors.cue", env={"NO_COLOR": "1", "FORCE_COLOR": "1"}).stdout
    assert "\x1b[" not in plancheck("three_errors.cue", env={"NO_COLOR": ""}).stdout  # piped
    assert "\x1b[" in plancheck("--color", "always", "three_errors.cue").stdout


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


# -- options of issue 4 ------------------------------------------------------------

UNUSED = "package main\n\nx: 1 // plancheck: ignore[CUE006]\ny: 4Ki // plancheck: ignore[CUE006, NOPE01]\n"


def test_explain_prints_the_rule_page():
    proc = plancheck("--explain", "sup001")
    assert proc.returncode == 0
    assert proc.stdout.startswith("# SUP001 unused-suppression\n\n**warning**")
    assert "## Example" in proc.stdout


def test_explain_unknown_code_is_a_usage_error():
    proc = plancheck("--explain", "PLX999")
    assert proc.returncode == 2 and "unknown rule code 'PLX999'" in proc.stderr


def test_select_ignore_and_fail_on(tmp_path):
    (tmp_path / "a.cue").write_text("x: 4Ki\ny: (\n")
    assert plancheck("--format", "concise", "-q", str(tmp_path)).returncode == 1
    proc = plancheck("--format", "concise", "-q", "--ignore", "CUE001", str(tmp_path))
    assert proc.returncode == 0 and [l.split()[1] for l in proc.stdout.splitlines()] == ["CUE006"]
    assert plancheck("--ignore", "CUE001", "--fail-on", "warning", str(tmp_path)).returncode == 1
    assert plancheck("--ignore", "CUE001", "--fail-on", "warning", "--exit-zero", str(tmp_path)).returncode == 0
    proc = plancheck("--format", "concise", "-q", "--select", "CUE001", str(tmp_path))
    assert [l.split()[1] for l in proc.stdout.splitlines()] == ["CUE001"]
    proc = plancheck("--select", "PLX", str(tmp_path))
    assert proc.returncode == 2 and "unknown rule code or prefix 'PLX'" in proc.stderr


def test_statistics(tmp_path):
    (tmp_path / "a.cue").write_text(UNUSED)
    (tmp_path / "b.cue").write_text("z: (\n")
    proc = plancheck("--statistics", str(tmp_path))
    assert proc.stdout == "2  SUP001  [*] unused-suppression\n1  CUE001      syntax-error\n"
    items = json.loads(plancheck("--statistics", "--format", "json", str(tmp_path)).stdout)
    assert items[0] == {"code": "SUP001", "name": "unused-suppression", "count": 2, "fixable": 2}


def test_fix_writes_and_is_idempotent(tmp_path):
    path = tmp_path / "a.cue"
    path.write_text(UNUSED)
    os.chmod(path, 0o600)
    proc = plancheck("--fix", "--show-fixes", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert path.read_text() == "package main\n\nx: 1\ny: 4Ki // plancheck: ignore[CUE006]\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "Fixed 2 problems." in proc.stdout and "2 × SUP001 (unused-suppression)" in proc.stdout
    again = plancheck("--fix", str(tmp_path))
    assert again.returncode == 0 and path.read_text() == "package main\n\nx: 1\ny: 4Ki // plancheck: ignore[CUE006]\n"
    assert "Fixed" not in again.stdout


def test_fix_reports_what_remains(tmp_path):
    path = tmp_path / "a.cue"
    path.write_text(UNUSED.replace("package main", "package main\nw: 4Ki"))
    proc = plancheck("--fix", "--format", "concise", str(tmp_path))
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[-2:] == ["Fixed 2 problems.", "Found 1 warning."]
    assert [l.split()[1] for l in lines[:-2]] == ["CUE006"]


def test_diff_shows_without_writing(tmp_path):
    path = tmp_path / "a.cue"
    path.write_text(UNUSED)
    proc = plancheck("--diff", str(path))
    assert proc.returncode == 1
    assert path.read_text() == UNUSED
    assert proc.stdout.startswith(f"--- {path}\n+++ {path}\n@@ -1,4 +1,4 @@\n")
    assert "-x: 1 // plancheck: ignore[CUE006]\n-y: 4Ki // plancheck: ignore[CUE006, NOPE01]\n+x: 1\n" in proc.stdout
    assert "Would fix 2 problems." in proc.stderr
    plancheck("--fix", str(path))
    clean = plancheck("--diff", str(path))
    assert clean.returncode == 0 and clean.stdout == ""


def test_fix_from_stdin_prints_the_fixed_text():
    proc = plancheck("--fix", "-", "--stdin-filename", "plans/a.cue", stdin=UNUSED)
    assert proc.returncode == 0
    assert proc.stdout == "package main\n\nx: 1\ny: 4Ki // plancheck: ignore[CUE006]\n"


def test_fix_never_touches_a_file_with_syntax_errors(tmp_path):
    path = tmp_path / "a.cue"
    path.write_text(UNUSED + "z: (\n")
    proc = plancheck("--fix", str(path))
    assert proc.returncode == 1 and path.read_text() == UNUSED + "z: (\n"
    assert "fixes not applied: it has syntax errors" in proc.stderr


def test_configuration_file_is_used_and_errors_are_located(tmp_path):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "a.cue").write_text("x: 4Ki\n")
    (tmp_path / "pyproject.toml").write_text('[tool.plancheck]\nfail-on = "warning"\n')
    assert plancheck(str(tmp_path / "plans"), cwd=tmp_path).returncode == 1
    (tmp_path / "pyproject.toml").write_text('[tool.plancheck]\nfail-on = "warning"\nignore = ["CUE06"]\n')
    proc = plancheck(str(tmp_path / "plans"), cwd=tmp_path)
    assert proc.returncode == 2
    assert f"{tmp_path / 'pyproject.toml'}:3: [tool.plancheck] ignore: unknown rule code or prefix 'CUE06'" in proc.stderr
    assert plancheck("--isolated", str(tmp_path / "plans"), cwd=tmp_path).returncode == 0


def test_invalid_platform_option():
    proc = plancheck("--platform", "linux/arm65", "three_errors.cue")
    assert proc.returncode == 2 and "--platform: invalid platform 'linux/arm65'" in proc.stderr


def test_jobs_give_the_same_output(tmp_path):
    for i in range(6):
        (tmp_path / f"p{i}").mkdir()
        (tmp_path / f"p{i}" / "a.cue").write_text(f"a: {i} b: 2\n")
    serial = plancheck("--no-cache", "-j", "1", str(tmp_path))
    parallel = plancheck("--no-cache", "-j", "2", str(tmp_path))
    assert serial.returncode == parallel.returncode == 1
    assert serial.stdout == parallel.stdout and serial.stdout.count("CUE001") == 6
    assert plancheck("-j", "-1", str(tmp_path)).returncode == 2


def test_output_file(tmp_path):
    out = tmp_path / "report.sarif"
    proc = plancheck("--format", "sarif", "-o", str(out), "three_errors.cue")
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(out.read_text())["runs"][0]["results"][0]["ruleId"] == "CUE001"


PLAN = """package main

import "alpha.dagger.io/dagger/op"

base: #up: [
\top.#FetchContainer & {ref: "alpine:3.18", platform: "linux/aarch64"},
]
other: #up: [
\top.#FetchContainer & {ref: "alpine:3.18", platform: "Linux/AMD64"}, // plancheck: ignore[PLT002]
]
"""


def test_fix_with_a_real_rule_and_a_suppression(tmp_path):
    path = tmp_path / "main.cue"
    path.write_text(PLAN)
    proc = plancheck("--format", "json", str(path))
    assert [(i["code"], i["line"], i["fix"]["applicability"]) for i in json.loads(proc.stdout)] == [("PLT002", 6, "safe")]
    assert plancheck("--fix", str(path)).returncode == 0
    assert path.read_text() == PLAN.replace('"linux/aarch64"', '"linux/arm64"')
    again = plancheck("--diff", str(path))
    assert again.returncode == 0 and again.stdout == ""
