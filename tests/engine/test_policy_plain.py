"""The plain-statement reader (policy.py `_plain_statement`) is a shortcut, never a second opinion:
it reads a statement exactly as `_compile_statement` does, or leaves it to `_compile_statement`."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.engine.elements import ElementCache
from harness.engine.errors import MalformedPolicyDocument
from harness.engine.policy import StatementSpans, _compile_statement, _plain_statement, compile_policy
from harness.engine.types import PolicyKind, PolicySource

_SOURCE = PolicySource("{}", "PolicyInputList.1", "IAM Policy")

# Values from a small set, hostile ones included, so that every check gets its turn.
_values = st.one_of(
    st.sampled_from(
        ["s3:GetObject", "kms:*", "*", "", "s3", "arn:aws:s3:::b/*", "arn:aws:kms", "not-an-arn"]
    ),
    st.none(),
    st.integers(),
    st.booleans(),
    st.lists(
        st.one_of(st.sampled_from(["s3:GetObject", "arn:aws:s3:::b", "", "*"]), st.integers(), st.none()),
        max_size=3,
    ),
    st.dictionaries(st.sampled_from(["AWS", "a"]), st.just("x"), max_size=1),
)
_conditions = st.one_of(
    st.none(),
    st.just({"StringEquals": {"aws:PrincipalTag/team": "a"}}),
    st.just({"NumericLessThan": {"aws:MultiFactorAuthAge": "x"}}),
    st.just({"Bogus": {"k": "v"}}),
    st.just([]),
)
_statements = st.fixed_dictionaries(
    {},
    optional={
        "Sid": st.one_of(st.sampled_from(["A", ""]), st.integers()),
        "Effect": st.sampled_from(["Allow", "Deny", "allow", None]),
        "Action": _values,
        "NotAction": _values,
        "Resource": _values,
        "NotResource": _values,
        "Principal": _values,
        "Condition": _conditions,
        "Bogus": st.just(1),
    },
)


def _full(raw: Any, elements: ElementCache, spans: StatementSpans, version: str | None) -> object:
    try:
        return _compile_statement(raw, 0, spans, source=_SOURCE, version=version, elements=elements)
    except MalformedPolicyDocument:
        return "refused"


@settings(max_examples=400, deadline=None)
@given(raw=st.one_of(_statements, st.just([]), st.just("x")), version=st.sampled_from(["2012-10-17", None]))
def test_a_statement_the_shortcut_reads_is_read_as_the_full_reader_reads_it(
    raw: Any, version: str | None
) -> None:
    elements = ElementCache()
    spans = StatementSpans("{}", 1)
    quick = _plain_statement(raw, 0, spans, version, elements)
    full = _full(raw, elements, spans, version)
    if quick is not None:
        assert quick == full
    if full == "refused":
        assert quick is None


def test_a_statement_of_effect_action_resource_and_condition_takes_the_shortcut() -> None:
    raw = {
        "Sid": "A",
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": "arn:aws:s3:::b/*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a"}},
    }
    assert _plain_statement(raw, 0, StatementSpans("{}", 1), "2012-10-17", ElementCache()) is not None


@pytest.mark.parametrize(
    "raw",
    [
        {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*", "NotResource": "*"},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Principal": "*"},
    ],
    ids=["NotAction", "NotResource", "Principal"],
)
def test_a_statement_with_another_element_is_left_to_the_full_reader(raw: dict[str, object]) -> None:
    assert _plain_statement(raw, 0, StatementSpans("{}", 1), "2012-10-17", ElementCache()) is None


def test_a_resource_policy_statement_is_read_by_the_full_reader_which_requires_its_principal() -> None:
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
    with pytest.raises(MalformedPolicyDocument, match="Principal"):
        compile_policy(PolicySource(text, "ResourcePolicy", "Resource Policy", PolicyKind.RESOURCE))
