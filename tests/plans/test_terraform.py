"""A Terraform plan's resource changes, at any module depth, as planned resources."""

from __future__ import annotations

import json

import pytest

from harness.plans import PlanError, load_plan
from harness.plans.changes import PlanAction, Reference, Unknown
from tests.plans.conftest import DATA, change, policy, tf_plan


def test_resources_in_modules_nested_two_deep_are_read_with_their_full_address():
    plan = load_plan(DATA / "kms-evidence-decrypt.json")
    addresses = [r.source.address for r in plan.resources]
    assert addresses == [
        "module.security.module.keys.aws_kms_key_policy.evidence",
        "module.security.module.roles.aws_iam_role.auditor",
    ]
    assert all(r.action is PlanAction.PUT and r.source.kind == "terraform" for r in plan.resources)


def test_a_value_known_only_after_apply_is_an_unknown_naming_its_attribute(write_plan):
    doc = tf_plan(
        change(
            "aws_iam_role_policy.p",
            "aws_iam_role_policy",
            ["create"],
            after={"role": "app", "name": "p"},
            unknown={"policy": True},
        )
    )
    (resource,) = load_plan(write_plan(doc)).resources
    assert resource.values["policy"] == Unknown("policy", "known only after apply (after_unknown)")


def test_an_unknown_inside_a_block_names_its_path(write_plan):
    doc = tf_plan(
        change(
            "aws_iam_role.r",
            "aws_iam_role",
            ["create"],
            after={"name": "r", "inline_policy": [{"name": "x"}]},
            unknown={"inline_policy": [{"policy": True}]},
        )
    )
    (resource,) = load_plan(write_plan(doc)).resources
    assert resource.values["inline_policy"][0]["policy"].attribute == "inline_policy[0].policy"


def test_a_delete_carries_what_existed_before(write_plan):
    doc = tf_plan(
        change("aws_iam_policy.old", "aws_iam_policy", ["delete"], before={"name": "old", "policy": "{}"})
    )
    (resource,) = load_plan(write_plan(doc)).resources
    assert resource.action is PlanAction.DELETE and resource.values["name"] == "old"


def test_a_replace_is_a_put_of_the_new_values(write_plan):
    doc = tf_plan(
        change(
            "aws_iam_policy.p",
            "aws_iam_policy",
            ["delete", "create"],
            before={"name": "p"},
            after={"name": "p", "policy": policy("s3:GetObject")},
        )
    )
    (resource,) = load_plan(write_plan(doc)).resources
    assert resource.action is PlanAction.PUT and "s3:GetObject" in resource.values["policy"]


def test_no_op_changes_and_data_sources_change_nothing(write_plan):
    noop = change("aws_iam_role.r", "aws_iam_role", ["no-op"], before={"name": "r"}, after={"name": "r"})
    data = dict(change("data.aws_iam_policy_document.d", "aws_iam_policy_document", ["read"]), mode="data")
    assert load_plan(write_plan(tf_plan(noop, data))).resources == ()


def test_an_unknown_type_that_can_carry_policy_is_a_warning_with_its_address(write_plan):
    doc = tf_plan(
        change(
            "module.q.aws_sqs_queue_policy.q",
            "aws_sqs_queue_policy",
            ["create"],
            after={"policy": policy("sqs:SendMessage", "*")},
        )
    )
    plan = load_plan(write_plan(doc))
    assert plan.resources == ()
    (warning,) = plan.warnings
    assert warning.startswith("module.q.aws_sqs_queue_policy.q: type aws_sqs_queue_policy can carry IAM")


def test_an_unknown_value_drawn_from_another_resource_is_a_reference_to_it(write_plan):
    configuration = {
        "root_module": {
            "module_calls": {
                "m": {
                    "module": {
                        "resources": [
                            {
                                "address": "aws_iam_role_policy.p",
                                "expressions": {
                                    "role": {"references": ["aws_iam_role.r.id", "aws_iam_role.r"]}
                                },
                            },
                        ]
                    }
                }
            }
        }
    }
    doc = tf_plan(
        change(
            "module.m.aws_iam_role_policy.p",
            "aws_iam_role_policy",
            ["create"],
            after={"name": "p", "policy": policy("s3:*")},
            unknown={"role": True},
        ),
        configuration=configuration,
    )
    (resource,) = load_plan(write_plan(doc)).resources
    assert resource.values["role"].address == "module.m.aws_iam_role.r"
    assert isinstance(resource.values["role"], Reference) and resource.values["role"].attribute == "id"


def test_a_plan_of_another_format_version_is_refused(write_plan):
    with pytest.raises(PlanError, match=r"format_version.*only format 1\.x"):
        load_plan(write_plan({"format_version": "2.0", "resource_changes": []}))


def test_the_tag_rename_plan_is_one_key_update():
    plan = load_plan(DATA / "kms-tag-rename.json")
    (resource,) = plan.resources
    assert resource.type == "aws_kms_key" and json.loads(resource.values["policy"])["Id"] == "cado-custom-key"
