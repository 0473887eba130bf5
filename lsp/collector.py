"""Garbage collection while the user is not typing.

A check leaves a large graph of objects alive (the package's chunks, parses
and diagnostics for the next incremental check); Python's cyclic collector
would now and then traverse all of it in the middle of a keystroke's check,
adding hundreds of milliseconds to that one. The server therefore turns
automatic collection off and collects when nothing happened for a moment, or
right after publishing when much garbage has piled up (the diagnostics are
out by then; a burst of typing cannot grow memory without bound).
"""

from __future__ import annotations

import asyncio
import gc
import logging

log = logging.getLogger(__name__)


class IdleCollector:
    def __init__(self, idle_seconds: float = 1.0, max_pending: int = 2_000_000) -> None:
        self.idle_seconds = idle_seconds
        #: container objects allocated (net) since the last collection that force one
        self.max_pending = max_pending
        self._timer: asyncio.TimerHandle | None = None
        self.collections = 0

    def install(self) -> None:
        """Take over from the automatic collector (once, at server start)."""
        gc.collect()
        gc.freeze()  # what the imports created lives as long as the process
        gc.disable()

    def activity(self) -> None:
        """Something happened (a change, a request): collect later, once it is quiet."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # driven without an event loop (tests)
        self._timer = loop.call_later(self.idle_seconds, self.collect)

    def published(self) -> None:
        """A check's diagnostics went out: collect now if garbage piled up, else when idle."""
        if gc.get_count()[0] > self.max_pending:
            self.collect()
        else:
            self.activity()

    def collect(self) -> None:
        self._timer = None
        if gc.isenabled():
            return  # automatic collection is on (not installed): nothing to do
        found = gc.collect()
        self.collections += 1
        log.debug("collected %d objects", found)
