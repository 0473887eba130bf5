"""The result cache: unchanged packages are not checked again (like ``.ruff_cache``).

One entry per package, in ``.plancheck_cache/`` at the project root (the
nearest folder, from the first checked path, that holds ``pyproject.toml``,
``.plancheck.toml``, ``.git`` or ``cue.mod``) or in ``--cache-dir``. An entry
is named after what identifies the package: the plancheck version, the
settings that change what the checker computes (default platform, tags) and
the paths of its files. It holds the content hashes of those files and of every
file the check read besides them (``Report.dependencies``: imported packages,
``cue.mod``, ``values.yaml``) and what the checker found, before suppression
and selection, so that changing those settings or comments needs no re-check.

Content hashes, not modification times: checkouts and ``git stash`` reset
times, and plan files are small. Entries are written atomically; an entry that
cannot be read or does not match is ignored (and rewritten).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from plancheck.checker.diagnostics import Applicability, Diagnostic, Edit, Fix, Related, Severity
from plancheck.checker.parallel import CheckJob, CheckResult
from plancheck.checker.version import __version__
from plancheck.grammar.span import Position, Span

CACHE_DIR_NAME = ".plancheck_cache"
_ROOT_MARKERS = ("pyproject.toml", ".plancheck.toml", ".git", "cue.mod")
_FORMAT = 1


def project_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding a project marker; else the working folder."""
    start = Path(os.path.abspath(start))
    if not start.is_dir():
        start = start.parent
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in _ROOT_MARKERS):
            return folder
    return Path.cwd()


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _file_digest(path: str) -> str:
    """Hash of a dependency: its bytes, its listing for a folder, "-" when it does not exist."""
    try:
        if os.path.isdir(path):
            return "dir:" + _digest("\0".join(sorted(os.listdir(path))).encode())
        with open(path, "rb") as f:
            return _digest(f.read())
    except FileNotFoundError:
        return "-"
    except OSError:
        return "?"  # unreadable: never matches a stored hash of a readable file


class Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._entries = self.folder / f"v{__version__}"

    @staticmethod
    def default_dir(first_path: Path) -> Path:
        return project_root(first_path) / CACHE_DIR_NAME

    def _identity(self, job: CheckJob) -> str:
        ident = json.dumps(
            [_FORMAT, __version__, job.default_platform, sorted(job.tags), [os.path.abspath(s.path) for s in job.sources], [s.path for s in job.sources]]
        )
        return _digest(ident.encode())

    @staticmethod
    def _content(job: CheckJob) -> str:
        parts = [f"{s.path}\0{s.bad_utf8_at}\0{s.text}" for s in job.sources]
        return _digest("\0\0".join(parts).encode("utf-8", "surrogatepass"))

    def _entry(self, job: CheckJob) -> Path:
        return self._entries / f"{self._identity(job)}.json"

    def get(self, job: CheckJob) -> CheckResult | None:
        try:
            data = json.loads(self._entry(job).read_text(encoding="utf-8"))
            if data["content"] != self._content(job):
                return None
            for path, digest in data["dependencies"].items():
                if _file_digest(path) != digest:
                    return None
            return CheckResult([_load_diagnostic(d) for d in data["diagnostics"]], list(data["dependencies"]))
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None  # absent, stale format or corrupt: check again

    def put(self, job: CheckJob, result: CheckResult) -> None:
        deps = {}
        for dep in result.dependencies:
            path = os.path.abspath(dep)
            deps[path] = _file_digest(path)
        data = {
            "content": self._content(job),
            "dependencies": deps,
            "diagnostics": [_dump_diagnostic(d) for d in result.diagnostics],
        }
        try:
            self._prepare()
            _write_atomic(self._entry(job), json.dumps(data, separators=(",", ":"), ensure_ascii=False))
        except OSError:
            pass  # a read-only checkout still gets its results, only slower next time

    def _prepare(self) -> None:
        if self._entries.is_dir():
            return
        self._entries.mkdir(parents=True, exist_ok=True)
        # Backup tools skip the folder (https://bford.info/cachedir/), git ignores it.
        tag = self.folder / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n# created by plancheck\n")
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by plancheck\n*\n")


def _write_atomic(path: Path, text: str) -> None:
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# -- diagnostics as JSON --------------------------------------------------------


def _dump_span(span: Span) -> list[int]:
    return [*span.start, *span.end]


def _load_span(v: list[int]) -> Span:
    return Span(Position(*v[:4]), Position(*v[4:8]))


def _dump_diagnostic(d: Diagnostic) -> dict:
    out: dict = {"c": d.code, "s": d.severity.value, "p": d.path, "r": _dump_span(d.span), "m": d.message}
    if d.fix is not None:
        out["f"] = [d.fix.applicability.value, d.fix.message, [[_dump_span(e.span), e.text] for e in d.fix.edits]]
    if d.related:
        out["rel"] = [[r.path, _dump_span(r.span), r.message] for r in d.related]
    if d.tags:
        out["t"] = list(d.tags)
    return out


def _load_diagnostic(v: dict) -> Diagnostic:
    fix = None
    if "f" in v:
        applicability, message, edits = v["f"]
        fix = Fix(Applicability(applicability), message, tuple(Edit(_load_span(s), t) for s, t in edits))
    related = tuple(Related(p, _load_span(s), m) for p, s, m in v.get("rel", ()))
    return Diagnostic(v["c"], Severity(v["s"]), v["p"], _load_span(v["r"]), v["m"], fix, related, tuple(v.get("t", ())))
