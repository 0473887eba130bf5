"""Materialising contexts: generated files, downloads checked against checksums, git clones."""

from __future__ import annotations

import hashlib
import http.server
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from plancheck.runner.compile import GeneratedDir, GeneratedFile, GitSource, HttpSource, PushRecord, Workspace, compile_plan
from plancheck.runner.contexts import ContextPreparer, clone_git, fetch_http, write_generated
from plancheck.runner.errors import SourceError
from plancheck.runner.graph import build_graph
from plancheck.runner.secrets import SecretSources
from support.plans import busybox_release

pytestmark = pytest.mark.timeout(60)

PAYLOAD = b"helm archive bytes\n" * 100


@pytest.fixture
def http_server() -> Iterator[str]:
    """A loopback HTTP server serving PAYLOAD at /helm.tar.gz (404 elsewhere)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            if self.path == "/helm.tar.gz":
                self.send_response(200)
                self.send_header("Content-Length", str(len(PAYLOAD)))
                self.end_headers()
                self.wfile.write(PAYLOAD)
            else:
                self.send_response(404)
                self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_generated_files_get_the_modes_the_plan_gives(tmp_path: Path) -> None:
    source = GeneratedDir(
        str(tmp_path / "gen"),
        (
            GeneratedFile("op-0/run.sh", b"#!/bin/sh\n", 0o750),
            GeneratedFile("op-1/data", None, 0o700),
            GeneratedFile("op-2/secret.conf", b"x", 0o600),
        ),
    )
    write_generated(Path(source.path), source)
    root = Path(source.path)
    assert (root / "op-0/run.sh").stat().st_mode & 0o7777 == 0o750
    assert (root / "op-1/data").is_dir() and (root / "op-1/data").stat().st_mode & 0o7777 == 0o700
    assert (root / "op-2/secret.conf").read_bytes() == b"x"


def test_a_download_is_checked_against_its_checksum(tmp_path: Path, http_server: str) -> None:
    good = "sha256:" + hashlib.sha256(PAYLOAD).hexdigest()
    with httpx.Client() as client:
        target = fetch_http(HttpSource(f"{http_server}/helm.tar.gz", str(tmp_path / "a"), good), client)
        assert target.read_bytes() == PAYLOAD and target.name == "context"
        bad = HttpSource(f"{http_server}/helm.tar.gz", str(tmp_path / "b"), "sha256:" + "0" * 64)
        with pytest.raises(SourceError, match=r"does not match its checksum: expected sha256:0{64}, got " + good):
            fetch_http(bad, client)
        assert not (tmp_path / "b" / "context").exists()
        with pytest.raises(SourceError, match="HTTP 404"):
            fetch_http(HttpSource(f"{http_server}/missing", str(tmp_path / "c")), client)


def test_credentials_in_a_url_are_not_shown(tmp_path: Path) -> None:
    with httpx.Client() as client:
        with pytest.raises(SourceError) as caught:
            fetch_http(HttpSource("http://user:hunter2@127.0.0.1:9/x", str(tmp_path / "d")), client)
    assert "hunter2" not in str(caught.value)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "origin"
    repo.mkdir()
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e", "HOME": str(tmp_path)}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env, timeout=60)

    git("init", "-q", "-b", "main")
    (repo / "charts" / "ledger").mkdir(parents=True)
    (repo / "charts" / "ledger" / "Chart.yaml").write_text("name: ledger\nversion: 0.3.1\n")
    git("add", ".")
    git("commit", "-q", "-m", "chart")
    git("tag", "ledger-0.3.1")
    (repo / "charts" / "ledger" / "Chart.yaml").write_text("name: ledger\nversion: 0.4.0\n")
    git("commit", "-q", "-am", "next")
    return repo


def test_git_sources_are_cloned_at_their_ref_without_git_dir(tmp_path: Path, repository: Path) -> None:
    source = GitSource(f"file://{repository}", "ledger-0.3.1", str(tmp_path / "checkout"))
    clone_git(source, SecretSources({}))
    checkout = Path(source.path)
    assert (checkout / "charts/ledger/Chart.yaml").read_text() == "name: ledger\nversion: 0.3.1\n"
    assert not (checkout / ".git").exists()
    kept = GitSource(f"file://{repository}", "main", str(tmp_path / "kept"), keep_git_dir=True)
    clone_git(kept, SecretSources({}))
    assert (Path(kept.path) / ".git").is_dir()
    assert "0.4.0" in (Path(kept.path) / "charts/ledger/Chart.yaml").read_text()


def test_an_unknown_git_ref_is_a_source_error(tmp_path: Path, repository: Path) -> None:
    with pytest.raises(SourceError, match="at no-such-tag: git fetch failed"):
        clone_git(GitSource(f"file://{repository}", "no-such-tag", str(tmp_path / "x")), SecretSources({}))


def test_the_preparer_materialises_each_context_once_and_the_push_record_after_the_push(tmp_path: Path) -> None:
    ws = Workspace(str(tmp_path / "work"), "run1")
    the_plan = busybox_release("127.0.0.1:5000")
    compiled = compile_plan(the_plan, build_graph(the_plan), ws)
    [job] = compiled.pipelines["images.arm64"].jobs
    preparer = ContextPreparer(engine_fetches=lambda source: False, secrets=SecretSources({}), push_digest=lambda job: "sha256:" + "b" * 64)
    preparer.prepare(job)
    assert (Path(job.dir) / "Dockerfile").read_text() == job.dockerfile_text
    banner = Path(ws.path("contexts", "banner-files", "op-0", "banner.txt"))
    assert banner.read_text() == "built by planrun\n"
    banner.write_text("changed")
    preparer.prepare(job)
    assert banner.read_text() == "changed"  # not written twice in one run
    record = PushRecord("img#push-1", "reg.example.com/a:1", str(tmp_path / "record"))
    preparer._prepare(record)
    assert (tmp_path / "record" / "image_ref").read_text() == "reg.example.com/a:1@sha256:" + "b" * 64
    assert (tmp_path / "record" / "image_digest").read_text() == "sha256:" + "b" * 64


def test_sources_the_engine_fetches_are_left_to_it(tmp_path: Path) -> None:
    preparer = ContextPreparer(engine_fetches=lambda source: True, secrets=SecretSources({}))
    preparer._prepare(GitSource("https://unreachable.invalid/x.git", "main", str(tmp_path / "g")))
    assert not (tmp_path / "g").exists()
