"""One blocked cell's fix: propose, re-evaluate, check the file's expected-deny cells, say what was proven.

1. The cell is evaluated offline as it stands. Offline the engine must deny it too, else no
   change can be proven here (the deny came from AWS and the engine does not reproduce it).
2. Candidates (propose.py): the deny statements removed, then allows added, smallest first.
   Each is applied as data (patch.py) and the cell evaluated again.
3. The first candidate that makes the cell allowed, under both the simulator's and the
   service's decision where they differ, and turns no expected-deny cell of the file allowed
   (leaks.py), is the fix, `verified: true`. Failing that: one allowed under the decision the
   cell is judged on (verified, the note says what the other decision still says); one that
   opens an expected-deny cell (not verified, the note names the cells); one that cannot be
   proven here (another account's side); or the limits that block (limits.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from harness.account import AccountModel
from harness.cells import Cell, CellDecision, CellResult, Fix, PolicyChange, judged_decision
from harness.engine.types import PolicySource, SimulationInput
from harness.fixes.keys import ConditionKeys
from harness.fixes.leaks import LeakCheck, LeakReport
from harness.fixes.limits import allowed_without_limits, blocking_limits, describe
from harness.fixes.patch import Edit, patched_cell, patched_model
from harness.fixes.propose import Candidate, Removals, additions_for, removals_for
from harness.fixes.reevaluate import Answer, Reevaluator
from harness.fixes.statements import condition_from, condition_keys_of

SHOWN_CELLS = 3  # expected-deny cells named in a note, then a count


@dataclass(frozen=True)
class FileFixContext:
    """What the fixes of one scenario file share."""

    model: AccountModel | None
    reevaluator: Reevaluator
    leaks: LeakCheck
    backend: str
    keys: ConditionKeys


@dataclass(frozen=True)
class _Tried:
    edits: tuple[Edit, ...]
    answer: Answer
    leaks: LeakReport


def fix_for(cell: Cell, result: CellResult, ctx: FileFixContext) -> Fix:
    base = ctx.reevaluator.answer(cell, ctx.model)
    if base.error is not None:
        return _without_offline_answer(cell, result, ctx, base.error)
    if base.judged(cell) is CellDecision.ALLOWED:
        return Fix(
            (),
            False,
            f"not computed: the offline engine allows this cell as it stands while the {ctx.backend} "
            "backend denied it, so no change can be proven here",
        )
    removals = removals_for(cell, base, ctx.model)
    condition = condition_from(cell.context, condition_keys_of(_texts(base.request)), _carried(cell, ctx))
    candidates = _candidates(removals, additions_for(cell, ctx.model, condition))
    allowed: list[_Tried] = []
    for tried in _allowing(cell, candidates, ctx):
        if tried.leaks.clean and tried.answer.both_allowed:
            return _verified(cell, tried, ctx)
        allowed.append(tried)
    clean = next((t for t in allowed if t.leaks.clean), None)
    if clean is not None:
        return _verified(cell, clean, ctx)
    if allowed:
        return _leaky(allowed[0])
    return _blocked(cell, candidates, removals, ctx, result.advisory)


def _carried(cell: Cell, ctx: FileFixContext) -> Callable[[str], bool]:
    """Whether a context key is one the cell's action carries (keys.py)."""
    return lambda key: ctx.keys.applies(key, cell.action)


def _candidates(removals: Removals, additions: list[Candidate]) -> list[Candidate]:
    out = [Candidate(removals.edits)] if removals.edits else []
    out.extend(Candidate(removals.edits + c.edits, c.unproven) for c in additions)
    return out


def _allowing(cell: Cell, candidates: Sequence[Candidate], ctx: FileFixContext) -> Iterator[_Tried]:
    """The provable candidates that make the cell allowed (as judged), each with its leak check."""
    for candidate in candidates:
        if candidate.unproven:
            continue
        # One patched copy of the model serves the cell and the leak check of the same edits.
        model = patched_model(ctx.model, candidate.edits)
        answer = ctx.reevaluator.answer(patched_cell(cell, candidate.edits, model), model)
        if answer.judged(cell) is CellDecision.ALLOWED:
            yield _Tried(candidate.edits, answer, ctx.leaks.check(candidate.edits, model))


def _changes(edits: Sequence[Edit]) -> tuple[PolicyChange, ...]:
    return tuple(e.change for e in edits)


def _texts(request: SimulationInput | None) -> Iterator[str]:
    if request is None:
        return
    docs: list[PolicySource] = [
        *request.identity_policies,
        *request.permissions_boundaries,
        *request.session_policies,
        *([request.resource_policy] if request.resource_policy else []),
        *(p for level in request.scp_levels for p in level),
        *(p for level in request.rcp_levels for p in level),
    ]
    yield from (d.text for d in docs)


