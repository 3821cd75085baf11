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
