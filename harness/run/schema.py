"""The cell record: one cell and its result, flattened, as every form of the run result holds it,
and the schema's name and versions. Below the run result and its streaming, which both use it.

Field names are stable; new fields may be added in a minor change (see harness/run/result.py for
the document around the records).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.cells import Cell, CellResult, DecidingStatement, Outcome, judge
from harness.run.estate import covered_arns, estate_entry

SCHEMA = "iam-harness/run-result"
SCHEMA_VERSION = 3
# Versions RunResult.from_dict reads: they differ in layout and in the fields left out, not in meaning.
READABLE_VERSIONS = (1, 2, 3)


@dataclass
class CellRecord:
    id: str
    principal: str
    action: str
    resource: str
    expected: str
    actual: str  # allowed | explicitDeny | implicitDeny | error | skipped (not evaluated)
    outcome: str  # passed | failed | error | skipped
    backend: str
    enforced: str | None = None
    advisory: str | None = None
    reason: str = ""
    scenario: str = ""
    file: str = ""
    line: int = 0
    mode: str = "custom"
    deciding_statements: list[dict[str, Any]] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    missing_context: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    other: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    context: list[dict[str, Any]] = field(default_factory=list)
    # compare mode: why the offline engine and AWS disagreed (the cell then fails).
    disagreement: str | None = None
    # True when the scenario judged the enforced decision (what the service does), not the simulator's.
    check_enforced: bool = False
    # Account the cell was evaluated in; empty means metadata["account"] (set by `report merge`).
    account: str = ""
    # How the answer was obtained when not the plain way ("stand-in caller": AWS backend, role caller).
    via: str | None = None
    # Why the cell was not evaluated (outcome `skipped`: the account model does not hold what it is about).
    skip_reason: str | None = None
    # The ARNs of the estate resources the cell answers for (a selected key: the volumes it
    # encrypts, their instances and snapshots); [] for a cell on a resource written by hand.
    covers: list[str] = field(default_factory=list)
    # A failed cell's fix (harness.cells.Fix.to_dict()): the change that unblocks it, verified or not.
    fix: dict[str, Any] | None = None
    # The facts of the covered resources (harness/run/estate.py), as the cell hands them to the run's
    # writer, which keeps each resource's once, in the run's `estate` table: a record read back from
    # a written run has none here (look them up in `RunResult.estate`).
    estate: list[dict[str, str]] = field(default_factory=list)
    # The planned change (--iam-plan) the cell depends on: {kind, address | logical_id, file, line}.
    source: dict[str, Any] | None = None
    # The resource policy the scenario named itself (`policies.NAME`, or `none`); None when it comes
    # from the account model or the backend. Two scenarios asking the same request with different
    # key policies ask different questions, and drift must not pair them.
    resource_policy: str | None = None
    # `principals: external`: "unknown" when the principal's own account is not in the model (the
    # cell answers for the resource's side only), "model" when it is.
    other_side: str | None = None

    @classmethod
    def from_cell(cls, cell: Cell, result: CellResult) -> CellRecord:
        """The record of a decided cell. Cheap: fresh shallow lists, no deep copy; a passing cell's
        explanation is never read (it may be rendered lazily, and run.json does not keep it)."""
        outcome = judge(cell, result)
        covers = cell.covers
        return cls(
            id=cell.id,
            principal=cell.principal_label or cell.subject.label,
            action=cell.action,
            resource=cell.resource,
            expected=cell.expected.value,
            actual=result.decision.value,  # the record is JSON: plain strings
            outcome=outcome.value,
            backend=result.backend,
            enforced=result.enforced_decision.value if result.enforced_decision else None,
            advisory=result.advisory,
            reason=cell.reason,
            scenario=cell.source.scenario,
            file=cell.source.file,
            line=cell.source.line,
            mode=cell.subject.mode,
            deciding_statements=[statement_dict(s) for s in result.deciding_statements],
            explanation=[] if outcome is Outcome.PASSED else list(result.explanation),
            missing_context=list(result.missing_context),
            warnings=list(result.warnings),
            error=result.error,
            other=dict(result.other),
            tags=list(cell.tags),
            check_enforced=cell.check_enforced,
            disagreement=result.disagreement,
            via=result.via,
            context=[{"key": e.key, "values": list(e.values), "type": e.type} for e in cell.context],
            covers=covered_arns(covers) if covers else [],
            fix=result.fix.to_dict() if result.fix is not None and outcome is Outcome.FAILED else None,
            estate=[estate_entry(c) for c in covers] if covers else [],
            source=result.source,
            resource_policy=named_resource_policy(cell),
            other_side=cell.other_side,
        )

    @classmethod
    def from_skipped_cell(cls, cell: Cell) -> CellRecord:
        """The record of a cell the account model cannot answer (Cell.skip_reason): not evaluated, so
        `actual` is `skipped` and there is no enforced decision; never a pass."""
        return cls(
            id=cell.id,
            principal=cell.principal_label or cell.subject.label,
            action=cell.action,
            resource=cell.resource,
            expected=cell.expected.value,
            actual=Outcome.SKIPPED.value,
            outcome=Outcome.SKIPPED.value,
            backend="",
            reason=cell.reason,
            scenario=cell.source.scenario,
            file=cell.source.file,
            line=cell.source.line,
            mode=cell.subject.mode,
            tags=list(cell.tags),
            check_enforced=cell.check_enforced,
            context=[{"key": e.key, "values": list(e.values), "type": e.type} for e in cell.context],
            skip_reason=cell.skip_reason,
            # Covered volumes read `error` in the readiness view, never `ready`.
            covers=covered_arns(cell.covers) if cell.covers else [],
            estate=[estate_entry(c) for c in cell.covers] if cell.covers else [],
            resource_policy=named_resource_policy(cell),
            other_side=cell.other_side,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CellRecord:
        known = cls.__dataclass_fields__  # a dict: look names up in it, no set built per cell
        return cls(**{k: v for k, v in data.items() if k in known})


def statement_dict(s: DecidingStatement) -> dict[str, Any]:
    # By hand rather than dataclasses.asdict, whose recursive deep copy is slow per cell.
    return {
        "policy_id": s.policy_id,
        "policy_type": s.policy_type,
        "sid": s.sid,
        "effect": s.effect,
        "start_line": s.start_line,
        "start_column": s.start_column,
        "end_line": s.end_line,
        "end_column": s.end_column,
        "origin": s.origin,
    }


def named_resource_policy(cell: Cell) -> str | None:
    """`policies.NAME` (or `none`) when the scenario named the cell's resource policy, else None."""
    if not cell.resource_policy_named:
        return None
    if cell.resource_policy is None:
        return "none"
    return cell.resource_policy.origin.split(" (", 1)[0]  # the name, without the file it came from
