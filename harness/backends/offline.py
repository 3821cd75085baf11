"""The offline backend: cells answered by the local engine, no AWS calls.

Custom mode sends the subject's documents as they are (SimulateCustomPolicy).
Principal mode looks the identity up in the account model and sends its
inline, managed and group policies, boundary, tags and organization policies
(SimulatePrincipalPolicy). One engine call per batch of cells that share
everything but action and resource.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import Protocol

from harness.account import AccountModel
from harness.backends.batching import Batch, group_cells
from harness.cells import Cell, CellDecision, CellResult, DecidingStatement, error_result
from harness.engine.errors import SimulationError
from harness.engine.types import (
    EvaluationResult,
    KmsGrant,
    PolicySource,
    ResourceResult,
    SimulationInput,
    SimulationOutput,
    unread_explanation,
)


class SimulationEngine(Protocol):
    def simulate(self, inp: SimulationInput) -> SimulationOutput: ...


class OfflineBackend:
    name = "offline"

    def __init__(
        self, account_model: AccountModel | None = None, engine: SimulationEngine | None = None
    ) -> None:
        if engine is None:
            from harness.engine import Engine

            engine = Engine()
        self.engine = engine
        self.account_model = account_model
        self.calls = 0
        self.batches = 0
        self.cells = 0
        self.engine_seconds = 0.0

    def evaluate(self, cells: Sequence[Cell]) -> list[CellResult]:
        self.calls += 1
        answers: dict[int, CellResult] = {}
        positions = {id(cell): i for i, cell in enumerate(cells)}
        evaluable = []
        for i, cell in enumerate(cells):
            gap = self._resource_gap(cell)
            if gap is None:
                evaluable.append(cell)
            else:  # never evaluated as if the policy the capture could not read were absent
                answers[i] = error_result(cell, self.name, f"CaptureGap: {gap}")
        for batch in group_cells(evaluable):
            for cell, result in zip(batch.cells, self._evaluate_batch(batch), strict=True):
                answers[positions[id(cell)]] = result
        self.cells += len(cells)
        return [answers[i] for i in range(len(cells))]

    def _resource_gap(self, cell: Cell) -> str | None:
        """A capture gap the cell's resource policy depends on (none if the scenario gave its own)."""
        if self.account_model is None or cell.resource_policy is not None:
            return None
        gap = self.account_model.resource_gap(cell.resource)
        return f"{cell.resource}: {gap} (account model {self.account_model.path})" if gap else None

    def metadata(self) -> dict[str, object]:
        return {
            "backend": self.name,
            "account_model": self.account_model.path if self.account_model else None,
            "calls": self.calls,
            "batches": self.batches,
            "cells": self.cells,
            "engine_seconds": round(self.engine_seconds, 6),
        }

    # -- one batch ------------------------------------------------------

    def _evaluate_batch(self, batch: Batch) -> list[CellResult]:
        self.batches += 1
        try:
            inp = self.simulation_input(batch)
            started = time.perf_counter()
            try:
                output = self.engine.simulate(inp)
            finally:
                self.engine_seconds += time.perf_counter() - started
        except SimulationError as exc:
            return [error_result(c, self.name, f"{exc.code}: {exc.message}") for c in batch.cells]
        except Exception as exc:  # an engine bug must become error cells, never a crashed run
            return [
                error_result(
                    c, self.name, f"internal error in the offline engine: {type(exc).__name__}: {exc}"
                )
                for c in batch.cells
            ]
        origins = _origins(inp)
        return [self._cell_result(cell, output, origins) for cell in batch.cells]

    def simulation_input(self, batch: Batch) -> SimulationInput:
        key = batch.key
        subject = key.subject
        if subject.mode == "principal":
            if self.account_model is None:
                raise _NoAccountModel(
                    f"principal mode needs an account model to evaluate {subject.principal_arn} offline: "
                    "pass --iam-account FILE or set `account:` in the scenario file"
                )
            inp = self.account_model.simulation_input_for(
                subject.principal_arn or "",
                batch.actions,
                batch.resources,
                context=key.context,
                resource_policy=key.resource_policy,
                resource_owner=key.resource_owner,
                caller_arn=subject.caller_arn,
                policy_exclusions=key.policy_exclusions,
                scp_levels=key.scp_levels or None,
                rcp_levels=key.rcp_levels or None,
            )
            # Scenario-given boundary/session policies come on top of what the account holds.
            return dataclasses.replace(
                inp,
                permissions_boundaries=subject.permissions_boundaries or inp.permissions_boundaries,
                session_policies=subject.session_policies,
            )
        return SimulationInput(
            action_names=batch.actions,
            resource_arns=batch.resources,
            identity_policies=subject.identity_policies,
            permissions_boundaries=subject.permissions_boundaries,
            session_policies=subject.session_policies,
            resource_policy=key.resource_policy,
            scp_levels=key.scp_levels,
            rcp_levels=key.rcp_levels,
            caller_arn=subject.caller_arn,
            resource_owner=key.resource_owner,
            context=key.context,
            grants=self._grants(batch.resources),
        )

    def _grants(self, resources: Sequence[str]) -> tuple[KmsGrant, ...]:
        """The model's KMS grants on these resources: a grant holds whoever the caller is."""
        if self.account_model is None:
            return ()
        return tuple(g for r in dict.fromkeys(resources) for g in self.account_model.grants_for(r))

    def _cell_result(
        self, cell: Cell, output: SimulationOutput, origins: dict[tuple[str, str], str]
    ) -> CellResult:
        found = _find(output, cell.action, cell.resource)
        if found is None:
            return error_result(
                cell, self.name, f"the engine returned no result for {cell.action} on {cell.resource}"
            )
        er, rr = found
        source: EvaluationResult | ResourceResult = rr if rr is not None else er
        statements = tuple(
            DecidingStatement(
                policy_id=m.source_policy_id,
                policy_type=m.source_policy_type,
                sid=m.sid,
                effect=m.effect,
                start_line=m.start.line,
                start_column=m.start.column,
                end_line=m.end.line,
                end_column=m.end.column,
                origin=origins.get((m.source_policy_id, str(m.kind)), ""),
            )
            for m in source.matched_statements
        )
        if rr is not None and rr.grant_id is not None:  # the simulator ignores grants: KMS does not
            statements += (_grant_statement(rr.grant_id, cell.resource),)
        enforced = source.enforced_decision or er.enforced_decision
        # The action-level explanation covers every resource of the batch; a cell
        # is about one resource, so its own lines come from its resource result.
        explanation = unread_explanation(source)  # still pending: written only if someone reads it
        missing = tuple(dict.fromkeys((*er.missing_context_values, *source.missing_context_values)))
        return CellResult(
            cell_id=cell.id,
            backend=self.name,
            decision=CellDecision(source.decision),
            enforced_decision=CellDecision(enforced) if enforced is not None else None,
            advisory=source.advisory,  # not er's: that one sums up the other resources too
            deciding_statements=statements,
            explanation=explanation,
            missing_context=missing,
            warnings=tuple(output.warnings),
        )


