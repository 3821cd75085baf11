"""A CloudFormation template as planned resources (in the Terraform shape, harness/plans/changes.py).

Each resource type's properties, from the CloudFormation resource reference
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html
and its siblings), map onto the Terraform attribute the model patch reads:
- `AWS::IAM::Role`: RoleName, Path, AssumeRolePolicyDocument, Policies (the role's inline
  policies), ManagedPolicyArns, PermissionsBoundary, Tags.
- `AWS::IAM::User` / `AWS::IAM::Group`: the name, Path, Policies, ManagedPolicyArns, a user's
  PermissionsBoundary and Groups.
- `AWS::IAM::Policy`: an inline policy put on each of its Roles, Users and Groups.
- `AWS::IAM::ManagedPolicy`: the policy, attached to its Roles, Users and Groups; without a
  ManagedPolicyName its ARN is generated, so it is named by its logical id in the model.
- `AWS::KMS::Key` (KeyPolicy), `AWS::KMS::Alias`, `AWS::S3::BucketPolicy`.
Every resource is a create or update (a template says what exists after deploy). A policy
document is kept with one statement a line, so a deciding statement maps to its template line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from harness.plans.changes import Plan, PlanAction, PlannedResource, PlanSource, Unknown, first_unknown
from harness.plans.errors import PlanError, has_control, shown
from harness.plans.intrinsics import Resolver, TemplateContext
from harness.plans.policytext import document_text
from harness.plans.types import may_carry_policy

Translate = Callable[["_Resource"], list[PlannedResource]]


def template_plan(doc: Any, file: str, variables: Mapping[str, str]) -> Plan:
    """The template read and checked now; resolved again with the model's variables when applied."""

    def bind(merged: Mapping[str, str]) -> Plan:
        # The run's variables (given when read) beat the account model's.
        return _read(doc, file, {**merged, **variables}, bind)

    return bind(variables)


def _read(
    doc: Any, file: str, variables: Mapping[str, str], bind: Callable[[Mapping[str, str]], Plan]
) -> Plan:
    resources = doc.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise PlanError(file, f"line {_line(doc, 'Resources')}", "`Resources` must be a mapping of resources")
    ctx = TemplateContext(
        file=file,
        variables=variables,
        parameters=_parameters(doc, file, variables),
        resources=resources,
        mappings=doc.get("Mappings") if isinstance(doc.get("Mappings"), dict) else {},
    )
    resolver = Resolver(ctx)
    planned: list[PlannedResource] = []
    warnings: list[str] = []
    for logical_id, resource in resources.items():
        line = _line(resources, logical_id)
        if has_control(str(logical_id)) or not str(logical_id).isalnum():
            raise PlanError(
                file, f"line {line}", f"logical id '{shown(str(logical_id))}' is not alphanumeric"
            )
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            raise PlanError(file, f"line {line}", f"{logical_id}: a resource needs a `Type`")
        source = PlanSource("cloudformation", str(logical_id), file, line)
        item = _Resource(source, resource, resolver)
        translate = _TRANSLATE.get(resource["Type"])
        if translate is not None:
            planned.extend(translate(item))
        elif may_carry_policy(resource["Type"].lower().replace("::", "_"), resource.get("Properties")):
            warnings.append(f"{logical_id} ({file}:{line}): type {resource['Type']} can carry IAM policy "
                            "and is not applied to the model")  # fmt: skip
    return Plan(file, "cloudformation", tuple(planned), tuple(warnings), rebind=bind)


def _parameters(doc: Any, file: str, variables: Mapping[str, str]) -> dict[str, Any]:
    declared = doc.get("Parameters") or {}
    if not isinstance(declared, dict):
        raise PlanError(file, f"line {_line(doc, 'Parameters')}", "`Parameters` must be a mapping")
    out: dict[str, Any] = {}
    for name, spec in declared.items():
        if name in variables:
            out[name] = variables[name]
        elif isinstance(spec, dict) and "Default" in spec:
            out[name] = spec["Default"]
        else:
            out[name] = Unknown(
                f"Parameters.{name}", f"parameter {name} has no value: pass --iam-var {name}=VALUE"
            )
    return out


def _line(node: Any, key: Any) -> int:
    lines = getattr(node, "key_lines", None)
    return lines.get(key, getattr(node, "line", 0)) if lines else getattr(node, "line", 0)


