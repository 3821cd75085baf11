"""Compare mode: every cell evaluated offline and on AWS; a cell where they disagree fails.

This is how a user proves the offline engine against their own account, and
how engine bugs are found. The reported decision is AWS's (the simulator is
the reference here); `other` carries both answers and the engine's
explanation for the failure message, and `disagreement` makes `judge()` fail
the cell whatever the scenario expected. If either side could not evaluate
the cell, the cell is an error naming that side.

Known simulator gaps (`_known_gap`) are read from AWS's answer, never from a
date. Since July 2026 (botocore's IAM model of 2026-07-30) the simulator
evaluates SCP conditions and resource scoping and returns explicitDeny for an
SCP's explicit deny, so where it answers that way there is no gap to read and
any difference is a plain disagreement. An answer the old way is read the
old way: an SCP's explicit deny reported as implicitDeny with the
organization denying (the engine saying explicitDeny with no identity or
resource statement behind it), and SCP conditions left unevaluated (the
answer has the pre-2026 shape and the cell's SCPs use conditions,
results.PRE_2026_SCP_CONDITIONS). A known gap is named on the cell; it never
changes the outcome: the disagreement is dropped only where both decisions
would judge the cell alike, otherwise the cell still fails, the gap named in
the message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from harness.backends.aws.results import ORGS_DENIED, PRE_2026_SCP_CONDITIONS
from harness.backends.base import Backend
from harness.cells import Cell, CellDecision, CellResult, error_result

if TYPE_CHECKING:
    from harness.backends.registry import BackendOptions

NAME = "compare"
SCP_DENY_AS_IMPLICIT = (
    "the simulator reported an SCP's explicit deny as implicitDeny (AllowedByOrganizations false), "
    "as it did before July 2026"
)


class CompareBackend:
    name = NAME

    def __init__(self, offline: Backend, aws: Backend) -> None:
        self.offline = offline
        self.aws = aws
        self.cells = 0
        self.disagreements = 0
        self.known_gaps = 0

    def evaluate(self, cells: Sequence[Cell]) -> list[CellResult]:
        offline = self.offline.evaluate(cells)
        aws = self.aws.evaluate(cells)
        out = [self._compare(c, o, a) for c, o, a in zip(cells, offline, aws, strict=True)]
        self.cells += len(cells)
        return out

    def unavailable_reason(self) -> str | None:
        """AWS's side cannot be reached at all (no credentials, no session): nothing can be compared."""
        check = getattr(self.aws, "unavailable_reason", None)
        return check() if check is not None else None

    def metadata(self) -> dict[str, object]:
        meta: dict[str, object] = {"backend": self.name, "cells": self.cells}
        meta["disagreements"] = self.disagreements
        meta["known_simulator_gaps"] = self.known_gaps
        meta.update({f"offline_{k}": v for k, v in self.offline.metadata().items() if k != "backend"})
        meta.update({f"aws_{k}": v for k, v in self.aws.metadata().items() if k != "backend"})
        return meta

    def _compare(self, cell: Cell, offline: CellResult, aws: CellResult) -> CellResult:
        if aws.is_error or offline.is_error:
            problems = [f"{r.backend}: {r.error}" for r in (aws, offline) if r.is_error]
            return error_result(cell, self.name, "; ".join(problems))
        other = {
            "aws decision": aws.decision,
            "offline decision": offline.decision,
        }
        if offline.enforced_decision and offline.enforced_decision != offline.decision:
            other["offline enforced decision"] = offline.enforced_decision
        warnings = tuple(dict.fromkeys((*aws.warnings, *offline.warnings)))
        gap = _known_gap(offline, aws) if aws.decision != offline.decision else None
        if gap is not None:
            self.known_gaps += 1
            warnings = (*warnings, f"known simulator gap: {gap}; the offline engine says {offline.decision}")
        if aws.decision == offline.decision or (gap is not None and _judged_alike(cell, offline, aws)):
            return dataclasses.replace(
                aws,
                backend=self.name,
                enforced_decision=offline.enforced_decision,
                advisory=offline.advisory,
                explanation=offline.explanation,
                warnings=warnings,
                other=other,
            )
        return self._disagreement(offline, aws, other, warnings, gap)

    def _disagreement(
        self,
        offline: CellResult,
        aws: CellResult,
        other: dict[str, str],
        warnings: tuple[str, ...],
        gap: str | None,
    ) -> CellResult:
        self.disagreements += 1
        if offline.explanation:
            other["offline explanation"] = " | ".join(offline.explanation)
        if offline.deciding_statements:
            other["offline deciding statements"] = ", ".join(
                f"{s.effect} {s.policy_id} lines {s.start_line}-{s.end_line}"
                for s in offline.deciding_statements
            )
        if aws.deciding_statements:
            other["aws deciding statements"] = ", ".join(
                f"{s.effect} {s.policy_id} lines {s.start_line}-{s.end_line}" for s in aws.deciding_statements
            )
        summary = f"offline engine says {offline.decision}, AWS's simulator says {aws.decision}"
        if gap is not None:
            summary += f" (a known simulator gap: {gap})"
        return dataclasses.replace(
            aws,
            backend=self.name,
            explanation=(summary, *offline.explanation),
            warnings=warnings,
            other=other,
            disagreement=summary,
        )


def _known_gap(offline: CellResult, aws: CellResult) -> str | None:
    """A difference the simulator's own answer shows to be its pre-2026 way with SCPs, or None."""
    engine_scp_deny = offline.decision is CellDecision.EXPLICIT_DENY and not any(
        s.effect == "Deny" for s in offline.deciding_statements
    )
    if engine_scp_deny and aws.decision is CellDecision.IMPLICIT_DENY and ORGS_DENIED in aws.warnings:
        return SCP_DENY_AS_IMPLICIT
    if PRE_2026_SCP_CONDITIONS in aws.warnings:
        return PRE_2026_SCP_CONDITIONS
    return None


def _judged_alike(cell: Cell, offline: CellResult, aws: CellResult) -> bool:
    """Both decisions give the cell the same outcome (the enforced decision, when judged on, is shared)."""
    if cell.check_enforced and offline.enforced_decision:
        return True
    return cell.expected.accepts(offline.decision) == cell.expected.accepts(aws.decision)


def create_backend(options: BackendOptions) -> CompareBackend:
    from harness.backends.aws import AwsBackend, options_from
    from harness.backends.offline import OfflineBackend

    capture = options.account_model if options.account_model_from_command_line else None
    return CompareBackend(
        OfflineBackend(account_model=options.account_model),
        AwsBackend(options_from(options), account_model=capture, enforce=False),
    )