def _grant_statement(grant_id: str, resource: str) -> DecidingStatement:
    """A KMS grant that allows the enforced decision, shown as a deciding statement (no lines)."""
    return DecidingStatement(
        policy_id=f"grant {grant_id}",
        policy_type="KMS grant",
        sid=grant_id,
        effect="Allow",
        start_line=0,
        start_column=0,
        end_line=0,
        end_column=0,
        origin=f"KMS grant {grant_id} on {resource}",
    )


class _NoAccountModel(SimulationError):
    code = "NoSuchEntity"


def _find(
    output: SimulationOutput, action: str, resource: str
) -> tuple[EvaluationResult, ResourceResult | None] | None:
    wanted = action.lower()
    for er in output.results:
        if er.action.lower() != wanted:
            continue
        for rr in er.resource_results:
            if rr.resource == resource:
                return er, rr
        if not er.resource_results and er.resource in (resource, "*"):
            return er, None
    return None


def _origins(inp: SimulationInput) -> dict[tuple[str, str], str]:
    """(SourcePolicyId, kind) -> where the document came from, for reports."""
    docs: list[PolicySource] = [
        *inp.identity_policies,
        *inp.permissions_boundaries,
        *inp.session_policies,
        *([inp.resource_policy] if inp.resource_policy else []),
        *(p for level in inp.scp_levels for p in level),
        *(p for level in inp.rcp_levels for p in level),
    ]
    out: dict[tuple[str, str], str] = {}
    for doc in docs:
        out.setdefault((doc.source_id, str(doc.kind)), doc.origin or doc.source_id)
    return out
