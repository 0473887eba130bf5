"""Engine processes: streamed lines, redaction, stopping on cancel."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest
from plancheck.runner import process
from plancheck.runner.errors import Cancelled

pytestmark = pytest.mark.timeout(60)


def test_lines_are_streamed_redacted_and_the_tail_kept() -> None:
    seen: list[str] = []
    result = process.run(
        [sys.executable, "-c", "import sys\nfor i in range(40): print('line', i, 'token-abcdef')\nsys.exit(3)"],
        on_line=seen.append,
        redact=lambda text: text.replace("token-abcdef", "****"),
    )
    assert result.returncode == 3 and not result.ok
    assert seen[0] == "line 0 ****" and len(seen) == 40
    assert result.tail == tuple(f"line {i} ****" for i in range(40 - process.TAIL_LINES, 40))


def test_environment_additions_reach_the_process() -> None:
    seen: list[str] = []
    process.run([sys.executable, "-c", "import os; print(os.environ['PLANRUN_TEST_VALUE'])"], env={"PLANRUN_TEST_VALUE": "x1"}, on_line=seen.append)
    assert seen == ["x1"]


def test_a_missing_program_is_a_failed_result() -> None:
    result = process.run(["/nonexistent/planrun-engine"])
    assert result.returncode == 127 and "cannot run /nonexistent/planrun-engine" in result.tail[0]


def test_cancel_stops_the_process_and_its_children() -> None:
    cancel = threading.Event()
    script = "import subprocess, sys, time\nchild = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\nprint(child.pid, flush=True)\ntime.sleep(60)"
    pids: list[int] = []

    def on_line(line: str) -> None:
        pids.append(int(line))
        cancel.set()

    started = time.monotonic()
    with pytest.raises(Cancelled, match="was stopped"):
        process.run([sys.executable, "-c", script], on_line=on_line, cancel=cancel)
    assert time.monotonic() - started < 30
    # The grandchild was in the same process group: it is gone too (or a zombie of init).

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pids[0], 0)
        except ProcessLookupError:
            break
        try:
            with open(f"/proc/{pids[0]}/stat") as stat:
                if stat.read().split()[2] == "Z":
                    break
        except FileNotFoundError:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the child of the stopped process is still running")