class _Resource:
    """One template resource being translated: its properties resolved, their lines recorded."""

    def __init__(self, source: PlanSource, resource: Any, resolver: Resolver) -> None:
        self.source = source
        self.props = resource.get("Properties") or {}
        if not isinstance(self.props, dict):
            raise PlanError(
                source.file, f"line {source.line}", f"{source.address}: Properties must be a mapping"
            )
        self.resolver = resolver
        self.lines: dict[str, int] = {}

    def value(self, key: str) -> Any:
        return self.resolver.resolve(self.props.get(key), _line(self.props, key))

    def document(self, node: Any, value: Any, at: str, line: int) -> str | Unknown | None:
        """A policy document kept one statement a line; `at` names it in `lines`."""
        self.lines[at] = line
        statements = node.get("Statement") if isinstance(node, dict) else None
        for i, item_line in enumerate(getattr(statements, "item_lines", []) or []):
            self.lines[f"{at}.Statement[{i}]"] = item_line
        text = document_text(value, self.source.file, f"line {line}: {self.source.address}")
        if isinstance(text, str) and isinstance(value, dict):
            return _statement_per_line(value)
        return text

    def planned(self, rtype: str, values: dict[str, Any], suffix: str = "") -> PlannedResource:
        source = self.source
        if suffix:
            source = PlanSource(source.kind, f"{source.address}{suffix}", source.file, source.line)
        return PlannedResource(source, rtype, PlanAction.PUT, values, dict(self.lines))


def _statement_per_line(doc: dict[str, Any]) -> str:
    statements = doc.get("Statement")
    if not isinstance(statements, list):
        return json.dumps(doc)
    head = {k: v for k, v in doc.items() if k != "Statement"}
    lines = [json.dumps(s) for s in statements]
    opening = json.dumps(head)[:-1] + (", " if head else "")
    return opening + '"Statement": [\n' + ",\n".join(lines) + "\n]}"


def _doc_property(item: _Resource, key: str, at: str) -> str | Unknown | None:
    node = item.props.get(key)
    return item.document(node, item.value(key), at, _line(item.props, key))


def _inline_policies(item: _Resource) -> list[dict[str, Any]] | Unknown:
    raw = item.props.get("Policies")
    resolved = item.value("Policies")
    if isinstance(resolved, Unknown) or resolved is None:
        return resolved or []
    if not isinstance(resolved, list) or not isinstance(raw, list):
        raise PlanError(
            item.source.file, f"line {item.source.line}", f"{item.source.address}: Policies is a list"
        )
    out = []
    for i, (node, policy) in enumerate(zip(raw, resolved, strict=False)):
        if not isinstance(policy, dict) or not isinstance(node, dict):
            raise PlanError(
                item.source.file, f"line {_line(raw, i)}", "each policy has PolicyName and PolicyDocument"
            )
        text = item.document(node.get("PolicyDocument"), policy.get("PolicyDocument"),
                             f"inline_policy[{i}].policy", _line(node, "PolicyDocument"))  # fmt: skip
        out.append({"name": policy.get("PolicyName"), "policy": text})
    return out


def _tags(item: _Resource) -> dict[str, Any] | Unknown | None:
    """`Tags: [{Key, Value}]` as the Terraform `tags` map. A key or value not known before deploy stays
    Unknown, named `tags.KEY` (or `tags`), so the handler makes it a gap rather than a tag whose value
    is the text of an unresolved intrinsic."""
    tags = item.value("Tags")
    if isinstance(tags, Unknown):
        return Unknown("tags", tags.why)
    if not isinstance(tags, list):
        return None
    out: dict[str, Any] = {}
    for t in tags:
        if not (isinstance(t, dict) and "Key" in t and "Value" in t):
            continue
        key, value = t["Key"], t["Value"]
        if isinstance(key, Unknown):
            return Unknown("tags", f"a tag key: {key.why}")
        unknown = first_unknown(value)
        out[str(key)] = Unknown(f"tags.{key}", unknown.why) if unknown is not None else str(value)
    return out


def _name(item: _Resource, key: str) -> Any:
    name = item.value(key)
    return (
        name if name is not None else Unknown(key, f"{item.source.address} has no {key}: generated at deploy")
    )


def _role(item: _Resource) -> list[PlannedResource]:
    values = {
        "name": _name(item, "RoleName"),
        "path": item.value("Path"),
        "assume_role_policy": _doc_property(item, "AssumeRolePolicyDocument", "assume_role_policy"),
        "inline_policy": _inline_policies(item),
        "managed_policy_arns": item.value("ManagedPolicyArns") or [],
        "permissions_boundary": item.value("PermissionsBoundary"),
        "tags": _tags(item),
    }
    return [item.planned("aws_iam_role", values)]


