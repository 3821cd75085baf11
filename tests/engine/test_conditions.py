"""Condition operators, qualifiers, IfExists and Null (harness.engine.conditions)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.engine.conditions import (
    CompiledConditions,
    ConditionKeys,
    ConditionOutcome,
    _full_check,
    _lean_block_keys,
    check_conditions,
    compile_conditions,
    known_operators,
)
from harness.engine.context import ContextValue, RequestContext
from harness.engine.errors import MalformedPolicyDocument
from harness.engine.patterns import PatternCache

V2012 = "2012-10-17"


def ctx(**entries: object) -> RequestContext:
    """Keyword names use `__` for `:` and `_S_` for `/`; lists become stringList."""
    items = []
    for name, v in entries.items():
        key = name.replace("__", ":").replace("_S_", "/")
        if isinstance(v, list):
            items.append(ContextValue(key, tuple(v), "stringList"))
        else:
            items.append(ContextValue(key, (str(v),)))
    return RequestContext(items)


def compiled(block: object, version: str | None = V2012) -> CompiledConditions:
    return compile_conditions(block, policy_version=version)


def outcome(block: object, context: RequestContext, version: str | None = V2012) -> ConditionOutcome:
    return compiled(block, version).evaluate(context)


def holds(block: object, context: RequestContext, version: str | None = V2012) -> bool:
    return outcome(block, context, version).matched


def one(op: str, key: str, values: object) -> dict[str, dict[str, object]]:
    return {op: {key: values}}


# --- block structure --------------------------------------------------------


def test_empty_condition_block_matches() -> None:
    assert holds({}, ctx())


def test_absent_condition_block_matches() -> None:
    assert compile_conditions(None, policy_version=V2012).evaluate(ctx()).matched


def test_several_operators_are_anded() -> None:
    block = {"StringEquals": {"aws:username": "alice"}, "Bool": {"aws:SecureTransport": "true"}}
    assert holds(block, ctx(aws__username="alice", aws__SecureTransport="true"))
    assert not holds(block, ctx(aws__username="alice", aws__SecureTransport="false"))


def test_several_keys_under_one_operator_are_anded() -> None:
    block = {"StringEquals": {"aws:username": "alice", "aws:RequestedRegion": "eu-west-1"}}
    assert holds(block, ctx(aws__username="alice", aws__RequestedRegion="eu-west-1"))
    assert not holds(block, ctx(aws__username="alice", aws__RequestedRegion="us-east-1"))


def test_several_values_for_one_key_are_ored() -> None:
    block = one("StringEquals", "aws:PrincipalTag/Foo", ["bar", "baz"])
    assert holds(block, ctx(aws__PrincipalTag_S_Foo="baz"))


def test_condition_key_names_are_case_insensitive() -> None:
    assert holds(one("StringEquals", "AWS:UserName", "alice"), ctx(aws__username="alice"))


def test_condition_values_are_case_sensitive() -> None:
    assert not holds(one("StringEquals", "aws:username", "Alice"), ctx(aws__username="alice"))


def test_keys_are_reported_lower_cased() -> None:
    block = {"StringEquals": {"AWS:UserName": "a"}, "Null": {"aws:TokenIssueTime": "true"}}
    assert compiled(block).keys == {"aws:username", "aws:tokenissuetime"}


def test_variable_keys_are_reported() -> None:
    block = one("StringLike", "s3:prefix", "home/${aws:username}/*")
    assert compiled(block).variable_keys == {"aws:username"}


# --- malformed input ---------------------------------------------------------


def test_unknown_operator_is_malformed() -> None:
    with pytest.raises(MalformedPolicyDocument) as exc:
        compiled(one("StringSortOf", "aws:username", "a"))
    assert exc.value.element == "Condition"
    assert "StringSortOf" in str(exc.value)


def test_operator_names_are_case_sensitive() -> None:
    with pytest.raises(MalformedPolicyDocument):
        compiled(one("stringEquals", "aws:username", "a"))


def test_non_object_condition_is_malformed() -> None:
    with pytest.raises(MalformedPolicyDocument):
        compiled(["StringEquals"])


def test_non_object_operator_body_is_malformed() -> None:
    with pytest.raises(MalformedPolicyDocument):
        compiled({"StringEquals": "aws:username"})


def test_nested_object_value_is_malformed() -> None:
    with pytest.raises(MalformedPolicyDocument):
        compiled(one("StringEquals", "aws:username", {"a": 1}))


def test_unparsable_numeric_policy_value_is_malformed() -> None:
    with pytest.raises(MalformedPolicyDocument) as exc:
        compiled(one("NumericLessThan", "aws:MultiFactorAuthAge", "soon"))
    assert "soon" in str(exc.value) and "aws:MultiFactorAuthAge" in str(exc.value)


def test_unparsable_date_policy_value_is_malformed() -> None:
    with pytest.raises(MalformedPolicyDocument):
        compiled(one("DateLessThan", "aws:CurrentTime", "tomorrow"))


def test_unparsable_bool_policy_value_is_malformed() -> None:
    with pytest.raises(MalformedPolicyDocument):
        compiled(one("Bool", "aws:SecureTransport", "yes"))


def test_unparsable_ip_policy_value_is_malformed() -> None:
    with pytest.raises(MalformedPolicyDocument):
        compiled(one("IpAddress", "aws:SourceIp", "10.0.0.0/33"))


def test_unparsable_binary_policy_value_is_malformed() -> None:
    with pytest.raises(MalformedPolicyDocument):
        compiled(one("BinaryEquals", "k", "not base64!"))


def test_null_policy_value_must_be_true_or_false() -> None:
    with pytest.raises(MalformedPolicyDocument):
        compiled(one("Null", "aws:TokenIssueTime", "maybe"))


def test_null_has_no_ifexists_variant() -> None:
    with pytest.raises(MalformedPolicyDocument):
        compiled(one("NullIfExists", "aws:TokenIssueTime", "true"))


def test_numeric_operator_with_variable_value_is_malformed() -> None:
    # Numeric operators do not support policy variables.
    with pytest.raises(MalformedPolicyDocument):
        compiled(one("NumericEquals", "s3:max-keys", "${aws:username}"))


def test_every_documented_operator_is_known() -> None:
    documented = {
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
        "StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan",
        "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
        "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
        "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals",
        "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
    }  # fmt: skip
    assert known_operators() == documented


# --- string operators --------------------------------------------------------


def test_stringequals_matches_exact_value() -> None:
    assert holds(one("StringEquals", "aws:username", "alice"), ctx(aws__username="alice"))


def test_stringequals_does_not_treat_star_as_wildcard() -> None:
    assert not holds(one("StringEquals", "aws:username", "al*"), ctx(aws__username="alice"))


def test_stringequals_with_absent_key_is_false() -> None:
    assert not holds(one("StringEquals", "aws:username", "alice"), ctx())


def test_stringnotequals_matches_only_when_no_value_matches() -> None:
    block = one("StringNotEquals", "aws:PrincipalTag/role", ["audit", "security"])
    assert holds(block, ctx(aws__PrincipalTag_S_role="dev"))
    assert not holds(block, ctx(aws__PrincipalTag_S_role="security"))


def test_stringnotequals_with_absent_key_is_true() -> None:
    assert holds(one("StringNotEquals", "aws:SourceVpc", "vpc-1"), ctx())


def test_stringnotequals_key_name_is_case_insensitive() -> None:
    block = one("StringNotEquals", "s3:ExistingObjecttag/Classification", "proprietary")
    context = RequestContext([ContextValue("s3:ExistingObjectTag/Classification", ("proprietary",))])
    assert not holds(block, context)


def test_stringequalsignorecase_ignores_case() -> None:
    assert holds(one("StringEqualsIgnoreCase", "aws:username", "ALICE"), ctx(aws__username="Alice"))


def test_stringnotequalsignorecase_ignores_case() -> None:
    block = one("StringNotEqualsIgnoreCase", "aws:username", "ALICE")
    assert not holds(block, ctx(aws__username="alice"))
    assert holds(block, ctx(aws__username="bob"))


def test_stringlike_matches_star_wildcard() -> None:
    assert holds(one("StringLike", "s3:prefix", "home/*"), ctx(s3__prefix="home/alice/x"))


def test_stringlike_matches_question_mark_wildcard() -> None:
    block = one("StringLike", "s3:prefix", "v?")
    assert holds(block, ctx(s3__prefix="v1"))
    assert not holds(block, ctx(s3__prefix="v10"))


def test_stringlike_needs_a_wildcard_for_partial_match() -> None:
    assert not holds(one("StringLike", "s3:prefix", "home"), ctx(s3__prefix="home/alice"))


def test_stringlike_is_case_sensitive() -> None:
    assert not holds(one("StringLike", "s3:prefix", "Home/*"), ctx(s3__prefix="home/a"))


def test_stringnotlike_matches_when_no_pattern_matches() -> None:
    block = one("StringNotLike", "s3:prefix", ["home/*", "shared/*"])
    assert holds(block, ctx(s3__prefix="private/x"))
    assert not holds(block, ctx(s3__prefix="shared/x"))


def test_stringnotlike_with_absent_key_is_true() -> None:
    assert holds(one("StringNotLike", "s3:prefix", "home/*"), ctx())


def test_json_number_policy_value_compares_as_string() -> None:
    block = one("StringEquals", "aws:PrincipalAccount", 123456789012)
    assert holds(block, ctx(aws__PrincipalAccount="123456789012"))


# --- policy variables in condition values ------------------------------------


def test_variable_in_stringlike_value_is_substituted() -> None:
    block = one("StringLike", "s3:prefix", "home/${aws:username}/*")
    assert holds(block, ctx(s3__prefix="home/alice/a", aws__username="alice"))
    assert not holds(block, ctx(s3__prefix="home/bob/a", aws__username="alice"))


def test_variable_in_stringequals_value_is_substituted() -> None:
    block = one("StringEquals", "aws:ResourceTag/owner", "${aws:username}")
    assert holds(block, ctx(aws__ResourceTag_S_owner="alice", aws__username="alice"))


def test_variable_without_value_never_matches() -> None:
    block = one("StringLike", "s3:prefix", "home/${aws:username}/*")
    assert not holds(block, ctx(s3__prefix="home//a"))


def test_variable_without_value_makes_negated_operator_false() -> None:
    # AWS: an unresolvable variable may invalidate the statement; reading it as
    # "matches none of the values" would turn a missing value into a grant.
    block = one("StringNotEquals", "aws:ResourceTag/owner", "${aws:username}")
    assert not holds(block, ctx(aws__ResourceTag_S_owner="alice"))


def test_variable_default_applies_in_condition_value() -> None:
    block = one("StringEquals", "aws:ResourceTag/team", "${aws:PrincipalTag/team, 'shared'}")
    assert holds(block, ctx(aws__ResourceTag_S_team="shared"))


def test_substituted_value_is_literal_in_stringlike() -> None:
    block = one("StringLike", "s3:prefix", "${aws:username}")
    assert not holds(block, ctx(s3__prefix="anything", aws__username="*"))
    assert holds(block, ctx(s3__prefix="*", aws__username="*"))


def test_special_star_variable_is_literal_in_stringlike() -> None:
    block = one("StringLike", "s3:prefix", "a${*}")
    assert holds(block, ctx(s3__prefix="a*"))
    assert not holds(block, ctx(s3__prefix="ab"))


def test_variables_are_literal_text_under_version_2008() -> None:
    block = one("StringEquals", "s3:prefix", "${aws:username}")
    context = ctx(s3__prefix="alice", aws__username="alice")
    assert not holds(block, context, version="2008-10-17")
    assert holds(block, ctx(s3__prefix="${aws:username}"), version="2008-10-17")


def test_variables_are_literal_text_without_version() -> None:
    block = one("StringEquals", "s3:prefix", "${aws:username}")
    assert not holds(block, ctx(s3__prefix="alice", aws__username="alice"), version=None)


def test_variable_in_arnlike_value_is_substituted() -> None:
    block = one("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:user/${aws:username}")
    context = ctx(aws__PrincipalArn="arn:aws:iam::111122223333:user/alice", aws__username="alice")
    assert holds(block, context)


def test_variable_in_bool_value_is_substituted() -> None:
    block = one("Bool", "aws:SecureTransport", "${aws:PrincipalTag/tls}")
    assert holds(block, ctx(aws__SecureTransport="true", aws__PrincipalTag_S_tls="TRUE"))
    assert not holds(block, ctx(aws__SecureTransport="true", aws__PrincipalTag_S_tls="nope"))


def test_unresolved_variable_is_named_in_the_failure() -> None:
    block = one("StringLike", "s3:prefix", "home/${aws:username}/*")
    failure = outcome(block, ctx(s3__prefix="home/x/y")).failures[0]
    assert "${aws:username}" in failure.message


# --- numeric ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("NumericEquals", "10", True),
        ("NumericEquals", "11", False),
        ("NumericLessThan", "9", True),
        ("NumericLessThan", "10", False),
        ("NumericLessThanEquals", "10", True),
        ("NumericLessThanEquals", "11", False),
        ("NumericGreaterThan", "11", True),
        ("NumericGreaterThan", "10", False),
        ("NumericGreaterThanEquals", "10", True),
        ("NumericGreaterThanEquals", "9", False),
    ],
)
def test_numeric_operator_compares_request_value_with_policy_value(
    operator: str, value: str, expected: bool
) -> None:
    block = one(operator, "aws:MultiFactorAuthAge", "10")
    assert holds(block, ctx(aws__MultiFactorAuthAge=value)) is expected


def test_numericnotequals_matches_only_when_no_value_equals() -> None:
    block = one("NumericNotEquals", "s3:max-keys", ["10", "20"])
    assert holds(block, _maxkeys("15"))
    assert not holds(block, _maxkeys("20"))


def _maxkeys(v: str) -> RequestContext:
    return RequestContext([ContextValue("s3:max-keys", (v,), "numeric")])


def test_numeric_policy_value_may_be_json_number() -> None:
    assert holds(one("NumericLessThan", "s3:max-keys", 10), _maxkeys("5"))


def test_numeric_compares_decimals() -> None:
    assert holds(one("NumericGreaterThanEquals", "s3:TlsVersion", "1.2"), ctx(s3__TlsVersion="1.3"))
    assert holds(one("NumericEquals", "s3:TlsVersion", "1.20"), ctx(s3__TlsVersion="1.2"))


def test_numeric_context_value_that_is_not_a_number_does_not_match() -> None:
    result = outcome(one("NumericLessThan", "s3:max-keys", "10"), _maxkeys("abc"))
    assert not result.matched
    assert "'abc'" in result.failures[0].message and "number" in result.failures[0].message


def test_numeric_type_error_does_not_satisfy_negated_operator() -> None:
    assert not holds(one("NumericNotEquals", "s3:max-keys", "10"), _maxkeys("abc"))


def test_numericnotequals_with_absent_key_is_true() -> None:
    assert holds(one("NumericNotEquals", "s3:max-keys", "10"), ctx())


# --- date ------------------------------------------------------------------


def test_datelessthan_compares_iso_timestamps() -> None:
    block = one("DateLessThan", "aws:CurrentTime", "2026-01-01T00:00:00Z")
    assert holds(block, ctx(aws__CurrentTime="2025-12-31T23:59:59Z"))
    assert not holds(block, ctx(aws__CurrentTime="2026-01-01T00:00:00Z"))


def test_dateless_than_accepts_epoch_seconds() -> None:
    block = one("DateLessThan", "aws:CurrentTime", "1767225600")  # 2026-01-01T00:00:00Z
    assert holds(block, ctx(aws__CurrentTime="2025-12-31T23:59:59Z"))


def test_date_context_value_may_be_epoch_seconds() -> None:
    block = one("DateGreaterThan", "aws:EpochTime", "2026-01-01T00:00:00Z")
    assert holds(block, ctx(aws__EpochTime="1767225601"))


def test_dateequals_compares_instants_across_offsets() -> None:
    block = one("DateEquals", "aws:CurrentTime", "2026-01-01T01:00:00+01:00")
    assert holds(block, ctx(aws__CurrentTime="2026-01-01T00:00:00Z"))


def test_date_without_time_is_midnight_utc() -> None:
    block = one("DateEquals", "aws:CurrentTime", "2026-01-01")
    assert holds(block, ctx(aws__CurrentTime="2026-01-01T00:00:00Z"))


def test_date_accepts_fractional_seconds() -> None:
    block = one("DateLessThanEquals", "aws:TokenIssueTime", "2026-01-01T00:00:00.500Z")
    assert holds(block, ctx(aws__TokenIssueTime="2026-01-01T00:00:00.250Z"))


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("DateEquals", False),
        ("DateNotEquals", True),
        ("DateLessThan", True),
        ("DateLessThanEquals", True),
        ("DateGreaterThan", False),
        ("DateGreaterThanEquals", False),
    ],
)
def test_date_operator_compares_request_time_with_policy_time(operator: str, expected: bool) -> None:
    block = one(operator, "aws:CurrentTime", "2026-06-01T00:00:00Z")
    assert holds(block, ctx(aws__CurrentTime="2026-05-01T00:00:00Z")) is expected


def test_date_context_value_that_is_not_a_date_does_not_match() -> None:
    result = outcome(one("DateGreaterThan", "aws:CurrentTime", "2026-01-01"), ctx(aws__CurrentTime="later"))
    assert not result.matched
    assert "date" in result.failures[0].message


# --- bool ------------------------------------------------------------------


def test_bool_matches_string_true() -> None:
    assert holds(one("Bool", "aws:SecureTransport", "true"), ctx(aws__SecureTransport="true"))


def test_bool_policy_value_may_be_json_boolean() -> None:
    assert holds(one("Bool", "aws:SecureTransport", False), ctx(aws__SecureTransport="false"))


def test_bool_values_are_case_insensitive() -> None:
    assert holds(one("Bool", "aws:SecureTransport", "TRUE"), ctx(aws__SecureTransport="True"))


def test_bool_false_request_does_not_match_true_policy() -> None:
    block = one("Bool", "kms:GrantIsForAWSResource", "true")
    result = outcome(block, ctx(kms__GrantIsForAWSResource="false"))
    assert not result.matched
    assert result.failures[0].message == "kms:GrantIsForAWSResource is false; the policy requires true"


def test_bool_with_absent_key_is_false() -> None:
    result = outcome(one("Bool", "aws:SecureTransport", "true"), ctx())
    assert not result.matched
    assert result.missing_keys == ("aws:SecureTransport",)


def test_bool_context_value_that_is_not_boolean_does_not_match() -> None:
    assert not holds(one("Bool", "aws:SecureTransport", "true"), ctx(aws__SecureTransport="1"))


# --- binary ----------------------------------------------------------------


def test_binaryequals_compares_decoded_base64() -> None:
    block = one("BinaryEquals", "k", "QmluYXJ5VmFsdWU=")
    assert holds(block, RequestContext([ContextValue("k", ("QmluYXJ5VmFsdWU=",), "binary")]))
    assert not holds(block, RequestContext([ContextValue("k", ("T3RoZXI=",), "binary")]))


def test_binaryequals_context_value_that_is_not_base64_does_not_match() -> None:
    assert not holds(one("BinaryEquals", "k", "QQ=="), ctx(k="***"))


# --- IP address ------------------------------------------------------------


def test_ipaddress_matches_ipv4_cidr() -> None:
    block = one("IpAddress", "aws:SourceIp", "203.0.113.0/24")
    assert holds(block, ctx(aws__SourceIp="203.0.113.7"))
    assert not holds(block, ctx(aws__SourceIp="203.0.114.7"))


def test_ipaddress_matches_single_address() -> None:
    assert holds(one("IpAddress", "aws:SourceIp", "203.0.113.7"), ctx(aws__SourceIp="203.0.113.7"))


def test_ipaddress_matches_ipv6_cidr() -> None:
    block = one("IpAddress", "aws:SourceIp", "2001:db8::/32")
    assert holds(block, ctx(aws__SourceIp="2001:db8:1234::1"))
    assert not holds(block, ctx(aws__SourceIp="2001:db9::1"))


def test_ipaddress_ipv4_request_does_not_match_ipv6_range() -> None:
    assert not holds(one("IpAddress", "aws:SourceIp", "::/0"), ctx(aws__SourceIp="10.0.0.1"))


def test_ipaddress_accepts_host_bits_in_policy_cidr() -> None:
    assert holds(one("IpAddress", "aws:SourceIp", "10.1.2.3/8"), ctx(aws__SourceIp="10.200.0.1"))


def test_notipaddress_matches_only_outside_every_range() -> None:
    block = one("NotIpAddress", "aws:SourceIp", ["10.0.0.0/8", "192.168.0.0/16"])
    assert holds(block, ctx(aws__SourceIp="172.16.0.1"))
    assert not holds(block, ctx(aws__SourceIp="192.168.1.1"))


def test_notipaddress_with_absent_key_is_true() -> None:
    assert holds(one("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"), ctx())


def test_ipaddress_context_value_that_is_not_an_address_does_not_match() -> None:
    result = outcome(one("IpAddress", "aws:SourceIp", "10.0.0.0/8"), ctx(aws__SourceIp="localhost"))
    assert not result.matched
    assert "IP address" in result.failures[0].message


# --- ARN -------------------------------------------------------------------


def test_arnequals_matches_exact_arn() -> None:
    block = one("ArnEquals", "aws:SourceArn", "arn:aws:s3:::bucket")
    assert holds(block, ctx(aws__SourceArn="arn:aws:s3:::bucket"))
    assert not holds(block, ctx(aws__SourceArn="arn:aws:s3:::bucket2"))


def test_arnequals_accepts_wildcards_like_arnlike() -> None:
    block = one("ArnEquals", "aws:SourceArn", "arn:aws:s3:::bucket-*")
    assert holds(block, ctx(aws__SourceArn="arn:aws:s3:::bucket-logs"))


def test_arnlike_matches_wildcard_in_account() -> None:
    block = one("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/Admin*")
    assert holds(block, ctx(aws__PrincipalArn="arn:aws:iam::123456789012:role/AdminRole"))


def test_arnlike_value_that_is_not_an_arn_does_not_match() -> None:
    assert not holds(one("ArnLike", "aws:SourceArn", "*"), ctx(aws__SourceArn="bucket"))


def test_arnnotlike_matches_only_when_no_pattern_matches() -> None:
    block = one("ArnNotLike", "aws:PrincipalArn", ["arn:aws:iam::*:role/Admin", "arn:aws:iam::*:role/Ops"])
    assert holds(block, ctx(aws__PrincipalArn="arn:aws:iam::1:role/Dev"))
    assert not holds(block, ctx(aws__PrincipalArn="arn:aws:iam::1:role/Ops"))


def test_arnnotequals_with_absent_key_is_true() -> None:
    assert holds(one("ArnNotEquals", "aws:SourceArn", "arn:aws:s3:::b"), ctx())


def test_arnnotlike_with_absent_key_is_true() -> None:
    assert holds(one("ArnNotLike", "aws:SourceArn", "arn:aws:s3:::b"), ctx())


# --- IfExists --------------------------------------------------------------


def test_ifexists_with_absent_key_is_true() -> None:
    assert holds(one("StringEqualsIfExists", "aws:ResourceTag/env", "prod"), ctx())


def test_ifexists_with_present_key_compares_normally() -> None:
    block = one("StringEqualsIfExists", "aws:ResourceTag/env", "prod")
    assert holds(block, ctx(aws__ResourceTag_S_env="prod"))
    assert not holds(block, ctx(aws__ResourceTag_S_env="dev"))


def test_negated_ifexists_with_absent_key_is_true() -> None:
    assert holds(one("StringNotEqualsIfExists", "aws:SourceOrgID", "o-1"), ctx())


def test_boolifexists_with_absent_key_is_true() -> None:
    assert holds(one("BoolIfExists", "aws:PrincipalIsAWSService", "false"), ctx())


@pytest.mark.parametrize(
    ("operator", "value"),
    [
        ("NumericLessThanIfExists", "10"),
        ("DateLessThanIfExists", "2026-01-01"),
        ("BinaryEqualsIfExists", "QQ=="),
        ("IpAddressIfExists", "10.0.0.0/8"),
        ("ArnLikeIfExists", "arn:aws:s3:::b"),
        ("StringLikeIfExists", "a*"),
    ],
)
def test_every_ifexists_variant_is_true_for_absent_key(operator: str, value: str) -> None:
    assert holds(one(operator, "some:key", value), ctx())


def test_ifexists_absent_key_is_not_reported_missing() -> None:
    result = outcome(
        {"StringEqualsIfExists": {"a:x": "1"}, "StringEquals": {"a:y": "1"}},
        ctx(),
    )
    assert result.missing_keys == ("a:y",)


# --- Null --------------------------------------------------------------------


def test_null_true_matches_absent_key() -> None:
    assert holds(one("Null", "aws:TokenIssueTime", "true"), ctx())


def test_null_true_does_not_match_present_key() -> None:
    assert not holds(one("Null", "aws:TokenIssueTime", "true"), ctx(aws__TokenIssueTime="2026-01-01"))


def test_null_false_matches_present_key() -> None:
    assert holds(one("Null", "aws:TokenIssueTime", "false"), ctx(aws__TokenIssueTime="2026-01-01"))


def test_null_false_with_absent_key_fails_and_reports_it_missing() -> None:
    result = outcome(one("Null", "aws:TokenIssueTime", False), ctx())
    assert not result.matched
    assert result.missing_keys == ("aws:TokenIssueTime",)


def test_null_true_matches_empty_multivalued_key() -> None:
    empty = RequestContext([ContextValue("aws:TagKeys", (), "stringList")])
    assert holds(one("Null", "aws:TagKeys", "true"), empty)


# --- set qualifiers ----------------------------------------------------------


def test_forallvalues_is_true_when_every_value_matches_some_policy_value() -> None:
    block = one("ForAllValues:StringEquals", "aws:TagKeys", ["env", "team", "cost"])
    assert holds(block, ctx(aws__TagKeys=["env", "team"]))


def test_forallvalues_is_false_when_one_value_matches_nothing() -> None:
    block = one("ForAllValues:StringEquals", "aws:TagKeys", ["env", "team"])
    assert not holds(block, ctx(aws__TagKeys=["env", "secret"]))


def test_forallvalues_with_absent_key_is_true() -> None:
    result = outcome(one("ForAllValues:StringEquals", "aws:TagKeys", ["env"]), ctx())
    assert result.matched


def test_forallvalues_with_empty_key_is_true() -> None:
    empty = RequestContext([ContextValue("aws:TagKeys", (), "stringList")])
    assert holds(one("ForAllValues:StringEquals", "aws:TagKeys", ["env"]), empty)


def test_forallvalues_treats_single_valued_key_as_one_element_set() -> None:
    block = one("ForAllValues:StringEquals", "aws:PrincipalOrgId", ["o-abcdefg", "o-zyxwvu"])
    assert holds(block, ctx(aws__PrincipalOrgId="o-abcdefg"))
    assert not holds(block, ctx(aws__PrincipalOrgId="o-zzzzzz"))


def test_forallvalues_stringlike_matches_every_value_against_patterns() -> None:
    block = one("ForAllValues:StringLike", "aws:TagKeys", "Created*")
    assert holds(block, ctx(aws__TagKeys=["CreatedBy", "CreatedAt"]))
    assert not holds(block, ctx(aws__TagKeys=["CreatedBy", "Owner"]))


def test_forallvalues_stringnotlike_applies_negation_per_value() -> None:
    # Documented example: deny unless no tag key starts with key1.
    block = one("ForAllValues:StringNotLike", "aws:TagKeys", "key1*")
    assert not holds(block, ctx(aws__TagKeys=["key1:legal"]))
    assert not holds(block, ctx(aws__TagKeys=["key1:hr", "key1:personnel"]))
    assert holds(block, ctx(aws__TagKeys=["key2:audit"]))
    assert holds(block, ctx())


def test_forallvalues_stringnotequals_is_false_if_any_value_is_listed() -> None:
    block = one("ForAllValues:StringNotEquals", "aws:TagKeys", ["a", "b"])
    assert not holds(block, ctx(aws__TagKeys=["c", "a"]))
    assert holds(block, ctx(aws__TagKeys=["c", "d"]))


def test_foranyvalue_is_true_when_one_value_matches() -> None:
    block = one("ForAnyValue:StringEquals", "aws:PrincipalOrgPaths", ["ou-12345"])
    assert holds(block, ctx(aws__PrincipalOrgPaths=["ou-99", "ou-12345"]))


def test_foranyvalue_is_false_when_no_value_matches() -> None:
    block = one("ForAnyValue:StringEquals", "aws:PrincipalOrgPaths", ["ou-12345"])
    assert not holds(block, ctx(aws__PrincipalOrgPaths=["ou-99"]))


def test_foranyvalue_with_absent_key_is_false() -> None:
    result = outcome(one("ForAnyValue:StringEquals", "aws:TagKeys", "env"), ctx())
    assert not result.matched
    assert result.missing_keys == ("aws:TagKeys",)


def test_foranyvalue_with_empty_key_is_false() -> None:
    empty = RequestContext([ContextValue("aws:TagKeys", (), "stringList")])
    assert not holds(one("ForAnyValue:StringEquals", "aws:TagKeys", "env"), empty)


def test_foranyvalue_negated_operator_with_absent_key_is_false() -> None:
    assert not holds(one("ForAnyValue:StringNotEquals", "aws:TagKeys", "env"), ctx())


def test_foranyvalue_stringnotequals_is_true_when_some_value_is_not_listed() -> None:
    block = one("ForAnyValue:StringNotEquals", "aws:TagKeys", ["a"])
    assert holds(block, ctx(aws__TagKeys=["a", "b"]))
    assert not holds(block, ctx(aws__TagKeys=["a"]))


def test_foranyvalue_ifexists_with_absent_key_is_false() -> None:
    # Live test on AWS re:Post, "ForAnyValue:StringEqualsIfExists behaving unexpectedly".
    assert not holds(one("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", "env"), ctx())
    assert not holds(one("ForAnyValue:StringLikeIfExists", "aws:TagKeys", "Owner"), ctx())


def test_forallvalues_ifexists_with_absent_key_is_true() -> None:
    assert holds(one("ForAllValues:StringEqualsIfExists", "aws:TagKeys", "env"), ctx())


def test_arn_negation_of_a_value_that_is_not_an_arn_is_true() -> None:
    # A reading (docs/engine.md): a non-ARN matches no ARN pattern, so "negated matching" holds.
    garbage = ctx(aws__PrincipalArn="boop", aws__SourceArn="not-an-arn")
    assert holds(one("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:role/Admin"), garbage)
    assert holds(one("ArnNotEquals", "aws:SourceArn", "arn:aws:s3:::b"), garbage)
    assert not holds(one("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/*"), garbage)


def test_forallvalues_ifexists_with_present_key_compares_every_value() -> None:
    block = one("ForAllValues:StringEqualsIfExists", "aws:TagKeys", ["a"])
    assert not holds(block, ctx(aws__TagKeys=["a", "b"]))


def test_qualifiers_work_with_non_string_operators() -> None:
    block = one("ForAnyValue:IpAddress", "custom:Ips", "10.0.0.0/8")
    assert holds(block, ctx(custom__Ips=["192.168.0.1", "10.1.1.1"]))


def test_qualified_null_is_malformed() -> None:
    with pytest.raises(MalformedPolicyDocument):
        compiled(one("ForAllValues:Null", "aws:TagKeys", "true"))


def test_qualifier_is_case_sensitive() -> None:
    with pytest.raises(MalformedPolicyDocument):
        compiled(one("forallvalues:StringEquals", "aws:TagKeys", "a"))


def test_forallvalues_type_error_in_one_value_fails() -> None:
    block = one("ForAllValues:NumericLessThan", "custom:Sizes", "10")
    assert not holds(block, ctx(custom__Sizes=["1", "x"]))


# --- multivalued key without a qualifier -------------------------------------


def test_multivalued_key_without_qualifier_matches_if_any_value_matches() -> None:
    assert holds(one("StringEquals", "aws:TagKeys", "env"), ctx(aws__TagKeys=["team", "env"]))


def test_multivalued_key_without_qualifier_negated_needs_no_value_to_match() -> None:
    block = one("StringNotEquals", "aws:TagKeys", "env")
    assert not holds(block, ctx(aws__TagKeys=["team", "env"]))
    assert holds(block, ctx(aws__TagKeys=["team", "owner"]))


# --- outcome details ---------------------------------------------------------


def test_matched_outcome_has_no_failures_or_missing_keys() -> None:
    result = outcome(one("StringEquals", "aws:username", "alice"), ctx(aws__username="alice"))
    assert result == ConditionOutcome(True, (), ())


def test_every_failing_clause_is_reported() -> None:
    block = {"StringEquals": {"a:x": "1", "a:y": "2"}, "Bool": {"a:z": "true"}}
    result = outcome(block, ctx(a__x="0", a__y="2"))
    assert [(f.operator, f.key) for f in result.failures] == [("StringEquals", "a:x"), ("Bool", "a:z")]


def test_failure_records_policy_and_context_values() -> None:
    failure = outcome(one("StringEquals", "a:x", ["1", "2"]), ctx(a__x="0")).failures[0]
    assert failure.policy_values == ("1", "2")
    assert failure.context_values == ("0",)


def test_failure_context_values_are_none_for_absent_key() -> None:
    failure = outcome(one("StringEquals", "a:x", "1"), ctx()).failures[0]
    assert failure.context_values is None


def test_missing_keys_are_reported_as_written_in_the_policy() -> None:
    result = outcome(one("StringEquals", "AWS:UserName", "a"), ctx())
    assert result.missing_keys == ("AWS:UserName",)


def test_missing_key_is_not_reported_when_its_clause_fails_for_another_reason() -> None:
    assert outcome(one("StringEquals", "a:x", "1"), ctx(a__x="2")).missing_keys == ()


def test_negated_failure_message_names_the_excluded_values() -> None:
    failure = outcome(one("StringNotEquals", "a:x", "1"), ctx(a__x="1")).failures[0]
    assert "StringNotEquals" in failure.message and "'1'" in failure.message


def test_compiled_conditions_are_reusable_across_contexts() -> None:
    c = compiled(one("StringLike", "s3:prefix", "home/${aws:username}/*"))
    assert c.evaluate(ctx(s3__prefix="home/a/x", aws__username="a")).matched
    assert c.evaluate(ctx(s3__prefix="home/b/x", aws__username="b")).matched
    assert not c.evaluate(ctx(s3__prefix="home/a/x", aws__username="b")).matched


def test_numeric_context_value_with_underscores_is_not_a_number() -> None:
    assert not holds(one("NumericEquals", "s3:max-keys", "1000"), _maxkeys("1_000"))


def test_numeric_accepts_exponent_notation() -> None:
    assert holds(one("NumericEquals", "s3:max-keys", "1e3"), _maxkeys("1000"))


_OPERATOR_NAMES = st.sampled_from(
    ["StringEquals", "ForAnyValue:StringLike", "ArnLikeIfExists", "ForAllValues:ArnNotEquals", "Bool",
     "Null", "NumericLessThan", "StringEqualsIgnoreCaseIfExists", "IfExists", "Stringequals", 7,
     "BoolIfExists", "NullIfExists", "ForAnyValue:Null", "ForAllValues:NumericEqualsIfExists",
     "DateGreaterThan", "ForAnyValue:DateEqualsIfExists", "IpAddress", "NotIpAddressIfExists",
     "BinaryEquals", "ForAllValues:BinaryEqualsIfExists", "ForAnyValue:IfExists", "Bool:IfExists"]
)  # fmt: skip
_SCALARS = st.one_of(
    st.text(alphabet="a${}:/* ", max_size=10),
    st.sampled_from(
        ["true", " FALSE ", "tru", "1", "-2.5", "1e3", "1_000", "NaN", "Infinity", "٣", "2020-01-01",
         "2020-01-01T00:00:00+14:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
         "2020-13-01", "1700000000", "10.0.0.0/8", " 10.0.0.1 ", "10.0.0.0/33", "::1/128", "1.2.3",
         "aGVsbG8=", "aGVsbG8", "${aws:username}", "${aws:SecureTransport}", "${x", "${*}"]
    ),
    st.integers(),
    st.integers(min_value=-(10**5000), max_value=10**5000),
    st.floats(),
    st.booleans(),
    st.none(),
)  # fmt: skip
_VALUES = st.one_of(
    _SCALARS,
    st.lists(
        st.one_of(_SCALARS, st.lists(_SCALARS, max_size=2), st.dictionaries(st.text(max_size=2), _SCALARS)),
        max_size=3,
    ),
)  # fmt: skip
_BLOCKS = st.one_of(
    st.dictionaries(
        _OPERATOR_NAMES,
        st.one_of(st.dictionaries(st.one_of(st.text(alphabet="aB:/", max_size=6), st.integers()), _VALUES,
                                  max_size=3), _VALUES),
    ),
    _VALUES,
)  # fmt: skip


def _reading(read: Callable[[], ConditionKeys]) -> ConditionKeys | tuple[str, str]:
    """A reading's keys, or the exception it raised (type and message)."""
    try:
        return read()
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def _agree(block: object, variables: bool) -> None:
    """The lean reading, when it answers, gives the full reading's keys; and check_conditions
    (lean, or full on doubt) gives exactly what the full reading gives, error messages included."""
    version = V2012 if variables else "2008-10-17"
    full = _reading(lambda: _full_check(block, variables, None))
    lean = _lean_block_keys(block, variables, None)
    if lean is not None:
        assert lean == full
    if block is None:
        return  # no Condition element: check_conditions answers before either reading
    assert _reading(lambda: check_conditions(block, policy_version=version)) == full
    assert _reading(lambda: check_conditions(block, policy_version=version, patterns=PatternCache())) == full


