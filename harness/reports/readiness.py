"""The readiness view: every covered EBS volume, and whether the run says it can be acquired.

A cell whose resource came from a selector covers estate resources (its record's `covers`, the
facts in the run's `estate` table: harness/run/estate.py). This view answers, per volume: which
account, Region, instance (and its Name tag) and key, and is the volume `ready`, `blocked` or
`error`:

- `blocked`: at least one cell covering the volume failed (its decision was not the one the
  scenario expects, whatever it expected: a deny that turned allowed is a finding on that
  volume too); the blocking cells are the failed ones;
- `error`: no covering cell failed, but at least one could not be evaluated (an error cell, or
  a cell skipped because the account model cannot answer it: never a pass, so never a ready
  volume); the blocking cells are those;
- `ready`: every covering cell passed.

A cell counts against a volume when the volume's ARN is in its `covers` (a key's cell covers the
volumes it encrypts, a volume's cell the volume, an instance's cell its volumes). A volume
attached to several instances is one row naming each. A covered volume whose facts the run lacks
(a hand-made run) still gets its row, its account and Region read from its ARN
(`arn:PARTITION:ec2:REGION:ACCOUNT:volume/VOLUME_ID`,
https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-resources-for-iam-policies).

Memory: one state per covered volume (bounded by the estate) and the ids of the cells that block
it (bounded by failures and errors), never anything per passing cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from harness.run.result import CellRecord

VOLUME_KIND = "ec2:volume"
_VOLUME_MARK = ":volume/"


class Verdict(StrEnum):
    READY = "ready"
    BLOCKED = "blocked"
    ERROR = "error"


# Worst first: what needs doing comes first in every format.
VERDICT_RANK = {Verdict.BLOCKED: 0, Verdict.ERROR: 1, Verdict.READY: 2}


@dataclass
class VolumeState:
    """What the pass learnt of one volume: how many cells covered it, which failed, which errored."""

    cells: int = 0
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        if self.failed:
            return Verdict.BLOCKED
        if self.errors:
            return Verdict.ERROR
        return Verdict.READY

    @property
    def blocking(self) -> list[str]:
        return self.failed if self.failed else self.errors


@dataclass(frozen=True)
class ReadinessRow:
    account: str
    region: str
    volume_id: str
    volume_arn: str
    instance_ids: tuple[str, ...]
    instance_names: tuple[str, ...]
    key_arn: str
    verdict: Verdict
    cells: int
    blocking_cells: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "account": self.account,
            "region": self.region,
            "volume_id": self.volume_id,
            "volume_arn": self.volume_arn,
            "instance_ids": list(self.instance_ids),
            "instance_names": list(self.instance_names),
            "key_arn": self.key_arn,
            "verdict": self.verdict.value,
            "cells": self.cells,
            "blocking_cells": list(self.blocking_cells),
        }


class Readiness:
    """The readiness view, filled one cell at a time (`add`), read at the end (`rows`)."""

    def __init__(self, estate: Iterable[Mapping[str, str]] = ()) -> None:
        # Per volume ARN, its estate entries (one per instance it is attached to).
        self._facts: dict[str, list[Mapping[str, str]]] = {}
        for entry in estate:
            if entry.get("kind") == VOLUME_KIND:
                self._facts.setdefault(entry["arn"], []).append(entry)
        self._states: dict[str, VolumeState] = {}
        self.cells = 0  # cells that covered anything

    def add(self, cell: CellRecord) -> None:
        """Count one cell against every volume it covers (a cell covering nothing costs a test)."""
        if not cell.covers:
            return
        self.cells += 1
        for arn in cell.covers:
            if not isinstance(arn, str) or (arn not in self._facts and _VOLUME_MARK not in arn):
                continue  # an instance, a snapshot, a key: rows are volumes
            state = self._states.get(arn)
            if state is None:
                state = self._states[arn] = VolumeState()
            state.cells += 1
            if cell.outcome == "failed":
                state.failed.append(cell.id)
            elif cell.outcome != "passed":
                state.errors.append(cell.id)

    @property
    def covered(self) -> bool:
        """True when any cell covered anything: the reports then show the view."""
        return self.cells > 0

    def rows(self) -> list[ReadinessRow]:
        """One row per covered volume: blocked first, then error, then ready; then account, Region, id."""
        rows = [self._row(arn, state) for arn, state in self._states.items()]
        rows.sort(key=lambda r: (VERDICT_RANK[r.verdict], r.account, r.region, r.volume_id, r.volume_arn))
        return rows

    def counts(self) -> dict[str, int]:
        out = {verdict.value: 0 for verdict in Verdict}
        for state in self._states.values():
            out[state.verdict.value] += 1
        return out

    def _row(self, arn: str, state: VolumeState) -> ReadinessRow:
        facts = self._facts.get(arn) or []
        account, region = _arn_place(arn)
        attached = [f for f in facts if f.get("instance_id")]
        return ReadinessRow(
            account=next((f["account"] for f in facts if f.get("account")), account),
            region=next((f["region"] for f in facts if f.get("region")), region),
            volume_id=arn.rsplit("/", 1)[-1],
            volume_arn=arn,
            instance_ids=tuple(f["instance_id"] for f in attached),
            instance_names=tuple(f.get("instance_name", "") for f in attached),
            key_arn=next((f["key_arn"] for f in facts if f.get("key_arn")), ""),
            verdict=state.verdict,
            cells=state.cells,
            blocking_cells=tuple(dict.fromkeys(state.blocking)),
        )


def _arn_place(arn: str) -> tuple[str, str]:
    """(account, Region) of an EC2 ARN, "" where the ARN does not say."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return "", ""
    return parts[4], parts[3]
