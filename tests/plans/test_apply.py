"""Planned changes applied to a copy of the account model: the account as it will be after apply."""

from __future__ import annotations

import pytest

from harness.account import load_account_model
from harness.account.model import CaptureGap
from harness.engine.errors import NoSuchEntity
from harness.plans import apply_plans, load_plan
from harness.plans.terraform import terraform_plan
from tests.plans.conftest import ACCOUNT, DATA, EVIDENCE_KEY, change, policy, referencing, tf_plan

A = "111122223333"
KEY_A = f"arn:aws:kms:eu-west-1:{A}:key/aaaa"
KEY_B = f"arn:aws:kms:eu-west-1:{A}:key/bbbb"
ALLOW_ALL = '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
KEY_POLICY = '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}'
MODEL = f"""
vars: {{region: eu-west-1}}
accounts:
  - AccountId: "{A}"
    Organization: {{}}
    OrganizationPath: [r-root]
    RoleDetailList:
      - {{RoleName: app, Arn: "arn:aws:iam::{A}:role/app",
         AttachedManagedPolicies: [{{PolicyName: reader, PolicyArn: "arn:aws:iam::{A}:policy/reader"}}]}}
      - {{RoleName: ops, Arn: "arn:aws:iam::{A}:role/ops"}}
    Policies:
      - PolicyName: reader
        Arn: arn:aws:iam::{A}:policy/reader
        PolicyVersionList: [{{VersionId: v1, IsDefaultVersion: true, Document: '{ALLOW_ALL}'}}]
    ResourcePolicies:
      - {{Arn: "{KEY_A}", Policy: '{KEY_POLICY}'}}
      - {{Arn: "{KEY_B}", Policy: '{KEY_POLICY}'}}
Organization:
  ServiceControlPolicies:
    r-root: [{{Name: FullAWSAccess, Document: '{ALLOW_ALL}'}}]
"""


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "model.yaml"
    path.write_text(MODEL.replace("    Organization: {}\n", ""))
    return load_account_model(path)


def patched(model, *changes, configuration=None):
    return apply_plans(
        model, [terraform_plan(tf_plan(*changes, configuration=configuration), "plan.json")], {}
    )


def ask(model, principal, resource="*", action="s3:GetObject"):
    return model.simulation_input_for(f"arn:aws:iam::{A}:role/{principal}", [action], [resource], context=())


def test_a_role_created_by_the_plan_is_a_principal_of_the_model(model):
    after = patched(
        model,
        change(
            "module.a.module.b.aws_iam_role.new",
            "aws_iam_role",
            ["create"],
            after={
                "name": "new",
                "assume_role_policy": policy("sts:AssumeRole", "*"),
                "inline_policy": [{"name": "i", "policy": policy("s3:GetObject")}],
            },
        ),
    )
    assert f"arn:aws:iam::{A}:role/new" in after.model.principal_arns()
    assert (
        ask(after.model, "new")
        .identity_policies[0]
        .origin.endswith("aws_iam_role.new.inline_policy[0].policy")
    )
    assert after.source_for(f"arn:aws:iam::{A}:role/new", "*").address == "module.a.module.b.aws_iam_role.new"


def test_the_model_file_and_the_loaded_model_are_not_changed(model):
    patched(model, change("aws_iam_role.app", "aws_iam_role", ["delete"], before={"name": "app"}))
    assert "app" in model.accounts[A].roles


def test_a_deleted_policy_is_gone_and_its_users_are_errors(model):
    after = patched(
        model,
        change(
            "aws_iam_policy.reader",
            "aws_iam_policy",
            ["delete"],
            before={"name": "reader", "arn": f"arn:aws:iam::{A}:policy/reader"},
        ),
    )
    assert f"arn:aws:iam::{A}:policy/reader" not in after.model.accounts[A].policies
    with pytest.raises(NoSuchEntity):
        ask(after.model, "app")


def test_an_unknown_inline_policy_makes_that_role_an_error_and_leaves_others_evaluated(model):
    after = patched(
        model,
        change(
            "aws_iam_role_policy.p",
            "aws_iam_role_policy",
            ["create"],
            after={"role": "app", "name": "p"},
            unknown={"policy": True},
        ),
    )
    with pytest.raises(
        CaptureGap, match=r"aws_iam_role_policy.p \(plan.json\): policy is known only after apply"
    ):
        ask(after.model, "app")
    assert ask(after.model, "ops").principal_arn.endswith("role/ops")


def test_an_unknown_managed_policy_is_an_error_for_every_identity_attaching_it(model):
    after = patched(
        model,
        change(
            "aws_iam_policy.reader",
            "aws_iam_policy",
            ["update"],
            after={"name": "reader", "arn": f"arn:aws:iam::{A}:policy/reader"},
            unknown={"policy": True},
        ),
    )
    with pytest.raises(CaptureGap, match=r"aws_iam_policy\.reader"):
        ask(after.model, "app")
    assert after.source_for(f"arn:aws:iam::{A}:role/app", "*").address == "aws_iam_policy.reader"


def test_an_unknown_key_policy_is_a_gap_on_that_key_only(model):
    after = patched(
        model,
        change(
            "aws_kms_key_policy.a",
            "aws_kms_key_policy",
            ["update"],
            after={"key_id": "aaaa"},
            unknown={"policy": True},
        ),
    )
    assert "aws_kms_key_policy.a" in after.model.resource_gap(KEY_A)
    assert after.model.resource_gap(KEY_B) is None


def test_a_key_policy_names_its_key_by_id_in_the_runs_region(model):
    after = patched(
        model,
        change(
            "aws_kms_key_policy.a",
            "aws_kms_key_policy",
            ["update"],
            after={"key_id": "aaaa", "policy": policy("kms:Decrypt", "*")},
        ),
    )
    assert "kms:Decrypt" in after.model.resource_policy_for(KEY_A).text


