"""`--lf` with grouped items reruns the failed cells of the failed groups, not the whole groups.

pytest's cache remembers failed items by node id, so a failed group is selected again as a whole;
the harness keeps, in the same cache, which of each group's cells failed or errored, and narrows a
rerun group to them. A group whose remembered cells are all gone (the file changed) runs whole.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from harness.plugin.items import CellGroupItem

CACHE_KEY = "iam-harness/failed-cells"


def narrow_to_failed(config: pytest.Config, items: list[pytest.Item]) -> int:
    """Narrow the groups `--lf` reruns to their failed cells; returns how many cells were dropped."""
    cache = getattr(config, "cache", None)
    if cache is None or not config.getoption("lf", False):
        return 0
    lastfailed = cache.get("cache/lastfailed", {})
    failed_cells = cache.get(CACHE_KEY, {})
    dropped = 0
    for item in items:
        if not isinstance(item, CellGroupItem) or item.nodeid not in lastfailed:
            continue
        wanted = set(failed_cells.get(item.nodeid) or ())
        kept = [(i, c) for i, c in item.cells if c.id in wanted]
        if kept:
            dropped += len(item.cells) - len(kept)
            item.cells = kept
    return dropped


def save_failed(config: pytest.Config, ran: Mapping[str, list[str]]) -> None:
    """Remember the failed cells of the groups that ran (a group that passed is forgotten)."""
    cache = getattr(config, "cache", None)
    if cache is None or not ran:
        return
    stored = dict(cache.get(CACHE_KEY, {}))
    stored.update(ran)
    cache.set(CACHE_KEY, {nodeid: cells for nodeid, cells in stored.items() if cells})
