"""IAM resources of a plan applied to the account model.

Semantics from the Terraform AWS provider's documentation of each type
(https://registry.terraform.io/providers/hashicorp/aws/latest/docs) and IAM's:
- An identity's identity-based policies are its inline and attached managed policies and, for a
  user, its groups' (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_identity-vs-resource.html).
- `aws_iam_role.inline_policy` and `managed_policy_arns`, when the plan lists any, are the role's
  whole set (the provider manages them exclusively); an empty list leaves the model's as they are
  (a reading: the provider's plan shows `[]` both for "not managed here" and "none").
- A role's trust policy is its resource-based policy (model.py).
- A deleted identity or policy is gone; cells naming it are then errors (NoSuchEntity), never passes.
"""

from __future__ import annotations

from typing import Any

from harness.account.model import Identity, InlinePolicy, ManagedPolicy
from harness.engine.types import PolicyKind, PolicySource
from harness.plans.changes import PlannedResource, Unknown
from harness.plans.patcher import Patcher, is_delete

_KIND_OF = {"aws_iam_role": "role", "aws_iam_user": "user", "aws_iam_group": "group"}


def identity_outputs(p: Patcher, r: PlannedResource) -> dict[str, Any]:
    name = p.value(r, "name")
    if not isinstance(name, str):
        return {}
    arn = p.value(r, "arn")
    if not isinstance(arn, str):
        arn = p.target.iam_arn(_KIND_OF[r.type], name, _path(p, r))
    return {"name": name, "id": name, "arn": arn}


def policy_outputs(p: Patcher, r: PlannedResource) -> dict[str, Any]:
    arn = p.value(r, "arn")
    name = p.value(r, "name")
    if not isinstance(arn, str) and isinstance(name, str):
        arn = p.target.iam_arn("policy", name, _path(p, r))
    return {"arn": arn, "id": arn, "name": name} if isinstance(arn, str) else {}


def _path(p: Patcher, r: PlannedResource) -> str | None:
    path = p.value(r, "path")
    return path if isinstance(path, str) and path else None


def put_identity(p: Patcher, r: PlannedResource) -> None:
    kind = _KIND_OF[r.type]
    out = p.outputs.get(r.source.address, {})
    if not out:
        p.warn(
            r, f"the {kind}'s name is known only after apply: it is not in the model, so cells cannot name it"
        )
        return
    table = p.table(kind)
    if is_delete(r):
        table.pop(out["name"], None)
        p.mark(out["arn"], r)
        return
    ident = table.get(out["name"])
    if ident is None:
        ident = table[out["name"]] = Identity(kind=kind, name=out["name"], arn=out["arn"])
    p.mark(ident.arn, r)
    tags = p.tags(r)  # aws:PrincipalTag/* of the identity's cells
    if isinstance(tags, Unknown):
        p.identity_gap(ident, r, tags)
    elif tags is not None:
        ident.tags = tags
    _boundary(p, r, ident)
    if kind == "role":
        _trust(p, r, ident)
        _role_inline(p, r, ident)
        _role_managed(p, r, ident)


def _boundary(p: Patcher, r: PlannedResource, ident: Identity) -> None:
    boundary = p.value(r, "permissions_boundary")
    if isinstance(boundary, Unknown):
        p.identity_gap(ident, r, boundary)
    elif isinstance(boundary, str):
        ident.boundary_arn = boundary or None


def _trust(p: Patcher, r: PlannedResource, ident: Identity) -> None:
    text = p.text(r, "assume_role_policy")
    if isinstance(text, Unknown):
        ident.trust_gap = p.gap(r, text)
    elif text is not None:
        ident.trust_policy = PolicySource(
            text=text,
            source_id="TrustPolicy",
            source_type="Resource Policy",
            kind=PolicyKind.RESOURCE,
            origin=p.origin(r, "assume_role_policy"),
        )


def _role_inline(p: Patcher, r: PlannedResource, ident: Identity) -> None:
    blocks = p.value(r, "inline_policy")
    if isinstance(blocks, Unknown):
        p.identity_gap(ident, r, blocks)
        return
    if not isinstance(blocks, list) or not blocks:
        return
    inline: list[InlinePolicy] = []
    for i, block in enumerate(blocks):
        block = block if isinstance(block, dict) else {}
        name, key = block.get("name"), f"inline_policy[{i}].policy"
        text = p.text(_sub(r, block), "policy")
        unknown = name if isinstance(name, Unknown) else text if isinstance(text, Unknown) else None
        if unknown is not None:
            p.identity_gap(ident, r, unknown)
            return
        if isinstance(name, str) and name and text is not None:
            inline.append(InlinePolicy(name, text, p.origin(r, key)))
    ident.inline = inline


