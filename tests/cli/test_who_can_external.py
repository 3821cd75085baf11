# ruff: noqa: F811  (the moto fixtures are imported from tests/account/conftest.py and used by name)
"""`harness who-can` from the resource's side: grants, other accounts, services and the public.

The account is a moto server the tests start (loopback only), captured, then asked offline.
"""

from __future__ import annotations

import json
from typing import Any

from harness.cli.main import main
from tests.account.capture_builders import capture, doc
from tests.account.conftest import (  # noqa: F401 - fixtures
    fake_aws_environment,
    loopback_only,
    moto,
    moto_server,
)

ACCOUNT = "123456789012"
PARTNER = "444455556666"
READER = f"arn:aws:iam::{ACCOUNT}:role/reader"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
ROOT = {
    "Sid": "EnableIam",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def _key(moto: Any, *statements: dict[str, Any]) -> str:
    """A key with the EnableIam statement and these; the account holds the reader role."""
    moto.client("iam").create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps(TRUST))
    kms = moto.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    policy = {"Version": "2012-10-17", "Statement": [ROOT, *statements]}
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=doc(policy))
    return kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]


def _who_can(capsys: Any, tmp_path: Any, moto: Any, key_arn: str, *extra: str) -> tuple[int, dict[str, Any]]:
    capture(moto, tmp_path)
    code = main(
        ["who-can", "kms:Decrypt", key_arn, "--account", str(tmp_path / "captured.yaml"), "--json", *extra]
    )
    return code, json.loads(capsys.readouterr().out)


def test_a_grant_to_a_role_the_key_policy_does_not_name_lists_the_role_via_the_grant(moto, tmp_path, capsys):
    key_arn = _key(moto)
    grant_id = moto.client("kms").create_grant(
        KeyId=key_arn, GranteePrincipal=READER, Operations=["Decrypt"]
    )["GrantId"]
    code, out = _who_can(capsys, tmp_path, moto, key_arn)
    assert code == 0 and out["allowed_identities"] == [READER]
    (answer,) = [a for a in out["answers"] if a["principal"] == READER]
    assert (answer["decision"], answer["enforced_decision"]) == ("implicitDeny", "allowed")
    assert [s["policy"] for s in answer["deciding_statements"]] == [f"grant {grant_id}"]


def test_a_grant_to_another_accounts_role_is_listed_outside_the_model(moto, tmp_path, capsys):
    key_arn = _key(moto)
    outsider = f"arn:aws:iam::{PARTNER}:role/consumer"
    moto.client("kms").create_grant(KeyId=key_arn, GranteePrincipal=outsider, Operations=["Decrypt"])
    code, out = _who_can(capsys, tmp_path, moto, key_arn)
    (entry,) = [e for e in out["external"] if e["principal"] == outsider]
    assert (entry["scope"], entry["other_side"]) == ("account", "unknown")
    assert entry["named_by"].startswith("grant ") and entry["resource_side_allows"] is True
    assert code == 0  # nobody in the model is allowed, but someone outside it is named


def test_another_account_in_the_key_policy_is_listed_with_the_other_side_unknown(moto, tmp_path, capsys):
    partner = {
        **ROOT,
        "Sid": "Partner",
        "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"},
        "Action": "kms:Decrypt",
    }
    code, out = _who_can(capsys, tmp_path, moto, _key(moto, partner))
    by_principal = {e["principal"]: e for e in out["external"]}
    entry = by_principal[f"arn:aws:iam::{PARTNER}:root"]
    assert (entry["scope"], entry["other_side"], entry["named_by"]) == (
        "account",
        "unknown",
        "statement 'Partner'",
    )
    assert entry["resource_side_allows"] is True and code == 0
    # The account's own root names the account of the model: its identities are answered above.
    assert by_principal[f"arn:aws:iam::{ACCOUNT}:root"]["other_side"] == "model"


def test_a_service_principal_is_listed_with_its_conditions_as_written(moto, tmp_path, capsys):
    topic = f"arn:aws:sns:eu-west-3:{ACCOUNT}:alerts"
    service = {
        "Sid": "Sns",
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
    }
    _, out = _who_can(capsys, tmp_path, moto, _key(moto, service))
    (entry,) = [e for e in out["external"] if e["scope"] == "service"]
    assert entry["principal"] == "sns.amazonaws.com"
    assert entry["conditions"] == [f"ArnEquals aws:SourceArn {topic}"]
    assert entry["resource_side_allows"] is False  # the question gave no aws:SourceArn


