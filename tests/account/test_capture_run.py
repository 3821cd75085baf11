"""A capture as a whole: several accounts, stable output, S3 on request, the CLI's messages and exit codes."""

from __future__ import annotations

import re

import pytest
from capture_builders import ALLOW_DECRYPT, TRUST_EC2, capture, doc, refuse

from harness.account import load_account_model
from harness.cli.main import main

PLATFORM, TARGET = "111122223333", "444455556666"


def _account(moto, account_id, role):
    iam = moto.client("iam", "us-east-1", account_id)
    iam.create_role(
        RoleName=role, AssumeRolePolicyDocument=doc(TRUST_EC2), Tags=[{"Key": "team", "Value": "ir"}]
    )
    iam.put_role_policy(RoleName=role, PolicyName="decrypt", PolicyDocument=doc(ALLOW_DECRYPT))
    kms = moto.client("kms", "eu-west-3", account_id)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/evidence", TargetKeyId=key)


def _roles():
    return tuple(f"arn:aws:iam::{a}:role/iam-harness-audit" for a in (TARGET, PLATFORM))


def test_several_accounts_go_into_one_model(moto, tmp_path):
    _account(moto, PLATFORM, "responder")
    _account(moto, TARGET, "cross-account")
    result, model = capture(moto, tmp_path, assume_roles=_roles())
    assert result.accounts == [PLATFORM, TARGET]
    assert set(model.principal_arns()) == {
        f"arn:aws:iam::{PLATFORM}:role/responder",
        f"arn:aws:iam::{TARGET}:role/cross-account",
    }
    for account in (PLATFORM, TARGET):
        assert model.resource_context_for(f"arn:aws:kms:eu-west-3:{account}:alias/evidence")


def test_the_capture_block_says_who_what_and_how_many_calls(moto, tmp_path):
    _account(moto, PLATFORM, "responder")
    result, _ = capture(moto, tmp_path, assume_roles=_roles()[1:])
    block = result.text.split("\ncapture:\n", 1)[1]
    assert "caller: arn:aws:sts::123456789012:user/moto" in block
    assert f"via: arn:aws:iam::{PLATFORM}:role/iam-harness-audit" in block
    assert "sts:AssumeRole: 1" in block and "iam:GetAccountAuthorizationDetails: 1" in block
    assert re.search(r"when: '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ'", block)
    assert "gaps: []" in block


def test_two_captures_of_an_unchanged_account_are_the_same_but_for_the_time(moto, tmp_path):
    _account(moto, PLATFORM, "responder")
    _account(moto, TARGET, "cross-account")
    first, _ = capture(moto, tmp_path, assume_roles=_roles())
    second, _ = capture(moto, tmp_path, assume_roles=tuple(reversed(_roles())))

    def without_time(text):
        return re.sub(r"\n  when: .*\n", "\n", text)

    assert without_time(first.text) == without_time(second.text)


def test_bucket_policies_are_read_only_when_asked(moto, tmp_path):
    s3 = moto.client("s3", "us-east-1")
    s3.create_bucket(Bucket="evidence")
    s3.put_bucket_policy(
        Bucket="evidence",
        Policy=doc(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": "arn:aws:s3:::evidence/*",
                    }
                ],
            }
        ),
    )
    s3.create_bucket(Bucket="no-policy")
    _, without = capture(moto, tmp_path)
    assert without.resource_policy_for("arn:aws:s3:::evidence") is None
    _, model = capture(moto, tmp_path, services=("s3",))
    assert "s3:*" in model.resource_policy_for("arn:aws:s3:::evidence/object").text
    assert model.resource_policy_for("arn:aws:s3:::no-policy") is None
    assert model.resource_gap("arn:aws:s3:::no-policy") is None


def test_a_refused_bucket_listing_makes_unknown_buckets_errors(moto, tmp_path, monkeypatch):
    refuse(monkeypatch, "s3", "ListBuckets", "AccessDenied")
    _, model = capture(moto, tmp_path, services=("s3",))
    assert "s3:ListAllMyBuckets" in (model.resource_gap("arn:aws:s3:::anything") or "")


def test_the_cli_writes_the_model_and_names_the_missing_permission(moto, tmp_path, monkeypatch, capsys):
    _account(moto, "123456789012", "responder")
    refuse(monkeypatch, "kms", "GetKeyPolicy")
    out = tmp_path / "accounts" / "prod.yaml"
    code = main(["account", "capture", "-o", str(out), "--endpoint-url", moto.url, "--no-progress"])
    err = capsys.readouterr().err
    assert code == 0
    assert "grant kms:GetKeyPolicy to arn:aws:sts::123456789012:user/moto" in err
    assert "1 gap(s)" in err
    model = load_account_model(out)
    (key,) = model.accounts["123456789012"].resources.values()
    assert key.gap and "AccessDeniedException" in key.gap


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--regions", "paris"], "is not a Region name"),
        (["--regions", "eu-west-3", "--all-regions"], "exclude each other"),
        (["--services", "dynamo"], "unknown service"),  # dynamodb is a service since issue 26
        (["--assume-role", "not-an-arn"], "is not a role ARN"),
        (["--external-id", "x"], "needs --assume-role"),
        (["--page-size", "0"], "1..1000"),
    ],
)
def test_usage_errors_exit_2_with_a_message(tmp_path, capsys, args, message):
    code = main(["account", "capture", "-o", str(tmp_path / "m.yaml"), *args])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "m.yaml").exists()


def test_a_role_that_cannot_be_assumed_captures_nothing_and_exits_1(moto, tmp_path, monkeypatch, capsys):
    refuse(monkeypatch, "sts", "AssumeRole", "AccessDenied")
    out = tmp_path / "m.yaml"
    code = main(
        [
            "account",
            "capture",
            "-o",
            str(out),
            "--endpoint-url",
            moto.url,
            "--no-progress",
            "--assume-role",
            f"arn:aws:iam::{PLATFORM}:role/audit",
        ]
    )
    assert code == 1
    assert "sts:AssumeRole" in capsys.readouterr().err
    assert not out.exists()
