"""Materialising build contexts on the runner's disk before a job runs.

* a ``#Local`` folder is copied through its include/exclude filter (hard links where the
  filesystem allows, so large trees cost little);
* generated folders (``#WriteFile``, ``#Mkdir``) and generated Dockerfiles are written with the
  modes the plan gives, which ``COPY`` keeps;
* git and http sources are fetched by the runner when the engine cannot (buildah), when
  BuildKit cannot read the URL as git, or when a checksum must be verified; the download is
  checked against ``checksum`` before any build sees it;
* ``/dagger/image_digest`` and ``/dagger/image_ref`` are written once the push they describe
  is done.

Several jobs may share a context (three platforms of one ``#DockerBuild`` context): each path
is materialised once per run, under a lock.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import urlsplit

import httpx

from .compile import (
    BuildJob,
    ContextSource,
    FilteredDir,
    GeneratedDir,
    GeneratedDockerfile,
    GitSource,
    HttpSource,
    JobFiles,
    PushRecord,
)
from .errors import SourceError
from .patterns import PathFilter
from .secrets import SecretSources

_CHUNK = 1 << 20


def copy_filtered(source: Path, destination: Path, path_filter: PathFilter) -> int:
    """Copy what ``path_filter`` selects from ``source`` into ``destination``; return the file count."""
    if not source.is_dir():
        raise SourceError(f"the #Local folder {source} does not exist")
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    count = 0
    for root, dirs, files in os.walk(source, followlinks=False):
        relative_root = Path(root).relative_to(source)
        keep_dirs = []
        for name in sorted(dirs):
            relative = (relative_root / name).as_posix()
            if path_filter.included(relative):
                target = destination / relative
                target.mkdir(parents=True, exist_ok=True)
                shutil.copystat(Path(root) / name, target, follow_symlinks=False)
                keep_dirs.append(name)
            elif path_filter.may_hold_included(relative):
                keep_dirs.append(name)
        dirs[:] = keep_dirs
        for name in sorted(files):
            relative = (relative_root / name).as_posix()
            if not path_filter.included(relative):
                continue
            origin, target = Path(root) / name, destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if origin.is_symlink():
                target.symlink_to(os.readlink(origin))
            else:
                try:
                    os.link(origin, target)
                except OSError:
                    shutil.copy2(origin, target)
            count += 1
    return count


def write_generated(directory: Path, source: GeneratedDir) -> None:
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    for entry in sorted(source.files, key=lambda e: e.path):
        target = directory / entry.path
        if entry.content is None:
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(entry.content)
        # chmod after writing: the umask must not change what the plan asked for.
        target.chmod(entry.mode)


def write_dockerfile(job: BuildJob) -> None:
    if isinstance(job.dockerfile, GeneratedDockerfile):
        directory = Path(job.dockerfile.dir)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "Dockerfile").write_text(job.dockerfile.text, encoding="utf-8")


def _hash_of(checksum: str) -> tuple[str, str]:
    algorithm, _, expected = checksum.partition(":")
    if algorithm not in ("sha256", "sha384", "sha512") or not expected:
        raise SourceError(f"unsupported checksum {checksum!r}: expected sha256:<hex> (or sha384, sha512)")
    return algorithm, expected.lower()


def fetch_http(source: HttpSource, client: httpx.Client) -> Path:
    """Download ``source.url`` to ``<path>/context`` and verify its checksum."""
    directory = Path(source.path)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "context"
    partial = directory / ".context.partial"
    algorithm, expected = _hash_of(source.checksum) if source.checksum else ("sha256", "")
    digest = hashlib.new(algorithm)
    shown = _redacted_url(source.url)
    try:
        with client.stream("GET", source.url, follow_redirects=True) as response:
            if response.status_code != 200:
                raise SourceError(f"cannot download {shown}: HTTP {response.status_code}")
            with partial.open("wb") as out:
                for chunk in response.iter_bytes(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    except httpx.HTTPError as error:
        raise SourceError(f"cannot download {shown}: {error.__class__.__name__}") from None
    if expected and digest.hexdigest() != expected:
        partial.unlink(missing_ok=True)
        raise SourceError(
            f"{shown} does not match its checksum: expected {algorithm}:{expected}, got {algorithm}:{digest.hexdigest()}"
        )
    partial.replace(target)
    return target


def _redacted_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        return parts._replace(netloc=host).geturl()
    return url


def clone_git(source: GitSource, secrets: SecretSources, environ: Mapping[str, str] | None = None) -> Path:
    """Check ``source.ref`` out into ``source.path`` (shallow), like BuildKit's git source."""
    directory = Path(source.path)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    env = dict(os.environ if environ is None else environ)
    env["GIT_TERMINAL_PROMPT"] = "0"
    # Credentials go through git's environment configuration, never its argv.
    headers: list[str] = []
    if source.auth_header:
        headers.append(f"Authorization: {secrets.get(source.auth_header).read(environ)}")
    elif source.auth_token:
        import base64

        token = secrets.get(source.auth_token).read(environ).strip()
        headers.append("Authorization: Basic " + base64.b64encode(f"x-access-token:{token}".encode()).decode())
    for number, header in enumerate(headers):
        env[f"GIT_CONFIG_KEY_{number}"] = "http.extraHeader"
        env[f"GIT_CONFIG_VALUE_{number}"] = header
    if headers:
        env["GIT_CONFIG_COUNT"] = str(len(headers))
    shown = _redacted_url(source.remote)

    def git(*args: str) -> None:
        result = subprocess.run(
            ["git", *args], cwd=directory, env=env, capture_output=True, text=True, timeout=600, check=False
        )
        if result.returncode != 0:
            message = " ".join(result.stderr.split())[-300:]
            raise SourceError(f"cannot fetch {shown} at {source.ref or 'HEAD'}: git {args[0]} failed: {message}")

    if shutil.which("git") is None:
        raise SourceError(f"cannot fetch {shown}: git is not installed")
    git("init", "-q")
    git("remote", "add", "origin", source.remote)
    git("fetch", "-q", "--depth", "1", "origin", source.ref or "HEAD")
    git("checkout", "-q", "FETCH_HEAD")
    if not source.keep_git_dir:
        shutil.rmtree(directory / ".git")
    return directory


