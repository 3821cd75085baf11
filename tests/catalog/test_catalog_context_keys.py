"""Condition key types: global aws: keys from the hand-kept table, service keys from AWS's data."""

from __future__ import annotations

import pytest

from harness.catalog import Catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog()


def test_principal_tag_pattern_key_is_string(catalog: Catalog) -> None:
    key_type = catalog.context_key_type("aws:PrincipalTag/Department")
    assert key_type is not None
    assert (key_type.iam_type, key_type.context_key_type, key_type.multivalued) == ("String", "string", False)
    assert key_type.key == "aws:PrincipalTag/${TagKey}"


def test_tag_keys_is_multivalued_string_list(catalog: Catalog) -> None:
    key_type = catalog.context_key_type("aws:TagKeys")
    assert key_type is not None
    assert (key_type.iam_type, key_type.context_key_type, key_type.multivalued) == (
        "ArrayOfString",
        "stringList",
        True,
    )


def test_called_via_is_multivalued(catalog: Catalog) -> None:
    key_type = catalog.context_key_type("aws:CalledVia")
    assert key_type is not None and key_type.multivalued


def test_global_key_names_are_case_insensitive(catalog: Catalog) -> None:
    key_type = catalog.context_key_type("AWS:MULTIFACTORAUTHPRESENT")
    assert key_type is not None and key_type.context_key_type == "boolean"


def test_source_ip_is_ip_type(catalog: Catalog) -> None:
    key_type = catalog.context_key_type("aws:SourceIp")
    assert key_type is not None and key_type.context_key_type == "ip"


def test_arn_key_travels_as_string(catalog: Catalog) -> None:
    key_type = catalog.context_key_type("aws:PrincipalArn")
    assert key_type is not None
    assert (key_type.iam_type, key_type.context_key_type) == ("ARN", "string")


def test_service_bool_key_type_comes_from_service_data(catalog: Catalog) -> None:
    key_type = catalog.context_key_type("kms:BypassPolicyLockoutSafetyCheck")
    assert key_type is not None
    assert (key_type.iam_type, key_type.context_key_type, key_type.source) == ("Bool", "boolean", "kms")


def test_encryption_context_pattern_key_is_string(catalog: Catalog) -> None:
    key_type = catalog.context_key_type("kms:EncryptionContext:Department")
    assert key_type is not None and key_type.iam_type == "String"


def test_service_array_key_is_string_list(catalog: Catalog) -> None:
    key_type = catalog.context_key_type("kms:GrantOperations")
    assert key_type is not None and key_type.context_key_type == "stringList"


def test_key_prefix_that_is_not_a_service_resolves_through_its_service(catalog: Catalog) -> None:
    key_type = catalog.context_key_type("saml:aud")
    assert key_type is not None and key_type.source == "sts"


def test_unknown_key_has_no_type(catalog: Catalog) -> None:
    assert catalog.context_key_type("kms:NoSuchKey") is None


def test_global_key_applies_to_any_action(catalog: Catalog) -> None:
    assert catalog.context_key_applies("aws:SourceIp", ["kms:Decrypt"])


def test_action_key_applies_to_its_action(catalog: Catalog) -> None:
    assert catalog.context_key_applies("kms:EncryptionContext:Purpose", ["kms:Decrypt"])


def test_resource_type_key_applies_to_actions_on_that_resource(catalog: Catalog) -> None:
    assert catalog.context_key_applies("kms:KeySpec", ["kms:Decrypt"])


def test_key_of_another_action_does_not_apply(catalog: Catalog) -> None:
    assert not catalog.context_key_applies("kms:GrantOperations", ["kms:Decrypt", "kms:Encrypt"])


def test_key_applies_through_a_wildcard_action(catalog: Catalog) -> None:
    assert catalog.context_key_applies("kms:GrantOperations", ["kms:Create*"])


def test_inapplicable_key_warns(catalog: Catalog) -> None:
    warnings = catalog.context_key_warnings("kms:GrantOperations", ["kms:Decrypt"])
    assert len(warnings) == 1 and "applies to none" in warnings[0]


def test_misspelled_global_key_warns_with_suggestion(catalog: Catalog) -> None:
    warnings = catalog.context_key_warnings("aws:SourceIP4", ["kms:Decrypt"])
    assert len(warnings) == 1 and "aws:SourceIp" in warnings[0]


def test_applicable_key_gives_no_warning(catalog: Catalog) -> None:
    assert catalog.context_key_warnings("kms:GrantOperations", ["kms:CreateGrant"]) == []


def test_action_condition_keys_include_resource_type_keys(catalog: Catalog) -> None:
    listed = {key: where for key, _type, where in catalog.action_condition_keys("kms:CreateGrant")}
    assert listed["kms:GrantOperations"] == "action"
    assert listed["kms:KeySpec"] == "resource key"
