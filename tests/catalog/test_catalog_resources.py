"""Resource ARNs checked against the resource types an action accepts."""

from __future__ import annotations

import pytest

from harness.catalog import Catalog

KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog()


def test_create_key_accepts_only_wildcard(catalog: Catalog) -> None:
    assert catalog.accepts_only_wildcard("kms:CreateKey")


def test_decrypt_accepts_a_key_resource(catalog: Catalog) -> None:
    assert not catalog.accepts_only_wildcard("kms:Decrypt")


def test_create_key_on_key_arn_warns(catalog: Catalog) -> None:
    warnings = catalog.resource_warnings("kms:CreateKey", KEY_ARN)
    assert len(warnings) == 1 and 'only Resource "*"' in warnings[0]


def test_wildcard_resource_never_warns(catalog: Catalog) -> None:
    assert catalog.resource_warnings("kms:CreateKey", "*") == []


def test_key_arn_fits_decrypt(catalog: Catalog) -> None:
    assert catalog.resource_warnings("kms:Decrypt", KEY_ARN) == []


def test_bucket_arn_for_decrypt_warns_with_accepted_template(catalog: Catalog) -> None:
    warnings = catalog.resource_warnings("kms:Decrypt", "arn:aws:s3:::my-bucket")
    assert len(warnings) == 1 and "key/${KeyId}" in warnings[0]


def test_resource_part_may_hold_slashes_and_colons(catalog: Catalog) -> None:
    assert catalog.resource_warnings("s3:GetObject", "arn:aws:s3:::bucket/dir/a:b.txt") == []


def test_bucket_arn_for_get_object_warns(catalog: Catalog) -> None:
    assert len(catalog.resource_warnings("s3:GetObject", "arn:aws:s3:::bucket")) == 1


def test_role_path_fits_iam_role_type(catalog: Catalog) -> None:
    assert catalog.resource_warnings("iam:GetRole", "arn:aws:iam::111122223333:role/path/Admin") == []


def test_other_partition_fits(catalog: Catalog) -> None:
    assert catalog.resource_warnings("kms:Decrypt", "arn:aws-cn:kms:cn-north-1:111122223333:key/abc") == []


def test_wildcarded_arn_of_the_right_service_does_not_warn(catalog: Catalog) -> None:
    assert catalog.resource_warnings("kms:Decrypt", "arn:aws:kms:*") == []
