"""Elements (harness/engine/elements.py): checked when read, compiled when reached, shared when repeated."""

from __future__ import annotations

import json

import pytest
from engine_builders import allow, policy
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.engine import MalformedPolicyDocument, PolicySource, compile_policy
from harness.engine.elements import _ACTION_RE, ElementCache, _action_prefixes, _checked_prefixes


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


@settings(max_examples=500, deadline=None)
@given(values=st.lists(st.text(alphabet="aB1*?-:x \n", max_size=8), min_size=1, max_size=4).map(tuple))
def test_action_values_checked_in_one_pass_as_one_by_one(values: tuple[str, ...]) -> None:
    try:
        got: frozenset[str] | str | None = _checked_prefixes(values)
    except MalformedPolicyDocument:
        got = "malformed"
    assert got == _checked_one_by_one(values)
