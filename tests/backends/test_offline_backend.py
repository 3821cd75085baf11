"""The offline backend: batches to the engine, results back to cells, failures to error cells."""

from __future__ import annotations

from harness.backends.offline import OfflineBackend
from harness.backends.registry import BackendOptions, BackendUnavailable, make_backend
from harness.cells import Cell, Expectation, SourceRef, Subject
from harness.engine.errors import MalformedPolicyDocument
from harness.engine.types import (
    Decision,
    EvaluationResult,
    MatchedStatement,
    PolicySource,
    Position,
    ResourceResult,
    SimulationOutput,
    unread_explanation,
)

ALLOW = '{"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}'
POLICY = PolicySource(
    text=ALLOW, source_id="PolicyInputList.1", source_type="IAM Policy", origin="policies.p"
)


def cell(action: str, resource: str = "*", subject: Subject | None = None, cid: str = "") -> Cell:
    return Cell(
        id=cid or f"f::{action}|{resource}",
        source=SourceRef("f.yaml", 1, "s"),
        subject=subject or Subject(identity_policies=(POLICY,)),
        action=action,
        resource=resource,
        expected=Expectation.ALLOWED,
    )


class FakeEngine:
    def __init__(self, fail_with: Exception | None = None) -> None:
        self.inputs = []
        self.fail_with = fail_with

    def simulate(self, inp):
        self.inputs.append(inp)
        if self.fail_with:
            raise self.fail_with
        stmt = MatchedStatement("PolicyInputList.1", "IAM Policy", Position(1, 16), Position(1, 90), sid="A")
        return SimulationOutput(
            results=tuple(
                EvaluationResult(
                    action=a,
                    resource="*",
                    decision=Decision.ALLOWED,
                    resource_results=tuple(
                        ResourceResult(r, Decision.ALLOWED, matched_statements=(stmt,), explanation=("why",))
                        for r in inp.resource_arns
                    ),
                )
                for a in inp.action_names
            ),
            warnings=("note",),
        )


def test_cells_sharing_a_subject_go_in_one_engine_call():
    engine = FakeEngine()
    backend = OfflineBackend(engine=engine)
    results = backend.evaluate(
        [cell("kms:Decrypt"), cell("kms:Encrypt"), cell("kms:Decrypt", "arn:aws:kms:r:1:key/k")]
    )
    assert len(engine.inputs) == 1
    assert engine.inputs[0].action_names == ("kms:Decrypt", "kms:Encrypt")
    assert [r.decision for r in results] == ["allowed"] * 3


def test_deciding_statements_carry_the_policy_origin():
    [result] = OfflineBackend(engine=FakeEngine()).evaluate([cell("kms:Decrypt")])
    [stmt] = result.deciding_statements
    assert (stmt.policy_id, stmt.sid, stmt.origin, stmt.start_line) == (
        "PolicyInputList.1",
        "A",
        "policies.p",
        1,
    )
    assert result.explanation == ("why",) and result.warnings == ("note",)


def test_simulation_error_makes_error_cells_for_that_batch_only():
    engine = FakeEngine(fail_with=MalformedPolicyDocument("bad", policy_id="PolicyInputList.1"))
    backend = OfflineBackend(engine=engine)
    [result] = backend.evaluate([cell("kms:Decrypt")])
    assert result.is_error and "MalformedPolicyDocument" in (result.error or "")


def test_engine_crash_is_an_error_cell_not_an_exception():
    [result] = OfflineBackend(engine=FakeEngine(fail_with=KeyError("x"))).evaluate([cell("kms:Decrypt")])
    assert result.is_error and "internal error" in (result.error or "")


def test_principal_mode_without_account_model_is_an_error_cell():
    principal = Subject(principal_arn="arn:aws:iam::111122223333:role/app")
    [result] = OfflineBackend(engine=FakeEngine()).evaluate([cell("kms:Decrypt", subject=principal)])
    assert result.is_error and "--iam-account" in (result.error or "")


def test_results_come_back_in_cell_order():
    engine = FakeEngine()
    other = Subject(identity_policies=(POLICY, POLICY))
    cells = [
        cell("kms:Decrypt", cid="1"),
        cell("kms:Decrypt", subject=other, cid="2"),
        cell("kms:Encrypt", cid="3"),
    ]
    assert [r.cell_id for r in OfflineBackend(engine=engine).evaluate(cells)] == ["1", "2", "3"]
    assert len(engine.inputs) == 2


def test_real_engine_allows_what_the_policy_allows():
    backend = make_backend("offline", BackendOptions())
    allowed, denied = backend.evaluate([cell("kms:Decrypt"), cell("kms:Encrypt")])
    assert (allowed.decision, denied.decision) == ("allowed", "implicitDeny")


def test_unknown_backend_name_is_a_usage_error():
    try:
        make_backend("nope", BackendOptions())
    except BackendUnavailable as exc:
        assert "choose one of: offline, aws, compare" in str(exc)
    else:
        raise AssertionError("expected BackendUnavailable")


def test_missing_aws_backend_module_is_a_clear_usage_error(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "harness.backends.aws", None)  # as if not installed
    try:
        make_backend("aws", BackendOptions())
    except BackendUnavailable as exc:
        assert "use --iam-backend offline" in str(exc)
    else:
        raise AssertionError("expected BackendUnavailable")


def test_cell_explanation_speaks_only_of_its_own_resource():
    deny_b = (
        '{"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"},'
        ' {"Sid": "NoB", "Effect": "Deny", "Action": "kms:Decrypt",'
        ' "Resource": "arn:aws:kms:eu-west-3:012345678910:key/b"}]}'
    )
    subject = Subject(identity_policies=(PolicySource(deny_b, "PolicyInputList.1", "IAM Policy"),))
    a, b = "arn:aws:kms:eu-west-3:012345678910:key/a", "arn:aws:kms:eu-west-3:012345678910:key/b"
    results = OfflineBackend().evaluate([cell("kms:Decrypt", a, subject), cell("kms:Decrypt", b, subject)])
    assert results[1].decision == "explicitDeny"
    assert not any(a in line for line in results[1].explanation)
    assert len(results[1].explanation) == len(set(results[1].explanation))


def test_a_cells_explanation_is_written_only_when_read():
    # The real engine: its explanation lines stay pending through the backend, so the plugin's
    # passing cells (never explained in run.json) cost no text.
    [result] = OfflineBackend().evaluate([cell("kms:Decrypt")])
    assert not isinstance(unread_explanation(result), tuple)
    assert result.explanation and all(isinstance(line, str) for line in result.explanation)
    assert isinstance(unread_explanation(result), tuple)
