"""A Terraform plan (`terraform show -json plan.out`, format 1.x) as planned resources.

The JSON output format (https://developer.hashicorp.com/terraform/internals/json-format):
`resource_changes` lists every resource of every module at any depth by full address
(`module.a.module.b.aws_iam_role.x`), each with `change.actions` (`create`, `update`,
`delete`, `no-op`, or a replace as `delete`+`create`), `before`, `after`, and
`after_unknown`, which mirrors `after` with `true` where the value is only known after
apply. `planned_values` nests the same resources in `root_module.child_modules`; it is
walked too so that every address is checked, at any depth. `configuration` holds the
expressions, whose `references` say which resource an unknown value comes from.

`aws_iam_role.inline_policy` and `managed_policy_arns` are optional and computed: when the
configuration does not set them, the plan shows them unknown for a new role although the
role then holds only what other resources of the plan attach (the provider reads them back).
Such an unknown is dropped; when the configuration sets them, or the plan has no
`configuration` to tell, it stays unknown (a reading of the provider's documentation).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from harness.plans.changes import Plan, PlanAction, PlannedResource, PlanSource, Reference, Unknown
from harness.plans.errors import PlanError, has_control, shown
from harness.plans.policytext import check_policies
from harness.plans.reading import MAX_PLAN_DEPTH
from harness.plans.types import HANDLED_TYPES, may_carry_policy

_INDEX = re.compile(r"\[[^\]]*\]$")


def terraform_plan(doc: Any, file: str) -> Plan:
    if not isinstance(doc, dict):
        raise PlanError(file, "", "a Terraform plan is a JSON object (terraform show -json plan.out)")
    version = doc.get("format_version")
    if not isinstance(version, str) or not version.startswith("1."):
        raise PlanError(file, "format_version", f"{shown(str(version))!r}: only format 1.x is read")
    changes = doc.get("resource_changes", [])
    if not isinstance(changes, list):
        raise PlanError(file, "resource_changes", "must be a list")
    for address in _planned_addresses(doc.get("planned_values"), file):
        _check_address(address, file)
    references = _configuration_references(doc.get("configuration"), file)
    if "configuration" not in doc:
        references = None  # type: ignore[assignment]
    resources: list[PlannedResource] = []
    warnings: list[str] = []
    for i, raw in enumerate(changes):
        planned = _resource(raw, i, file, references, warnings)
        if planned is not None:
            resources.append(planned)
    return Plan(file=file, kind="terraform", resources=tuple(resources), warnings=tuple(warnings))


def _resource(
    raw: Any, index: int, file: str, references: Mapping[str, Mapping[str, str]] | None, warnings: list[str]
) -> PlannedResource | None:
    if not isinstance(raw, dict):
        raise PlanError(file, f"resource_changes[{index}]", "must be an object")
    address, rtype = raw.get("address"), raw.get("type")
    if not isinstance(address, str) or not isinstance(rtype, str):
        raise PlanError(file, f"resource_changes[{index}]", "needs string `address` and `type`")
    _check_address(address, file)
    if raw.get("mode", "managed") != "managed":
        return None  # data sources are read, not changed; an unknown one shows in its users' after_unknown
    change = raw.get("change")
    if not isinstance(change, dict) or not isinstance(change.get("actions"), list):
        raise PlanError(file, address, "needs `change.actions`")
    action = _action(change["actions"], file, address)
    if action is None:
        return None
    if rtype not in HANDLED_TYPES:
        after = change.get("after") if action is PlanAction.PUT else change.get("before")
        if may_carry_policy(rtype, after):
            warnings.append(f"{address}: type {rtype} can carry IAM policy and is not applied to the model")
        return None
    source = PlanSource("terraform", address, file)
    if action is PlanAction.DELETE:
        return PlannedResource(source, rtype, action, _object(change.get("before"), file, address))
    after = _object(change.get("after"), file, address)
    unknown = change.get("after_unknown") or {}
    values = _merge_unknown(after, unknown, "", 0)
    refs = references.get(_INDEX.sub("", address)) if references is not None else None
    values = {
        k: _referenced(v, refs.get(k) if refs else None, address)
        for k, v in values.items()
        if not _unmanaged(rtype, k, v, refs)
    }
    check_policies(values, file, address)
    return PlannedResource(source, rtype, action, values)


def _unmanaged(rtype: str, key: str, value: Any, configured: Mapping[str, str] | None) -> bool:
    """A role's computed inline_policy / managed_policy_arns its configuration does not set."""
    if rtype != "aws_iam_role" or key not in ("inline_policy", "managed_policy_arns"):
        return False
    return isinstance(value, Unknown) and configured is not None and key not in configured


