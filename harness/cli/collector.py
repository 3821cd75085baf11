"""How often the cyclic garbage collector runs in a command-line process.

The simulate commands build many long-lived objects (compiled policies and
patterns in the Engine's caches, results) and few reference cycles; at the
default thresholds the collector rescans them every 700 allocations, about a
fifth of a batch's time. `QUIET` still collects cycles, every 50,000
allocations, so memory stays flat.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

QUIET = (50_000, 20, 20)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect at the `QUIET` thresholds while a command runs in this process, then restore them."""
    before = gc.get_threshold()
    gc.set_threshold(*QUIET)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def quiet_process() -> None:
    """A process that runs one command: `QUIET` thresholds from the start, so no
    restore sets off a full collection at the end (`fewer_collections` restores
    these same values)."""
    gc.set_threshold(*QUIET)


def skip_exit_collection() -> None:
    """The process is about to end: what it built (an Engine's caches, a batch's
    results) is frozen, so the collector does not scan it all once more as the
    interpreter exits (about a tenth of a 4,000-request batch); the operating
    system reclaims it."""
    gc.freeze()
