# ruff: noqa: E501  (account models and scenarios written inline read best on one line)
"""The account model and scenario pieces the fixes' tests share: one account with roles and keys."""

from __future__ import annotations

ACCOUNT = "111122223333"
OTHER = "444455556666"
K1 = f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/k1"
K2 = f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/k2"
FOREIGN_KEY = f"arn:aws:kms:eu-west-3:{OTHER}:key/k9"
IR = f"arn:aws:iam::{ACCOUNT}:role/ir"
IR2 = f"arn:aws:iam::{ACCOUNT}:role/ir2"
DENIED = f"arn:aws:iam::{ACCOUNT}:role/denied"

ROOT_KEY_POLICY = f'{{Version: "2012-10-17", Statement: [{{Sid: Root, Effect: Allow, Principal: {{AWS: "arn:aws:iam::{ACCOUNT}:root"}}, Action: "kms:*", Resource: "*"}}]}}'
ADMIN_KEY_POLICY = f'{{Version: "2012-10-17", Statement: [{{Sid: Admin, Effect: Allow, Principal: {{AWS: "arn:aws:iam::{ACCOUNT}:role/admin"}}, Action: "kms:*", Resource: "*"}}]}}'
DECRYPT_ANYWHERE = '[{PolicyName: kms, PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "kms:Decrypt", Resource: "*"}]}}]'

MODEL = f"""
accounts:
  - AccountId: "{ACCOUNT}"
    OutsideOrganization: true
    UserDetailList: []
    GroupDetailList: []
    RoleDetailList:
      - {{RoleName: ir, Arn: "{IR}", RolePolicyList: []}}
      - {{RoleName: ir2, Arn: "{IR2}", RolePolicyList: []}}
      - RoleName: denied
        Arn: "{DENIED}"
        RolePolicyList:
          - PolicyName: kms
            PolicyDocument: {{Version: "2012-10-17", Statement: [{{Sid: Use, Effect: Allow, Action: "kms:Decrypt", Resource: "*"}}, {{Sid: NoDecrypt, Effect: Deny, Action: "kms:Decrypt", Resource: "*"}}]}}
    ResourcePolicies:
      - {{Arn: "{K1}", Policy: {ROOT_KEY_POLICY}}}
      - {{Arn: "{K2}", Policy: {ADMIN_KEY_POLICY}}}
"""

HEAD = """
version: 1
account: model.yaml
scenarios:
"""


def scenario(name: str, principal: str, action: str, resource: str, expect: str, extra: str = "") -> str:
    return (
        f"  - name: {name}\n    principal: {principal}\n    actions: [{action}]\n"
        f'    resources: ["{resource}"]\n    expect: {expect}\n{extra}'
    )