def test_an_alias_moves_to_its_new_key(model):
    after = patched(
        model,
        change(
            "aws_kms_alias.x", "aws_kms_alias", ["create"], after={"name": "alias/x", "target_key_id": KEY_B}
        ),
    )
    assert after.model.key_arn_for_alias(f"arn:aws:kms:eu-west-1:{A}:alias/x") == KEY_B


def test_a_bucket_policy_is_the_buckets_resource_policy(model):
    after = patched(
        model,
        change(
            "aws_s3_bucket_policy.logs",
            "aws_s3_bucket_policy",
            ["create"],
            after={"bucket": "logs", "policy": policy("s3:GetObject", "*")},
        ),
    )
    assert after.model.resource_policy_for("arn:aws:s3:::logs/a.txt") is not None
    assert after.source_for(None, "arn:aws:s3:::logs/a.txt").address == "aws_s3_bucket_policy.logs"


def test_an_scp_created_and_attached_in_one_plan_applies_below_its_target(model):
    deny = '{"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}'
    configuration = referencing(
        "aws_organizations_policy_attachment.a", "policy_id", "aws_organizations_policy.deny.id"
    )
    after = patched(
        model,
        change(
            "aws_organizations_policy.deny",
            "aws_organizations_policy",
            ["create"],
            after={"name": "deny-s3", "type": "SERVICE_CONTROL_POLICY", "content": deny},
            unknown={"id": True},
        ),
        change(
            "aws_organizations_policy_attachment.a",
            "aws_organizations_policy_attachment",
            ["create"],
            after={"target_id": "r-root"},
            unknown={"policy_id": True},
        ),
        configuration=configuration,
    )
    assert [d.source_id for d in after.model.scp_levels_for(A)[0]] == ["FullAWSAccess", "deny-s3"]
    assert after.source_for(f"arn:aws:iam::{A}:role/ops", "*").address.startswith("aws_organizations_policy")


def test_an_attachment_of_a_policy_not_in_the_plan_makes_the_accounts_below_errors(model):
    after = patched(
        model,
        change(
            "aws_organizations_policy_attachment.a",
            "aws_organizations_policy_attachment",
            ["create"],
            after={"target_id": "r-root", "policy_id": "p-elsewhere"},
        ),
    )
    with pytest.raises(CaptureGap, match="p-elsewhere"):
        ask(after.model, "ops")


def test_an_inline_policy_on_a_role_created_in_the_same_plan_follows_the_reference(model):
    configuration = referencing("aws_iam_role_policy.p", "role", "aws_iam_role.r.id")
    after = patched(
        model,
        change("aws_iam_role.r", "aws_iam_role", ["create"], after={"name": "builder"}, unknown={"id": True}),
        change(
            "aws_iam_role_policy.p",
            "aws_iam_role_policy",
            ["create"],
            after={"name": "p", "policy": policy("s3:PutObject")},
            unknown={"role": True},
        ),
        configuration=configuration,
    )
    assert [p.name for p in after.model.accounts[A].roles["builder"].inline] == ["p"]


def test_an_unknown_role_name_makes_every_identity_of_the_account_an_error(model):
    after = patched(
        model,
        change(
            "aws_iam_role_policy.p",
            "aws_iam_role_policy",
            ["create"],
            after={"name": "p", "policy": policy("s3:*")},
            unknown={"role": True},
        ),
    )
    for name in ("app", "ops"):
        with pytest.raises(CaptureGap, match="role is known only after apply"):
            ask(after.model, name)


def test_the_evidence_key_plan_gives_the_new_role_decrypt(kms_model):
    after = apply_plans(kms_model, [load_plan(DATA / "kms-evidence-decrypt.json")], {})
    assert f"arn:aws:iam::{ACCOUNT}:role/Auditor" in after.model.principal_arns()
    assert "role/Auditor" in after.model.resource_policy_for(EVIDENCE_KEY).text
    assert (
        after.source_for(None, EVIDENCE_KEY).address
        == "module.security.module.keys.aws_kms_key_policy.evidence"
    )


@pytest.mark.parametrize(
    ("after", "unknown", "attribute"),
    [
        ({"name": "app"}, {"tags": True}, "tags"),
        ({"name": "app", "tags": {"team": "a"}}, {"tags": {"env": True}}, "tags.env"),
    ],
)
def test_role_tags_known_only_after_apply_make_that_roles_cells_errors(model, after, unknown, attribute):
    role = change("aws_iam_role.app", "aws_iam_role", ["update"], after=after, unknown=unknown)
    after_apply = patched(model, role)
    with pytest.raises(CaptureGap, match=rf"aws_iam_role\.app \(plan.json\): {attribute} is known only"):
        ask(after_apply.model, "app")
    assert ask(after_apply.model, "ops").principal_arn.endswith("role/ops")


def test_key_tags_known_only_after_apply_stay_a_gap_after_its_key_policy_is_set(model):
    key = change(
        "aws_kms_key.a", "aws_kms_key", ["update"], after={"arn": KEY_A, "policy": KEY_POLICY},
        unknown={"tags": True},
    )  # fmt: skip
    key_policy = change("aws_kms_key_policy.a", "aws_kms_key_policy", ["update"],
                        after={"key_id": "aaaa", "policy": KEY_POLICY})  # fmt: skip
    after = patched(model, key, key_policy)
    assert "aws_kms_key.a (plan.json): tags is known only after apply" in after.model.resource_gap(KEY_A)
    assert after.model.resource_gap(KEY_B) is None
