"""The server's garbage collection between keystrokes."""

from __future__ import annotations

import asyncio
import gc
import time

from plancheck.lsp.collector import IdleCollector


def test_collects_once_things_are_quiet() -> None:
    async def main() -> int:
        collector = IdleCollector(idle_seconds=0.02)
        for _ in range(3):  # a burst of changes: one collection after the last
            collector.activity()
        deadline = time.monotonic() + 5
        while collector.collections == 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.05)
        return collector.collections

    gc.disable()
    try:
        assert asyncio.run(main()) == 1
    finally:
        gc.enable()


def test_collects_right_after_publishing_when_garbage_piled_up() -> None:
    collector = IdleCollector(max_pending=-1)
    gc.disable()
    try:
        collector.published()
        assert collector.collections == 1
    finally:
        gc.enable()


def test_leaves_collection_alone_when_it_was_not_taken_over() -> None:
    collector = IdleCollector(max_pending=-1)
    assert gc.isenabled()
    collector.published()
    assert collector.collections == 0
