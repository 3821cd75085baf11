"""Action validation and wildcard expansion against AWS's service data."""

from __future__ import annotations

import pytest

from harness.catalog import Catalog, UnknownAction


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog()


def test_known_action_validates_to_canonical_spelling(catalog: Catalog) -> None:
    info = catalog.validate_action("kms:Decrypt")
    assert (info.service, info.name, info.full_name) == ("kms", "Decrypt", "kms:Decrypt")


def test_action_names_are_case_insensitive(catalog: Catalog) -> None:
    assert catalog.validate_action("KMS:dEcRyPt").full_name == "kms:Decrypt"


def test_action_info_carries_access_level_and_resource_types(catalog: Catalog) -> None:
    info = catalog.validate_action("kms:Decrypt")
    assert info.access_level == "Write"
    assert info.resource_types == ("key",)
    assert "kms:EncryptionContext:${EncryptionContextKey}" in info.condition_keys


def test_misspelled_action_suggests_nearest(catalog: Catalog) -> None:
    with pytest.raises(UnknownAction, match=r"kms:Decrpyt is not a KMS action; did you mean kms:Decrypt"):
        catalog.validate_action("kms:Decrpyt")


def test_unknown_service_suggests_nearest_service_with_the_action(catalog: Catalog) -> None:
    with pytest.raises(UnknownAction, match=r"prefix 'kmss'.*did you mean kms:Decrypt\?"):
        catalog.validate_action("kmss:Decrypt")


def test_action_without_service_prefix_is_rejected(catalog: Catalog) -> None:
    with pytest.raises(UnknownAction, match="expected service:Action"):
        catalog.validate_action("Decrypt")


def test_validate_action_refuses_a_wildcard(catalog: Catalog) -> None:
    with pytest.raises(UnknownAction, match="wildcard"):
        catalog.validate_action("kms:Decrypt*")


def test_generate_data_key_wildcard_expands_to_four_actions(catalog: Catalog) -> None:
    names = [a.full_name for a in catalog.expand("kms:GenerateDataKey*")]
    assert names == [
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyPair",
        "kms:GenerateDataKeyPairWithoutPlaintext",
        "kms:GenerateDataKeyWithoutPlaintext",
    ]


def test_reencrypt_wildcard_expands_to_from_and_to(catalog: Catalog) -> None:
    assert [a.name for a in catalog.expand("kms:ReEncrypt*")] == ["ReEncryptFrom", "ReEncryptTo"]


def test_wildcards_are_case_insensitive(catalog: Catalog) -> None:
    assert [a.name for a in catalog.expand("KMS:reencrypt*")] == ["ReEncryptFrom", "ReEncryptTo"]


def test_question_mark_matches_exactly_one_character(catalog: Catalog) -> None:
    assert [a.name for a in catalog.expand("kms:ReEncrypt??")] == ["ReEncryptTo"]


def test_service_wildcard_expands_to_every_action_of_the_service(catalog: Catalog) -> None:
    expanded = catalog.expand("kms:*")
    assert len(expanded) == len(catalog.source.actions("kms"))
    assert {a.service for a in expanded} == {"kms"}


def test_concrete_action_expands_to_itself(catalog: Catalog) -> None:
    assert [a.full_name for a in catalog.expand("kms:decrypt")] == ["kms:Decrypt"]


def test_wildcard_matching_nothing_is_unknown(catalog: Catalog) -> None:
    with pytest.raises(UnknownAction, match="matches no action"):
        catalog.expand("kms:Frobnicate*")


def test_large_expansion_warns(catalog: Catalog) -> None:
    actions, warnings = catalog.expand_with_warnings("s3:*")
    assert len(actions) > 100
    assert len(warnings) == 1 and "s3:*" in warnings[0]


def test_small_expansion_does_not_warn(catalog: Catalog) -> None:
    assert catalog.expand_with_warnings("kms:GenerateDataKey*")[1] == []


def test_an_action_looked_up_alone_is_the_one_its_service_table_holds() -> None:
    # validate_action builds only the record asked for; the whole table, built later, agrees.
    fresh = Catalog()
    alone = fresh.validate_action("SQS:getqueueattributes")
    assert fresh.source.action("sqs", "nosuchaction") is None
    table = fresh.source.actions("sqs")
    assert table["getqueueattributes"].info == alone
    assert fresh.validate_action("sqs:GetQueueAttributes") == alone
    with pytest.raises(UnknownAction, match="did you mean sqs:GetQueueAttributes"):
        Catalog().validate_action("sqs:GetQueueAtributes")
