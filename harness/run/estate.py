"""The run's estate table: the facts of every resource a cell covers, once per resource.

A cell whose resource came from a selector answers for other resources too (its `covers`: a key
stands for the volumes it encrypts, their instances and snapshots). A record names them by ARN
only; what a readiness view needs of each (kind, account, Region, instance id and Name tag, key
ARN) is stored once per run, in the run result's top-level `estate` list, not once per cell:
every cell on one key would otherwise repeat the facts of all its volumes.

An entry is one `harness.account.resources.Covered` as plain strings (`ESTATE_FIELDS`); a volume
attached to two instances is two entries, one per instance, so entries are keyed by ARN and
instance id. The table is bounded by the estate (the resources the model holds), never by cells.

Entries read from a file are checked (`check_estate`): a run result whose estate is not a list of
objects with string fields is refused with the entry and field named, never half read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

ESTATE_FIELDS = ("arn", "kind", "account", "region", "instance_id", "instance_name", "key_arn")


class CoveredLike(Protocol):
    """What a record reads of a covered resource (harness.account.resources.Covered)."""

    arn: str
    kind: Any  # a ResourceKind (a str enum) or its text
    account: str
    region: str
    instance_id: str
    instance_name: str
    key_arn: str


class EstateError(ValueError):
    """An estate entry that is not one: names the entry and its field."""


def estate_entry(covered: CoveredLike) -> dict[str, str]:
    """One covered resource as an estate entry (every field a string, "" when unknown)."""
    return {name: str(getattr(covered, name, "") or "") for name in ESTATE_FIELDS}


def covered_arns(covers: Sequence[CoveredLike]) -> list[str]:
    """The distinct ARNs a cell covers, in the order given (a volume on two instances is one ARN)."""
    return list(dict.fromkeys(c.arn for c in covers))


class EstateTable:
    """Estate entries gathered from records, each (ARN, instance id) once, the first facts kept."""

    def __init__(self, entries: Iterable[Mapping[str, Any]] = ()) -> None:
        self._entries: dict[tuple[str, str], dict[str, str]] = {}
        self.add(entries)

    def add(self, entries: Iterable[Mapping[str, Any]]) -> None:
        found = self._entries
        for entry in entries:
            key = (str(entry.get("arn", "")), str(entry.get("instance_id", "") or ""))
            if key not in found:
                found[key] = {name: str(entry.get(name, "") or "") for name in ESTATE_FIELDS}

    def __len__(self) -> int:
        return len(self._entries)

    def rows(self) -> list[dict[str, str]]:
        """Every entry, ordered by ARN and instance id (a written run does not depend on cell order)."""
        return [self._entries[key] for key in sorted(self._entries)]


def check_estate(value: Any) -> list[dict[str, str]]:
    """The entries of a run result's `estate` as read from a file; EstateError naming what is wrong."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise EstateError("field 'estate' must be a list")
    out = []
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise EstateError(f"estate[{i}] must be an object")
        if not isinstance(entry.get("arn"), str) or not entry["arn"]:
            raise EstateError(f"estate[{i}]: field 'arn' must be a non-empty string")
        for name in ESTATE_FIELDS:
            if not isinstance(entry.get(name, ""), str):
                raise EstateError(f"estate[{i}] ({entry['arn']}): field '{name}' must be a string")
        out.append({name: entry.get(name, "") for name in ESTATE_FIELDS})
    return out
