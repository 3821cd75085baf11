"""How often the cyclic garbage collector runs in a command-line process.

The simulate commands build many long-lived objects (compiled policies and
patterns in the Engine's caches, results) and few reference cycles; at the
default thresholds the collector rescans them every 700 allocations, about a
fifth of a batch's time. `QUIET` still collects cycles, every 50,000
allocations, so memory stays flat.

A batch (`--cli-input-jsonl`) goes further: answering a line builds no
reference cycle (tests/cli/test_collector.py checks it), so everything a line
built is freed by reference counting when the next line starts, and what a
collection would scan is only the Engine's caches, filling up (about 6% of a
4,000-request batch at `QUIET`). Automatic collection is off while the batch
runs, and a full collection every `COLLECT_EVERY` lines bounds what any cycle
could still hold.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

QUIET = (50_000, 20, 20)
COLLECT_EVERY = 10_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect at the `QUIET` thresholds while a command runs in this process, then restore them."""
    before = gc.get_threshold()
    gc.set_threshold(*QUIET)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def collections_between_lines(every: int = COLLECT_EVERY) -> Iterator[Callable[[], None]]:
    """No automatic collection while a batch runs; call the function given once per line
    answered, and every `every` lines it collects. The collector is as it was afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    answered = 0

    def line_answered() -> None:
        nonlocal answered
        answered += 1
        if answered % every == 0:
            gc.collect()

    try:
        yield line_answered
    finally:
        if gc.get_freeze_count() == 0:  # (nobody else's frozen objects to thaw)
            # What the batch still holds (the Engine's caches) joins the oldest generation
            # unscanned and the count of new objects starts again, so turning the collector
            # back on does not set off one collection over all of it.
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


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
