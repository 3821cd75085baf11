"""What the service enforces, beside the simulator's answer, on the AWS backend.

AWS's simulator applies no service rule: not KMS's "IAM policies count only
where the key policy enables them", not its list of cross-account operations
(harness/engine/kms.py, enforcement.py). The enforced decision is therefore
computed by the offline backend (the same engine and service rules as
`--iam-backend offline`) on the same inputs the simulator was sent: the
scenario's documents, the key policy used, and, in principal mode, the
principal's policies from the account model given with `--iam-account`.

It is kept only when the engine, on those inputs, gives the simulator's own
answer: otherwise the inputs are not the same (a stale capture, say) and the
enforced decision would be about another account. A cell judged on the
enforced decision (`enforced: true`) that cannot have one is an error cell
saying what to add; any other cell keeps the simulator's answer alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from harness.account import AccountModel
from harness.backends.offline import OfflineBackend
from harness.cells import Cell, CellResult, error_result


class Enforcer:
    def __init__(self, capture: AccountModel | None, backend_name: str) -> None:
        from harness.engine import Engine

        self._offline = OfflineBackend(account_model=capture, engine=Engine(explain=True))
        self._capture = capture
        self._name = backend_name

    def apply(self, cells: Sequence[Cell], results: Sequence[CellResult]) -> list[CellResult]:
        """`results` (AWS's, one per cell) with the enforced decision added where it can be had."""
        wanted = [i for i, r in enumerate(results) if not r.is_error]
        out = list(results)
        if not wanted:
            return out
        offline = self._offline.evaluate([cells[i] for i in wanted])
        for i, engine in zip(wanted, offline, strict=True):
            out[i] = self._merge(cells[i], results[i], engine)
        return out

    def _merge(self, cell: Cell, aws: CellResult, engine: CellResult) -> CellResult:
        if engine.is_error:
            if not cell.check_enforced:
                return aws
            if cell.subject.mode == "principal":
                where = f"the account model {self._capture.path}" if self._capture else "no account model"
                need = (
                    f"the policies of {cell.subject.principal_arn}: pass --iam-account FILE with a "
                    f"capture of its account (harness account capture), which {where} does not give"
                )
            else:
                need = "a scenario the offline engine can evaluate"
            return error_result(
                cell,
                self._name,
                f"enforced: true needs what KMS/the service enforces, computed offline from {need} "
                f"({engine.error})",
            )
        if engine.decision != aws.decision:
            why = (
                f"the offline engine on the same inputs answers {engine.decision} where AWS's simulator "
                f"answers {aws.decision}, so the inputs differ (is the account model current?)"
            )
            if cell.check_enforced:
                return error_result(cell, self._name, f"enforced decision not computed: {why}")
            return dataclasses.replace(aws, warnings=(*aws.warnings, f"no enforced decision: {why}"))
        return dataclasses.replace(
            aws,
            enforced_decision=engine.enforced_decision,
            advisory=engine.advisory,
            explanation=aws.explanation or engine.explanation,
        )
