"""The harness's unit of work: a cell (principal x action x resource) and its result.

Scenarios expand into cells; backends evaluate cells in batches; reports render
cell results. Backends never see YAML and reports never see backends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from harness.account.resources import Covered
from harness.engine.types import ContextEntry, Explanation, PolicySource


class Expectation(StrEnum):
    """What a scenario says must happen.

    `denied` accepts either kind of deny; the others must match exactly.
    """

    ALLOWED = "allowed"
    DENIED = "denied"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"

    def accepts(self, decision: CellDecision) -> bool:
        if self is Expectation.DENIED:
            return decision in (CellDecision.EXPLICIT_DENY, CellDecision.IMPLICIT_DENY)
        return decision == self.value


class CellDecision(StrEnum):
    """A backend's answer for a cell: the simulator's EvalDecision, or `error` when it could not be
    evaluated (never allowed, never a pass). The engine's `Decision` values are the first three."""

    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"
    ERROR = "error"


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    # Not asked: the account model does not hold what the cell is about (Cell.skip_reason). Never a pass.
    SKIPPED = "skipped"


@dataclass(frozen=True)
class SourceRef:
    """Where a cell was written: scenario file, line, scenario name."""

    file: str
    line: int
    scenario: str


@dataclass(frozen=True)
class Subject:
    """Who asks, and with which policies.

    Principal mode: `principal_arn` names an identity in the account (AWS
    backend: SimulatePrincipalPolicy; offline: the account model).
    Custom mode: `identity_policies` are documents (SimulateCustomPolicy).
    """

    principal_arn: str | None = None
    identity_policies: tuple[PolicySource, ...] = ()
    permissions_boundaries: tuple[PolicySource, ...] = ()
    session_policies: tuple[PolicySource, ...] = ()
    caller_arn: str | None = None

    @property
    def mode(self) -> str:
        return "principal" if self.principal_arn else "custom"

    @property
    def label(self) -> str:
        """The name a report shows in the principal column."""
        return self.principal_arn or self.caller_arn or "+".join(p.source_id for p in self.identity_policies)


@dataclass(frozen=True)
class Cell:
    """One test: does `subject` get `action` on `resource`, and is that what was expected?"""

    id: str
    source: SourceRef
    subject: Subject
    action: str
    resource: str
    expected: Expectation
    principal_label: str = ""
    reason: str = ""
    resource_policy: PolicySource | None = None
    resource_owner: str | None = None
    context: tuple[ContextEntry, ...] = ()
    scp_levels: tuple[tuple[PolicySource, ...], ...] = ()
    rcp_levels: tuple[tuple[PolicySource, ...], ...] = ()
    # Exclude these account policies in principal mode (SimulatePrincipalPolicy PolicyExclusionList).
    policy_exclusions: tuple[str, ...] = ()
    # Compare the enforced decision (what the service does) rather than the simulator's.
    check_enforced: bool = False
    tags: tuple[str, ...] = ()
    # The scenario names `resource_policy` (a policy, or `none`): backends must not look one up.
    resource_policy_named: bool = False
    # The estate resources this cell answers for, when its resource was selected from the account
    # model (`select:` in `resources:`): a key's volumes, snapshots and instances, a volume and its
    # instance. Empty for a resource written as an ARN.
    covers: tuple[Covered, ...] = ()
    # A principal outside the account model (`principals: external`): "unknown" when its own
    # account's side is not in the model, so the answer is the resource's side alone.
    other_side: str | None = None
    # Why the account model cannot answer this cell (an account or optional principal it does not
    # hold, harness/scenarios/skips.py): the cell is skipped, never evaluated, never a pass.
    skip_reason: str = ""


@dataclass(frozen=True)
class DecidingStatement:
    """A statement that decided a cell, with enough to show it in a report."""

    policy_id: str
    policy_type: str
    sid: str | None
    effect: str
    start_line: int
    start_column: int
    end_line: int
    end_column: int
    origin: str = ""


