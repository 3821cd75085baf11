"""A fix must not open what should stay shut: the file's expected-deny cells, checked again.

Which cells: those of the same scenario file that expect a deny and that a change can reach:
the same identity (principal mode: the user or role, a user's groups, the managed policies
it has), the same subject (custom mode), or the same resource (its key, bucket or trust
policy). A run spans many files and the harness keeps no passing cell beyond its file, so
the file is the bound (docs/fixes.md): a cell of another file that the change would open is
not seen here.

Of those, a cell an added statement cannot match (another action; in an identity policy,
another resource than the one literal ARN it names) is skipped: a statement that does not
match a request takes no part in its evaluation
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).

A cell counts against the fix when it was denied before the change and is allowed with it;
one that cannot be evaluated with the change applied (a capture gap, a malformed policy)
counts too, since its staying denied is not shown.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass

from harness.account import AccountModel
from harness.cells import Cell, CellDecision, ChangeKind, Expectation
from harness.engine.errors import SimulationError
from harness.fixes.patch import Edit, Place, patched_cell, patched_model
from harness.fixes.reevaluate import Reevaluator
from harness.fixes.sides import resource_target

EXPECTS_DENY = frozenset({Expectation.DENIED, Expectation.EXPLICIT_DENY, Expectation.IMPLICIT_DENY})


@dataclass(frozen=True)
class LeakReport:
    checked: int
    turned: tuple[str, ...]  # ids of expected-deny cells the change turned allowed
    unevaluated: tuple[str, ...]  # ids that could not be evaluated with the change
    already: tuple[str, ...] = ()  # ids allowed before the change (failing without it)

    @property
    def clean(self) -> bool:
        return not self.turned and not self.unevaluated


class LeakCheck:
    """The expected-deny cells of one file, indexed by what a change can reach (built on first use)."""

    def __init__(self, cells: Sequence[Cell], model: AccountModel | None, reevaluator: Reevaluator) -> None:
        self._cells = cells
        self._model = model
        self._reevaluator = reevaluator
        self._index: dict[Hashable, dict[str, dict[str, list[Cell]]]] | None = None
        self._before: dict[str, CellDecision] = {}

    def check(self, edits: Sequence[Edit], patched: AccountModel | None = None) -> LeakReport:
        """`patched`: the model with `edits` applied, when the caller has it already."""
        reached = self._reached(edits)
        if not reached:
            return LeakReport(0, (), (), ())
        self._remember_before(reached)
        model = patched if patched is not None else patched_model(self._model, edits)
        after = self._reevaluator.judged([patched_cell(c, edits, model) for c in reached], model)
        turned, unevaluated, already = [], [], []
        for cell, decision in zip(reached, after, strict=True):
            before = self._before[cell.id]
            if decision is CellDecision.ERROR:
                unevaluated.append(cell.id)
            elif before is CellDecision.ALLOWED:
                already.append(cell.id)
            elif decision is CellDecision.ALLOWED:
                turned.append(cell.id)
        return LeakReport(len(reached), tuple(turned), tuple(unevaluated), tuple(already))

    def _remember_before(self, cells: list[Cell]) -> None:
        missing = [c for c in cells if c.id not in self._before]
        if missing:
            for cell, decision in zip(missing, self._reevaluator.judged(missing, self._model), strict=True):
                self._before[cell.id] = decision

    def _reached(self, edits: Sequence[Edit]) -> list[Cell]:
        if self._index is None:
            self._index = self._build_index()
        seen: dict[str, Cell] = {}
        for edit in edits:
            by_action = self._index.get(_edit_key(edit), {})
            actions, resource = _matchable(edit)
            for action in by_action if actions is None else actions:
                by_resource = by_action.get(action, {})
                groups = by_resource.values() if resource is None else [by_resource.get(resource, [])]
                for cells in groups:
                    for cell in cells:
                        seen.setdefault(cell.id, cell)
        return list(seen.values())

    def _build_index(self) -> dict[Hashable, dict[str, dict[str, list[Cell]]]]:
        """What a change can reach -> action (lower case) -> resource -> expected-deny cells."""
        index: dict[Hashable, dict[str, dict[str, list[Cell]]]] = {}
        reach: dict[str, tuple[Hashable, ...]] = {}  # per principal ARN: asked of the model once
        for cell in self._cells:
            if cell.expected not in EXPECTS_DENY:
                continue
            for key in self._keys(cell, reach):
                by_action = index.setdefault(key, {})
                by_action.setdefault(cell.action.lower(), {}).setdefault(cell.resource, []).append(cell)
        return index

    def _keys(self, cell: Cell, reach: dict[str, tuple[Hashable, ...]]) -> Iterator[Hashable]:
        principal = cell.subject.principal_arn
        if principal:
            if principal not in reach:
                reach[principal] = tuple(self._identity_keys(principal))
            yield from reach[principal]
        else:
            yield ("custom", cell.subject)
        if cell.resource.startswith("arn:"):
            yield ("resource", resource_target(cell, self._model)[0])

    def _identity_keys(self, principal: str) -> Iterator[Hashable]:
        if self._model is None:
            return
        try:
            account, identity = self._model.find_identity(principal)
        except SimulationError:
            return
        holders = [identity, *(account.groups[g] for g in identity.groups if g in account.groups)]
        for holder in holders:
            yield ("identity", holder.arn)
            for arn in holder.attached:
                yield ("managed", arn)


def _matchable(edit: Edit) -> tuple[list[str] | None, str | None]:
    """The actions (lower case) and the resource of the cells an edit can change; None for any.

    An added Allow statement names the cell's one action and, in an identity policy, one
    literal resource; a statement that matches neither a request's action nor its resource
    takes no part in that request's evaluation. A removal may change anything it reaches."""
    change = edit.change
    if change.action is not ChangeKind.ADD_STATEMENT:
        return None, None
    listed = change.statement.get("Action", [])
    actions = [str(a).lower() for a in ([listed] if isinstance(listed, str) else listed)]
    resource = change.statement.get("Resource")
    literal = isinstance(resource, str) and resource != "*" and not any(c in resource for c in "*?")
    return actions, resource if literal else None


def _edit_key(edit: Edit) -> Hashable:
    if edit.place is Place.CUSTOM:
        return ("custom", edit.subject)
    if edit.place is Place.MANAGED:
        return ("managed", edit.change.target)
    if edit.place is Place.RESOURCE:  # a trust policy too: the cells asking on the role's ARN
        return ("resource", edit.change.target)
    return ("identity", edit.change.target)
