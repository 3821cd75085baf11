"""Context values are parsed to their key's type; impossible values are refused."""

from __future__ import annotations

import datetime as dt

import pytest

from harness.catalog import Catalog, InvalidContextValue


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog()


def test_bool_key_accepts_yaml_boolean(catalog: Catalog) -> None:
    assert catalog.parse_context_value("aws:MultiFactorAuthPresent", True) == ("boolean", ("true",))


def test_bool_key_accepts_true_false_strings_in_any_case(catalog: Catalog) -> None:
    assert catalog.parse_context_value("aws:SecureTransport", "FALSE") == ("boolean", ("false",))


def test_bool_key_rejects_non_boolean_value(catalog: Catalog) -> None:
    with pytest.raises(InvalidContextValue, match="aws:MultiFactorAuthPresent is a Bool key"):
        catalog.parse_context_value("aws:MultiFactorAuthPresent", "yes")


def test_numeric_key_accepts_integer(catalog: Catalog) -> None:
    assert catalog.parse_context_value("aws:MultiFactorAuthAge", 300) == ("numeric", ("300",))


def test_numeric_key_rejects_text(catalog: Catalog) -> None:
    with pytest.raises(InvalidContextValue, match="not a number"):
        catalog.parse_context_value("aws:MultiFactorAuthAge", "abc")


def test_ip_key_accepts_ipv6_address(catalog: Catalog) -> None:
    assert catalog.parse_context_value("aws:SourceIp", "2001:db8::1") == ("ip", ("2001:db8::1",))


def test_ip_key_rejects_bad_address(catalog: Catalog) -> None:
    with pytest.raises(InvalidContextValue, match="not an IPv4 or IPv6 address"):
        catalog.parse_context_value("aws:SourceIp", "203.0.113.999")


def test_ip_key_rejects_a_range(catalog: Catalog) -> None:
    with pytest.raises(InvalidContextValue, match="range"):
        catalog.parse_context_value("aws:SourceIp", "203.0.113.0/24")


def test_date_key_accepts_iso_8601(catalog: Catalog) -> None:
    assert catalog.parse_context_value("aws:CurrentTime", "2026-01-31T12:00:00Z") == (
        "date",
        ("2026-01-31T12:00:00Z",),
    )


def test_date_key_accepts_yaml_datetime(catalog: Catalog) -> None:
    value = dt.datetime(2026, 1, 31, 12, 0, tzinfo=dt.UTC)
    assert catalog.parse_context_value("aws:CurrentTime", value) == ("date", ("2026-01-31T12:00:00Z",))


def test_date_key_rejects_bad_date(catalog: Catalog) -> None:
    with pytest.raises(InvalidContextValue, match="Date key"):
        catalog.parse_context_value("aws:TokenIssueTime", "2026-13-45")


def test_arn_key_rejects_non_arn(catalog: Catalog) -> None:
    with pytest.raises(InvalidContextValue, match="not an ARN"):
        catalog.parse_context_value("aws:PrincipalArn", "role/Admin")


def test_multivalued_key_wraps_a_single_value_in_a_list(catalog: Catalog) -> None:
    assert catalog.parse_context_value("aws:TagKeys", "Team") == ("stringList", ("Team",))


def test_single_valued_key_rejects_several_values(catalog: Catalog) -> None:
    with pytest.raises(InvalidContextValue, match="single-valued"):
        catalog.parse_context_value("aws:SourceIp", ["192.0.2.1", "192.0.2.2"])


def test_service_key_value_is_parsed_by_its_service_type(catalog: Catalog) -> None:
    assert catalog.parse_context_value("kms:GrantIsForAWSResource", "true") == ("boolean", ("true",))


def test_string_key_keeps_numbers_as_text(catalog: Catalog) -> None:
    assert catalog.parse_context_value("aws:PrincipalAccount", 111122223333) == ("string", ("111122223333",))


def test_unknown_key_list_is_taken_as_string_list(catalog: Catalog) -> None:
    assert catalog.parse_context_value("custom:Thing", ["a", "b"]) == ("stringList", ("a", "b"))


def test_null_value_is_refused(catalog: Catalog) -> None:
    with pytest.raises(InvalidContextValue, match="empty value"):
        catalog.parse_context_value("aws:PrincipalAccount", None)


# -- explicitly typed entries ({type: numeric, value: ...}) are checked like catalog-typed ones


@pytest.mark.parametrize(
    ("ctype", "value"),
    [
        ("numeric", "abc"),
        ("numeric", float("nan")),
        ("date", "yesterday"),
        ("boolean", "maybe"),
        ("ip", "example.com"),
        ("ip", "10.0.0.0/8"),
        ("binary", "not base64!"),
        ("numericList", [1, "two"]),
        ("string", None),
    ],
)
def test_typed_value_that_cannot_be_of_its_type_is_refused(ctype, value):
    from harness.catalog.types import InvalidContextValue
    from harness.catalog.values import parse_typed_values

    with pytest.raises(InvalidContextValue):
        parse_typed_values("x:k", ctype, value)


@pytest.mark.parametrize(
    ("ctype", "value", "expected"),
    [
        ("numeric", 10**40, (str(10**40),)),
        ("date", "2026-01-01T00:00:00Z", ("2026-01-01T00:00:00Z",)),
        ("boolean", True, ("true",)),
        ("ip", "2001:db8::1", ("2001:db8::1",)),
        ("binary", "aGVsbG8=", ("aGVsbG8=",)),
        ("stringList", ["a", "b"], ("a", "b")),
    ],
)
def test_typed_value_of_its_type_is_kept(ctype, value, expected):
    from harness.catalog.values import parse_typed_values

    assert parse_typed_values("x:k", ctype, value) == expected