class ChangeKind(StrEnum):
    """What a fix does to one policy: an explicit deny cannot be outweighed, only removed."""

    ADD_STATEMENT = "add_statement"
    REMOVE_STATEMENT = "remove_statement"


@dataclass(frozen=True)
class PolicyChange:
    """One change to one policy: `target` is the ARN of the resource (key, bucket) or principal
    whose policy changes; `policy` names which one (`key_policy`, `bucket_policy`, `trust_policy`,
    or the name of an inline policy of the principal); `statement` is the JSON statement added or
    removed, as it is pasted into the policy."""

    action: ChangeKind
    target: str
    policy: str
    statement: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": str(self.action),
            "target": self.target,
            "policy": self.policy,
            "statement": dict(self.statement),
        }


@dataclass(frozen=True)
class Fix:
    """The smallest change that turns a blocked cell allowed, and whether that was proven.

    `verified` is true only when the cell was evaluated again with every change applied and came out
    allowed, and no cell of the run that expects a deny (that was re-checked) turned allowed. Where
    no change can be verified (an SCP, a boundary, another account's side), `changes` may be empty
    and `note` says why, rather than guessing."""

    changes: tuple[PolicyChange, ...]
    verified: bool
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"changes": [c.to_dict() for c in self.changes], "verified": self.verified}
        if self.note:
            data["note"] = self.note
        return data


@dataclass(frozen=True)
class CellResult:
    """What a backend answered for one cell.

    `decision` is the simulator's EvalDecision or "error"; an error is never
    allowed and never passes. `enforced_decision` is what the real service
    would do where the offline engine knows better than the simulator.
    """

    cell_id: str
    backend: str
    decision: CellDecision
    enforced_decision: CellDecision | None = None
    advisory: str | None = None
    deciding_statements: tuple[DecidingStatement, ...] = ()
    # Written on first read when a backend hands over the engine's pending lines: a passing cell
    # nobody explains costs no text (run.json keeps text only for failed and error cells).
    explanation: Explanation = Explanation()  # noqa: RUF009 - a descriptor, not a shared default
    missing_context: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None
    # compare mode: the other backend's answer, for the failure message
    other: dict[str, str] = field(default_factory=dict)
    # compare mode: set when the backends disagree; such a cell fails whatever was expected
    disagreement: str | None = None
    # How the answer was obtained when not the plain way, e.g. "stand-in caller" (AWS backend).
    via: str | None = None
    # For a failed cell that expected `allowed`: the change that unblocks it (harness/fixes/).
    fix: Fix | None = None
    # The planned change (--iam-plan) the cell's principal or resource depends on: {kind, address |
    # logical_id, file, line} (harness/plans/).
    source: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        # Backends may pass the engine's Decision or the API's string: one enum from here on. A value
        # that is no decision raises, which the plugin turns into an error cell (session.evaluate).
        object.__setattr__(self, "decision", CellDecision(self.decision))
        if self.enforced_decision is not None:
            object.__setattr__(self, "enforced_decision", CellDecision(self.enforced_decision))
        if self.enforced_decision is CellDecision.ERROR:
            raise ValueError("an enforced decision is never 'error': the cell's decision says so")

    @property
    def is_error(self) -> bool:
        return self.decision is CellDecision.ERROR


def judged_decision(cell: Cell, result: CellResult) -> CellDecision:
    """The decision a cell is judged on: the enforced one where the scenario asks for it
    (`enforced: true`) and the backend gave one, else the simulator's."""
    if cell.check_enforced and result.enforced_decision is not None:
        return result.enforced_decision
    return result.decision


def judge(cell: Cell, result: CellResult) -> Outcome:
    """Pass, fail or error: the only place that turns a decision into a test outcome."""
    if result.is_error:
        return Outcome.ERROR
    if result.disagreement:
        return Outcome.FAILED
    return Outcome.PASSED if cell.expected.accepts(judged_decision(cell, result)) else Outcome.FAILED


def error_result(cell: Cell, backend: str, message: str) -> CellResult:
    return CellResult(cell_id=cell.id, backend=backend, decision=CellDecision.ERROR, error=message)
