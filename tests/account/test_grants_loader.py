"""A KMS key's `Grants` in the account model: ListGrants' fields, checked strictly."""

from __future__ import annotations

import pytest

from harness.account import load_account_model
from harness.inputs.errors import ScenarioFileErrors

KEY = "arn:aws:kms:eu-west-3:111122223333:key/1111aaaa-0000-0000-0000-000000000000"


def _model(tmp_path, grant: str, arn: str = KEY):
    path = tmp_path / "a.yaml"
    path.write_text(
        'accounts:\n  - AccountId: "111122223333"\n    ResourcePolicies:\n'
        f"      - Arn: {arn}\n        Grants:\n          - {grant}\n"
    )
    return path


def _error(path):
    with pytest.raises(ScenarioFileErrors) as info:
        load_account_model(path)
    return info.value.errors[0]


def test_a_grant_loads_with_its_grantee_operations_and_constraints(tmp_path):
    path = _model(
        tmp_path,
        "{GrantId: g1, GranteePrincipal: 'arn:aws:iam::111122223333:role/r', Operations: [Decrypt],"
        " Constraints: {EncryptionContextSubset: {Project: evidence}}, KeyId: x, CreationDate: y}",
    )
    (grant,) = load_account_model(path).grants_for(KEY)
    assert (grant.grant_id, grant.operations, grant.context_subset) == (
        "g1",
        ("Decrypt",),
        (("Project", "evidence"),),
    )
    assert grant.context_equals is None


def test_an_alias_arn_gets_its_keys_grants(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(
        'accounts:\n  - AccountId: "111122223333"\n    ResourcePolicies:\n'
        f"      - Arn: {KEY}\n        Aliases: [alias/app]\n"
        "        Grants: [{GrantId: g1, GranteePrincipal: x, Operations: [Decrypt]}]\n"
    )
    alias = "arn:aws:kms:eu-west-3:111122223333:alias/app"
    (grant,) = load_account_model(path).grants_for(alias)
    assert grant.resource == alias


def test_an_unknown_grant_key_is_a_load_error_with_a_hint(tmp_path):
    err = _error(_model(tmp_path, "{GrantId: g1, Grantee: x, GranteePrincipal: x, Operations: [Decrypt]}"))
    assert err.line == 6 and "Grantee" in err.message


def test_an_unknown_constraint_is_refused_not_ignored(tmp_path):
    grant = "{GrantId: g1, GranteePrincipal: x, Operations: [Decrypt], Constraints: {SourceArn: y}}"
    err = _error(_model(tmp_path, grant))
    assert "SourceArn" in err.message and err.field.endswith("Constraints.SourceArn")


def test_an_operation_that_is_not_a_grant_operation_is_a_load_error(tmp_path):
    err = _error(_model(tmp_path, "{GrantId: g1, GranteePrincipal: x, Operations: [Decrypts]}"))
    assert "Decrypts" in err.message and "Decrypt" in err.suggestion


def test_a_grant_without_a_grantee_is_a_load_error(tmp_path):
    err = _error(_model(tmp_path, "{GrantId: g1, Operations: [Decrypt]}"))
    assert err.field.endswith("GranteePrincipal")


def test_grants_on_a_resource_that_is_not_a_key_are_a_load_error(tmp_path):
    err = _error(
        _model(tmp_path, "{GrantId: g1, GranteePrincipal: x, Operations: [Decrypt]}", "arn:aws:s3:::b")
    )
    assert "only a KMS key" in err.message
