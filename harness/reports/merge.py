"""Merge run results of several accounts or shards into one run.

An organization runs one job per account (or per shard) and merges the
results for one report. Each cell is stamped with its run's account, so the
same scenario run in two accounts stays two cells. The same cell (account and
id) in two inputs is a duplicate: identical answers are kept once, differing
answers are a conflict, reported with both sources (the first input wins in
the merged run, so the report stays complete, but the merge says so).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from harness.run.estate import EstateTable
from harness.run.result import CellRecord, RunResult

# Fields that make two records of the same cell disagree.
_ANSWER_FIELDS = ("expected", "actual", "enforced", "advisory", "outcome", "error")


@dataclass(frozen=True)
class MergeConflict:
    account: str
    cell_id: str
    kept_from: str
    dropped_from: str
    differences: dict[str, tuple[Any, Any]]

    def describe(self) -> str:
        diffs = ", ".join(f"{k}: {a!r} vs {b!r}" for k, (a, b) in self.differences.items())
        where = f"{self.account}/" if self.account else ""
        return f"{where}{self.cell_id}: {self.kept_from} and {self.dropped_from} disagree ({diffs})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "cell_id": self.cell_id,
            "kept_from": self.kept_from,
            "dropped_from": self.dropped_from,
            "differences": {k: list(v) for k, v in self.differences.items()},
        }


@dataclass
class MergeResult:
    run: RunResult
    conflicts: list[MergeConflict] = field(default_factory=list)
    duplicates: int = 0  # identical duplicates kept once


def _union(items: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    seen: dict[tuple, dict[str, Any]] = {}
    for item in items:
        seen.setdefault(tuple(item.get(k) for k in keys), item)
    return list(seen.values())


def _merged_metadata(inputs: Sequence[tuple[str, RunResult]]) -> dict[str, Any]:
    metas = [(label, run.metadata) for label, run in inputs]

    def distinct(key: str) -> list[Any]:
        out: list[Any] = []
        for _, m in metas:
            v = m.get(key)
            if v not in (None, "") and v not in out:
                out.append(v)
        return out

    def single_or_list(key: str) -> Any:
        values = distinct(key)
        return values[0] if len(values) == 1 else (values or None)

    started = [m["started"] for _, m in metas if m.get("started")]
    finished = [m["finished"] for _, m in metas if m.get("finished")]
    return {
        "merged": True,
        "tool_version": single_or_list("tool_version"),
        "backend": single_or_list("backend"),
        "account": single_or_list("account"),
        "accounts": distinct("account"),
        "caller_arn": single_or_list("caller_arn"),
        "region": single_or_list("region"),
        "partition": single_or_list("partition"),
        # ISO-8601 timestamps in UTC compare correctly as strings.
        "started": min(started) if started else None,
        "finished": max(finished) if finished else None,
        # Partial inputs may or may not add up to a whole: only all-complete inputs make a complete merge.
        "complete": all(m.get("complete", True) is not False for _, m in metas),
        "scenario_files": _union(
            [f for _, m in metas for f in m.get("scenario_files", [])], ("path", "sha256")
        ),
        "policy_documents": _union(
            [d for _, m in metas for d in m.get("policy_documents", [])], ("id", "origin", "sha256")
        ),
        "sources": [
            {
                "label": label,
                **{
                    k: m.get(k)
                    for k in (
                        "account",
                        "backend",
                        "caller_arn",
                        "region",
                        "started",
                        "finished",
                        "tool_version",
                        "complete",
                    )
                },
                "shard": m.get("shard"),
            }
            for label, m in metas
        ],
    }


def merge(inputs: Sequence[tuple[str, RunResult]]) -> MergeResult:
    """Merge `(label, run)` pairs (label: usually the file name) into one run."""
    cells: list[CellRecord] = []
    origin: dict[tuple[str, str], tuple[str, CellRecord]] = {}
    conflicts: list[MergeConflict] = []
    duplicates = 0
    errors: list[dict[str, Any]] = []
    estate = EstateTable()  # an ARN names its account: the same resource in two inputs is one
    for label, run in inputs:
        estate.add(run.estate)
        account = str(run.metadata.get("account") or "")
        for cell in run.cells:
            stamped = cell if cell.account or not account else replace(cell, account=account)
            key = (stamped.account, stamped.id)
            if key in origin:
                kept_label, kept = origin[key]
                differences = {
                    f: (getattr(kept, f), getattr(stamped, f))
                    for f in _ANSWER_FIELDS
                    if getattr(kept, f) != getattr(stamped, f)
                }
                if differences:
                    conflicts.append(
                        MergeConflict(stamped.account, stamped.id, kept_label, label, differences)
                    )
                else:
                    duplicates += 1
                continue
            origin[key] = (label, stamped)
            cells.append(stamped)
        errors.extend({**e, "source": label} for e in run.errors)
    metadata = _merged_metadata(inputs)
    metadata["merge"] = {
        "inputs": len(inputs),
        "duplicates": duplicates,
        "conflicts": [c.to_dict() for c in conflicts],
    }
    merged = RunResult(metadata=metadata, cells=cells, errors=errors, estate=estate.rows())
    return MergeResult(merged, conflicts, duplicates)