def _sub(r: PlannedResource, block: dict[str, Any]) -> PlannedResource:
    """A block of a resource read like a resource (its address and lines kept)."""
    return PlannedResource(r.source, r.type, r.action, block, r.lines)


def _role_managed(p: Patcher, r: PlannedResource, ident: Identity) -> None:
    arns = p.value(r, "managed_policy_arns")
    if isinstance(arns, Unknown) or (isinstance(arns, list) and any(isinstance(a, Unknown) for a in arns)):
        p.identity_gap(ident, r, arns if isinstance(arns, Unknown) else Unknown("managed_policy_arns"))
    elif isinstance(arns, list) and arns:
        ident.attached = [str(a) for a in arns]


def put_inline(p: Patcher, r: PlannedResource) -> None:
    kind = r.type.split("_")[2]  # aws_iam_role_policy -> role
    ident = p.identity(kind, p.value(r, kind), r)
    if ident is None:
        return
    name = p.value(r, "name")
    if isinstance(name, Unknown):
        p.identity_gap(ident, r, name)
        return
    p.mark(ident.arn, r)
    ident.inline = [i for i in ident.inline if i.name != name]
    if is_delete(r):
        return
    text = p.text(r, "policy")
    if isinstance(text, Unknown):
        p.identity_gap(ident, r, text)
    elif text is not None:
        ident.inline.append(InlinePolicy(str(name), text, p.origin(r, "policy")))


def put_attachment(p: Patcher, r: PlannedResource) -> None:
    kind = r.type.split("_")[2]  # aws_iam_user_policy_attachment -> user
    ident = p.identity(kind, p.value(r, kind), r)
    if ident is not None:
        _attach(p, r, ident, p.value(r, "policy_arn"))


def put_policy_attachment(p: Patcher, r: PlannedResource) -> None:
    """aws_iam_policy_attachment: one policy, lists of users, roles and groups."""
    for kind, key in (("user", "users"), ("role", "roles"), ("group", "groups")):
        names = p.value(r, key)
        if isinstance(names, Unknown):
            p.identity(kind, names, r)
            continue
        for name in names or []:
            ident = p.identity(kind, name, r)
            if ident is not None:
                _attach(p, r, ident, p.value(r, "policy_arn"))


def _attach(p: Patcher, r: PlannedResource, ident: Identity, arn: Any) -> None:
    if isinstance(arn, Unknown):
        p.identity_gap(ident, r, arn)
        return
    p.mark(ident.arn, r)
    ident.attached = [a for a in ident.attached if a != arn]
    if not is_delete(r) and isinstance(arn, str):
        ident.attached.append(arn)


def put_managed_policy(p: Patcher, r: PlannedResource) -> None:
    out = p.outputs.get(r.source.address, {})
    if not out:
        p.warn(r, "the policy's name and ARN are known only after apply: identities attaching it are errors")
        return
    arn, name = out["arn"], str(out.get("name") or out["arn"].rsplit("/", 1)[-1])
    p.mark(arn, r)
    if is_delete(r):
        p.account.policies.pop(arn, None)
        return
    text = p.text(r, "policy")
    if isinstance(text, Unknown):
        p.account.policies[arn] = ManagedPolicy(arn, name, "{}", p.origin(r, "policy"), gap=p.gap(r, text))
    elif text is not None:
        p.account.policies[arn] = ManagedPolicy(arn, name, text, p.origin(r, "policy"))


def put_membership(p: Patcher, r: PlannedResource) -> None:
    """aws_iam_user_group_membership (a user, its groups), aws_iam_group_membership (a group, its users)."""
    if r.type == "aws_iam_user_group_membership":
        pairs = [(p.value(r, "user"), g) for g in _names(p.value(r, "groups"))]
    else:
        pairs = [(u, p.value(r, "group")) for u in _names(p.value(r, "users"))]
    for user_name, group_name in pairs:
        user = p.identity("user", user_name, r)
        if user is None:
            continue
        if isinstance(group_name, Unknown):
            p.identity_gap(user, r, group_name)
            continue
        p.mark(user.arn, r)
        user.groups = [g for g in user.groups if g != group_name]
        if is_delete(r):
            continue
        if str(group_name) not in p.account.groups:
            p.identity_gap(
                user, r, Unknown("groups", f"group {group_name!r}, in neither the model nor the plan")
            )
            continue
        user.groups.append(str(group_name))


def _names(value: Any) -> list[Any]:
    if isinstance(value, Unknown):
        return [value]
    return list(value) if isinstance(value, list) else []
