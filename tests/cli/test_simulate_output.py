"""The simulate commands' JSON output: msgspec-encoded, the same bytes as json.dump(indent=4)."""

from __future__ import annotations

import json

import pytest

from harness.cli.main import main
from harness.cli.output import compact, pretty

BODIES = [
    {"EvaluationResults": [], "IsTruncated": False},
    {
        "EvaluationResults": [
            {
                "EvalActionName": "s3:GetObject",
                "MatchedStatements": [
                    {"SourcePolicyId": "PolicyInputList.1", "StartPosition": {"Line": 1, "Column": 38}}
                ],
                "MissingContextValues": [],
                "EvalDecisionDetails": {},
                "HarnessExplanation": ['Sid "Café" of PolicyInputList.1 — 東京 😀 does not apply'],
            }
        ],
        "IsTruncated": True,
        "Marker": "1",
    },
    {"text": 'quote " backslash \\ slash / tab \t newline \n bell \x07 unit \x1f del \x7f', "n": None},
    {"nested": [[], {}, [{"a": [1, -2, 0]}], True, False]},
]


@pytest.mark.parametrize("body", BODIES)
def test_pretty_output_is_byte_identical_to_json_dump_indent_4(body: object) -> None:
    assert pretty(body) == (json.dumps(body, indent=4) + "\n").encode("ascii")


def test_pretty_output_of_a_lone_surrogate_is_still_json_dumps() -> None:
    body = {"text": "broken \ud800 half"}
    assert pretty(body) == (json.dumps(body, indent=4) + "\n").encode("ascii")


def test_compact_output_is_one_line_of_the_same_json() -> None:
    line = compact(BODIES[1])
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == BODIES[1]


def test_cli_output_is_the_json_dump_of_the_response(tmp_path, capsysbinary) -> None:
    doc = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "Ünïcode", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        }
    )
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"PolicyInputList": [doc], "ActionNames": ["s3:GetObject", "s3:PutObject"]}))
    assert main(["simulate-custom-policy", "--cli-input-json", f"file://{case}"]) == 0
    out = capsysbinary.readouterr().out
    assert out == (json.dumps(json.loads(out), indent=4) + "\n").encode("ascii")
