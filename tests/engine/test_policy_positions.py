"""Statement positions in the submitted JSON, as AWS reports them.

AWS CLI's simulate-custom-policy example: a one-line policy whose statement
object spans characters 37..166 is reported as StartPosition Column 38 and
EndPosition Column 167 (1-based, just past each brace).
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.engine import Position
from harness.engine.policy import StatementSpans, _Scanner, scan_statement_spans

AWS_EXAMPLE = (
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
    '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
)


def test_single_line_policy_matches_aws_cli_example() -> None:
    assert scan_statement_spans(AWS_EXAMPLE) == [(Position(1, 38), Position(1, 167))]


def test_multi_line_statement_list_positions() -> None:
    text = "\n".join(
        [
            "{",
            '  "Version": "2012-10-17",',
            '  "Statement": [',
            '    {"Effect": "Allow",',
            '     "Action": "s3:A", "Resource": "*"},',
            '    {"Effect": "Deny", "Action": "s3:B", "Resource": "*"}',
            "  ]",
            "}",
        ]
    )
    spans = scan_statement_spans(text)
    assert spans[0] == (Position(4, 6), Position(5, 40))
    assert spans[1][0] == Position(6, 6)


def test_crlf_line_endings_count_one_line_each() -> None:
    text = '{\r\n"Statement":\r\n{"Effect":"Allow","Action":"s3:A","Resource":"*"}\r\n}'
    assert scan_statement_spans(text)[0][0] == Position(3, 2)


def test_braces_inside_strings_do_not_confuse_the_scanner() -> None:
    text = '{"Id":"{[}","Statement":[{"Sid":"}{","Effect":"Allow","Action":"s3:A","Resource":"*"}]}'
    start, end = scan_statement_spans(text)[0]
    assert text[start.column - 2] == "{"
    assert text[end.column - 2] == "}"


def test_statement_key_after_other_keys_with_nested_objects() -> None:
    text = '{"Id":{"a":[1,{"b":2}]},"Statement":{"Effect":"Allow","Action":"s3:A","Resource":"*"}}'
    start, _ = scan_statement_spans(text)[0]
    assert text[start.column - 2 :].startswith('{"Effect"')


_JSON_TEXT = st.text(alphabet='ab{}[]":,\\/ \u00e9\n', max_size=8)
_JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | _JSON_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_JSON_TEXT, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    statements=st.lists(st.dictionaries(_JSON_TEXT, _JSON_VALUE, max_size=4), min_size=1, max_size=4),
    indent=st.sampled_from([None, 2]),
    ascii_only=st.booleans(),
)
def test_each_span_holds_exactly_its_statement_whatever_its_strings_hold(
    statements: list[dict[str, object]], indent: int | None, ascii_only: bool
) -> None:
    text = json.dumps({"Id": "x", "Statement": statements}, indent=indent, ensure_ascii=ascii_only)
    spans = _Scanner(text).statement_spans()
    assert [json.loads(text[a : b + 1]) for a, b in spans] == statements


def test_statement_positions_read_on_demand_match_the_whole_scan_in_any_order() -> None:
    statements = [
        '{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}',
        '{"Effect": "Deny", "Action": "s3:Put*", "Resource": ["arn:aws:s3:::b/*"]}',
        '{"Sid": "x", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}',
    ]
    text = '{"Version": "2012-10-17",\n "Statement": [\n  ' + ",\n  ".join(statements) + "\n ]}"
    whole = scan_statement_spans(text)
    spans = StatementSpans(text, 3)
    assert [spans[2], spans[0], spans[1], spans[2]] == [whole[2], whole[0], whole[1], whole[2]]


_SEPARATOR = st.sampled_from([",", ", ", ",\n  ", " ,\t", "\r\n,\r\n"])
_STRING = st.text(alphabet='ab{}[]":,\\/ \u00e9\n\t', max_size=6)


@st.composite
def _policy_texts(draw: st.DrawFn) -> tuple[str, int]:
    """A policy text written in one of many ways, and its number of statements."""
    statements = draw(st.lists(st.dictionaries(_JSON_TEXT, _JSON_VALUE, max_size=4), min_size=1, max_size=5))
    repeat = draw(st.booleans())
    if repeat:  # the same statement text twice
        statements.append(statements[0])
    ascii_only = draw(st.booleans())
    compact = draw(st.booleans())
    items = [
        json.dumps(s, ensure_ascii=ascii_only, separators=(",", ":") if compact else None) for s in statements
    ]
    if draw(st.booleans()):  # one separator throughout, as most texts are written
        body = draw(_SEPARATOR).join(items)
    else:
        body = "".join(item + draw(_SEPARATOR) for item in items[:-1]) + items[-1]
    statement = body if len(statements) == 1 and draw(st.booleans()) else f"[{draw(_SEPARATOR)[1:]}{body} ]"
    members = [f'"Statement": {statement}']
    for key in draw(st.lists(st.sampled_from(["Version", "Id", "Other"]), unique=True, max_size=3)):
        value = draw(
            st.none()
            | _STRING
            | st.lists(_STRING, max_size=2)
            | st.dictionaries(_STRING, _STRING, max_size=2)
        )
        members.insert(
            draw(st.integers(0, len(members))),
            f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=ascii_only)}",
        )
    return "{" + draw(_SEPARATOR).join(members) + "}", len(statements)


@settings(max_examples=500, deadline=None)
@given(policy=_policy_texts())
def test_positions_are_those_the_scanner_finds_however_the_text_is_written(policy: tuple[str, int]) -> None:
    """StatementSpans reads most texts without the scanner (msgspec and a byte search); the
    positions must be exactly the scanner's, for any valid text without a repeated key."""
    text, count = policy
    spans = StatementSpans(text, count)
    assert [spans[i] for i in range(count)] == scan_statement_spans(text)
