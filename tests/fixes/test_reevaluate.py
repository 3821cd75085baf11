"""Cells asked again of the offline engine: the decision judged, limits lifted on request."""

from __future__ import annotations

from dataclasses import replace

from harness.account import AccountModel
from harness.account.model import Account, ResourceEntry
from harness.cells import Cell, CellDecision, Expectation, SourceRef, Subject
from harness.engine import Engine
from harness.engine.types import PolicyKind, PolicySource
from harness.fixes.reevaluate import Limit, Reevaluator

ALLOW = PolicySource(
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}',
    "PolicyInputList.1",
    "IAM Policy",
)
SCP_DENY = PolicySource(
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},'
    ' {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]}',
    "deny",
    "Organizations Policy",
    PolicyKind.SCP,
)
KEY = "arn:aws:kms:eu-west-3:111122223333:key/k1"
CELL = Cell(
    "c",
    SourceRef("f.yaml", 1, "s"),
    Subject(identity_policies=(ALLOW,)),
    "kms:Decrypt",
    "*",
    Expectation.ALLOWED,
)


def test_an_scp_deny_is_an_explicit_deny_and_lifting_the_scps_allows():
    cell = replace(CELL, scp_levels=((SCP_DENY,),))
    reevaluator = Reevaluator(Engine(explain=False))
    assert reevaluator.answer(cell, None).judged(cell) is CellDecision.EXPLICIT_DENY
    assert reevaluator.answer(cell, None, frozenset({Limit.SCP})).judged(cell) is CellDecision.ALLOWED
    assert reevaluator.evaluations == 2


def test_a_resource_the_capture_could_not_read_is_an_error_never_an_answer():
    account = Account("111122223333", (), resources={KEY: ResourceEntry(KEY, None, gap="AccessDenied")})
    model = AccountModel("m.yaml", {"111122223333": account})
    cell = replace(CELL, resource=KEY)
    answer = Reevaluator(Engine(explain=False)).answer(cell, model)
    assert answer.judged(cell) is CellDecision.ERROR
    assert "AccessDenied" in (answer.error or "")


def test_the_judged_decisions_of_many_cells_come_back_in_order():
    cells = [CELL, replace(CELL, id="d", action="kms:Encrypt")]
    decisions = Reevaluator(Engine(explain=False)).judged(cells, None)
    assert decisions == [CellDecision.ALLOWED, CellDecision.IMPLICIT_DENY]
