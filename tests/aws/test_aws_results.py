"""Reading AWS's answers into cell results."""

from __future__ import annotations

from aws_builders import BUCKET, allow, cell, custom, identity_policy

from harness.backends.aws.results import Generation, answer_generation, cell_result, index_results

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


def test_a_top_level_result_answers_a_request_about_one_resource() -> None:
    flat = [{"EvalActionName": "s3:GetObject", "EvalResourceName": f"{BUCKET}/a", "EvalDecision": "allowed"}]
    index = index_results(flat, [f"{BUCKET}/a"])
    assert cell_result(CELL_A, index.get(("s3:getobject", f"{BUCKET}/a")), origins={}).decision == "allowed"


def test_a_template_as_evalresourcename_answers_the_one_resource_asked() -> None:
    template = "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    answer = [{"EvalActionName": "s3:GetObject", "EvalResourceName": template, "EvalDecision": "allowed"}]
    index = index_results(answer, [f"{BUCKET}/a"])
    assert cell_result(CELL_A, index.get(("s3:getobject", f"{BUCKET}/a")), origins={}).decision == "allowed"
    assert ("s3:getobject", template) not in index


def test_the_aggregate_of_several_resources_never_answers_one_of_them() -> None:
    # Before 2026: one result per resource, each with the aggregate decision under its name.
    answer = [
        {"EvalActionName": "s3:GetObject", "EvalResourceName": name, "EvalDecision": "implicitDeny"}
        for name in (f"{BUCKET}/a", f"{BUCKET}/b")
    ]
    index = index_results(answer, [f"{BUCKET}/a", f"{BUCKET}/b"])
    assert cell_result(CELL_A, index.get(("s3:getobject", f"{BUCKET}/a")), origins={}).is_error


def test_an_answer_with_a_template_is_of_the_2026_shape() -> None:
    answer = _per_resource_answer()
    answer[0]["EvalResourceName"] = "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    assert answer_generation(answer, [f"{BUCKET}/a", f"{BUCKET}/b"]) is Generation.Y2026


def test_an_answer_under_a_resource_name_is_of_the_pre_2026_shape() -> None:
    answer = _per_resource_answer()
    answer[0]["EvalResourceName"] = f"{BUCKET}/a"
    assert answer_generation(answer, [f"{BUCKET}/a", f"{BUCKET}/b"]) is Generation.PRE_2026


def test_a_star_answer_to_a_star_request_tells_nothing() -> None:
    answer = [{"EvalActionName": "kms:CreateKey", "EvalResourceName": "*", "EvalDecision": "allowed"}]
    assert answer_generation(answer, ["*"]) is None


def test_a_missing_result_is_an_error_not_a_decision() -> None:
    result = cell_result(CELL_A, None, origins={})
    assert result.is_error
    assert "no result" in (result.error or "")


def test_an_unknown_decision_is_an_error() -> None:
    answer = [{"EvalActionName": "s3:GetObject", "EvalResourceName": f"{BUCKET}/a", "EvalDecision": "maybe"}]
    index = index_results(answer, [f"{BUCKET}/a"])
    result = cell_result(CELL_A, index.get(("s3:getobject", f"{BUCKET}/a")), origins={})
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
    index = index_results(answer, [f"{BUCKET}/a"])
    result = cell_result(CELL_A, index.get(("s3:getobject", f"{BUCKET}/a")), origins={})
    assert result.missing_context == ("aws:SourceIp",)
