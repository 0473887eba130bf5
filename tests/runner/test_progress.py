"""Progress views: plain lines for logs, a live table for terminals."""

from __future__ import annotations

import io
import time

import pytest
from plancheck.runner.progress import PlainProgress, TtyProgress, make_progress

pytestmark = pytest.mark.timeout(30)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_carry_time_pipeline_and_job() -> None:
    out, clock = io.StringIO(), Clock()
    wall = time.mktime((2024, 3, 5, 10, 15, 0, 0, 0, -1))
    view = PlainProgress(out, clock, wall=lambda: wall)
    view.message("planrun: engine buildah")
    view.pipeline("images.arm64", "running")
    view.reporter("images.arm64", "images.arm64").step("COPY --from=banner-0 /banner.txt /etc/banner.txt")
    view.reporter("app", "app#build-0").log("Successfully tagged x")
    clock.now += 2.5
    view.pipeline("images.arm64", "done", "pushed by digest sha256:abc")
    view.pipeline("release", "skipped", "needs images.amd64, which failed")
    assert out.getvalue().splitlines() == [
        "10:15:00 planrun: engine buildah",
        "10:15:00 [images.arm64] running",
        "10:15:00 [images.arm64] COPY --from=banner-0 /banner.txt /etc/banner.txt",
        "10:15:00 [app] (#build-0) | Successfully tagged x",
        "10:15:00 [images.arm64] done in 2.5s: pushed by digest sha256:abc",
        "10:15:00 [release] skipped: needs images.amd64, which failed",
    ]


def test_the_live_table_redraws_in_place() -> None:
    out, clock = io.StringIO(), Clock()
    view = TtyProgress(out, [("images.amd64", "linux/amd64"), ("release", "linux/amd64")], clock, width=lambda: 80)
    view.pipeline("images.amd64", "running")
    first = out.getvalue()
    assert first.count("\n") == 2
    assert "▸ images.amd64 linux/amd64   running      0.0s" in first
    assert "· release      linux/amd64   waiting\n" in first
    clock.now += 1
    view.reporter("images.amd64", "images.amd64").step("RUN make")
    second = out.getvalue()[len(first) :]
    # Cursor up two lines, clear, then both rows again.
    assert second.startswith("\x1b[2F\x1b[J")
    assert "running      1.0s RUN make" in second
    clock.now += 1.5
    view.pipeline("images.amd64", "done", "sha256:abc")
    assert "✔ images.amd64 linux/amd64   done         2.5s sha256:abc" in out.getvalue()


def test_the_live_table_is_throttled_but_state_changes_always_draw() -> None:
    out, clock = io.StringIO(), Clock()
    view = TtyProgress(out, [("a", "linux/amd64")], clock, width=lambda: 80, interval=0.1)
    view.pipeline("a", "running")
    size = len(out.getvalue())
    for index in range(50):
        view.reporter("a", "a").log(f"line {index}")  # same instant: not redrawn
    assert len(out.getvalue()) == size
    view.pipeline("a", "failed", "exit 1")
    assert out.getvalue().rstrip().endswith("exit 1")


def test_long_details_are_cut_to_the_terminal_width() -> None:
    out = io.StringIO()
    view = TtyProgress(out, [("a", "linux/amd64")], Clock(), width=lambda: 50)
    view.pipeline("a", "running", "x" * 200)
    assert all(len(line) <= 49 for line in out.getvalue().replace("\x1b[J", "").splitlines())


def test_auto_is_plain_when_not_on_a_terminal() -> None:
    assert isinstance(make_progress("auto", io.StringIO(), []), PlainProgress)
    assert isinstance(make_progress("tty", io.StringIO(), []), TtyProgress)
