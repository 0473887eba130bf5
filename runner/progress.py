"""What the user sees while a plan runs: each pipeline's state, its current step, its output.

Two views of the same events:

* `PlainProgress` (``--progress plain``, or whenever stderr is not a terminal): one line per
  event, prefixed with the time and the pipeline, in the order they happen — for CI logs;
* `TtyProgress`: one live line per pipeline (state, elapsed time, current step or last output
  line), redrawn in place at most ten times a second.

Engines report through a `Reporter` bound to one pipeline and job. Every method is
thread-safe: pipelines run on several threads.
"""

from __future__ import annotations

import abc
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Literal, TextIO

State = Literal["waiting", "running", "done", "failed", "skipped", "inlined", "cancelled"]

_SYMBOLS = {
    "waiting": "·",
    "running": "▸",
    "done": "✔",
    "failed": "✘",
    "skipped": "-",
    "inlined": "○",
    "cancelled": "-",
}


class ProgressView(abc.ABC):
    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.lock = threading.Lock()

    @abc.abstractmethod
    def pipeline(self, path: str, state: State, detail: str = "") -> None: ...

    @abc.abstractmethod
    def step(self, path: str, job: str, text: str) -> None: ...

    @abc.abstractmethod
    def log(self, path: str, job: str, line: str) -> None: ...

    @abc.abstractmethod
    def message(self, text: str) -> None: ...

    def close(self) -> None:
        with self.lock:
            self.stream.flush()

    def reporter(self, path: str, job: str) -> Reporter:
        return Reporter(self, path, job)


@dataclass
class Reporter:
    view: ProgressView
    path: str
    job: str

    def step(self, text: str) -> None:
        self.view.step(self.path, self.job, text)

    def log(self, line: str) -> None:
        self.view.log(self.path, self.job, line)


class PlainProgress(ProgressView):
    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic, *, wall: Callable[[], float] = time.time) -> None:
        super().__init__(stream, clock)
        self.wall = wall
        self.started: dict[str, float] = {}

    def _line(self, text: str) -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(self.wall()))
        with self.lock:
            self.stream.write(f"{stamp} {text}\n")
            self.stream.flush()

    def pipeline(self, path: str, state: State, detail: str = "") -> None:
        suffix = ""
        if state == "running":
            self.started[path] = self.clock()
        elif state in ("done", "failed") and path in self.started:
            suffix = f" in {self.clock() - self.started[path]:.1f}s"
        self._line(f"[{path}] {state}{suffix}" + (f": {detail}" if detail else ""))

    def step(self, path: str, job: str, text: str) -> None:
        self._line(f"[{path}] {_job_label(path, job)}{text}")

    def log(self, path: str, job: str, line: str) -> None:
        self._line(f"[{path}] {_job_label(path, job)}| {line}")

    def message(self, text: str) -> None:
        self._line(text)


def _job_label(path: str, job: str) -> str:
    return "" if job == path else f"({job.removeprefix(path)}) "


@dataclass
class _Row:
    path: str
    platform: str
    state: State = "waiting"
    detail: str = ""
    started: float | None = None
    finished: float | None = None
    extra: list[str] = field(default_factory=list)


class TtyProgress(ProgressView):
    """A live table, one row per pipeline, redrawn in place."""

    def __init__(
        self,
        stream: TextIO,
        rows: list[tuple[str, str]],
        clock: Callable[[], float] = time.monotonic,
        *,
        width: Callable[[], int] = lambda: shutil.get_terminal_size((100, 20)).columns,
        interval: float = 0.1,
    ) -> None:
        super().__init__(stream, clock)
        self.rows = {path: _Row(path, platform) for path, platform in rows}
        self.width = width
        self.interval = interval
        self.drawn = 0
        self.last_draw = float("-inf")
        self.messages: list[str] = []

    def pipeline(self, path: str, state: State, detail: str = "") -> None:
        with self.lock:
            row = self.rows.setdefault(path, _Row(path, ""))
            row.state = state
            if state == "running" and row.started is None:
                row.started = self.clock()
            if state in ("done", "failed", "skipped", "cancelled"):
                row.finished = self.clock()
            row.detail = detail
            self._draw(force=True)

    def step(self, path: str, job: str, text: str) -> None:
        with self.lock:
            if path in self.rows:
                self.rows[path].detail = text
            self._draw()

    def log(self, path: str, job: str, line: str) -> None:
        if not line.strip():
            return
        with self.lock:
            if path in self.rows:
                self.rows[path].detail = "| " + line.strip()
            self._draw()

    def message(self, text: str) -> None:
        with self.lock:
            self._erase()
            self.stream.write(text + "\n")
            self._draw(force=True)

    def close(self) -> None:
        with self.lock:
            self._draw(force=True)
            self.stream.flush()

    def _erase(self) -> None:
        if self.drawn:
            # Up to the first row, then clear to the end of the screen.
            self.stream.write(f"\x1b[{self.drawn}F\x1b[J")
            self.drawn = 0

    def _draw(self, force: bool = False) -> None:
        now = self.clock()
        if not force and now - self.last_draw < self.interval:
            return
        self.last_draw = now
        self._erase()
        width = max(40, self.width())
        name_width = min(max((len(path) for path in self.rows), default=10), width // 3)
        lines = []
        for row in self.rows.values():
            elapsed = ""
            if row.started is not None:
                elapsed = f"{(row.finished or now) - row.started:5.1f}s"
            head = f"{_SYMBOLS[row.state]} {row.path:<{name_width}} {row.platform:<13} {row.state:<9} {elapsed:>7} "
            text = (head + row.detail.replace("\n", " "))[: width - 1]
            lines.append(text.rstrip())
        self.stream.write("\n".join(lines) + "\n")
        self.stream.flush()
        self.drawn = len(lines)


def make_progress(
    mode: Literal["auto", "plain", "tty"], stream: TextIO, rows: list[tuple[str, str]]
) -> ProgressView:
    """``auto`` is the live view on a terminal (unless TERM=dumb), plain lines otherwise."""
    interactive = hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"
    if mode == "tty" or (mode == "auto" and interactive):
        return TtyProgress(stream, rows)
    return PlainProgress(stream)
