"""A CloudFormation template (YAML short forms or JSON) as planned changes to the account model."""

from __future__ import annotations

import json

import pytest

from harness.account import load_account_model
from harness.account.model import CaptureGap
from harness.plans import PlanError, apply_plans, load_plan
from tests.plans.conftest import DATA

A = "111122223333"
MODEL = f"""
vars: {{account_id: "{A}", region: eu-west-1, partition: aws}}
accounts:
  - AccountId: "{A}"
    OutsideOrganization: true
    RoleDetailList:
      - {{RoleName: team, Arn: "arn:aws:iam::{A}:role/team"}}
      - {{RoleName: other, Arn: "arn:aws:iam::{A}:role/other"}}
"""
RUN_VARS = {"account_id": A, "region": "eu-west-1", "partition": "aws"}


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "model.yaml"
    path.write_text(MODEL)
    return load_account_model(path)


def resources(plan):
    return {r.source.address: r for r in plan.resources}


def test_sub_with_pseudo_parameters_takes_the_runs_variables():
    role = resources(load_plan(DATA / "stack.yaml", RUN_VARS))["AuditRole"]
    text = role.values["inline_policy"][0]["policy"]
    assert "arn:aws:kms:eu-west-1:111122223333:key/*" in text and "arn:aws:s3:::evidence-logs/*" in text


def test_pseudo_parameters_come_from_the_account_models_vars_when_the_run_gives_none(model):
    patched = apply_plans(model, [load_plan(DATA / "stack.yaml", {"TeamRole": "team"})], {})
    (inline,) = patched.model.accounts[A].roles["Auditor"].inline
    assert "arn:aws:kms:eu-west-1:111122223333:key/*" in inline.text


def test_getatt_of_a_role_of_the_same_template_is_its_documented_arn():
    bucket = resources(load_plan(DATA / "stack.yaml", RUN_VARS))["LogsPolicy"]
    statement = json.loads(bucket.values["policy"])["Statement"][0]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::111122223333:role/Auditor"}


def test_a_parameter_takes_its_default_or_the_run_variable_of_its_name():
    assert (
        resources(load_plan(DATA / "stack.yaml", RUN_VARS))["LogsPolicy"].values["bucket"] == "evidence-logs"
    )
    given = load_plan(DATA / "stack.yaml", {**RUN_VARS, "BucketName": "other"})
    assert resources(given)["LogsPolicy"].values["bucket"] == "other"


def test_a_parameter_without_value_or_default_makes_its_dependent_cells_errors(model):
    patched = apply_plans(model, [load_plan(DATA / "stack.yaml")], {})
    with pytest.raises(CaptureGap, match="parameter TeamRole has no value: pass --iam-var TeamRole=VALUE"):
        patched.model.simulation_input_for(
            f"arn:aws:iam::{A}:role/team", ["s3:ListBucket"], ["*"], context=()
        )


def test_a_managed_policy_attached_by_parameter_lands_on_that_role(model):
    patched = apply_plans(model, [load_plan(DATA / "stack.yaml", {"TeamRole": "team"})], {})
    assert patched.model.accounts[A].roles["team"].attached == [f"arn:aws:iam::{A}:policy/team-read"]
    assert patched.source_for(f"arn:aws:iam::{A}:role/team", "*").to_dict() == {
        "kind": "cloudformation",
        "logical_id": "TeamPolicy.Roles[0].attachment",
        "file": str(DATA / "stack.yaml"),
        "line": 44,
    }


def test_each_statement_keeps_its_template_line(model):
    patched = apply_plans(model, [load_plan(DATA / "stack.yaml", {"TeamRole": "team"})], {})
    (inline,) = patched.model.accounts[A].roles["Auditor"].inline
    assert inline.origin.endswith(
        "stack.yaml:22: cloudformation AuditRole.inline_policy[0].policy (statement lines 25,29)"
    )


def test_an_unknown_type_that_can_carry_policy_is_a_warning_with_its_line():
    (warning,) = load_plan(DATA / "stack.yaml", RUN_VARS).warnings
    assert warning.startswith("Queue (") and "stack.yaml:52): type AWS::SQS::QueuePolicy" in warning


def test_a_json_template_reads_like_yaml(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps(
            {
                "Resources": {
                    "P": {
                        "Type": "AWS::S3::BucketPolicy",
                        "Properties": {
                            "Bucket": "b",
                            "PolicyDocument": {
                                "Statement": [
                                    {
                                        "Effect": "Allow",
                                        "Principal": "*",
                                        "Action": "s3:*",
                                        "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::b"},
                                    }
                                ]
                            },
                        },
                    }
                }
            }
        )
    )
    (resource,) = load_plan(path, RUN_VARS).resources
    assert resource.values["bucket"] == "b" and "arn:aws:s3:::b" in resource.values["policy"]


def test_an_intrinsic_left_unresolved_makes_the_whole_policy_unknown(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "Resources:\n  P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: b\n"
        "      PolicyDocument: {Statement: [{Effect: Allow, Principal: '*', Action: s3:*,\n"
        "        Resource: !ImportValue shared-arn}]}\n"
    )
    (resource,) = load_plan(path, RUN_VARS).resources
    assert resource.values["policy"].attribute == "Fn::ImportValue"


def test_a_template_that_is_not_one_is_refused(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("just: text\n")
    with pytest.raises(PlanError, match="neither a Terraform plan"):
        load_plan(path)


def test_a_tag_value_from_an_unresolved_ref_makes_the_roles_cells_errors(model, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "Parameters:\n  Env: {Type: String}\n"
        "Resources:\n  TeamRole:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: team\n"
        "      Tags: [{Key: env, Value: !Ref Env}]\n"
    )
    patched = apply_plans(model, [load_plan(path, RUN_VARS)], {})
    assert "Unknown(" not in str(patched.model.accounts[A].roles["team"].tags)
    ask = patched.model.simulation_input_for
    with pytest.raises(CaptureGap, match=r"TeamRole \(.*\): tags\.env is parameter Env has no value"):
        ask(f"arn:aws:iam::{A}:role/team", ["s3:ListBucket"], ["*"], context=())
    other = ask(f"arn:aws:iam::{A}:role/other", ["s3:ListBucket"], ["*"], context=())
    assert other.principal_arn.endswith("role/other")
