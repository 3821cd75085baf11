"""A fix's condition tests only keys the action's requests carry (service authorization reference)."""

from __future__ import annotations

from harness.fixes.keys import ConditionKeys


def test_a_grant_key_belongs_to_grant_operations_only():
    keys = ConditionKeys()
    assert keys.applies("kms:GrantIsForAWSResource", "kms:CreateGrant")
    assert not keys.applies("kms:GrantIsForAWSResource", "kms:Decrypt")


def test_global_keys_and_the_services_own_keys_apply():
    keys = ConditionKeys()
    assert keys.applies("aws:SourceVpc", "kms:Decrypt")
    assert keys.applies("kms:ViaService", "kms:Decrypt")


def test_an_action_the_reference_does_not_know_keeps_the_key():
    assert ConditionKeys().applies("kms:ViaService", "nosuchservice:Act")