def _user_or_group(item: _Resource, kind: str) -> list[PlannedResource]:
    name = _name(item, "UserName" if kind == "user" else "GroupName")
    values = {"name": name, "path": item.value("Path"), "tags": _tags(item)}
    if kind == "user":
        values["permissions_boundary"] = item.value("PermissionsBoundary")
    out = [item.planned(f"aws_iam_{kind}", values)]
    policies = _inline_policies(item)
    for i, block in enumerate([policies] if isinstance(policies, Unknown) else policies):
        policy = block if isinstance(block, Unknown) else block["policy"]
        policy_name = f"{item.source.address}-{i}" if isinstance(block, Unknown) else block["name"]
        out.append(item.planned(f"aws_iam_{kind}_policy", {kind: name, "name": policy_name, "policy": policy},
                                f".Policies[{i}]"))  # fmt: skip
    arns = item.value("ManagedPolicyArns") or []
    for i, arn in enumerate(arns if isinstance(arns, list) else [arns]):
        out.append(item.planned(f"aws_iam_{kind}_policy_attachment", {kind: name, "policy_arn": arn},
                                f".ManagedPolicyArns[{i}]"))  # fmt: skip
    if kind == "user":
        groups = item.value("Groups")
        if groups:
            out.append(
                item.planned("aws_iam_user_group_membership", {"user": name, "groups": groups}, ".Groups")
            )
    return out


def _attached_to(item: _Resource, rtype: str, common: dict[str, Any], suffix: str) -> list[PlannedResource]:
    """One resource per role, user and group the policy names (`{kind}` set to it)."""
    out = []
    for kind, key in (("role", "Roles"), ("user", "Users"), ("group", "Groups")):
        names = item.value(key) or []
        for i, name in enumerate([names] if isinstance(names, Unknown) else names):
            out.append(item.planned(rtype.format(kind=kind), {kind: name, **common}, f".{key}[{i}]{suffix}"))
    return out


def _inline_policy(item: _Resource) -> list[PlannedResource]:
    text = _doc_property(item, "PolicyDocument", "policy")
    common = {"name": item.value("PolicyName"), "policy": text}
    return _attached_to(item, "aws_iam_{kind}_policy", common, "")


def _managed_policy(item: _Resource) -> list[PlannedResource]:
    text = _doc_property(item, "PolicyDocument", "policy")
    arn = item.resolver.get_att(item.source.address, "PolicyArn", item.source.line)
    if isinstance(arn, Unknown):  # a generated name: the model names it by its logical id
        arn = f"(managed policy {item.source.address}, named at deploy)"
    policy = item.planned(
        "aws_iam_policy", {"arn": arn, "name": item.value("ManagedPolicyName"), "policy": text}
    )
    return [
        policy,
        *_attached_to(item, "aws_iam_{kind}_policy_attachment", {"policy_arn": arn}, ".attachment"),
    ]


def _key(item: _Resource) -> list[PlannedResource]:
    text = _doc_property(item, "KeyPolicy", "policy")
    values = {
        "arn": Unknown("Arn", "a new key's ARN is known only after deploy"),
        "policy": text,
        "tags": _tags(item),
    }
    return [item.planned("aws_kms_key", values)]


def _alias(item: _Resource) -> list[PlannedResource]:
    values = {"name": item.value("AliasName"), "target_key_id": item.value("TargetKeyId")}
    return [item.planned("aws_kms_alias", values)]


def _bucket_policy(item: _Resource) -> list[PlannedResource]:
    text = _doc_property(item, "PolicyDocument", "policy")
    return [item.planned("aws_s3_bucket_policy", {"bucket": item.value("Bucket"), "policy": text})]


_TRANSLATE: dict[str, Translate] = {
    "AWS::IAM::Role": _role,
    "AWS::IAM::User": lambda item: _user_or_group(item, "user"),
    "AWS::IAM::Group": lambda item: _user_or_group(item, "group"),
    "AWS::IAM::Policy": _inline_policy,
    "AWS::IAM::ManagedPolicy": _managed_policy,
    "AWS::KMS::Key": _key,
    "AWS::KMS::Alias": _alias,
    "AWS::S3::BucketPolicy": _bucket_policy,
}
