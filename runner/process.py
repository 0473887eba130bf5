"""Running an engine command: output streamed line by line, stopped cleanly when cancelled.

The child gets its own process group so that stopping it also stops what it started (buildah's
helpers, buildctl's connection helpers); it is signalled through its PID only. Every line goes
through the run's `Redactor` before anyone sees it, and the last lines are kept for the error
message when the command fails.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import threading
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from .errors import Cancelled

TAIL_LINES = 25
_STOP_GRACE = 10.0


@dataclass(frozen=True)
class ProcessResult:
    returncode: int
    #: the last lines of output, redacted
    tail: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _signal_group(process: subprocess.Popen[str], sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            process.send_signal(sig)
        except ProcessLookupError:
            pass


def stop(process: subprocess.Popen[str], grace: float = _STOP_GRACE) -> None:
    """SIGTERM the process (group), SIGKILL after ``grace`` seconds; always reaps it."""
    if process.poll() is not None:
        return
    _signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait(timeout=grace)


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    on_line: Callable[[str], None] = lambda line: None,
    redact: Callable[[str], str] = lambda text: text,
    cancel: threading.Event | None = None,
    cwd: str | None = None,
) -> ProcessResult:
    """Run ``argv`` with ``env`` added to the runner's environment; raise `Cancelled` if asked to stop."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
    try:
        process = subprocess.Popen(
            list(argv),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=full_env,
            cwd=cwd,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
            start_new_session=True,
        )
    except OSError as error:
        return ProcessResult(127, (f"cannot run {argv[0]}: {error.strerror}",))
    finished = threading.Event()
    stopped = threading.Event()

    def watch() -> None:
        assert cancel is not None
        while not finished.is_set():
            if cancel.wait(timeout=0.2):
                stopped.set()
                stop(process)
                return

    watcher = threading.Thread(target=watch, daemon=True) if cancel is not None else None
    if watcher is not None:
        watcher.start()
    try:
        assert process.stdout is not None
        for raw in process.stdout:
            line = redact(raw.rstrip("\n"))
            tail.append(line)
            on_line(line)
        returncode = process.wait()
    finally:
        finished.set()
        if process.poll() is None:
            stop(process)
        if watcher is not None:
            watcher.join()
    if stopped.is_set():
        raise Cancelled(f"{os.path.basename(argv[0])} was stopped")
    return ProcessResult(returncode, tuple(tail))
