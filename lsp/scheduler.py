"""Debounced, superseding checks, one queue per package.

A change schedules a check of its package after a short delay; a newer change
to the same package before the check starts cancels it, and a check that
finishes after a newer change was scheduled is dropped, so an older version's
diagnostics are never published after a newer one's. Checks run one at a
time on a worker thread, keeping the event loop free to answer requests.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Executor
from typing import Callable, Generic, TypeVar

log = logging.getLogger(__name__)

S = TypeVar("S")
R = TypeVar("R")


class CheckScheduler(Generic[S, R]):
    def __init__(
        self,
        *,
        snapshot: Callable[[str], S],
        check: Callable[[S], R],
        publish: Callable[[R], None],
        on_error: Callable[[str, BaseException], None],
        executor: Executor,
    ) -> None:
        self._snapshot = snapshot
        self._check = check
        self._publish = publish
        self._on_error = on_error
        self._executor = executor
        self._generation: dict[str, int] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def schedule(self, key: str, delay: float) -> None:
        """Check package ``key`` after ``delay`` seconds unless a newer request comes first."""
        generation = self._generation.get(key, 0) + 1
        self._generation[key] = generation
        previous = self._tasks.get(key)
        if previous is not None and not previous.done():
            previous.cancel()
        self._tasks[key] = asyncio.get_running_loop().create_task(self._run(key, generation, delay))

    def forget(self, key: str) -> None:
        """Drop pending work for ``key`` (its last buffer closed)."""
        self._generation[key] = self._generation.get(key, 0) + 1
        task = self._tasks.pop(key, None)
        if task is not None and not task.done():
            task.cancel()

    def pending(self) -> bool:
        return any(not t.done() for t in self._tasks.values())

    async def _run(self, key: str, generation: int, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            if self._generation.get(key) != generation:
                return
            # Taken on the event loop, so the buffers and their versions are consistent.
            snapshot = self._snapshot(key)
            result = await asyncio.get_running_loop().run_in_executor(self._executor, self._check, snapshot)
            if self._generation.get(key) != generation:
                return  # superseded while it ran: the newer check publishes
            self._publish(result)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a failed check must not take the server down
            log.exception("check of %s failed", key)
            self._on_error(key, exc)
