"""The two sides of a request: who a resource policy names, which policy of which resource decides."""

from __future__ import annotations

from dataclasses import replace

from harness.cells import Cell, Expectation, SourceRef, Subject
from harness.fixes.sides import (
    is_cross_account,
    principal_for_resource_policy,
    resource_side,
    resource_target,
)

ROLE = "arn:aws:iam::111122223333:role/ir"
CELL = Cell(
    "c",
    SourceRef("f.yaml", 1, "s"),
    Subject(principal_arn=ROLE),
    "kms:Decrypt",
    "arn:aws:kms:eu-west-3:111122223333:key/k1",
    Expectation.ALLOWED,
)


def test_a_role_session_is_named_in_a_resource_policy_by_its_role():
    session = replace(CELL, subject=Subject(principal_arn="arn:aws:sts::111122223333:assumed-role/ir/s1"))
    assert principal_for_resource_policy(session, None) == ROLE


def test_a_key_operation_is_decided_by_the_key_policy_and_an_s3_object_by_its_bucket_policy():
    assert resource_target(CELL, None) == (CELL.resource, "key_policy")
    s3 = replace(CELL, action="s3:GetObject", resource="arn:aws:s3:::evidence/disk.img")
    assert resource_target(s3, None) == ("arn:aws:s3:::evidence", "bucket_policy")


def test_a_role_as_resource_is_decided_by_its_trust_policy():
    assume = replace(CELL, action="sts:AssumeRole", resource="arn:aws:iam::111122223333:role/target")
    assert resource_target(assume, None) == (assume.resource, "trust_policy")


def test_the_resource_owner_makes_a_request_cross_account():
    bucket = replace(CELL, action="s3:GetObject", resource="arn:aws:s3:::evidence/disk.img")
    assert not is_cross_account(bucket)
    assert is_cross_account(replace(bucket, resource_owner="arn:aws:iam::444455556666:root"))


def test_a_same_account_resource_without_a_policy_has_no_side_to_change_but_a_key_has():
    bucket = replace(CELL, action="s3:GetObject", resource="arn:aws:s3:::evidence/disk.img")
    assert resource_side(bucket, None) is None
    side = resource_side(CELL, None)
    assert side is not None and side.policy == "key_policy" and not side.known
