"""Actions inside policy documents: warnings with suggestions, never errors."""

from __future__ import annotations

import pytest

from harness.catalog import Catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog()


def test_unknown_action_in_policy_is_warning_not_error(catalog: Catalog) -> None:
    warnings = catalog.check_policy_actions(["kms:Decrypt", "kms:Decrpyt"])
    assert len(warnings) == 1
    assert "did you mean kms:Decrypt" in warnings[0]


def test_unknown_service_in_policy_is_warning(catalog: Catalog) -> None:
    warnings = catalog.check_policy_actions(["kmss:Decrypt"])
    assert len(warnings) == 1 and "kmss" in warnings[0]


def test_known_actions_and_wildcards_in_policy_give_no_warning(catalog: Catalog) -> None:
    assert catalog.check_policy_actions(["*", "kms:*", "kms:ReEncrypt*", "KMS:decrypt"]) == []


def test_malformed_policy_action_is_warning_not_crash(catalog: Catalog) -> None:
    warnings = catalog.check_policy_actions(["Decrypt", 42])  # type: ignore[list-item]
    assert len(warnings) == 2


def test_single_string_policy_action_is_checked(catalog: Catalog) -> None:
    assert len(catalog.check_policy_actions("kms:Decrpyt")) == 1