def _verified(cell: Cell, tried: _Tried, ctx: FileFixContext) -> Fix:
    how = "re-evaluated by the offline engine with these changes: allowed"
    if ctx.backend != "offline":
        how += f" (the run's backend is {ctx.backend}; the offline engine denied the cell as it stands too)"
    reach = _reach(tried.leaks)
    note = f"{how}; {reach}"
    if not tried.answer.both_allowed:
        note += "; " + _other_decision(cell, tried.answer)
    return Fix(_changes(tried.edits), True, note)


def _reach(report: LeakReport) -> str:
    per_file = "(checked per file: docs/fixes.md)"
    if not report.checked:
        return f"no expected-deny cell of this file is reached by the changes {per_file}"
    text = f"the changes reach {_count(report.checked)} of this file and turned none allowed {per_file}"
    if report.already:
        text += f"; allowed already without the changes: {_named(report.already)}"
    return text


def _count(n: int) -> str:
    return "1 expected-deny cell" if n == 1 else f"{n} expected-deny cells"


def _other_decision(cell: Cell, answer: Answer) -> str:
    if cell.check_enforced:
        return (
            f"the IAM Policy Simulator would still answer {answer.decision} "
            "(the cell checks the enforced decision)"
        )
    return (
        f"the service itself would still answer {answer.enforced} (the cell checks the simulator's decision; "
        "`enforced: true` checks the service's)"
    )


def _leaky(tried: _Tried) -> Fix:
    report = tried.leaks
    parts = []
    if report.turned:
        parts.append(
            f"these changes make the cell allowed but also allow {_count(len(report.turned))} "
            f"of this file: {_named(report.turned)}"
        )
    if report.unevaluated:
        parts.append(
            f"{_count(len(report.unevaluated))} of this file could not be evaluated with "
            f"the changes applied: {_named(report.unevaluated)}"
        )
    return Fix(_changes(tried.edits), False, "not verified: " + "; ".join(parts))


def _named(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:SHOWN_CELLS])
    return shown + (f" and {len(ids) - SHOWN_CELLS} more" if len(ids) > SHOWN_CELLS else "")


def _blocked(
    cell: Cell, candidates: Sequence[Candidate], removals: Removals, ctx: FileFixContext, advisory: str | None
) -> Fix:
    """No candidate allows the cell here: a limit blocks it, the other side is not known, or no policy
    change can (a service rule: the backend's advisory says which)."""
    limited = _limited(cell, candidates, ctx)
    if limited is not None:
        return limited
    blockers = "; ".join(removals.blockers)
    unproven = [c for c in candidates if c.unproven]
    if unproven:
        largest = unproven[-1]
        note = (
            f"not verified: {largest.unproven}, so the change there cannot be proven here; "
            "add the statement to that policy as well"
        )
        return Fix(_changes(largest.edits), False, note + (f"; {blockers}" if blockers else ""))
    if removals.edits and blockers:
        note = (
            f"not verified: {blockers}; while it stays, the cell stays denied and these removals are unproven"
        )
        return Fix(_changes(removals.edits), False, note)
    why = blockers or "no change to the identity or resource policies makes this cell allowed here"
    return Fix((), False, f"not computed: {why}" + (f" ({advisory})" if advisory else ""))


def _limited(cell: Cell, candidates: Sequence[Candidate], ctx: FileFixContext) -> Fix | None:
    """The smallest change that allows the cell once SCPs, RCPs, boundary and session policies are
    lifted, with the limits that block it named; None when even that is not enough."""
    for candidate in [Candidate(()), *(c for c in candidates if not c.unproven)]:
        model = patched_model(ctx.model, candidate.edits)
        patched = patched_cell(cell, candidate.edits, model)
        if allowed_without_limits(ctx.reevaluator, patched, model):
            why = describe(blocking_limits(ctx.reevaluator, patched, model), cell)
            rest = (
                "with that changed, these changes make the cell allowed (shown with the limits left out)"
                if candidate.edits
                else "no other change is needed (shown with the limits left out)"
            )
            return Fix(_changes(candidate.edits), False, f"not verified: {why}; {rest}")
    return None


def _without_offline_answer(cell: Cell, result: CellResult, ctx: FileFixContext, error: str) -> Fix:
    """The engine cannot ask this cell offline: an unproven proposal where one can be made."""
    if not (cell.subject.principal_arn and ctx.model is None):
        return Fix((), False, f"not computed: the offline engine could not evaluate this cell ({error})")
    where = (
        f"principal mode on the {ctx.backend} backend without an account model: nothing to re-evaluate "
        "offline (run with --iam-account and a capture for a verified fix)"
    )
    if judged_decision(cell, result) is CellDecision.EXPLICIT_DENY:
        note = f"not verified: an explicit deny decides this cell; which statement needs the {where}"
        return Fix((), False, note)
    candidates = additions_for(cell, None, condition_from(cell.context, frozenset(), _carried(cell, ctx)))
    changes = _changes(candidates[-1].edits) if candidates else ()
    return Fix(
        changes,
        False,
        f"not verified: {where}; these are the statements such a request needs "
        "(one side may already allow it)",
    )
