"""The statement a fix adds is as narrow as the cell: its action, resource, principal and context."""

from __future__ import annotations

import re

from harness.engine.types import ContextEntry
from harness.fixes.statements import (
    Narrowing,
    condition_from,
    condition_keys_of,
    fix_sid,
    identity_statement,
    inline_policy_name,
    resource_statement,
)

ROLE = "arn:aws:iam::111122223333:role/ir"
KEY = "arn:aws:kms:eu-west-3:111122223333:key/k1"
VIA = ContextEntry("kms:ViaService", ("ec2.eu-west-3.amazonaws.com",))


def test_the_sid_is_the_same_for_the_same_grant_and_iam_accepts_it():
    narrowing = Narrowing("kms:Decrypt", KEY, {})
    assert fix_sid(ROLE, narrowing) == fix_sid(ROLE, Narrowing("kms:Decrypt", KEY, {}))
    assert re.fullmatch(r"[A-Za-z0-9]+", fix_sid(ROLE, narrowing))


def test_the_sid_differs_for_another_principal_action_resource_or_condition():
    base = Narrowing("kms:Decrypt", KEY, {})
    others = [
        fix_sid("arn:aws:iam::111122223333:role/other", base),
        fix_sid(ROLE, Narrowing("kms:Encrypt", KEY, {})),
        fix_sid(ROLE, Narrowing("kms:Decrypt", KEY + "2", {})),
        fix_sid(ROLE, Narrowing("kms:Decrypt", KEY, {"StringEquals": {"kms:ViaService": "x"}})),
    ]
    assert len({fix_sid(ROLE, base), *others}) == 5


def test_an_identity_statement_has_the_cells_action_and_resource_and_no_principal():
    statement = identity_statement(ROLE, Narrowing("kms:Decrypt", KEY, {}))
    assert statement == {
        "Sid": statement["Sid"],
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": KEY,
    }


def test_a_key_policy_statement_names_the_principal_and_every_key_as_this_key():
    statement = resource_statement(ROLE, Narrowing("kms:Decrypt", KEY, {}), "*")
    assert statement["Principal"] == {"AWS": ROLE}
    assert statement["Resource"] == "*"


def test_a_trust_policy_statement_has_no_resource():
    statement = resource_statement(ROLE, Narrowing("sts:AssumeRole", ROLE, {}), None)
    assert "Resource" not in statement


def test_kms_usage_keys_of_the_context_always_become_conditions():
    assert condition_from([VIA], frozenset()) == {
        "StringEquals": {"kms:ViaService": "ec2.eu-west-3.amazonaws.com"}
    }


def test_other_context_keys_become_conditions_only_where_a_policy_tests_them():
    vpc = ContextEntry("aws:SourceVpc", ("vpc-1",))
    assert condition_from([vpc], frozenset()) == {}
    assert condition_from([vpc], frozenset({"aws:sourcevpc"})) == {"StringEquals": {"aws:SourceVpc": "vpc-1"}}


def test_a_boolean_key_is_a_bool_condition_and_lists_numbers_and_dates_are_left_out():
    context = [
        ContextEntry("kms:GrantIsForAWSResource", ("True",), "boolean"),
        ContextEntry("kms:EncryptionContextKeys", ("a", "b"), "stringList"),
        ContextEntry("aws:CurrentTime", ("2024-01-01T00:00:00Z",), "date"),
    ]
    tested = frozenset({"kms:encryptioncontextkeys", "aws:currenttime"})
    assert condition_from(context, tested) == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_the_condition_keys_a_policy_tests_are_read_from_its_condition_blocks():
    condition = '{"StringEquals": {"aws:SourceVpc": "v"}}'
    text = f'{{"Statement": [{{"Effect": "Allow", "Action": "*", "Condition": {condition}}}]}}'
    assert condition_keys_of([text, "not json"]) == frozenset({"aws:sourcevpc"})


def test_the_inline_policy_name_is_derived_from_principal_and_statement():
    assert inline_policy_name(ROLE, "HarnessFixA") == inline_policy_name(ROLE, "HarnessFixA")
    assert inline_policy_name(ROLE, "HarnessFixA") != inline_policy_name(ROLE, "HarnessFixB")
    assert re.fullmatch(r"harness-fix-[0-9a-f]{10}", inline_policy_name(ROLE, "HarnessFixA"))