@settings(max_examples=1500, deadline=None)
@given(block=_BLOCKS, variables=st.booleans())
def test_blocks_read_without_clauses_give_the_full_readings_keys(block: object, variables: bool) -> None:
    _agree(block, variables)


# (operator, values) -> whether the lean reading answers (True) or leaves the block to the
# full reading (False); VARS: answers only under the 2012-10-17 version (policy variables).
# Either way `_agree` holds. Blocks the full reading accepts should mostly be lean.
VARS = "only with variables"
_LEAN_CASES: list[tuple[str, object, bool | str]] = [
    # text operators: any scalar
    ("StringEquals", ["a", "${aws:username}"], True),
    ("ForAnyValue:StringLikeIfExists", ["a*", 7, 1.5, True], True),
    ("ArnNotLikeIfExists", [], True),
    ("StringEquals", None, False),
    ("StringEquals", [["nested"]], False),
    ("StringEquals", [{"a": 1}], False),
    ("StringEquals", [10**5000], False),  # str() of it raises ValueError in the full reading too
    # Null: true/false as strings (any case, padded) or booleans; never qualified or IfExists
    ("Null", ["true", " False ", True, False], True),
    ("Null", [], True),
    ("Null", "yes", False),
    ("Null", 1, False),
    ("Null", None, False),
    ("NullIfExists", "true", False),
    ("ForAnyValue:Null", "true", False),
    ("ForAllValues:NullIfExists", True, False),
    # Bool: the same, or a string with a policy variable
    ("Bool", [True, "false", " TRUE "], True),
    ("BoolIfExists", "${aws:SecureTransport}", VARS),
    ("ForAnyValue:BoolIfExists", "${aws:SecureTransport}", VARS),
    ("Bool", "${x", False),
    ("Bool", "${*}", VARS),  # a special (literal `*`) counts as a variable
    ("Bool", 1, False),
    ("Bool", 0.0, False),
    ("Bool", [], True),
    # Numeric: plain decimals, as strings or JSON numbers; not booleans
    ("NumericLessThan", ["10", 10, -2.5, "1e3", " 7 "], True),
    ("NumericEqualsIfExists", 1e300, True),
    ("ForAllValues:NumericGreaterThan", float("nan"), False),
    ("NumericEquals", float("inf"), False),
    ("NumericEquals", True, False),
    ("NumericEquals", "1_000", False),
    ("NumericEquals", "NaN", False),
    ("NumericEquals", "٣", False),
    ("NumericEquals", "${aws:username}", False),
    ("NumericEquals", 10**5000, False),
    # Date: ISO 8601 or epoch seconds
    ("DateGreaterThan", ["2020-01-01", "2020-01-01T00:00:00Z", 1700000000, "1700000000.5"], True),
    ("ForAnyValue:DateLessThanIfExists", "2020-01-01T00:00:00.123+02:00", True),
    ("DateEquals", "2020-13-01", False),
    ("DateEquals", "0001-01-01T00:00:00+14:00", True),  # before year 1 in UTC: still a moment
    ("DateEquals", False, False),
    ("DateEquals", 1.5e20, False),
    ("DateEquals", "", False),
    # IP: an address or CIDR, v4 or v6
    ("IpAddress", ["10.0.0.0/8", " 10.0.0.1 ", "::1/128", "2001:db8::/32"], True),
    ("NotIpAddressIfExists", "192.168.1.1/24", True),
    ("IpAddress", "10.0.0.0/33", False),
    ("IpAddress", "1.2.3", False),
    ("IpAddress", True, False),
    ("IpAddress", 167772160, False),
    ("IpAddress", None, False),
    # Binary: base64 strings only
    ("BinaryEquals", ["aGVsbG8=", ""], True),
    ("ForAnyValue:BinaryEqualsIfExists", "aGVsbG8=", True),
    ("BinaryEquals", "aGVsbG8", False),
    ("BinaryEquals", 1, False),
    ("BinaryEquals", True, False),
    # operators no form of which exists
    ("stringEquals", "a", False),
    ("IfExists", "a", False),
    ("ForAnyValue:IfExists", "a", False),
    ("NumericEqual", "1", False),
]


