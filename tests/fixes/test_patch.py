# ruff: noqa: E501  (scenario YAML written inline reads best on one line)
"""Changes applied as data: to a copy of the account model, and to the cells they reach."""

from __future__ import annotations

from dataclasses import replace

import pytest

from harness.backends.offline import OfflineBackend
from harness.cells import Cell, ChangeKind, Outcome, PolicyChange, Subject, judge
from harness.engine.types import PolicyKind, PolicySource
from harness.fixes.documents import DocumentError, statements_of
from harness.fixes.patch import Edit, Place, apply_to_model, patched_cell
from tests.fixes.accounts import DENIED, HEAD, IR, IR2, K1, K2, MODEL, scenario

NEW = {"Sid": "HarnessFixA", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": K1}


def test_the_model_itself_is_left_as_it_was(run_file):
    model = run_file(
        HEAD + scenario("ir decrypts", IR, "kms:Decrypt", K1, "allowed"), MODEL
    ).loaded.account_model
    before = model.resource_policy_for(K1).text
    patched = apply_to_model(
        model,
        [
            PolicyChange(ChangeKind.ADD_STATEMENT, IR, "harness-fix-a", NEW),
            PolicyChange(ChangeKind.ADD_STATEMENT, K1, "key_policy", {**NEW, "Principal": {"AWS": IR}}),
        ],
    )
    assert model.find_identity(IR)[1].inline == []
    assert model.resource_policy_for(K1).text == before
    assert [p.name for p in patched.find_identity(IR)[1].inline] == ["harness-fix-a"]
    assert len(statements_of(patched.resource_policy_for(K1).text)) == 2


def test_a_change_to_something_the_model_lacks_is_an_error(run_file):
    model = run_file(
        HEAD + scenario("ir decrypts", IR, "kms:Decrypt", K1, "allowed"), MODEL
    ).loaded.account_model
    missing = "arn:aws:kms:eu-west-3:111122223333:key/nowhere"
    with pytest.raises(DocumentError, match="not in the account model"):
        apply_to_model(model, [PolicyChange(ChangeKind.ADD_STATEMENT, missing, "key_policy", NEW)])


def _rerun(cell: Cell, model) -> Outcome:
    """The cell as a scenario file loaded on `model` would make it: its key policy read from the model."""
    policy = model.resource_policy_for(cell.resource)
    asked = replace(cell, resource_policy=policy) if not cell.resource_policy_named else cell
    [result] = OfflineBackend(model).evaluate([asked])
    return judge(asked, result)


def test_every_fix_applied_to_the_model_makes_its_cell_pass_and_no_expected_deny_cell_change(run_file):
    enforced = "    enforced: true\n"
    run = run_file(
        HEAD
        + scenario("ir decrypts", IR, "kms:Decrypt", K1, "allowed")
        + scenario("ir decrypts k2", IR, "kms:Decrypt", K2, "allowed", enforced)
        + scenario("denied role decrypts", DENIED, "kms:Decrypt", K1, "allowed")
        + scenario("ir does not encrypt", IR, "kms:Encrypt", K1, "denied")
        + scenario("ir2 does not decrypt k2", IR2, "kms:Decrypt", K2, "denied", enforced)
        + scenario("denied role does not encrypt", DENIED, "kms:Encrypt", K1, "denied"),
        MODEL,
    )
    model = run.loaded.account_model
    fixes = {c.source.scenario: r.fix for c, r in run.pairs if r.fix is not None}
    assert len(fixes) == 3 and all(f.verified for f in fixes.values())
    for name, fix in fixes.items():
        assert _rerun(run.named(name)[0], apply_to_model(model, fix.changes)) is Outcome.PASSED
    everything = apply_to_model(model, [c for f in fixes.values() for c in f.changes])
    for cell, _result in run.pairs:
        assert _rerun(cell, everything) is Outcome.PASSED, cell.source.scenario


def _cell(resource_policy: PolicySource | None, subject: Subject | None = None) -> Cell:
    from harness.cells import Expectation, SourceRef

    return Cell(
        "c",
        SourceRef("f.yaml", 1, "s"),
        subject or Subject(principal_arn=IR),
        "kms:Decrypt",
        K1,
        Expectation.ALLOWED,
        resource_policy=resource_policy,
        resource_policy_named=True,
    )


def _key_policy(sid: str) -> PolicySource:
    text = f'{{"Version": "2012-10-17", "Statement": [{{"Sid": "{sid}", "Effect": "Allow", "Principal": {{"AWS": "{IR2}"}}, "Action": "kms:*", "Resource": "*"}}]}}'
    return PolicySource(text, "ResourcePolicy", "Resource Policy", PolicyKind.RESOURCE)


def test_a_key_policy_change_reaches_the_cells_evaluated_with_that_document_only():
    shared, alternative = _key_policy("Shared"), _key_policy("Alternative")
    change = PolicyChange(ChangeKind.ADD_STATEMENT, K1, "key_policy", {**NEW, "Principal": {"AWS": IR}})
    edits = [Edit(change, Place.RESOURCE, base=shared)]
    reached = patched_cell(_cell(shared), edits, None)
    assert len(statements_of(reached.resource_policy.text)) == 2
    other = _cell(alternative)
    assert patched_cell(other, edits, None) is other  # another key policy the scenario tries: left alone


def test_a_custom_mode_change_reaches_the_same_subject_only():
    decrypt = PolicySource('{"Version": "2012-10-17", "Statement": []}', "PolicyInputList.1", "IAM Policy")
    subject, other = (
        Subject(identity_policies=(decrypt,)),
        Subject(identity_policies=(decrypt,), caller_arn=IR2),
    )
    change = PolicyChange(ChangeKind.ADD_STATEMENT, "reader", "harness-fix-a", NEW)
    edits = [Edit(change, Place.CUSTOM, subject=subject)]
    reached = patched_cell(_cell(None, subject), edits, None)
    assert [p.source_id for p in reached.subject.identity_policies] == [
        "PolicyInputList.1",
        "PolicyInputList.2",
    ]
    untouched = _cell(None, other)
    assert patched_cell(untouched, edits, None) is untouched
