# ruff: noqa: E501  (scenario YAML written inline reads best on one line)
"""Each fix applied to a real-shaped account (moto), captured again and run again: the blocked cells pass
and no expected-deny cell changed."""

from __future__ import annotations

import json
from pathlib import Path

from harness.cells import ChangeKind, Outcome, PolicyChange, judge
from harness.fixes.documents import with_statement, without_statement
from tests.account.capture_builders import TRUST_EC2, capture
from tests.fixes.conftest import FileRun, run_scenarios

ACCOUNT = "123456789012"
IR = f"arn:aws:iam::{ACCOUNT}:role/ir"
IR2 = f"arn:aws:iam::{ACCOUNT}:role/ir2"
DENIED = f"arn:aws:iam::{ACCOUNT}:role/denied"


def _statement(sid, effect, action, principal=None):
    out = {"Sid": sid, "Effect": effect}
    if principal:
        out["Principal"] = {"AWS": principal}
    return {**out, "Action": action, "Resource": "*"}


def _policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _account(moto) -> tuple[str, str]:
    """Roles ir and ir2 with no KMS permission, `denied` whose Decrypt is denied; a key that
    delegates to IAM and a key whose policy names only an admin role."""
    iam = moto.client("iam")
    for name in ("ir", "ir2", "denied", "admin"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    iam.put_role_policy(
        RoleName="denied",
        PolicyName="kms",
        PolicyDocument=_policy(
            _statement("Use", "Allow", "kms:Decrypt"), _statement("NoDecrypt", "Deny", "kms:Decrypt")
        ),
    )
    kms = moto.client("kms")
    keys = []
    for principal in (f"arn:aws:iam::{ACCOUNT}:root", f"arn:aws:iam::{ACCOUNT}:role/admin"):
        key = kms.create_key()["KeyMetadata"]
        kms.put_key_policy(
            KeyId=key["KeyId"],
            PolicyName="default",
            Policy=_policy(_statement("Owner", "Allow", "kms:*", principal)),
        )
        keys.append(key["Arn"])
    return keys[0], keys[1]


def _scenarios(delegating: str, closed: str) -> str:
    def one(name, principal, action, key, expect, extra=""):
        return f'  - {{name: "{name}", principal: "{principal}", actions: [{action}], resources: ["{key}"], expect: {expect}{extra}}}\n'

    return (
        "version: 1\naccount: captured.yaml\nscenarios:\n"
        + one(
            "ir decrypts",
            IR,
            "kms:Decrypt",
            delegating,
            "allowed",
            ", context: {kms:ViaService: ec2.eu-west-3.amazonaws.com}",
        )
        + one("ir decrypts the closed key", IR, "kms:Decrypt", closed, "allowed", ", enforced: true")
        + one("ir2 decrypts the closed key", IR2, "kms:Decrypt", closed, "allowed", ", enforced: true")
        + one("denied role decrypts", DENIED, "kms:Decrypt", delegating, "allowed")
        + one("ir does not encrypt", IR, "kms:Encrypt", delegating, "denied")
        + one(
            "ir does not decrypt outside EBS",
            IR,
            "kms:Decrypt",
            delegating,
            "denied",
            ", context: {kms:ViaService: s3.eu-west-3.amazonaws.com}",
        )
        + one("ir2 does not decrypt", IR2, "kms:Decrypt", delegating, "denied")
        + one(
            "ir does not re-encrypt with the closed key",
            IR,
            "kms:ReEncryptFrom",
            closed,
            "denied",
            ", enforced: true",
        )
        + one(
            "ir2 does not encrypt with the closed key",
            IR2,
            "kms:Encrypt",
            closed,
            "denied",
            ", enforced: true",
        )
    )


def _apply_in_moto(moto, change: PolicyChange) -> None:
    """The change made the way a user would: read the policy, change it as data, put it back."""
    edit = with_statement if change.action is ChangeKind.ADD_STATEMENT else without_statement
    if change.policy == "key_policy":
        kms = moto.client("kms")
        text = kms.get_key_policy(KeyId=change.target, PolicyName="default")["Policy"]
        kms.put_key_policy(KeyId=change.target, PolicyName="default", Policy=edit(text, change.statement))
        return
    iam = moto.client("iam")
    role = change.target.rsplit("/", 1)[-1]
    try:
        text = json.dumps(iam.get_role_policy(RoleName=role, PolicyName=change.policy)["PolicyDocument"])
    except iam.exceptions.NoSuchEntityException:
        text = None
    iam.put_role_policy(RoleName=role, PolicyName=change.policy, PolicyDocument=edit(text, change.statement))


def _outcomes(run: FileRun) -> dict[str, Outcome]:
    return {cell.source.scenario: judge(cell, result) for cell, result in run.pairs}


def test_each_fix_applied_to_the_account_and_captured_again_unblocks_its_cell_and_nothing_else(
    moto, tmp_path: Path
):
    delegating, closed = _account(moto)
    capture(moto, tmp_path, services=())
    scenario = _scenarios(delegating, closed)
    before = run_scenarios(tmp_path, scenario)
    blocked = {c.source.scenario: r.fix for c, r in before.pairs if r.fix is not None}
    assert set(blocked) == {
        "ir decrypts",
        "ir decrypts the closed key",
        "ir2 decrypts the closed key",
        "denied role decrypts",
    }
    assert all(fix.verified for fix in blocked.values()), {k: f.note for k, f in blocked.items()}
    for fix in blocked.values():
        for change in fix.changes:
            _apply_in_moto(moto, change)

    capture(moto, tmp_path, services=())  # the same file: the scenario reads it again
    after = run_scenarios(tmp_path, scenario)

    outcomes = _outcomes(after)
    assert set(outcomes.values()) == {Outcome.PASSED}, outcomes
    expected_deny = [c.source.scenario for c, _ in before.pairs if c.expected != "allowed"]
    assert {k: _outcomes(before)[k] for k in expected_deny} == {k: outcomes[k] for k in expected_deny}
