"""Put an account model's identities and keys into the local endpoint's moto: an account to run against.

For tests and benchmarks of `--iam-backend aws`: the scenario packs' account
models (roles, users, groups, inline and managed policies, KMS keys with their
key policies and aliases) become real moto state, so the AWS backend reads
and simulates them over HTTP as it would a real account. Key ids are the
model's (moto draws its own, so the key is re-keyed inside moto's in-process
backend after creation: this only works with the endpoint's in-process
ThreadedMotoServer, which is what LocalIamEndpoint runs).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.account import AccountModel
    from harness.testing.iam_endpoint import LocalIamEndpoint

DEFAULT_ACCOUNT = "123456789012"
_KEY_ARN = re.compile(r"^arn:(?P<p>[^:]+):kms:(?P<region>[^:]+):(?P<account>\d{12}):key/(?P<id>.+)$")
_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def seed(endpoint: LocalIamEndpoint, model: AccountModel) -> None:
    """Create every identity, managed policy and KMS key of `model` in the endpoint's moto."""
    for account_id, account in model.accounts.items():
        if account_id != DEFAULT_ACCOUNT and account_id not in endpoint.accounts:
            endpoint.accounts.append(account_id)
        iam = endpoint.client("iam", account=account_id)
        for arn, policy in account.policies.items():
            if ":aws:policy/" in arn:
                continue  # AWS managed policies exist in moto already
            iam.create_policy(PolicyName=policy.name, PolicyDocument=policy.text, Path=_path(arn, "policy"))
        for group in account.groups.values():
            iam.create_group(GroupName=group.name, Path=_path(group.arn, "group"))
            _attach(iam, "group", group)
        for user in account.users.values():
            iam.create_user(UserName=user.name, Path=_path(user.arn, "user"))
            _attach(iam, "user", user)
            for group_name in user.groups:
                iam.add_user_to_group(GroupName=group_name, UserName=user.name)
        for role in account.roles.values():
            iam.create_role(RoleName=role.name, Path=_path(role.arn, "role"), AssumeRolePolicyDocument=_TRUST)
            _attach(iam, "role", role)
        for arn, entry in account.resources.items():
            m = _KEY_ARN.match(arn)
            if m is None or entry.policy is None:
                continue
            _create_key(endpoint, account_id, m["region"], m["id"], entry.policy.text, entry.aliases)


def _path(arn: str, kind: str) -> str:
    rest = arn.split(f":{kind}/", 1)[-1]
    return "/" + rest.rsplit("/", 1)[0] + "/" if "/" in rest else "/"


def _attach(iam: object, kind: str, ident: object) -> None:
    name_key = {"user": "UserName", "group": "GroupName", "role": "RoleName"}[kind]
    put = getattr(iam, f"put_{kind}_policy")
    attach = getattr(iam, f"attach_{kind}_policy")
    for inline in ident.inline:  # type: ignore[attr-defined]
        put(**{name_key: ident.name, "PolicyName": inline.name, "PolicyDocument": inline.text})  # type: ignore[attr-defined]
    for arn in ident.attached:  # type: ignore[attr-defined]
        attach(**{name_key: ident.name, "PolicyArn": arn})  # type: ignore[attr-defined]
    if kind != "group" and ident.boundary_arn:  # type: ignore[attr-defined]
        boundary = getattr(iam, f"put_{kind}_permissions_boundary")
        boundary(**{name_key: ident.name, "PermissionsBoundary": ident.boundary_arn})  # type: ignore[attr-defined]


def _create_key(
    endpoint: LocalIamEndpoint, account: str, region: str, key_id: str, policy: str, aliases: tuple[str, ...]
) -> None:
    from moto.kms.models import kms_backends

    kms = endpoint.client("kms", region, account=account)
    created = kms.create_key(Policy=policy, MultiRegion=key_id.startswith("mrk-"))["KeyMetadata"]
    backend = kms_backends[account][region]
    key = backend.keys.pop(created["KeyId"])
    key.id = key_id
    key.arn = created["Arn"].rsplit("/", 1)[0] + "/" + key_id
    backend.keys[key_id] = key
    for alias in aliases:
        if not alias.startswith("alias/aws/"):  # reserved names: moto, like KMS, refuses them
            kms.create_alias(AliasName=alias, TargetKeyId=key.arn)  # moto checks a bare id's shape
