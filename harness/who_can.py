"""Who can do it: the account model's users and roles, each asked for actions on resources.

The same two pieces as a scenario with `principals: all`: the identities come from
harness.account.selection, and each question is a principal-mode Cell answered by the
offline backend (harness.backends.offline), so an answer here - simulator decision,
enforced decision, deciding statements - is exactly what that scenario's cell gets.

A resource's key or bucket policy, its owner and its own context (kms:ResourceAliases,
aws:ResourceTag/*) come from the model through harness.account.resource_inputs, the pick scenario
expansion and `harness simulate-principal-policy --account` use. An answer that could not
be evaluated (a capture gap, a policy the model lacks) is an error answer, never counted as
"cannot": a who-can list that silently dropped someone would be a false pass.

Principals outside the model (harness.account.external): every principal the resource's
policy or KMS grants name for the action - another account, a role of one, a service, `*` -
is answered too, from the resource's side: the request is evaluated with the principal's
own policies assumed to allow (its account is not in the model, or it is a service), so
the answer says what the resource's policy and grants allow it, with the conditions that
still restrict it as written, and `other_side: unknown` where its own account must also
allow. Never "allowed" on its own for another account. On S3, an entry Block Public Access
refuses (RestrictPublicBuckets) is listed with `blocked_by` and not counted public; its
decision stays the policy's (the engine does not apply Block Public Access); one whose
Block Public Access is unknown (a capture gap) is an error answer.

Allowed means allowed by what the service enforces. An identity the simulator allows and
the service refuses (KMS: a key policy that does not allow the account or the caller,
https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html) is *simulator
only*: listed, with the advisory saying why the service refuses, never counted as allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.account.external import OTHER_SIDE, ExternalPrincipal, Scope, caller_for, external_principals
from harness.account.model import AccountModel, Identity
from harness.account.resource_inputs import GivenResourceInputs, ResourceInputs, resource_inputs
from harness.account.selection import ALL, EXTERNAL, SelectionError, select_identities
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

    @property
    def asks_external(self) -> bool:
        """Principals outside the model are asked by default (`all`) or when `external` is selected."""
        return self.selectors == (ALL,) or EXTERNAL in self.selectors

    @property
    def identity_selectors(self) -> tuple[str, ...]:
        return tuple(s for s in self.selectors if s != EXTERNAL)


class _Decided:
    """What both kinds of answer derive from their simulator and enforced decisions."""

    decision: CellDecision
    enforced_decision: CellDecision | None
    error: str | None

    @property
    def enforced(self) -> str:
        """The decision the service enforces (the simulator's where the engine knows no better)."""
        return self.enforced_decision or self.decision

    @property
    def enforced_allows(self) -> bool:
        """Evaluated, and allowed by what the service enforces."""
        return self.error is None and self.enforced == ALLOWED


@dataclass(frozen=True)
class WhoCanAnswer(_Decided):
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
    def allowed(self) -> bool:
        """Allowed by what the service enforces (the simulator's decision where the two agree)."""
        return self.enforced_allows

    @property
    def simulator_only(self) -> bool:
        """The simulator allows, the service refuses (the advisory says why): listed, not allowed."""
        return self.error is None and self.decision == ALLOWED and self.enforced != ALLOWED


@dataclass(frozen=True)
class ExternalAnswer(_Decided):
    """A principal outside the model, answered from the resource's side (module doc)."""

    entry: ExternalPrincipal
    decision: CellDecision
    enforced_decision: CellDecision | None
    deciding_statements: tuple[DecidingStatement, ...] = ()
    advisory: str | None = None
    error: str | None = None

    @property
    def principal_arn(self) -> str:
        """The principal as written (an ARN, an account id, a service name or `*`)."""
        return self.entry.principal

    @property
    def action(self) -> str:
        return self.entry.action

    @property
    def resource(self) -> str:
        return self.entry.resource

    @property
    def resource_side_allows(self) -> bool:
        """The resource's policy or grants allow it, with the question's context (conditions as given)."""
        return self.enforced_allows


@dataclass(frozen=True)
class WhoCanReport:
    question: WhoCanQuestion
    account_model: str
    identities: int
    answers: tuple[WhoCanAnswer, ...]
    external: tuple[ExternalAnswer, ...] = ()

    @property
    def allowed(self) -> list[WhoCanAnswer]:
        return [a for a in self.answers if a.allowed]

    @property
    def simulator_only(self) -> list[WhoCanAnswer]:
        return [a for a in self.answers if a.simulator_only]

    @property
    def allowed_identities(self) -> list[str]:
        """Identities the service allows at least one of the asked actions on one of the resources."""
        return sorted({a.principal_arn for a in self.allowed})

    @property
    def simulator_only_identities(self) -> list[str]:
        """Identities only the simulator allows: the service refuses every asked action and resource."""
        allowed = set(self.allowed_identities)
        return sorted({a.principal_arn for a in self.simulator_only} - allowed)

    @property
    def errors(self) -> list[WhoCanAnswer | ExternalAnswer]:
        return [a for a in (*self.answers, *self.external) if a.error is not None]

    @property
    def public(self) -> list[ExternalAnswer]:
        return [a for a in self.external if a.entry.public]


def who_can(
    model: AccountModel, question: WhoCanQuestion, backend: OfflineBackend | None = None
) -> WhoCanReport:
    """Every selected identity x action x resource, answered. SelectionError for a bad selector."""
    if EXTERNAL in question.selectors and "*" in question.resources:
        raise SelectionError(
            'external lists the principals a resource\'s policy and grants name; resource "*" names none',
            "give the resource ARNs (or KMS key ids) to ask about",
        )
    selectors = question.identity_selectors
    identities = select_identities(model, selectors) if selectors else []
    backend = backend or OfflineBackend(model)
    cells: list[Cell] = []
    owners: list[Identity] = []
    given = GivenResourceInputs(context=question.context)
    picked = {r: resource_inputs(model, r, given) for r in question.resources}
    for identity in identities:
        for action in question.actions:
            for resource in question.resources:
                cells.append(_cell(picked[resource], identity, action, resource, len(cells)))
                owners.append(identity)
    named: list[ExternalPrincipal] = []
    unread: list[ExternalAnswer] = []
    for resource in question.resources if question.asks_external else ():
        gap = picked[resource].gap
        for action in question.actions if resource != "*" else ():
            if gap is not None:  # who the unread policy names is unknown: an error, never "nobody"
                if EXTERNAL in question.selectors:  # under `all`, every identity's answer says it
                    unread.append(_unread_answer(action, resource, gap))
            else:
                named.extend(_external(model, picked[resource], action, resource))
    external_cells = [_external_cell(picked[e.resource], e, len(cells) + n) for n, e in enumerate(named)]
    evaluable = [c for c in cells if picked[c.resource].gap is None] + external_cells
    results = {r.cell_id: r for r in backend.evaluate(evaluable)} if evaluable else {}
    answered = (_external_answer(e, results[c.id]) for e, c in zip(named, external_cells, strict=True))
    external = (*answered, *unread)
    answers = []
    for cell, identity in zip(cells, owners, strict=True):
        gap = picked[cell.resource].gap
        if gap is not None:
            answers.append(_gap_answer(cell, identity, gap))
        else:
            answers.append(_answer(cell, identity, results[cell.id]))
    return WhoCanReport(question, model.path, len(identities), tuple(answers), external)


def _external(
    model: AccountModel, inputs: ResourceInputs, action: str, resource: str
) -> list[ExternalPrincipal]:
    return list(external_principals(model, inputs.policy, model.grants_for(resource), action, resource))


def _unread_answer(action: str, resource: str, gap: str) -> ExternalAnswer:
    """The principals outside the model on a resource whose policy the capture could not read."""
    entry = ExternalPrincipal("?", Scope.UNKNOWN, action, resource, via="the resource's policy (not read)")
    why = f"who outside the model may is unknown: the account model could not read {resource}'s policy"
    return ExternalAnswer(entry, CellDecision.ERROR, None, error=f"{why}: {gap}")


def _external_cell(inputs: ResourceInputs, entry: ExternalPrincipal, n: int) -> Cell:
    """The principal's request, its own side assumed to allow: the resource's side decides."""
    return Cell(
        id=f"who-can:{n}",
        source=SourceRef(file="who-can", line=0, scenario="who-can"),
        subject=Subject(identity_policies=(OTHER_SIDE,), caller_arn=caller_for(entry)),
        action=entry.action,
        resource=entry.resource,
        expected=Expectation.DENIED,
        principal_label=entry.principal,
        resource_policy=inputs.policy,
        resource_owner=inputs.owner,
        context=inputs.context,
        resource_policy_named=True,
    )


def _external_answer(entry: ExternalPrincipal, result: CellResult) -> ExternalAnswer:
    other_side = tuple(s for s in result.deciding_statements if s.policy_id != OTHER_SIDE.source_id)
    return ExternalAnswer(
        entry=entry,
        decision=result.decision,
        enforced_decision=result.enforced_decision,
        deciding_statements=other_side,
        advisory=result.advisory,
        # Whether S3 Block Public Access refuses it is unknown (a capture gap): an error, never "not public".
        error=entry.unknown or ((result.error or "could not be evaluated") if result.is_error else None),
    )


def _cell(inputs: ResourceInputs, identity: Identity, action: str, resource: str, n: int) -> Cell:
    return Cell(
        id=f"who-can:{n}",
        source=SourceRef(file="who-can", line=0, scenario="who-can"),
        subject=Subject(principal_arn=identity.arn),
        action=action,
        resource=resource,
        expected=Expectation.DENIED,  # not judged: who-can reports decisions, it expects nothing
        principal_label=identity.arn,
        resource_policy=inputs.policy,
        resource_owner=inputs.owner,
        context=inputs.context,
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
