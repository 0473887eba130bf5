"""plancheck as a pre-commit hook, the way a project uses it: a real git repository whose
.pre-commit-config.yaml points at this checkout, with the hooks installed by pre-commit itself.

pre-commit builds the hook's own virtualenv and installs plancheck into it from
this checkout (at HEAD: commit before running this test locally), fetching its
dependencies from PyPI. Without access to PyPI the test is skipped, with the
reason. One environment is built per test session (about half a minute).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
NETWORK_TROUBLE = re.compile(
    r"Could not find a version|No matching distribution|NewConnectionError|Temporary failure in name resolution"
    r"|Network is unreachable|Connection refused|ConnectTimeout|ReadTimeout|ProxyError|Max retries exceeded",
    re.I,
)

BAD = 'package main\n\nimage: {\n\tref "alpine:3.18"\n}\n'
GOOD = 'package main\n\nimage: {\n\tref: "alpine:3.18"\n}\n'
UNUSED = 'package main\n\nname: "app" // plancheck: ignore[CUE006]\n'


def _git(repo: Path, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=240)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not PRE_COMMIT.exists():
        pytest.skip(f"pre-commit is not installed next to {sys.executable}")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("this checkout is not a git repository")
    base = tmp_path_factory.mktemp("precommit")
    repo = base / "repo"
    repo.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))},
        "PRE_COMMIT_HOME": str(base / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
        "NO_COLOR": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "PLANCHECK_CACHE_DIR": str(base / "plancheck-cache"),
    }
    assert _git(repo, "init", "-q", "-b", "main", env=env).returncode == 0
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {ROOT}\n"
        f"    rev: {head.stdout.strip()}\n"
        "    hooks:\n"
        "      - id: plancheck\n"
        "      - id: plancheck-fix\n"
        "        stages: [manual]\n"
    )
    install = subprocess.run(
        [str(PRE_COMMIT), "install-hooks"], cwd=repo, env=env, capture_output=True, text=True, timeout=400
    )
    if install.returncode != 0:
        log = install.stdout + install.stderr
        home_log = base / "pre-commit-home" / "pre-commit.log"
        if home_log.exists():
            log += home_log.read_text(errors="replace")
        if NETWORK_TROUBLE.search(log):
            pytest.skip("pre-commit could not build the hook environment (no access to PyPI):\n" + log[-2000:])
        pytest.fail("pre-commit install-hooks failed:\n" + log[-4000:])
    assert subprocess.run([str(PRE_COMMIT), "install"], cwd=repo, env=env, capture_output=True, timeout=60).returncode == 0
    _git(repo, "add", ".pre-commit-config.yaml", env=env)
    assert _git(repo, "commit", "-q", "-m", "config", env=env).returncode == 0
    return repo, env


def test_commit_of_a_bad_plan_fails_and_a_good_one_passes(repo):
    repo, env = repo
    plan = repo / "plans" / "app.cue"
    plan.parent.mkdir()
    plan.write_text(BAD)
    _git(repo, "add", "plans/app.cue", env=env)
    bad = _git(repo, "commit", "-m", "bad plan", env=env)
    out = bad.stdout + bad.stderr
    assert bad.returncode != 0, out
    assert "plancheck" in out and "Failed" in out
    assert "plans/app.cue:4:6: CUE001 expected ':' or ',' after label \"ref\"" in out
    assert _git(repo, "rev-list", "--count", "HEAD", env=env).stdout.strip() == "1"  # nothing committed

    plan.write_text(GOOD)
    _git(repo, "add", "plans/app.cue", env=env)
    good = _git(repo, "commit", "-m", "good plan", env=env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"plancheck\.+Passed", good.stdout + good.stderr)


def test_fix_hook_rewrites_the_file(repo):
    repo, env = repo
    plan = repo / "plans" / "unused.cue"
    plan.parent.mkdir(exist_ok=True)
    plan.write_text(UNUSED)
    _git(repo, "add", "plans/unused.cue", env=env)
    run = subprocess.run(
        [str(PRE_COMMIT), "run", "plancheck-fix", "--hook-stage", "manual", "--files", "plans/unused.cue"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=240,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 1, out  # pre-commit fails a hook that modified files
    assert "files were modified by this hook" in out and "Fixed 1 problem." in out
    assert plan.read_text() == 'package main\n\nname: "app"\n'
