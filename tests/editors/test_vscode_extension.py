"""The VS Code extension in editors/vscode builds, passes its own tests and packages.

Drives the node tooling the way a developer would: `npm ci` (only when node_modules is
missing or older than the lock file), `npm run build`, `npm test` (type check, TextMate
grammar assertions and snapshots, unit tests, and the bundled extension run against a
stand-in `vscode` module and a fake server process), `npm run package`; then opens the
.vsix.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parents[2] / "editors" / "vscode"
NPM = shutil.which("npm")

pytestmark = [
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        NPM is None, reason="npm is not installed: the VS Code extension cannot be built"
    ),
]


def run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        args,
        cwd=EXTENSION,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "CI": "true", "NO_UPDATE_NOTIFIER": "1"},
    )
    assert proc.returncode == 0, (
        f"`{' '.join(args)}` exited {proc.returncode}\n"
        f"--- stdout ---\n{proc.stdout[-6000:]}\n--- stderr ---\n{proc.stderr[-6000:]}"
    )
    return proc


@contextlib.contextmanager
def npm_lock() -> Iterator[None]:
    # pytest-xdist may run these tests in several workers; npm must not run twice at once
    # in the same folder.
    with open(Path(tempfile.gettempdir()) / "plancheck-editors-vscode.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def node_modules_stale() -> bool:
    installed = EXTENSION / "node_modules" / ".package-lock.json"
    if not installed.exists():
        return True
    newest_input = max(
        (EXTENSION / name).stat().st_mtime for name in ("package.json", "package-lock.json")
    )
    if installed.stat().st_mtime < newest_input:
        return True
    # A lock file edited by hand or merged can be newer in content but not in time.
    wanted = json.loads((EXTENSION / "package-lock.json").read_text())["packages"]
    have = json.loads(installed.read_text())["packages"]
    return any(
        have.get(name, {}).get("version") != entry.get("version")
        for name, entry in wanted.items()
        if name and not entry.get("optional")
    )


@pytest.fixture(scope="module")
def built_extension() -> Iterator[Path]:
    with npm_lock():
        if node_modules_stale():
            run("npm", "ci", "--no-audit", "--no-fund")
        run("npm", "run", "build")
    yield EXTENSION


def test_build_writes_the_bundle(built_extension: Path) -> None:
    bundle = built_extension / "out" / "extension.js"
    assert bundle.stat().st_size > 10_000
    text = bundle.read_text()
    # The client is bundled in; `vscode` stays external for the extension host.
    assert 'require("vscode")' in text
    assert "workspace/configuration" in text
    assert "vscode-languageclient" not in text.split("require(", 1)[0]


def test_npm_test_runs_grammar_and_unit_tests(built_extension: Path) -> None:
    with npm_lock():
        proc = run("npm", "test")
    out = proc.stdout
    grammar_tests = sorted((built_extension / "test" / "grammar").glob("*.test.cue"))
    assert len(grammar_tests) >= 8
    for case in grammar_tests:
        assert f"{case.relative_to(built_extension).as_posix()} run successfuly" in out, case
    # node --test summaries: the unit tests, then the extension-host tests.
    summaries = re.findall(r"^# (pass|fail) (\d+)$", out, re.MULTILINE)
    passes = [int(n) for kind, n in summaries if kind == "pass"]
    fails = [int(n) for kind, n in summaries if kind == "fail"]
    assert len(passes) == 2 and all(n > 0 for n in passes), summaries
    assert fails == [0, 0], summaries


def test_grammar_tests_fail_on_a_broken_grammar(built_extension: Path, tmp_path: Path) -> None:
    # The assertions must be able to fail: scope a raw string's `\#(` as plain text.
    grammar = json.loads((built_extension / "syntaxes" / "cue.tmLanguage.json").read_text())
    raw_string = grammar["repository"]["string"]["patterns"][0]
    assert raw_string["name"] == "string.quoted.triple.raw.cue"
    raw_string["patterns"] = []
    broken = tmp_path / "cue.tmLanguage.json"
    broken.write_text(json.dumps(grammar))
    # Run outside the extension folder: there the tool also loads the grammar that
    # package.json contributes, which would shadow the broken one.
    case = tmp_path / "strings.test.cue"
    shutil.copy(built_extension / "test" / "grammar" / "strings.test.cue", case)
    proc = subprocess.run(
        [
            str(built_extension / "node_modules" / ".bin" / "vscode-tmgrammar-test"),
            "-g",
            str(broken),
            str(case),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode != 0, proc.stdout
    assert "missing required scopes: meta.interpolation.cue" in proc.stdout


def test_package_produces_a_small_vsix(built_extension: Path) -> None:
    vsix = built_extension / "plancheck.vsix"
    with npm_lock():
        vsix.unlink(missing_ok=True)
        run("npm", "run", "package")
    assert vsix.exists()
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("extension/package.json"))
        grammar = json.loads(archive.read("extension/syntaxes/cue.tmLanguage.json"))
    assert {
        "extension/out/extension.js",
        "extension/syntaxes/cue.tmLanguage.json",
        "extension/language-configuration.json",
        "extension/package.json",
        "extension/readme.md",
        "extension/LICENSE.txt",
    } <= names
    assert grammar["scopeName"] == "source.cue"
    assert manifest["contributes"]["languages"][0]["id"] == "cue"
    # Sources, tests and node_modules stay out of the package.
    assert not [n for n in names if n.startswith(("extension/src/", "extension/test/"))]
    assert not [n for n in names if "node_modules" in n]
    assert vsix.stat().st_size < 1_000_000


def cue_files_that_cue_accepts() -> list[Path]:
    """The repository's CUE files that are valid CUE: examples, the bundled schema, test
    fixtures, and the oracle corpus cases that CUE v0.4 accepts."""
    root = EXTENSION.parents[1]
    files = [
        path
        for folder in ("examples", "checker", "tests/fixtures")
        for path in sorted((root / folder).rglob("*.cue"))
        if "node_modules" not in path.parts
    ]
    manifest = root / "tests" / "oracle" / "corpus" / "manifest.toml"
    if manifest.exists():
        cases = tomllib.loads(manifest.read_text())
        for kind in ("syntax", "strings"):
            for name, case in sorted(cases.get(kind, {}).items()):
                path = manifest.parent / kind / (name if name.endswith(".cue") else f"{name}.cue")
                if case.get("expect") == "accept" and path.exists():
                    files.append(path)
    return files


def tokenize_check(built: Path, files: list[Path]) -> dict:
    proc = subprocess.run(
        ["node", "test/tokenize-check.mjs", "-"],
        cwd=built,
        input="\n".join(str(f) for f in files),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_grammar_highlights_every_valid_cue_file_of_the_repository(built_extension: Path) -> None:
    files = cue_files_that_cue_accepts()
    if not files:
        pytest.skip("no CUE files in the repository yet")
    report = tokenize_check(built_extension, files)
    assert report["checked"] == len(files)
    problems = [
        f"{p['file']}:{p['line']}:{p['column']}: {p['problem']}" for p in report["problems"]
    ]
    assert problems == []


def test_tokenize_check_reports_what_it_is_for(built_extension: Path, tmp_path: Path) -> None:
    unclosed = tmp_path / "unclosed.cue"
    unclosed.write_text('a: {\n\tb: "x\\q"\n')
    script = tmp_path / "script.cue"
    script.write_text('s: #"""\n\techo\n')
    fine = tmp_path / "fine.cue"
    fine.write_text('package a\n\nx: #"""\n\t\\q "quoted" \\#(y)\n\t"""#\ny: "\\(z)"\n')
    report = tokenize_check(built_extension, [unclosed, script, fine])
    assert [(p["file"], p["problem"]) for p in report["problems"]] == [
        (str(unclosed), 'invalid.illegal.escape.cue: "\\\\q"'),
        (str(unclosed), "still open at the end of the file: meta.struct.cue"),
        (str(script), "still open at the end of the file: string.quoted.triple.raw.cue"),
    ]
