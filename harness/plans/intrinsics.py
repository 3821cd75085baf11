"""CloudFormation intrinsic functions resolved to the values they will have, or Unknown.

Rules from https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
and the pseudo parameters page (.../pseudo-parameter-reference.html):
- `AWS::AccountId`, `AWS::Region`, `AWS::Partition` are the run's variables `account_id`,
  `region`, `partition` (--iam-var, else the account model's `vars:`); `AWS::URLSuffix` follows the
  partition; `AWS::NoValue` removes the property; stack ids and names are unknown before deploy.
- A template parameter is `--iam-var NAME=VALUE` of the same name, else its `Default`, else unknown.
- `Ref` and `Fn::GetAtt` of a resource of the same template give the values each resource type's
  page documents (`Ref` of a role, user or group is its name, of a managed policy its ARN; a role's
  `Arn` is `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`...), known only when the template names the
  resource (RoleName, UserName, ...): a generated name is unknown before deploy.
- `Fn::Sub` substitutes into the string after parsing; `${!Literal}` stays `${Literal}`.
- Conditions (`Fn::If`), imports, `Fn::GetAZs`, `Fn::Base64`, `Fn::Cidr`, `Fn::Transform` are unknown.
Any other `Fn::` name is an error (a template CloudFormation itself would refuse).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.plans.changes import Unknown, first_unknown
from harness.plans.errors import PlanError, shown
from harness.plans.reading import MAX_PLAN_DEPTH

NO_VALUE = object()  # AWS::NoValue: the property is removed
KNOWN_FUNCTIONS = frozenset(
    {
        "Ref", "Condition", "Fn::Sub", "Fn::GetAtt", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::FindInMap",
        "Fn::GetAZs", "Fn::ImportValue", "Fn::If", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not",
        "Fn::Base64", "Fn::Cidr", "Fn::Transform", "Fn::Length", "Fn::ToJsonString",
    }
)  # fmt: skip
_UNKNOWN_FUNCTIONS = frozenset(KNOWN_FUNCTIONS - {"Ref", "Fn::Sub", "Fn::GetAtt", "Fn::Join", "Fn::Select",
                                                  "Fn::Split", "Fn::FindInMap"})  # fmt: skip
_SUB = re.compile(r"\$\{([^}]*)\}")
_PSEUDO = {"AWS::AccountId": "account_id", "AWS::Region": "region", "AWS::Partition": "partition"}
# Ref and GetAtt forms per type: (name property, ARN kind) for the IAM identities and policies.
_NAMED = {
    "AWS::IAM::Role": ("RoleName", "role"),
    "AWS::IAM::User": ("UserName", "user"),
    "AWS::IAM::Group": ("GroupName", "group"),
    "AWS::IAM::ManagedPolicy": ("ManagedPolicyName", "policy"),
}


@dataclass(frozen=True)
class TemplateContext:
    file: str
    variables: Mapping[str, str]
    parameters: Mapping[str, Any]  # name -> value, or Unknown
    resources: Mapping[str, Any]  # logical id -> the resource's mapping
    mappings: Mapping[str, Any]


class Resolver:
    def __init__(self, ctx: TemplateContext) -> None:
        self.ctx = ctx
        self._visiting: set[str] = set()

    def error(self, line: int, message: str) -> PlanError:
        return PlanError(self.ctx.file, f"line {line}", message)

    def resolve(self, value: Any, line: int = 0, depth: int = 0) -> Any:
        if depth > MAX_PLAN_DEPTH:
            raise self.error(line, f"intrinsic functions nested deeper than {MAX_PLAN_DEPTH} levels")
        line = getattr(value, "line", line) or line
        if isinstance(value, dict):
            if len(value) == 1:
                (key,) = value
                if key == "Ref" or str(key).startswith("Fn::") or key == "Condition":
                    return self._function(str(key), value[key], line, depth)
            out = {k: self.resolve(v, _line_of(value, k, line), depth + 1) for k, v in value.items()}
            return {k: v for k, v in out.items() if v is not NO_VALUE}
        if isinstance(value, list):
            items = [self.resolve(v, _item_line(value, i, line), depth + 1) for i, v in enumerate(value)]
            return [v for v in items if v is not NO_VALUE]
        return value

    def _function(self, name: str, arg: Any, line: int, depth: int) -> Any:
        if name not in KNOWN_FUNCTIONS:
            raise self.error(line, f"unknown intrinsic function {shown(name, 60)!r}")
        if name in _UNKNOWN_FUNCTIONS:
            return Unknown(name, f"{name} is not resolved before deploy (line {line})")
        arg = self.resolve(arg, line, depth + 1)
        if first_unknown(arg) is not None:
            return Unknown(name, f"{name} of a value not known before deploy (line {line})")
        if name == "Ref":
            return self.ref(_text(arg, name, self, line), line)
        if name == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            if not (isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts)):
                raise self.error(line, "Fn::GetAtt takes [LogicalId, Attribute]")
            return self.get_att(parts[0], parts[1], line)
        return _pure(name, arg, self, line)

    def ref(self, name: str, line: int) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in _PSEUDO:
            value = self.ctx.variables.get(_PSEUDO[name])
            why = f"{name} needs --iam-var {_PSEUDO[name]}=VALUE (line {line})"
            return value if value is not None else Unknown(name, why)
        if name == "AWS::URLSuffix":
            partition = self.ctx.variables.get("partition")
            return (
                "amazonaws.com.cn"
                if partition == "aws-cn"
                else "amazonaws.com"
                if partition
                else Unknown(name)
            )
        if name.startswith("AWS::"):
            return Unknown(name, f"{name} is known only at deploy (line {line})")
        if name in self.ctx.parameters:
            return self.ctx.parameters[name]
        if name in self.ctx.resources:
            return self._resource_value(name, "Ref", line)
        raise self.error(
            line, f"Ref to {shown(name, 80)!r}: neither a parameter nor a resource of the template"
        )

    def get_att(self, logical_id: str, attribute: str, line: int) -> Any:
        if logical_id not in self.ctx.resources:
            raise self.error(line, f"Fn::GetAtt of {shown(logical_id, 80)!r}: not a resource of the template")
        return self._resource_value(logical_id, attribute, line)

    def _resource_value(self, logical_id: str, attribute: str, line: int) -> Any:
        resource = self.ctx.resources[logical_id]
        rtype = resource.get("Type") if isinstance(resource, dict) else None
        unknown = Unknown(
            f"{logical_id}.{attribute}", f"{logical_id}'s {attribute} is known only after deploy"
        )
        if logical_id in self._visiting:
            raise self.error(line, f"{logical_id} refers to itself")
        props = resource.get("Properties") or {} if isinstance(resource, dict) else {}
        self._visiting.add(logical_id)
        try:
            return self._typed_value(str(rtype), props, attribute, unknown, line)
        finally:
            self._visiting.discard(logical_id)

    def _typed_value(self, rtype: str, props: Any, attribute: str, unknown: Unknown, line: int) -> Any:
        if rtype == "AWS::KMS::Key" and attribute in ("Ref", "Arn", "KeyId"):
            # A key this template creates: its id is generated, and it is no key of the model.
            return f"(key of {unknown.attribute.split('.')[0]}, known after apply)"
        if rtype == "AWS::S3::Bucket" and attribute in ("Ref", "Arn"):
            bucket = self.resolve(props.get("BucketName"), line)
            if not isinstance(bucket, str):
                return unknown
            return bucket if attribute == "Ref" else self._arn("s3", f"{bucket}", line)
        if rtype not in _NAMED:
            return unknown
        name_key, kind = _NAMED[rtype]
        name = self.resolve(props.get(name_key), line)
        if not isinstance(name, str):
            return unknown
        path = self.resolve(props.get("Path"), line) if props.get("Path") is not None else "/"
        arn = self._arn("iam", f"{kind}{path if isinstance(path, str) else '/'}{name}", line)
        if kind == "policy":
            return arn if attribute in ("Ref", "PolicyArn") else unknown
        return name if attribute == "Ref" else arn if attribute == "Arn" else unknown

    def _arn(self, service: str, rest: str, line: int) -> Any:
        partition = self.ref("AWS::Partition", line)
        if service == "s3":
            return partition if isinstance(partition, Unknown) else f"arn:{partition}:s3:::{rest}"
        account = self.ref("AWS::AccountId", line)
        unknown = next((v for v in (partition, account) if isinstance(v, Unknown)), None)
        return unknown or f"arn:{partition}:iam::{account}:{rest}"


def _pure(name: str, arg: Any, r: Resolver, line: int) -> Any:
    """Functions computed from known values alone."""
    if name == "Fn::Sub":
        template, names = (
            (arg, {}) if isinstance(arg, str) else (arg[0], arg[1]) if _pair(arg) else (None, None)
        )
        if not isinstance(template, str) or not isinstance(names, dict):
            raise r.error(line, "Fn::Sub takes a string or [string, {Name: value}]")
        return _sub(template, names, r, line)
    if name == "Fn::Join":
        if not (_pair(arg) and isinstance(arg[0], str) and isinstance(arg[1], list)):
            raise r.error(line, "Fn::Join takes [delimiter, [values]]")
        if not all(isinstance(v, str) for v in arg[1]):
            raise r.error(line, "Fn::Join joins strings only")
        return arg[0].join(arg[1])
    if name == "Fn::Select":
        if not (
            _pair(arg) and isinstance(arg[1], list) and str(arg[0]).isdigit() and int(arg[0]) < len(arg[1])
        ):
            raise r.error(line, "Fn::Select takes [index, [values]] with the index inside the list")
        return arg[1][int(arg[0])]
    if name == "Fn::Split":
        if not (_pair(arg) and isinstance(arg[0], str) and arg[0] and isinstance(arg[1], str)):
            raise r.error(line, "Fn::Split takes [delimiter, string]")
        return arg[1].split(arg[0])
    # Fn::FindInMap
    if not (isinstance(arg, list) and len(arg) == 3 and all(isinstance(a, str) for a in arg)):
        raise r.error(line, "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]")
    found = r.ctx.mappings.get(arg[0], {})
    found = found.get(arg[1], {}) if isinstance(found, dict) else {}
    if not isinstance(found, dict) or arg[2] not in found:
        raise r.error(line, f"Fn::FindInMap: {shown('.'.join(arg), 120)} is not in Mappings")
    return found[arg[2]]


def _sub(template: str, names: Mapping[str, Any], r: Resolver, line: int) -> Any:
    parts: list[str] = []
    position = 0
    for match in _SUB.finditer(template):
        parts.append(template[position : match.start()])
        position = match.end()
        inner = match.group(1)
        if inner.startswith("!"):
            parts.append("${" + inner[1:] + "}")
            continue
        if inner in names:
            value = names[inner]
        elif "." in inner and not inner.startswith("AWS::"):
            logical_id, attribute = inner.split(".", 1)
            value = r.get_att(logical_id, attribute, line)
        else:
            value = r.ref(inner, line)
        if isinstance(value, Unknown):
            return value
        if not isinstance(value, str | int):
            raise r.error(line, f"Fn::Sub: ${{{shown(inner, 60)}}} is not a string")
        parts.append(str(value))
    parts.append(template[position:])
    return "".join(parts)


def _pair(arg: Any) -> bool:
    return isinstance(arg, list) and len(arg) == 2


def _text(arg: Any, name: str, r: Resolver, line: int) -> str:
    if not isinstance(arg, str):
        raise r.error(line, f"{name} takes a name")
    return arg


def _line_of(node: Any, key: Any, default: int) -> int:
    lines = getattr(node, "key_lines", None)
    return lines.get(key, default) if lines else default


def _item_line(node: Any, index: int, default: int) -> int:
    lines = getattr(node, "item_lines", None)
    return lines[index] if lines and index < len(lines) else default
