# ruff: noqa: E501  (account-model YAML written inline reads best on one line)
"""The newcomer's account: what a new user captured, then asked the tools about.

(tests/cli/conftest.py gives it as the `newcomer` fixture.)

An incident-response role and a deployer role, both with IAM policies allowing kms:Decrypt;
a KMS key whose key policy names the incident-response role (and not the account), and
one whose key policy names neither role nor the account. KMS therefore lets only the
incident-response role decrypt, and only with the first key, whatever IAM policies say
(https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

A = "111122223333"
IR_ROLE = f"arn:aws:iam::{A}:role/IncidentResponse"
DEPLOYER = f"arn:aws:iam::{A}:role/Deployer"
NAMED_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY_ID = "0987dcba-09fe-87dc-65ba-ab0987654321"
NAMED_KEY = f"arn:aws:kms:eu-west-3:{A}:key/{NAMED_KEY_ID}"
OTHER_KEY = f"arn:aws:kms:eu-west-3:{A}:key/{OTHER_KEY_ID}"
NAMED_ALIAS = f"arn:aws:kms:eu-west-3:{A}:alias/evidence"

MODEL = f"""
accounts:
  - AccountId: "{A}"
    OutsideOrganization: true
    UserDetailList: []
    GroupDetailList: []
    RoleDetailList:
      - RoleName: IncidentResponse
        Arn: {IR_ROLE}
        RolePolicyList: [{{PolicyName: decrypt, PolicyDocument: {{Version: "2012-10-17", Statement: [{{Effect: Allow, Action: "kms:Decrypt", Resource: "*"}}]}}}}]
      - RoleName: Deployer
        Arn: {DEPLOYER}
        RolePolicyList: [{{PolicyName: kms-all, PolicyDocument: {{Version: "2012-10-17", Statement: [{{Effect: Allow, Action: "kms:*", Resource: "*"}}]}}}}]
    Policies: []
    ResourcePolicies:
      - Arn: {NAMED_KEY}
        KeyManager: CUSTOMER
        Aliases: [alias/evidence]
        Tags: [{{Key: case, Value: "42"}}]
        Policy: {{Version: "2012-10-17", Statement: [{{Sid: IncidentResponseDecrypts, Effect: Allow, Principal: {{AWS: "{IR_ROLE}"}}, Action: "kms:Decrypt", Resource: "*"}}]}}
      - Arn: {OTHER_KEY}
        KeyManager: CUSTOMER
        Policy: {{Version: "2012-10-17", Statement: [{{Sid: PartnerOnly, Effect: Allow, Principal: {{AWS: "arn:aws:iam::444455556666:root"}}, Action: "kms:Decrypt", Resource: "*"}}]}}
"""


@dataclass(frozen=True)
class Newcomer:
    """Where the newcomer's capture is written (and the directory to run the tools in)."""

    directory: Path
    model: Path


def write_newcomer(directory: Path) -> Newcomer:
    """The capture written where the docs say: DIRECTORY/accounts/newcomer.yaml."""
    model = directory / "accounts" / "newcomer.yaml"
    model.parent.mkdir(exist_ok=True)
    model.write_text(MODEL)
    return Newcomer(directory, model)
