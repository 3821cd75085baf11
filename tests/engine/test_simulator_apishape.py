"""API JSON shapes (harness/engine/apishape.py) and the simulate CLI commands."""

from __future__ import annotations

import json

import pytest
from engine_builders import allow, build_input, policy

from harness.cli.main import main
from harness.engine import Engine, InvalidInput
from harness.engine.apishape import input_from_api, input_to_api, output_from_api, output_to_api

POLICY = json.dumps(policy(allow("s3:GetObject", "arn:aws:s3:::evidence/*")))


def _request(**extra):
    return {"PolicyInputList": [POLICY], "ActionNames": ["s3:GetObject"], **extra}


def test_skeleton_fields_map_to_simulation_input() -> None:
    inp = input_from_api(
        _request(
            ResourceArns=["arn:aws:s3:::evidence/a"],
            CallerArn="arn:aws:iam::111122223333:user/alice",
            ContextEntries=[
                {"ContextKeyName": "aws:SourceVpc", "ContextKeyValues": ["vpc-1"], "ContextKeyType": "string"}
            ],
            OrderedOrganizationPolicyInputList=[{"ServiceControlPolicyInputList": [POLICY]}],
        )
    )
    assert inp.identity_policies[0].source_id == "PolicyInputList.1"
    assert inp.identity_policies[0].source_type == "IAM Policy"
    assert inp.context[0].key == "aws:SourceVpc"
    assert len(inp.scp_levels) == 1


def test_missing_action_names_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="ActionNames"):
        input_from_api({"PolicyInputList": [POLICY]})


def test_unknown_parameter_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="PolicyInput"):
        input_from_api(_request(PolicyInput=[]))


def test_second_permissions_boundary_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="only one"):
        input_from_api(_request(PermissionsBoundaryPolicyInputList=[POLICY, POLICY]))


def test_star_resource_output_has_no_resource_specific_results() -> None:
    body = output_to_api(Engine().simulate(input_from_api(_request())))
    (result,) = body["EvaluationResults"]
    assert "ResourceSpecificResults" not in result
    assert "EvalDecisionDetails" not in result
    assert body["IsTruncated"] is False


def test_arn_resources_output_has_resource_specific_results() -> None:
    body = output_to_api(
        Engine().simulate(input_from_api(_request(ResourceArns=["arn:aws:s3:::evidence/a"])))
    )
    (result,) = body["EvaluationResults"]
    assert result["ResourceSpecificResults"][0]["EvalResourceDecision"] == "allowed"
    assert result["EvalDecisionDetails"] == {}
    assert result["HarnessEnforcedDecision"] == "allowed"


def test_harness_fields_can_be_left_out() -> None:
    body = output_to_api(Engine().simulate(input_from_api(_request())), harness=False)
    assert not any(k.startswith("Harness") for k in body["EvaluationResults"][0])


def test_max_items_paginates_with_marker() -> None:
    out = Engine().simulate(
        input_from_api(_request(ActionNames=["s3:GetObject", "s3:PutObject", "s3:ListBucket"]))
    )
    page1 = output_to_api(out, max_items=2)
    assert page1["IsTruncated"] is True and len(page1["EvaluationResults"]) == 2
    page2 = output_to_api(out, max_items=2, marker=page1["Marker"])
    assert page2["IsTruncated"] is False and len(page2["EvaluationResults"]) == 1


def test_round_trip_through_api_shapes() -> None:
    inp = build_input("s3:GetObject", identity=[policy(allow("s3:*"))], resources=["arn:aws:s3:::evidence/a"])
    again = input_from_api(input_to_api(inp))
    assert again.identity_policies[0].text == inp.identity_policies[0].text
    out = Engine().simulate(again)
    back = output_from_api(output_to_api(out, harness=False))
    assert back.results[0].decision == out.results[0].decision
    assert back.results[0].matched_statements[0].start == out.results[0].matched_statements[0].start


def test_cli_prints_aws_shaped_json(tmp_path, capsys) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps(_request()))
    assert main(["simulate-custom-policy", "--cli-input-json", f"file://{case}"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"


def test_cli_bad_policy_exits_2_with_aws_error_name(tmp_path, capsys) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"PolicyInputList": ["{"], "ActionNames": ["s3:GetObject"]}))
    assert main(["simulate-custom-policy", "--cli-input-json", f"file://{case}"]) == 2
    err = capsys.readouterr().err
    assert "(MalformedPolicyDocument)" in err and "Traceback" not in err


def test_cli_unreadable_file_exits_2(tmp_path, capsys) -> None:
    assert main(["simulate-custom-policy", "--cli-input-json", f"file://{tmp_path}/missing.json"]) == 2
    assert "(InvalidInput)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{"ContextKeyName": "a"}, "x"], r"ContextEntries\[1\] must be an object"),
        ([{"ContextKeyName": "a"}, {"ContextKeyName": "b", "Zed": 1, "Abc": 2}], r"\[1\]: unknown field Abc"),
        ([{"ContextKeyName": "a"}, {"ContextKeyName": ""}], r"\[1\]\.ContextKeyName is required"),
        ([{"ContextKeyName": "a", "ContextKeyValues": ["v", 1]}], r"\[0\]\.ContextKeyValues must be a list"),
        ([{"ContextKeyName": "a", "ContextKeyType": 1}], r"\[0\]\.ContextKeyType must be a string"),
    ],
)
def test_a_bad_context_entry_is_named_by_its_index(entries, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        input_from_api(_request(ContextEntries=entries))
