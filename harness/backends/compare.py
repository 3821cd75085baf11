"""Compare mode: every cell evaluated offline and on AWS; a cell where they disagree fails.

This is how a user proves the offline engine against their own account, and
how engine bugs are found. The reported decision is AWS's (the simulator is
the reference here); `other` carries both answers and the engine's
explanation for the failure message, and `disagreement` makes `judge()` fail
the cell whatever the scenario expected. If either side could not evaluate
the cell, the cell is an error naming that side.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from harness.backends.base import Backend
from harness.cells import Cell, CellResult, error_result

if TYPE_CHECKING:
    from harness.backends.registry import BackendOptions

NAME = "compare"


class CompareBackend:
    name = NAME

    def __init__(self, offline: Backend, aws: Backend) -> None:
        self.offline = offline
        self.aws = aws
        self.cells = 0
        self.disagreements = 0

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
        if aws.decision == offline.decision:
            return dataclasses.replace(
                aws,
                backend=self.name,
                enforced_decision=offline.enforced_decision,
                advisory=offline.advisory,
                explanation=offline.explanation,
                warnings=warnings,
                other=other,
            )
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
        return dataclasses.replace(
            aws,
            backend=self.name,
            explanation=(summary, *offline.explanation),
            warnings=warnings,
            other=other,
            disagreement=summary,
        )


def create_backend(options: BackendOptions) -> CompareBackend:
    from harness.backends.aws import AwsBackend, options_from
    from harness.backends.offline import OfflineBackend

    capture = options.account_model if options.account_model_from_command_line else None
    return CompareBackend(
        OfflineBackend(account_model=options.account_model),
        AwsBackend(options_from(options), account_model=capture, enforce=False),
    )
