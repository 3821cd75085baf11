"""Who can do it: the account model's users and roles, each asked for actions on resources.

The same two pieces as a scenario with `principals: all`: the identities come from
harness.account.selection, and each question is a principal-mode Cell answered by the
offline backend (harness.backends.offline), so an answer here - simulator decision,
enforced decision, deciding statements - is exactly what that scenario's cell gets.

A resource's key or bucket policy and its own context (kms:ResourceAliases,
aws:ResourceTag/*) come from the model, as in scenario expansion. An answer that could not
be evaluated (a capture gap, a policy the model lacks) is an error answer, never counted as
"cannot": a who-can list that silently dropped someone would be a false pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.account.model import AccountModel, Identity
from harness.account.selection import ALL, select_identities
from harness.backends.offline import OfflineBackend
from harness.cells import Cell, CellDecision, CellResult, DecidingStatement, Expectation, SourceRef, Subject
from harness.engine.types import ContextEntry

ALLOWED = "allowed"


@dataclass(frozen=True)
class WhoCanQuestion:
    actions: tuple[str, ...]  # concrete action names (wildcards expanded by the caller)
    resources: tuple[str, ...] = ("*",)
    context: tuple[ContextEntry, ...] = ()
    selectors: tuple[str, ...] = (ALL,)


@dataclass(frozen=True)
class WhoCanAnswer:
    principal_arn: str
    kind: str  # user | role
    action: str
    resource: str
    decision: CellDecision  # the simulator's EvalDecision, or error
    enforced_decision: CellDecision | None  # what the service enforces where it differs from the simulator
    deciding_statements: tuple[DecidingStatement, ...] = ()
    advisory: str | None = None
    error: str | None = None

    @property
    def enforced(self) -> str:
        """The decision the service enforces (the simulator's where the engine knows no better)."""
        return self.enforced_decision or self.decision

    @property
    def allowed(self) -> bool:
        """Allowed by the simulator or by what the service enforces: either is worth listing."""
        return self.error is None and ALLOWED in (self.decision, self.enforced)


@dataclass(frozen=True)
class WhoCanReport:
    question: WhoCanQuestion
    account_model: str
    identities: int
    answers: tuple[WhoCanAnswer, ...]

    @property
    def allowed(self) -> list[WhoCanAnswer]:
        return [a for a in self.answers if a.allowed]

    @property
    def errors(self) -> list[WhoCanAnswer]:
        return [a for a in self.answers if a.error is not None]


def who_can(
    model: AccountModel, question: WhoCanQuestion, backend: OfflineBackend | None = None
) -> WhoCanReport:
    """Every selected identity x action x resource, answered. SelectionError for a bad selector."""
    identities = select_identities(model, question.selectors)
    backend = backend or OfflineBackend(model)
    cells: list[Cell] = []
    owners: list[Identity] = []
    gaps: dict[str, str] = {}
    for resource in question.resources:
        gap = model.resource_gap(resource)
        if gap:
            gaps[resource] = gap
    for identity in identities:
        for action in question.actions:
            for resource in question.resources:
                cells.append(_cell(model, question, identity, action, resource, len(cells)))
                owners.append(identity)
    evaluable = [c for c in cells if c.resource not in gaps]
    results = {r.cell_id: r for r in backend.evaluate(evaluable)} if evaluable else {}
    answers = []
    for cell, identity in zip(cells, owners, strict=True):
        if cell.resource in gaps:
            answers.append(_gap_answer(cell, identity, gaps[cell.resource]))
        else:
            answers.append(_answer(cell, identity, results[cell.id]))
    return WhoCanReport(question, model.path, len(identities), tuple(answers))


def _cell(
    model: AccountModel, question: WhoCanQuestion, identity: Identity, action: str, resource: str, n: int
) -> Cell:
    return Cell(
        id=f"who-can:{n}",
        source=SourceRef(file="who-can", line=0, scenario="who-can"),
        subject=Subject(principal_arn=identity.arn),
        action=action,
        resource=resource,
        expected=Expectation.DENIED,  # not judged: who-can reports decisions, it expects nothing
        principal_label=identity.arn,
        resource_policy=model.resource_policy_for(resource),
        context=_merge_context(question.context, model.resource_context_for(resource)),
    )


def _answer(cell: Cell, identity: Identity, result: CellResult) -> WhoCanAnswer:
    return WhoCanAnswer(
        principal_arn=identity.arn,
        kind=identity.kind,
        action=cell.action,
        resource=cell.resource,
        decision=result.decision,
        enforced_decision=result.enforced_decision,
        deciding_statements=result.deciding_statements,
        advisory=result.advisory,
        error=(result.error or "could not be evaluated") if result.is_error else None,
    )


def _gap_answer(cell: Cell, identity: Identity, gap: str) -> WhoCanAnswer:
    return WhoCanAnswer(
        principal_arn=identity.arn,
        kind=identity.kind,
        action=cell.action,
        resource=cell.resource,
        decision=CellDecision.ERROR,
        enforced_decision=None,
        error=f"the account model could not read what {cell.resource} depends on: {gap}",
    )


def _merge_context(
    given: Sequence[ContextEntry], from_model: Sequence[ContextEntry]
) -> tuple[ContextEntry, ...]:
    # The caller's own keys win over what the resource supplies, as in scenario expansion.
    present = {e.key.lower() for e in given}
    return tuple(given) + tuple(e for e in from_model if e.key.lower() not in present)