def test_star_without_an_account_condition_is_flagged_public(moto, tmp_path, capsys):
    public = {**ROOT, "Sid": "Anyone", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt"}
    _, out = _who_can(capsys, tmp_path, moto, _key(moto, public))
    (entry,) = [e for e in out["external"] if e["principal"] == "*"]
    assert (entry["scope"], entry["public"], entry["resource_side_allows"]) == ("public", True, True)


def test_star_restricted_to_an_organisation_is_listed_with_its_condition_not_public(moto, tmp_path, capsys):
    org = {
        **ROOT,
        "Sid": "Org",
        "Principal": {"AWS": "*"},
        "Action": "kms:Decrypt",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
    }
    _, out = _who_can(capsys, tmp_path, moto, _key(moto, org))
    (entry,) = [e for e in out["external"] if e["principal"] == "*"]
    assert (entry["scope"], entry["public"]) == ("account", False)
    assert entry["conditions"] == ["StringEquals aws:PrincipalOrgID o-abc123"]


def test_a_refused_list_grants_makes_who_can_an_error_never_nobody(moto, tmp_path, capsys, monkeypatch):
    from tests.account.capture_builders import refuse

    key_arn = _key(moto)
    refuse(monkeypatch, "kms", "ListGrants")
    code, out = _who_can(capsys, tmp_path, moto, key_arn)
    assert code == 2 and out["allowed_identities"] == [] and out["external"] == []
    assert out["answers"] and all("kms:ListGrants" in (a["error"] or "") for a in out["answers"])


def test_the_table_names_the_public_statement(moto, tmp_path, capsys):
    public = {**ROOT, "Sid": "Anyone", "Principal": "*", "Action": "kms:Decrypt"}
    key_arn = _key(moto, public)
    capture(moto, tmp_path)
    assert main(["who-can", "kms:Decrypt", key_arn, "--account", str(tmp_path / "captured.yaml")]) == 0
    out = capsys.readouterr().out
    assert "outside the model" in out and "PUBLIC:" in out


def test_a_queue_policy_lists_another_account_and_a_service_allowed_with_its_source_arn(
    moto, tmp_path, capsys
):
    moto.client("iam").create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps(TRUST))
    sqs = moto.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    queue = f"arn:aws:sqs:eu-west-3:{ACCOUNT}:jobs"
    topic = f"arn:aws:sns:eu-west-3:{ACCOUNT}:alerts"
    statements = [
        {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": PARTNER}, "Action": "sqs:SendMessage",
         "Resource": queue},
        {"Sid": "Sns", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
         "Action": "sqs:SendMessage", "Resource": queue,
         "Condition": {"ArnEquals": {"aws:SourceArn": topic}}},
    ]  # fmt: skip
    sqs.set_queue_attributes(
        QueueUrl=url, Attributes={"Policy": doc({"Version": "2012-10-17", "Statement": statements})}
    )
    capture(moto, tmp_path, services=("sqs",))
    model = str(tmp_path / "captured.yaml")
    args = [
        "who-can",
        "sqs:SendMessage",
        queue,
        "--account",
        model,
        "--json",
        "--context",
        f"aws:SourceArn={topic}",
    ]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    verdicts = {
        e["principal"]: (e["scope"], e["other_side"], e["resource_side_allows"]) for e in out["external"]
    }
    assert verdicts == {PARTNER: ("account", "unknown", True), "sns.amazonaws.com": ("service", None, True)}


def test_selecting_identities_leaves_the_principals_outside_out_unless_external_is_named(
    moto, tmp_path, capsys
):
    partner = {
        **ROOT,
        "Sid": "Partner",
        "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"},
        "Action": "kms:Decrypt",
    }
    key_arn = _key(moto, partner)
    code, out = _who_can(capsys, tmp_path, moto, key_arn, "--principals", "role/reader")
    assert (code, out["external"]) == (1, [])  # the reader is refused, and only the reader was asked
    code, out = _who_can(capsys, tmp_path, moto, key_arn, "--principals", "external")
    assert code == 0 and out["answers"] == [] and PARTNER in {e["account"] for e in out["external"]}
