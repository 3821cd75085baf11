"""Tables an Engine fills from what requests name (actions, services), kept bounded.

Keys come from requests, so a table that outgrows any real use (4,096 actions or
services) starts over rather than grow with hostile or endless input.
"""

from __future__ import annotations

from typing import TypeVar

LIMIT = 4096

_V = TypeVar("_V")


def kept(table: dict[str, _V], key: str, value: _V) -> _V:
    """Keep `value` under `key`, emptying the table first when it is full; return `value`."""
    if len(table) > LIMIT:
        table.clear()
    table[key] = value
    return value


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
