"""`harness who-can` on S3: a `*` restricted to one account is blocked only if that account is another.

RestrictPublicBuckets blocks cross-account access on a public policy
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html);
a `*` restricted to the bucket owner's own account is not public at all, so never "blocked".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.cli.main import main

ACCOUNT = "123456789012"
PARTNER = "444455556666"
EVERYONE = {"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}


def _restricted(sid: str, condition: dict[str, Any]) -> dict[str, Any]:
    return {**EVERYONE, "Sid": sid, "Condition": condition}


def _entry(tmp_path: Path, capsys: Any, statement: dict[str, Any]) -> dict[str, Any]:
    policy = json.dumps({"Version": "2012-10-17", "Statement": [EVERYONE, statement]})
    path = tmp_path / "model.yaml"
    path.write_text(
        f"""\
accounts:
  - AccountId: "{ACCOUNT}"
    PublicAccessBlock: {{RestrictPublicBuckets: true}}
    RoleDetailList:
      - {{RoleName: reader, Arn: "arn:aws:iam::{ACCOUNT}:role/reader"}}
    ResourcePolicies:
      - Arn: arn:aws:s3:::evidence
        Policy: '{policy}'
"""
    )
    main(["who-can", "s3:GetObject", "arn:aws:s3:::evidence/a", "--account", str(path), "--json"])
    out = json.loads(capsys.readouterr().out)
    [entry] = [e for e in out["external"] if e["named_by"] == f"statement {statement['Sid']!r}"]
    return entry


def test_a_star_restricted_to_the_owners_account_is_not_claimed_blocked(tmp_path, capsys):
    entry = _entry(tmp_path, capsys, _restricted("Own", {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}))
    assert (entry["scope"], entry["account"], entry["public"]) == ("account", ACCOUNT, False)
    assert entry["block_public_access"] is None


def test_a_star_restricted_to_another_account_is_blocked_cross_account(tmp_path, capsys):
    partner_only = _restricted("Partner", {"StringEquals": {"aws:PrincipalAccount": PARTNER}})
    entry = _entry(tmp_path, capsys, partner_only)
    assert entry["account"] == PARTNER
    assert entry["block_public_access"].startswith("cross-account, on a public policy, blocked by")


def test_a_star_restricted_by_organisation_names_no_account_and_is_never_claimed_blocked(tmp_path, capsys):
    entry = _entry(tmp_path, capsys, _restricted("Org", {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}))
    assert (entry["scope"], entry["account"], entry["block_public_access"]) == ("account", None, None)
