"""Tables an Engine fills from what requests name (actions, services), kept bounded.

Keys come from requests, so a table that outgrows any real use (4,096 actions or
services) starts over rather than grow with hostile or endless input.
"""

from __future__ import annotations

from itertools import islice
from typing import TypeVar

LIMIT = 4096

_K = TypeVar("_K")
_V = TypeVar("_V")


def kept(table: dict[str, _V], key: str, value: _V) -> _V:
    """Keep `value` under `key`, emptying the table first when it is full; return `value`."""
    if len(table) > LIMIT:
        table.clear()
    table[key] = value
    return value


# A full bounded table drops this share of its entries at once (oldest first).
_DROP_SHARE = 16


def drop_oldest(table: dict[_K, _V], limit: int) -> None:
    """Make room in a table holding `limit` entries: drop its oldest sixteenth (insertion order).

    Not one entry per insertion: a dict's iterator steps over every slot emptied since the
    dict last resized, so `next(iter(table))` on a full table that keeps evicting reads
    thousands of dead slots each time. A batch pays that walk once per `limit // 16`
    insertions, and a table keeps at least fifteen sixteenths of what it may hold.
    """
    for key in list(islice(table, max(1, limit // _DROP_SHARE))):
        del table[key]


class SeenBefore:
    """Hashes of recently seen keys, to keep only what comes back (bounded).

    Most policies and inputs of a batch of distinct requests are seen once: keeping each
    until a bounded cache drops it means freeing it later, from memory long gone cold,
    and crowding out the few that repeat. A cache that asks this first keeps only what
    was seen before. Two generations of at most `limit` hashes each: when the current one
    is full it becomes the previous one (the oldest generation is dropped at once, so
    the cost per key stays flat). Two keys of the same hash only make one of them kept.
    """

    __slots__ = ("_current", "_limit", "_previous")

    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._current: set[int] = set()
        self._previous: set[int] = set()

    def check(self, digest: int) -> bool:
        """Whether `digest` was noted recently; notes it when not."""
        if digest in self._current or digest in self._previous:
            return True
        if len(self._current) >= self._limit:
            self._previous = self._current
            self._current = set()
        self._current.add(digest)
        return False
