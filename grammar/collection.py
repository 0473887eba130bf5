"""Pausing Python's cyclic garbage collector around allocation-heavy work.

Parsing and evaluation build large graphs of small objects without garbage
cycles worth collecting mid-way; a collection in the middle walks all of
them (and whatever else is alive), which costs more than the work itself.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused_gc() -> Iterator[None]:
    """No automatic cyclic collection inside the block; the previous setting after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