def _action(actions: list[Any], file: str, address: str) -> PlanAction | None:
    known = {"create", "update", "delete", "no-op", "read"}
    if not actions or any(a not in known for a in actions):
        raise PlanError(file, address, f"unknown change.actions {shown(repr(actions))}")
    if actions == ["delete"]:
        return PlanAction.DELETE
    if "create" in actions or "update" in actions:
        return PlanAction.PUT  # a replace (delete+create either way round) ends as its `after`
    return None


def _object(value: Any, file: str, address: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PlanError(file, address, "the change's values must be an object")
    return value


def _merge_unknown(value: Any, unknown: Any, path: str, depth: int) -> Any:
    """`value` with every leaf `after_unknown` marks `true` replaced by Unknown(path)."""
    if unknown is True:
        return Unknown(path or "(whole resource)", "known only after apply (after_unknown)")
    if depth > MAX_PLAN_DEPTH:
        return value
    if isinstance(unknown, dict):
        base = value if isinstance(value, dict) else {}
        keys = list(base) + [k for k in unknown if k not in base]
        return {
            k: _merge_unknown(base.get(k), unknown.get(k), f"{path}.{k}" if path else k, depth + 1)
            for k in keys
        }
    if isinstance(unknown, list):
        base_list = value if isinstance(value, list) else []
        size = max(len(base_list), len(unknown))
        return [
            _merge_unknown(
                base_list[i] if i < len(base_list) else None,
                unknown[i] if i < len(unknown) else None,
                f"{path}[{i}]",
                depth + 1,
            )
            for i in range(size)
        ]
    return value


def _referenced(value: Any, reference: str | None, address: str) -> Any:
    """An unknown top-level value the configuration draws from another resource: a Reference."""
    if not isinstance(value, Unknown) or not reference:
        return value
    parts = reference.split(".")
    if len(parts) < 3 or parts[0] in {"var", "local", "data", "module", "each", "count", "path"}:
        return value
    return Reference(f"{_module_prefix(address)}{parts[0]}.{parts[1]}", parts[2], value)


def _module_prefix(address: str) -> str:
    """`module.a.module.b.` of `module.a.module.b.aws_iam_role.x`."""
    parts = address.split(".")
    prefix = []
    while len(parts) >= 2 and parts[0] == "module":
        prefix += parts[:2]
        parts = parts[2:]
    return "".join(p + "." for p in prefix)


def _check_address(address: str, file: str) -> None:
    if has_control(address) or len(address) > 1000:
        raise PlanError(
            file, shown(address), "a resource address with control characters or over 1000 characters"
        )


def _planned_addresses(planned: Any, file: str) -> Iterator[str]:
    """Every resource address in planned_values, through child modules at any depth (iteratively)."""
    if planned is None:
        return
    if not isinstance(planned, dict):
        raise PlanError(file, "planned_values", "must be an object")
    stack = [planned.get("root_module") or {}]
    while stack:
        module = stack.pop()
        if not isinstance(module, dict):
            raise PlanError(file, "planned_values", "each module must be an object")
        for resource in module.get("resources") or []:
            address = resource.get("address") if isinstance(resource, dict) else None
            if not isinstance(address, str):
                raise PlanError(file, "planned_values", "a resource without a string `address`")
            yield address
        stack.extend(module.get("child_modules") or [])


def _configuration_references(configuration: Any, file: str) -> dict[str, dict[str, str]]:
    """Full address -> attribute -> the first resource reference of its expression."""
    out: dict[str, dict[str, str]] = {}
    if not isinstance(configuration, dict):
        return out
    stack: list[tuple[str, Any]] = [("", configuration.get("root_module"))]
    while stack:
        prefix, module = stack.pop()
        if not isinstance(module, dict):
            continue
        for resource in module.get("resources") or []:
            if isinstance(resource, dict) and isinstance(resource.get("address"), str):
                out[prefix + resource["address"]] = _expression_refs(resource.get("expressions"))
        calls = module.get("module_calls") or {}
        if isinstance(calls, dict):
            for name, call in calls.items():
                if isinstance(call, dict):
                    stack.append((f"{prefix}module.{name}.", call.get("module")))
    return out


def _expression_refs(expressions: Any) -> dict[str, str]:
    """Attribute -> its first resource reference ("" for a set attribute that references none)."""
    refs: dict[str, str] = {}
    if not isinstance(expressions, dict):
        return refs
    for attribute, expression in expressions.items():
        refs[str(attribute)] = ""
        found = expression.get("references") if isinstance(expression, dict) else None
        if isinstance(found, list):
            # Terraform lists the most specific reference first (aws_iam_role.x.name, then aws_iam_role.x).
            first = next((r for r in found if isinstance(r, str) and r.count(".") >= 2), None)
            if first is not None:
                refs[str(attribute)] = first
    return refs