class ContextPreparer:
    """Makes every context a job reads exist on disk, once per path per run."""

    def __init__(
        self,
        *,
        engine_fetches: Callable[[ContextSource], bool],
        secrets: SecretSources,
        http: httpx.Client | None = None,
        push_digest: Callable[[str], str] | None = None,
    ) -> None:
        self._engine_fetches = engine_fetches
        self._secrets = secrets
        self._http = http
        self._push_digest = push_digest
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._done: set[str] = set()

    def prepare(self, job: BuildJob) -> None:
        Path(job.dir).mkdir(parents=True, exist_ok=True)
        write_dockerfile(job)
        sources = list(job.named_contexts.values())
        if not (isinstance(job.context, GeneratedDir) and job.context.path == job.dir):
            sources.insert(0, job.context)  # else the job's own folder, holding its Dockerfile
        for source in sources:
            self._prepare(source)

    def _path_lock(self, path: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(path, threading.Lock())

    def _prepare(self, source: ContextSource) -> None:
        path = getattr(source, "path", None)
        if path is None:
            return  # an image of an earlier job: the engine has it
        if isinstance(source, JobFiles):
            if not Path(path).is_dir():
                raise SourceError(f"the files of {source.job} are missing from {path}")
            return
        if isinstance(source, (GitSource, HttpSource)) and self._engine_fetches(source):
            return
        with self._path_lock(path):
            if path in self._done:
                return
            if isinstance(source, FilteredDir):
                copy_filtered(Path(source.source), Path(path), PathFilter.for_local(source.include, source.exclude))
            elif isinstance(source, GeneratedDir):
                write_generated(Path(path), source)
            elif isinstance(source, GitSource):
                clone_git(source, self._secrets)
            elif isinstance(source, HttpSource):
                client = self._http or httpx.Client(timeout=60.0)
                try:
                    fetch_http(source, client)
                finally:
                    if self._http is None:
                        client.close()
            elif isinstance(source, PushRecord):
                if self._push_digest is None:
                    raise SourceError(f"no push result for {source.job}")
                digest = self._push_digest(source.job)
                directory = Path(path)
                directory.mkdir(parents=True, exist_ok=True)
                (directory / "image_digest").write_text(digest)
                (directory / "image_ref").write_text(f"{source.reference}@{digest}")
            self._done.add(path)
