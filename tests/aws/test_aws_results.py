"""Reading AWS's answers into cell results."""

from __future__ import annotations

from aws_builders import BUCKET, allow, cell, custom, identity_policy

from harness.backends.aws.results import cell_result, index_results

STATEMENT = {
    "SourcePolicyId": "PolicyInputList.1",
    "SourcePolicyType": "IAM Policy",
    "StartPosition": {"Line": 3, "Column": 5},
    "EndPosition": {"Line": 7, "Column": 6},
}
CELL_A = cell(custom(identity_policy(allow("s3:GetObject"))), "s3:GetObject", f"{BUCKET}/a")
CELL_B = cell(custom(identity_policy(allow("s3:GetObject"))), "s3:GetObject", f"{BUCKET}/b")


def _per_resource_answer() -> list[dict]:
    return [
        {
            "EvalActionName": "s3:GetObject",
            "EvalResourceName": "*",
            "EvalDecision": "implicitDeny",
            "MatchedStatements": [STATEMENT],
            "MissingContextValues": [],
            "ResourceSpecificResults": [
                {
                    "EvalResourceName": f"{BUCKET}/a",
                    "EvalResourceDecision": "allowed",
                    "MatchedStatements": [STATEMENT],
                },
                {
                    "EvalResourceName": f"{BUCKET}/b",
                    "EvalResourceDecision": "implicitDeny",
                    "MatchedStatements": [],
                },
            ],
        }
    ]


def test_each_resource_gets_its_own_decision() -> None:
    index = index_results(_per_resource_answer())
    a = cell_result(CELL_A, index.get(("s3:getobject", f"{BUCKET}/a")), origins={})
    b = cell_result(CELL_B, index.get(("s3:getobject", f"{BUCKET}/b")), origins={})
    assert (a.decision, b.decision) == ("allowed", "implicitDeny")


def test_an_implicit_deny_shows_no_statement_from_other_resources() -> None:
    index = index_results(_per_resource_answer())
    b = cell_result(CELL_B, index.get(("s3:getobject", f"{BUCKET}/b")), origins={})
    assert b.deciding_statements == ()


def test_statement_positions_and_origin_are_kept() -> None:
    index = index_results(_per_resource_answer())
    a = cell_result(
        CELL_A, index.get(("s3:getobject", f"{BUCKET}/a")), origins={"PolicyInputList.1": "p.json"}
    )
    [s] = a.deciding_statements
    assert (s.start_line, s.start_column, s.end_line, s.end_column) == (3, 5, 7, 6)
    assert (s.effect, s.origin) == ("Allow", "p.json")


def test_results_that_name_the_resource_directly_are_read_too() -> None:
    flat = [{"EvalActionName": "s3:GetObject", "EvalResourceName": f"{BUCKET}/a", "EvalDecision": "allowed"}]
    a = cell_result(CELL_A, index_results(flat).get(("s3:getobject", f"{BUCKET}/a")), origins={})
    assert a.decision == "allowed"


def test_a_missing_result_is_an_error_not_a_decision() -> None:
    result = cell_result(CELL_A, None, origins={})
    assert result.is_error
    assert "no result" in (result.error or "")


def test_an_unknown_decision_is_an_error() -> None:
    answer = [{"EvalActionName": "s3:GetObject", "EvalResourceName": f"{BUCKET}/a", "EvalDecision": "maybe"}]
    result = cell_result(CELL_A, index_results(answer).get(("s3:getobject", f"{BUCKET}/a")), origins={})
    assert result.is_error


def test_missing_context_values_are_reported() -> None:
    answer = [
        {
            "EvalActionName": "s3:GetObject",
            "EvalResourceName": f"{BUCKET}/a",
            "EvalDecision": "implicitDeny",
            "MissingContextValues": ["aws:SourceIp"],
        }
    ]
    result = cell_result(CELL_A, index_results(answer).get(("s3:getobject", f"{BUCKET}/a")), origins={})
    assert result.missing_context == ("aws:SourceIp",)
