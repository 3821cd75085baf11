"""Fixes attached to a file's results: only blocked cells, nothing done on a passing run, bounded per file."""

from __future__ import annotations

import pytest

from harness.cells import Cell, CellDecision, CellResult, Expectation, SourceRef, Subject
from harness.engine.types import PolicySource
from harness.fixes import FixableFile, Fixes
from harness.fixes import attach as attach_module
from harness.fixes import fixer as fixer_module

DECRYPT = PolicySource(
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}',
    "PolicyInputList.1",
    "IAM Policy",
    origin="policies.decrypt",
)
KEY = "arn:aws:kms:eu-west-3:111122223333:key/k1"


def cell(action: str, expected: Expectation = Expectation.ALLOWED, subject: Subject | None = None) -> Cell:
    return Cell(
        id=f"f.yaml::s|{action}",
        source=SourceRef("f.yaml", 1, "s"),
        subject=subject or Subject(identity_policies=(DECRYPT,)),
        action=action,
        resource=KEY,
        expected=expected,
        principal_label="reader",
    )


def result(c: Cell, decision: str, backend: str = "offline") -> CellResult:
    return CellResult(c.id, backend, CellDecision(decision))


def no_engine():
    raise AssertionError("no engine may be made when no cell is blocked")


def test_a_passing_run_makes_no_engine_and_hands_back_the_same_results():
    cells = [cell("kms:Decrypt"), cell("kms:Encrypt", Expectation.DENIED)]
    results = [result(cells[0], "allowed"), result(cells[1], "implicitDeny")]
    out = Fixes(no_engine).attach(FixableFile("f.yaml", cells, None, "offline"), cells, results)
    assert all(a is b for a, b in zip(out, results, strict=True))


def test_only_a_blocked_cell_that_expected_allowed_gets_a_fix():
    cells = [cell("kms:Encrypt"), cell("kms:Sign", Expectation.DENIED)]
    results = [result(cells[0], "implicitDeny"), result(cells[1], "allowed")]
    out = Fixes().attach(FixableFile("f.yaml", cells, None, "offline"), cells, results)
    assert out[0].fix is not None and out[0].fix.verified
    assert out[1].fix is None  # a wrongly allowed cell is not blocked: nothing to unblock


def test_an_error_cell_gets_no_fix():
    c = cell("kms:Encrypt")
    out = Fixes(no_engine).attach(FixableFile("f.yaml", [c], None, "offline"), [c], [result(c, "error")])
    assert out[0].fix is None


def test_past_the_per_file_bound_a_blocked_cell_says_its_fix_was_not_computed(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(attach_module, "MAX_FIXES", 2)
    cells = [cell(a) for a in ("kms:Encrypt", "kms:Sign", "kms:Verify")]
    results = [result(c, "implicitDeny") for c in cells]
    out = Fixes().attach(FixableFile("f.yaml", cells, None, "offline"), cells, results)
    assert [r.fix.verified for r in out[:2]] == [True, True]
    assert out[2].fix.note == "not computed: more than 2 blocked cells in this file"
    assert not out[2].fix.verified and out[2].fix.changes == ()


def test_the_bound_counts_per_file_across_backend_calls(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(attach_module, "MAX_FIXES", 1)
    fixes = Fixes()
    first, second = cell("kms:Encrypt"), cell("kms:Sign")
    file = FixableFile("f.yaml", [first, second], None, "offline")
    fixes.attach(file, [first], [result(first, "implicitDeny")])
    [late] = fixes.attach(file, [second], [result(second, "implicitDeny")])
    assert late.fix.note.startswith("not computed: more than 1 blocked cells")


def test_a_bug_in_a_fix_is_a_note_on_the_fix_and_the_failure_stays(monkeypatch: pytest.MonkeyPatch):
    def broken(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(fixer_module, "fix_for", broken)
    c = cell("kms:Encrypt")
    [out] = Fixes().attach(FixableFile("f.yaml", [c], None, "offline"), [c], [result(c, "implicitDeny")])
    assert out.decision is CellDecision.IMPLICIT_DENY
    assert out.fix.note == "not computed: internal error in harness.fixes: RuntimeError: boom"
    assert not out.fix.verified


def test_on_the_aws_backend_a_custom_mode_cell_is_proven_offline_and_the_note_says_so():
    c = cell("kms:Encrypt")
    [out] = Fixes().attach(FixableFile("f.yaml", [c], None, "aws"), [c], [result(c, "implicitDeny", "aws")])
    assert out.fix.verified
    assert "the run's backend is aws" in out.fix.note


def test_when_the_offline_engine_allows_what_aws_denied_nothing_is_proven():
    c = cell("kms:Decrypt")
    [out] = Fixes().attach(FixableFile("f.yaml", [c], None, "aws"), [c], [result(c, "implicitDeny", "aws")])
    assert not out.fix.verified and out.fix.changes == ()
    assert "the offline engine allows this cell as it stands" in out.fix.note


def test_principal_mode_on_aws_without_an_account_model_proposes_both_sides_unverified():
    role = "arn:aws:iam::111122223333:role/ir"
    c = cell("kms:Decrypt", subject=Subject(principal_arn=role))
    [out] = Fixes().attach(FixableFile("f.yaml", [c], None, "aws"), [c], [result(c, "implicitDeny", "aws")])
    assert not out.fix.verified
    assert {(ch.target, ch.policy == "key_policy") for ch in out.fix.changes} == {(role, False), (KEY, True)}
    assert "without an account model" in out.fix.note


def test_principal_mode_on_aws_without_a_model_and_an_explicit_deny_proposes_nothing():
    c = cell("kms:Decrypt", subject=Subject(principal_arn="arn:aws:iam::111122223333:role/ir"))
    [out] = Fixes().attach(FixableFile("f.yaml", [c], None, "aws"), [c], [result(c, "explicitDeny", "aws")])
    assert not out.fix.verified and out.fix.changes == ()
    assert "explicit deny" in out.fix.note
