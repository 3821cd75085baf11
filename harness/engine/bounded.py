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
