"""Elements (harness/engine/elements.py): checked when read, compiled when reached, shared when repeated."""

from __future__ import annotations

import json
import re

import pytest
from engine_builders import allow, policy
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.engine import MalformedPolicyDocument, PolicySource, compile_policy
from harness.engine.elements import (
    _ACTION_RE,
    _RESOURCE_ARN,
    ActionElement,
    ElementCache,
    _action_prefixes,
    _checked_prefixes,
    _compile_actions,
)
from harness.engine.patterns import PatternCache, glob_source


def _identity(statements: list[dict]) -> PolicySource:
    doc = {"Version": "2012-10-17", "Statement": statements}
    return PolicySource(json.dumps(doc), "PolicyInputList.1", "IAM Policy")


def _compile(doc: dict) -> object:
    return compile_policy(PolicySource(json.dumps(doc), "PolicyInputList.1", "IAM Policy"))


def test_a_statement_is_compiled_only_when_a_request_reaches_it() -> None:
    compiled = _compile(
        policy(
            allow("s3:GetObject", "arn:aws:s3:::b/*", Condition={"StringLike": {"aws:userid": "A*"}}),
            allow("ec2:RunInstances", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-3"}}),
        )
    )
    s3, ec2 = compiled.statements
    assert compiled.statements_for("s3:getobject") == (s3,)
    assert s3.action._matcher is not None and ec2.action._matcher is None  # other service: not its Action
    assert s3.resource._matcher is None and s3.condition._compiled is None  # when first matched
    assert s3.context_keys == frozenset({"aws:userid"})  # known without compiling
    assert compiled.condition_keys == frozenset({"aws:userid", "aws:requestedregion"})


def test_statements_that_write_the_same_element_share_it() -> None:
    cache = ElementCache()
    cond = {"StringEquals": {"aws:PrincipalTag/team": "red"}}
    one = compile_policy(_identity([allow("s3:GetObject", "arn:aws:s3:::b/*", Condition=cond)]), cache)
    two = compile_policy(
        _identity([allow("s3:GetObject", "arn:aws:s3:::b/*", Sid="x", Condition=dict(cond))]), cache
    )
    a, b = one.statements[0], two.statements[0]
    assert a.action is b.action and a.resource is b.resource and a.condition is b.condition


def test_a_boolean_written_as_1_is_refused_even_after_one_written_as_true_was_read() -> None:
    cache = ElementCache()
    compile_policy(
        _identity([allow("s3:GetObject", Condition={"Bool": {"aws:SecureTransport": True}})]), cache
    )
    with pytest.raises(MalformedPolicyDocument):  # JSON true and 1 are different elements
        compile_policy(
            _identity([allow("s3:GetObject", Condition={"Bool": {"aws:SecureTransport": 1}})]), cache
        )


def test_a_nan_condition_value_is_never_taken_for_a_null_one() -> None:
    cache = ElementCache()
    nan = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", '
    nan += '"Resource": "*", "Condition": {"StringEquals": {"aws:userid": NaN}}}}'
    compile_policy(PolicySource(nan, "PolicyInputList.1", "IAM Policy"), cache)  # read as text "nan"
    with pytest.raises(MalformedPolicyDocument):
        compile_policy(PolicySource(nan.replace("NaN", "null"), "PolicyInputList.1", "IAM Policy"), cache)


def test_the_cache_keeps_at_most_its_limit_dropping_the_oldest() -> None:
    cache = ElementCache(limit=2)
    first = cache.action(("s3:GetObject",))
    cache.action(("s3:PutObject",))
    cache.action(("s3:ListBucket",))  # drops the first
    assert cache.action(("s3:GetObject",)) is not first


def test_a_full_cache_drops_its_oldest_sixteenth_and_keeps_the_rest() -> None:
    cache = ElementCache(limit=32)
    kept = [cache.action((f"s3:Action{i}",)) for i in range(33)]  # the 33rd drops two
    assert [cache.action((f"s3:Action{i}",)) is kept[i] for i in range(2, 33)] == [True] * 31
    assert cache.action(("s3:Action0",)) is not kept[0]  # the oldest went first
    for version in ("2012-10-17", None):  # each Version's table is bounded on its own
        resources = [cache.resource((f"arn:aws:s3:::b{i}",), version) for i in range(33)]
        assert cache.resource(("arn:aws:s3:::b32",), version) is resources[32]
        assert cache.resource(("arn:aws:s3:::b0",), version) is not resources[0]


def test_a_resource_element_is_kept_per_variable_reading() -> None:
    cache = ElementCache()
    with_variables = cache.resource(("arn:aws:s3:::${aws:username}",), "2012-10-17")
    literal = cache.resource(("arn:aws:s3:::${aws:username}",), "2008-10-17")
    assert with_variables.context_keys == frozenset({"aws:username"}) and not literal.context_keys
    assert cache.resource(("arn:aws:s3:::${aws:username}",), "2012-10-17") is with_variables
    assert cache.resource(("arn:aws:s3:::${aws:username}",), None) is literal


def test_a_malformed_element_is_not_kept() -> None:
    cache = ElementCache()
    for _ in range(2):  # refused every time, not remembered as good
        with pytest.raises(MalformedPolicyDocument, match="must be an ARN"):
            cache.resource(("not-an-arn",), "2012-10-17")


def _checked_one_by_one(values: tuple[str, ...]) -> frozenset[str] | str | None:
    for a in values:
        if a != "*" and not _ACTION_RE.match(a):
            return "malformed"
    return _action_prefixes(values)


def _checked(values: tuple[str, ...]) -> frozenset[str] | str | None:
    """`_checked_prefixes`, a refusal as "malformed" (as `_checked_one_by_one` gives it)."""
    try:
        return _checked_prefixes(values)
    except MalformedPolicyDocument:
        return "malformed"


@settings(max_examples=500, deadline=None)
@given(values=st.lists(st.text(alphabet="aB1*?-:x \n", max_size=8), min_size=1, max_size=4).map(tuple))
def test_action_values_checked_in_one_pass_as_one_by_one(values: tuple[str, ...]) -> None:
    assert _checked(values) == _checked_one_by_one(values)


# Values around the one-service reading: wildcard or odd services, extra colons, newlines.
_ACTION_SAMPLES = (
    *("s3:Get*", "S3:put", "s3:", "s3", "s3*:x", "s3?:x", "s3:a:b", "*", "s3:a\ns3:b", "s3:a\nx"),
    *("ec2:x", "\ns3:x", ":x", "s3 :x", "s3-x:y", "s\u00df:x", "s3\n:x", "x\ns3:y"),
)


@settings(max_examples=500, deadline=None)
@given(values=st.lists(st.sampled_from(_ACTION_SAMPLES), min_size=1, max_size=5).map(tuple))
def test_one_service_elements_checked_over_their_joined_text_as_one_by_one(values: tuple[str, ...]) -> None:
    assert _checked(values) == _checked_one_by_one(values)


def _is_resource_arn(value: str) -> bool:
    """The Resource element's ARN check value by value (the reading `_RESOURCE_ARN` states)."""
    parts = value.split(":", 5)
    if parts[0] != "arn" or len(parts) < 2:
        return False
    if len(parts) == 6:
        return bool(parts[1]) and bool(parts[2])
    return value.endswith("*") and all(parts[1:-1])


@settings(max_examples=1000, deadline=None)
@given(
    value=st.text(alphabet="arn:*x\n", max_size=14)
    | st.text(alphabet=":*x\n", max_size=12).map("arn".__add__)
)
def test_the_resource_arn_pattern_is_the_field_by_field_reading(value: str) -> None:
    assert (_RESOURCE_ARN.fullmatch(value) is not None) == _is_resource_arn(value)


def test_resource_values_are_refused_or_accepted_as_arns() -> None:
    for good in ("arn:aws:s3:::b", "arn:aws:kms:*", "arn:*", "arn:a:b:c:d:e:f:g", "arn:a:b::\n:x"):
        assert _RESOURCE_ARN.fullmatch(good), good
    for bad in ("arn:aws:kms", "arn::s3:::b", "arn:aws::*", "not-an-arn", "arn", "arn:aws", "arn:a::b:c:d"):
        assert not _RESOURCE_ARN.fullmatch(bad), bad


# Letters whose lower case depends on context or leaves ASCII: sigma, Kelvin sign, dotted I.
_CASED = "aB:*?\n\u03a3\u03c3\u212a\u0130"


@settings(max_examples=500, deadline=None)
@given(values=st.lists(st.text(alphabet=_CASED, max_size=6), min_size=1, max_size=4).map(tuple))
def test_an_action_matcher_reads_each_value_lower_cased(values: tuple[str, ...]) -> None:
    matcher = _compile_actions(values, PatternCache())
    lows = [v.lower() for v in values]
    assert matcher.exact == frozenset(low for low in lows if "*" not in low and "?" not in low)
    assert len(matcher.starts) + len(matcher.wildcards) == sum(1 for low in lows if "*" in low or "?" in low)
    for low in lows:
        assert matcher.matches(low)


@settings(max_examples=500, deadline=None)
@given(
    values=st.lists(st.text(alphabet="aB*?", min_size=1, max_size=4), min_size=1, max_size=3).map(tuple),
    action=st.text(alphabet="abB", max_size=5),
)
def test_an_action_matcher_matches_as_each_value_read_as_a_glob(values: tuple[str, ...], action: str) -> None:
    globs = [re.compile(glob_source([(v.lower(), True)]), re.DOTALL) for v in values]
    expected = any(g.fullmatch(action.lower()) for g in globs)
    assert _compile_actions(values, PatternCache()).matches(action.lower()) == expected


def test_an_action_element_compiles_its_matcher_once() -> None:
    element = ActionElement(("s3:Get*", "S3:PutObject"), frozenset({"s3"}), PatternCache())
    assert element.matcher is element.matcher
    assert element.matcher.exact == frozenset({"s3:putobject"}) and element.matcher.starts == ("s3:get",)
    assert element.matcher.matches("s3:getobject") and not element.matcher.matches("s3:listbucket")
