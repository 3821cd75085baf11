"""`harness who-can` on S3: a public bucket policy that Block Public Access restricts is not flagged public.

RestrictPublicBuckets (on the account or the bucket) limits a bucket with a public policy to
service principals and the owner's own users
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html);
BlockPublicPolicy does not touch a policy already in place. The account models are written
here by hand, as a capture writes them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.cli.main import main

ACCOUNT = "123456789012"
PARTNER = "444455556666"
OBJECT = "arn:aws:s3:::evidence/report.pdf"
EVERYONE = {"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
PARTNER_READS = {
    "Sid": "Partner",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"},
    "Action": "s3:GetObject",
    "Resource": "*",
}
LOGS = {
    "Sid": "Logs",
    "Effect": "Allow",
    "Principal": {"Service": "logging.s3.amazonaws.com"},
    "Action": "s3:GetObject",
    "Resource": "*",
}


def _model(
    tmp_path: Path,
    *statements: dict[str, Any],
    account: str = "",
    bucket: str = "",
    gaps: str = "",
) -> Path:
    policy = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    path = tmp_path / "model.yaml"
    path.write_text(
        f"""\
accounts:
  - AccountId: "{ACCOUNT}"
{account}{gaps}    RoleDetailList:
      - {{RoleName: reader, Arn: "arn:aws:iam::{ACCOUNT}:role/reader"}}
    ResourcePolicies:
      - Arn: arn:aws:s3:::evidence
        Policy: '{policy}'
{bucket}"""
    )
    return path


ACCOUNT_RESTRICTS = "    PublicAccessBlock: {RestrictPublicBuckets: true}\n"
BUCKET_RESTRICTS = "        PublicAccessBlock: {RestrictPublicBuckets: true}\n"


def _who_can(capsys: Any, path: Path, resource: str = OBJECT) -> tuple[int, dict[str, Any]]:
    code = main(["who-can", "s3:GetObject", resource, "--account", str(path), "--json"])
    return code, json.loads(capsys.readouterr().out)


def _entry(out: dict[str, Any], principal: str) -> dict[str, Any]:
    [entry] = [e for e in out["external"] if e["principal"] == principal]
    return entry


def test_a_public_policy_is_flagged_public_when_nothing_restricts_it(tmp_path, capsys):
    code, out = _who_can(capsys, _model(tmp_path, EVERYONE))
    assert code == 0
    star = _entry(out, "*")
    assert star["public"] is True and star["block_public_access"] is None


def test_restrict_public_buckets_on_the_account_blocks_the_public_policy(tmp_path, capsys):
    code, out = _who_can(capsys, _model(tmp_path, EVERYONE, account=ACCOUNT_RESTRICTS))
    assert code == 0
    star = _entry(out, "*")
    assert star["public"] is False and star["error"] is None
    assert star["block_public_access"] == (
        "public by policy, blocked by Block Public Access "
        f"(RestrictPublicBuckets on the account {ACCOUNT})"
    )


def test_restrict_public_buckets_on_the_bucket_blocks_it_for_the_bucket_itself_too(tmp_path, capsys):
    _, out = _who_can(capsys, _model(tmp_path, EVERYONE, bucket=BUCKET_RESTRICTS), "arn:aws:s3:::evidence")
    star = _entry(out, "*")
    assert star["public"] is False
    assert "RestrictPublicBuckets on the bucket" in star["block_public_access"]


def test_block_public_policy_alone_leaves_a_policy_in_place_public(tmp_path, capsys):
    settings = "    PublicAccessBlock: {BlockPublicPolicy: true, BlockPublicAcls: true}\n"
    _, out = _who_can(capsys, _model(tmp_path, EVERYONE, account=settings))
    assert _entry(out, "*")["public"] is True


def test_on_a_public_policy_it_blocks_other_accounts_too_but_not_service_principals(tmp_path, capsys):
    _, out = _who_can(capsys, _model(tmp_path, EVERYONE, PARTNER_READS, LOGS, account=ACCOUNT_RESTRICTS))
    partner = _entry(out, f"arn:aws:iam::{PARTNER}:root")
    assert partner["block_public_access"].startswith("cross-account, on a public policy, blocked by")
    assert _entry(out, "logging.s3.amazonaws.com")["block_public_access"] is None


def test_a_policy_that_is_not_public_is_not_restricted(tmp_path, capsys):
    _, out = _who_can(capsys, _model(tmp_path, PARTNER_READS, account=ACCOUNT_RESTRICTS))
    assert _entry(out, f"arn:aws:iam::{PARTNER}:root")["block_public_access"] is None


def test_a_conditioned_star_is_never_claimed_blocked(tmp_path, capsys):
    # AWS may or may not call this policy public; claiming it blocked could be a false "not public".
    tls_only = {**EVERYONE, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
    _, out = _who_can(capsys, _model(tmp_path, tls_only, account=ACCOUNT_RESTRICTS))
    star = _entry(out, "*")
    assert star["public"] is True and star["block_public_access"] is None


def test_a_refused_bucket_setting_makes_the_public_entry_an_error_never_not_public(tmp_path, capsys):
    gap = "        PublicAccessBlockGap: 's3:GetBucketPublicAccessBlock was refused (AccessDenied)'\n"
    code, out = _who_can(capsys, _model(tmp_path, EVERYONE, bucket=gap))
    assert code == 2
    star = _entry(out, "*")
    assert "s3:GetBucketPublicAccessBlock was refused" in star["error"]
    assert "whether Block Public Access (RestrictPublicBuckets) blocks it is unknown" in star["error"]


def test_a_refused_account_setting_makes_it_an_error_unless_the_bucket_restricts_it(tmp_path, capsys):
    gaps = (
        "    Gaps:\n"
        "      - {Section: s3/public-access-block, Operation: s3:GetAccountPublicAccessBlock,"
        " Code: AccessDenied, Message: no}\n"
    )
    code, out = _who_can(capsys, _model(tmp_path, EVERYONE, gaps=gaps))
    assert code == 2 and "s3:GetAccountPublicAccessBlock" in _entry(out, "*")["error"]
    code, out = _who_can(capsys, _model(tmp_path, EVERYONE, gaps=gaps, bucket=BUCKET_RESTRICTS))
    assert code == 0 and _entry(out, "*")["error"] is None


def test_an_access_point_takes_its_accounts_setting(tmp_path, capsys):
    point = f"arn:aws:s3:eu-west-3:{ACCOUNT}:accesspoint/evidence-ap"
    path = _model(tmp_path, EVERYONE, account=ACCOUNT_RESTRICTS)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [EVERYONE]})
    path.write_text(path.read_text() + f"      - Arn: {point}\n        Policy: '{policy}'\n")
    _, out = _who_can(capsys, path, f"{point}/object/report.pdf")
    assert "on the account" in _entry(out, "*")["block_public_access"]


def test_the_table_says_public_by_policy_blocked(tmp_path, capsys):
    path = _model(tmp_path, EVERYONE, account=ACCOUNT_RESTRICTS)
    assert main(["who-can", "s3:GetObject", OBJECT, "--account", str(path)]) == 0
    out = capsys.readouterr().out
    assert "public by policy, blocked by Block Public Access (RestrictPublicBuckets)" in out
    assert "PUBLIC:" not in out