# Ids by position: pytest would write each value, and str() of 10**5000 raises.
@pytest.mark.parametrize(
    ("operator", "values", "lean"), _LEAN_CASES, ids=[f"{i}-{c[0]}" for i, c in enumerate(_LEAN_CASES)]
)
@pytest.mark.parametrize("variables", [True, False])
def test_the_lean_check_agrees_with_the_full_reading(
    operator: str, values: object, lean: bool | str, variables: bool
) -> None:
    block = {operator: {"aws:SecureTransport": values}}
    _agree(block, variables)
    # Beside a clause of another kind, and after a clause the full reading refuses (the
    # full reading words the first refusal in its own order, not the lean reading's).
    _agree({"StringLike": {"s3:prefix": "home/${aws:username}/*"}, **block}, variables)
    _agree({**block, "Null": {"aws:TokenIssueTime": "maybe"}}, variables)
    _agree({**block, "NumericLessThan": {"s3:max-keys": None}}, variables)
    answered = _lean_block_keys(block, variables, None) is not None
    assert answered == (variables if lean is VARS else lean)


def test_bad_values_are_refused_with_the_full_readings_messages() -> None:
    with pytest.raises(MalformedPolicyDocument, match=r"NumericEquals k: value True is not a number"):
        check_conditions({"NumericEquals": {"k": True}}, policy_version=V2012)
    with pytest.raises(MalformedPolicyDocument, match=r"unknown condition operator 'NullIfExists'"):
        check_conditions({"NullIfExists": {"k": "true"}}, policy_version=V2012)
    with pytest.raises(MalformedPolicyDocument, match=r"IpAddress k: value '10.0.0.0/33' is not an IP"):
        check_conditions({"IpAddress": {"k": "10.0.0.0/33"}}, policy_version=V2012)
    # The full reading checks every clause's shape before any value: a None in the second
    # clause is what it names, not the first clause's bad date.
    with pytest.raises(MalformedPolicyDocument, match=r"StringEquals b: value None"):
        check_conditions(
            {"DateEquals": {"a": "2020-13-01"}, "StringEquals": {"b": None}}, policy_version=V2012
        )


def test_a_block_of_every_operator_kind_is_read_without_clauses() -> None:
    block = {
        "StringEquals": {"aws:PrincipalTag/team": ["a", "${aws:username}"]},
        "ArnLike": {"aws:SourceArn": "arn:aws:s3:::b-*"},
        "Null": {"aws:TokenIssueTime": "false"},
        "BoolIfExists": {"aws:MultiFactorAuthPresent": "${aws:SecureTransport}"},
        "NumericLessThan": {"s3:max-keys": 10},
        "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
        "NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8"]},
        "BinaryEquals": {"k:bin": "aGVsbG8="},
    }
    keys = ConditionKeys(
        frozenset({"aws:principaltag/team", "aws:sourcearn", "aws:tokenissuetime",
                   "aws:multifactorauthpresent", "s3:max-keys", "aws:currenttime", "aws:sourceip", "k:bin"}),
        frozenset({"aws:username", "aws:securetransport"}),
    )  # fmt: skip
    assert _lean_block_keys(block, True, None) == keys
    assert _full_check(block, True, None) == keys
