"""Conversions between the IAM API's JSON shapes and the engine's types. Pure functions.

- `input_from_api`: a SimulateCustomPolicy / SimulatePrincipalPolicy request
  dict (as `aws iam simulate-custom-policy --generate-cli-skeleton` writes it)
  -> SimulationInput. Principal mode needs the account model for the
  principal's own policies; `principal_request_fields` returns the fields
  the caller passes on to it.
- `input_to_api`: SimulationInput -> SimulateCustomPolicy kwargs (for boto3).
- `output_to_api`: SimulationOutput -> the response the AWS CLI prints
  (`{"EvaluationResults": [...], "IsTruncated": false}`), our enforcement
  fields added under `Harness*` keys.
- `output_from_api`: an AWS response -> SimulationOutput.

Result shape choices (see simulator.py for the sources): MissingContextValues
at the top when the only resource is `*`, else per resource;
ResourceSpecificResults omitted when the only resource is `*`;
EvalDecisionDetails omitted for `*` in one account, `{}` for ARNs in one
account, filled for cross-account.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from harness.engine.errors import InvalidInput
from harness.engine.types import (
    ContextEntry,
    Decision,
    EvaluationResult,
    MatchedStatement,
    PolicyKind,
    PolicySource,
    Position,
    ResourceResult,
    SimulationInput,
    SimulationOutput,
)

CUSTOM_FIELDS = frozenset(
    {
        "PolicyInputList",
        "PermissionsBoundaryPolicyInputList",
        "OrderedOrganizationPolicyInputList",
        "ActionNames",
        "ResourceArns",
        "ResourcePolicy",
        "ResourceOwner",
        "CallerArn",
        "ContextEntries",
        "ResourceHandlingOption",
        "MaxItems",
        "Marker",
    }
)
PRINCIPAL_FIELDS = (CUSTOM_FIELDS - {"OrderedOrganizationPolicyInputList"}) | {
    "PolicySourceArn",
    "PolicyExclusionList",
}
IAM_POLICY = "IAM Policy"
RESOURCE_POLICY = "Resource Policy"


def _str(req: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = req.get(key)
    if value is None or value == "":
        if required:
            raise InvalidInput(f"{key} is required")
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{key} must be a string, got {type(value).__name__}")
    return value


def _opt_str(req: Mapping[str, Any], key: str) -> str | None:
    """`_str(req, key)`, the usual cases (absent, a non-empty string) without its checks."""
    value = req.get(key)
    if value is None:
        return None
    if type(value) is str and value:
        return value
    return _str(req, key)  # words the error (or accepts "" and str subclasses)


def _str_list(req: Mapping[str, Any], key: str, *, required: bool = False) -> list[str]:
    value = req.get(key)
    if value is None:
        if required:
            raise InvalidInput(f"{key} is required")
        return []
    if not isinstance(value, list) or not _all_strings(value):
        raise InvalidInput(f"{key} must be a list of strings")
    if required and not value:
        raise InvalidInput(f"{key} must not be empty")
    return list(value)


def _str_tuple(req: Mapping[str, Any], key: str, *, required: bool = False) -> tuple[str, ...]:
    """`tuple(_str_list(req, key, required=...))`, a valid list checked once."""
    value = req.get(key)
    if type(value) is list and value and _all_strings(value):
        return tuple(value)
    return tuple(_str_list(req, key, required=required))  # words the error (or accepts [] / None)


def _all_strings(values: list[Any]) -> bool:
    for v in values:  # noqa: SIM110 (every request passes here: no generator)
        if not isinstance(v, str):
            return False
    return True


_CONTEXT_FIELDS = frozenset({"ContextKeyName", "ContextKeyValues", "ContextKeyType"})


def _context(req: Mapping[str, Any]) -> tuple[ContextEntry, ...]:
    raw = req.get("ContextEntries") or []
    if not isinstance(raw, list):
        raise InvalidInput("ContextEntries must be a list")
    out: list[ContextEntry] = []
    for entry in raw:
        # The usual entry (a dict of known fields: a non-empty name, a list of strings and
        # a type) is taken as is; anything else is checked by _checked_entry, which words
        # the error. Every entry before it was taken, so its index is len(out).
        if type(entry) is dict and _CONTEXT_FIELDS.issuperset(entry):
            name = entry.get("ContextKeyName")
            values = entry.get("ContextKeyValues", [])
            ctype = entry.get("ContextKeyType", "string")
            if type(name) is str and name and type(values) is list and type(ctype) is str:
                for v in values:
                    if type(v) is not str:
                        break
                else:
                    out.append(ContextEntry(name, tuple(values), ctype))
                    continue
        out.append(_checked_entry(len(out), entry))
    return tuple(out)


def _checked_entry(i: int, entry: Any) -> ContextEntry:
    """ContextEntries[i], every field checked (raises InvalidInput naming the first that fails)."""
    where = f"ContextEntries[{i}]"
    if not isinstance(entry, dict):
        raise InvalidInput(f"{where} must be an object")
    if not _CONTEXT_FIELDS.issuperset(entry):
        raise InvalidInput(f"{where}: unknown field {sorted(set(entry) - _CONTEXT_FIELDS)[0]}")
    name = entry.get("ContextKeyName")
    values = entry.get("ContextKeyValues", [])
    ctype = entry.get("ContextKeyType", "string")
    if not isinstance(name, str) or not name:
        raise InvalidInput(f"{where}.ContextKeyName is required")
    if not isinstance(values, list) or not _all_strings(values):
        raise InvalidInput(f"{where}.ContextKeyValues must be a list of strings")
    if not isinstance(ctype, str):
        raise InvalidInput(f"{where}.ContextKeyType must be a string")
    return ContextEntry(name, tuple(values), ctype)


def _check_fields(req: Mapping[str, Any], allowed: frozenset[str], operation: str) -> None:
    if allowed.issuperset(req):  # the usual case, without building the difference
        return
    unknown = sorted(set(req) - allowed)
    if unknown:
        raise InvalidInput(f"{operation}: unknown parameter {unknown[0]!r}")


def _scp_levels(req: Mapping[str, Any]) -> tuple[tuple[PolicySource, ...], ...]:
    raw = req.get("OrderedOrganizationPolicyInputList")
    if not raw:
        return ()
    if not isinstance(raw, list):
        raise InvalidInput("OrderedOrganizationPolicyInputList must be a list")
    levels: list[tuple[PolicySource, ...]] = []
    for n, level in enumerate(raw, 1):
        where = f"OrderedOrganizationPolicyInputList.{n}"
        if not isinstance(level, dict):
            raise InvalidInput(f"{where} must be an object with ServiceControlPolicyInputList")
        docs = _str_list(level, "ServiceControlPolicyInputList")
        levels.append(
            tuple(
                PolicySource(d, f"{where}.ServiceControlPolicyInputList.{i}", "SCP", PolicyKind.SCP)
                for i, d in enumerate(docs, 1)
            )
        )
    return tuple(levels)


_NO_RESOURCE = ("*",)


class _Common(NamedTuple):
    """The request fields both operations share, converted, under SimulationInput's names."""

    action_names: tuple[str, ...]
    resource_arns: tuple[str, ...]
    resource_policy: PolicySource | None
    permissions_boundaries: tuple[PolicySource, ...]
    resource_owner: str | None
    caller_arn: str | None
    context: tuple[ContextEntry, ...]
    resource_handling_option: str | None


def _common(req: Mapping[str, Any]) -> _Common:
    """The request fields both operations share, converted."""
    resource_doc = _opt_str(req, "ResourcePolicy")
    raw_boundaries = req.get("PermissionsBoundaryPolicyInputList")
    boundaries = () if raw_boundaries is None else _str_tuple(req, "PermissionsBoundaryPolicyInputList")
    if len(boundaries) > 1:
        raise InvalidInput("PermissionsBoundaryPolicyInputList accepts only one permissions boundary")
    max_items = req.get("MaxItems")
    if max_items not in (None, 0) and (not isinstance(max_items, int) or not 1 <= max_items <= 1000):
        raise InvalidInput("MaxItems must be an integer from 1 to 1000")
    action_names = _str_tuple(req, "ActionNames", required=True)
    resource_arns = _str_tuple(req, "ResourceArns") if "ResourceArns" in req else ()
    return _Common(
        action_names,
        resource_arns or _NO_RESOURCE,
        (
            PolicySource(resource_doc, "ResourcePolicy", RESOURCE_POLICY, PolicyKind.RESOURCE)
            if resource_doc
            else None
        ),
        (
            (
                PolicySource(
                    boundaries[0],
                    "PermissionsBoundaryPolicyInputList.1",
                    IAM_POLICY,
                    PolicyKind.PERMISSIONS_BOUNDARY,
                ),
            )
            if boundaries
            else ()
        ),
        _opt_str(req, "ResourceOwner"),
        _opt_str(req, "CallerArn"),
        _context(req) if "ContextEntries" in req else (),
        _opt_str(req, "ResourceHandlingOption"),
    )


def common_fields(req: Mapping[str, Any]) -> dict[str, Any]:
    """The request fields both operations share, converted (for SimulationInput or the account model)."""
    return _common(req)._asdict()


def input_from_api(req: Mapping[str, Any]) -> SimulationInput:
    """A SimulateCustomPolicy request -> SimulationInput (raises InvalidInput)."""
    if type(req) is not dict and not isinstance(req, Mapping):  # (the ABC check is slow)
        raise InvalidInput("the request must be a JSON object")
    _check_fields(req, CUSTOM_FIELDS, "SimulateCustomPolicy")
    docs = _str_tuple(req, "PolicyInputList", required=True)
    common = _common(req)
    identity: list[PolicySource] = []
    for i, d in enumerate(docs, 1):  # (a loop: a generator costs a frame and a resume per policy)
        identity.append(PolicySource(d, f"PolicyInputList.{i}", IAM_POLICY))
    # Positional, in SimulationInput's field order (built for every request).
    return SimulationInput(
        common.action_names,
        common.resource_arns,
        tuple(identity),
        common.permissions_boundaries,
        (),  # session_policies
        common.resource_policy,
        _scp_levels(req),
        (),  # rcp_levels
        None,  # principal_arn
        common.caller_arn,
        common.resource_owner,
        common.resource_handling_option,
        common.context,
    )


def principal_request_fields(req: Mapping[str, Any]) -> dict[str, Any]:
    """A SimulatePrincipalPolicy request, checked: source ARN, extra policies, exclusions, common fields."""
    if not isinstance(req, Mapping):
        raise InvalidInput("the request must be a JSON object")
    _check_fields(req, PRINCIPAL_FIELDS, "SimulatePrincipalPolicy")
    exclusions: list[str] = []
    raw = req.get("PolicyExclusionList") or []
    if not isinstance(raw, list):
        raise InvalidInput("PolicyExclusionList must be a list")
    for i, item in enumerate(raw):
        if isinstance(item, dict) and isinstance(item.get("PolicyArn"), str):
            exclusions.append(item["PolicyArn"])
        elif isinstance(item, dict) and isinstance(item.get("InlinePolicyIdentifier"), dict):
            name = item["InlinePolicyIdentifier"].get("PolicyName")
            if not isinstance(name, str):
                raise InvalidInput(f"PolicyExclusionList[{i}].InlinePolicyIdentifier.PolicyName is required")
            exclusions.append(name)
        else:
            raise InvalidInput(
                f"PolicyExclusionList[{i}]: offline only PolicyArn and InlinePolicyIdentifier are supported"
            )
    extra = _str_list(req, "PolicyInputList")
    return {
        "policy_source_arn": _str(req, "PolicySourceArn", required=True),
        "extra_policies": tuple(
            PolicySource(d, f"PolicyInputList.{i}", IAM_POLICY) for i, d in enumerate(extra, 1)
        ),
        "policy_exclusions": tuple(exclusions),
        **common_fields(req),
    }


def input_to_api(inp: SimulationInput) -> dict[str, Any]:
    """SimulationInput -> SimulateCustomPolicy parameters (RCPs and session policies have no API input)."""
    req: dict[str, Any] = {
        "PolicyInputList": [p.text for p in inp.identity_policies],
        "ActionNames": list(inp.action_names),
    }
    if tuple(inp.resource_arns) != ("*",):
        req["ResourceArns"] = list(inp.resource_arns)
    if inp.permissions_boundaries:
        req["PermissionsBoundaryPolicyInputList"] = [p.text for p in inp.permissions_boundaries]
    if inp.scp_levels:
        req["OrderedOrganizationPolicyInputList"] = [
            {"ServiceControlPolicyInputList": [p.text for p in level]} for level in inp.scp_levels
        ]
    if inp.resource_policy is not None:
        req["ResourcePolicy"] = inp.resource_policy.text
    for key, value in (
        ("ResourceOwner", inp.resource_owner),
        ("CallerArn", inp.caller_arn),
        ("ResourceHandlingOption", inp.resource_handling_option),
    ):
        if value:
            req[key] = value
    if inp.context:
        req["ContextEntries"] = [
            {"ContextKeyName": e.key, "ContextKeyValues": list(e.values), "ContextKeyType": e.type}
            for e in inp.context
        ]
    return req


# ---------------------------------------------------------------------------
# Output


def _statement(m: MatchedStatement) -> dict[str, Any]:
    start = m.start
    end = m.end
    return {
        "SourcePolicyId": m.source_policy_id,
        "SourcePolicyType": m.source_policy_type,
        "StartPosition": {"Line": start.line, "Column": start.column},
        "EndPosition": {"Line": end.line, "Column": end.column},
    }


def _statements(matched: tuple[MatchedStatement, ...]) -> list[dict[str, Any]]:
    # (No comprehension for none: it costs a function call, and most results match none.)
    return [_statement(m) for m in matched] if matched else []


# Decisions are written with `_value_` (the member's value, as `.value` gives it): `.value`
# is an enum property, several times slower, and every result writes two or three.


def _harness(out: dict[str, Any], r: EvaluationResult | ResourceResult) -> None:
    enforced = r.enforced_decision
    if enforced is not None:
        out["HarnessEnforcedDecision"] = enforced._value_
    if r.advisory:
        out["HarnessAdvisory"] = r.advisory
    explanation = r.explanation  # (written on this first read: read once)
    if explanation:
        out["HarnessExplanation"] = list(explanation)


class _Statements:
    """MatchedStatements lists of one response. Resources that got the same answer share
    one tuple of statements (simulator.py), so its list is built once and shared."""

    __slots__ = ("_built",)

    def __init__(self) -> None:
        # id() is safe as a key: every tuple seen stays referenced by the results
        # until the response is built.
        self._built: dict[int, list[dict[str, Any]]] = {}

    def of(self, matched: tuple[MatchedStatement, ...]) -> list[dict[str, Any]]:
        found = self._built.get(id(matched))
        if found is None:
            found = self._built[id(matched)] = _statements(matched)
        return found


def _resource_result(r: ResourceResult, harness: bool, statements: list[dict[str, Any]]) -> dict[str, Any]:
    """One ResourceSpecificResult (`statements`: its MatchedStatements, built by the caller,
    which shares the lists of results that match the same statements)."""
    out: dict[str, Any] = {
        "EvalResourceName": r.resource,
        "EvalResourceDecision": r.decision._value_,
        "MatchedStatements": statements,
        "MissingContextValues": list(r.missing_context_values),
    }
    if r.decision_details:  # "returned only for cross-account simulations"
        out["EvalDecisionDetails"] = {k: v._value_ for k, v in r.decision_details.items()}
    if r.permissions_boundary_allowed is not None:
        out["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": r.permissions_boundary_allowed
        }
    if harness:
        _harness(out, r)
    return out


def evaluation_result_to_api(r: EvaluationResult, *, harness: bool = True) -> dict[str, Any]:
    resource_results = r.resource_results
    star_only = len(resource_results) == 1 and resource_results[0].resource == "*"
    matched = r.matched_statements
    statements = _statements(matched)
    details = r.decision_details
    out: dict[str, Any] = {
        "EvalActionName": r.action,
        "EvalResourceName": r.resource,
        "EvalDecision": r.decision._value_,
        "MatchedStatements": statements,
        "MissingContextValues": list(r.missing_context_values),
    }
    if r.organizations_allowed is not None:
        out["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": r.organizations_allowed}
    if r.permissions_boundary_allowed is not None:
        out["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": r.permissions_boundary_allowed
        }
    if details or not star_only:
        out["EvalDecisionDetails"] = {k: v._value_ for k, v in details.items()} if details else {}
    if not star_only:
        if len(resource_results) == 1:
            # One resource: the action's statements are the resource's (aggregate.py), the same list.
            only = resource_results[0]
            own = statements if only.matched_statements is matched else _statements(only.matched_statements)
            out["ResourceSpecificResults"] = [_resource_result(only, harness, own)]
        else:
            shared = _Statements()
            out["ResourceSpecificResults"] = [
                _resource_result(rr, harness, shared.of(rr.matched_statements)) for rr in resource_results
            ]
    if harness:
        _harness(out, r)
    return out


def output_to_api(
    out: SimulationOutput,
    *,
    harness: bool = True,
    max_items: int | None = None,
    marker: str | None = None,
) -> dict[str, Any]:
    """The response as the AWS CLI prints it; `max_items`/`marker` paginate over EvaluationResults."""
    results = out.results
    total = len(results)
    start = 0
    if marker:
        if not marker.isdigit() or int(marker) > total:
            raise InvalidInput(f"Marker {marker!r} is not a marker this simulation returned")
        start = int(marker)
    end = total if not max_items else min(total, start + max_items)
    # (A loop, not a comprehension: that costs a function call, for every response.)
    page: list[dict[str, Any]] = []
    for r in results[start:end] if start or end < total else results:  # (no copy for all of them)
        page.append(evaluation_result_to_api(r, harness=harness))
    body: dict[str, Any] = {"EvaluationResults": page, "IsTruncated": end < total}
    if end < total:
        body["Marker"] = str(end)
    if harness and out.warnings:
        body["HarnessWarnings"] = list(out.warnings)
    return body


def _statements_from_api(items: Sequence[Mapping[str, Any]] | None) -> tuple[MatchedStatement, ...]:
    out: list[MatchedStatement] = []
    for s in items or ():
        start = s.get("StartPosition") or {}
        end = s.get("EndPosition") or {}
        out.append(
            MatchedStatement(
                source_policy_id=s.get("SourcePolicyId", ""),
                source_policy_type=s.get("SourcePolicyType", ""),
                start=Position(int(start.get("Line", 0)), int(start.get("Column", 0))),
                end=Position(int(end.get("Line", 0)), int(end.get("Column", 0))),
            )
        )
    return tuple(out)


def output_from_api(resp: Mapping[str, Any], *, warnings: Sequence[str] = ()) -> SimulationOutput:
    """An AWS SimulateCustomPolicy/SimulatePrincipalPolicy response -> SimulationOutput.

    Enforcement fields are left None: AWS's answer is the simulator's.
    """
    results: list[EvaluationResult] = []
    for r in resp.get("EvaluationResults", []):
        rrs = tuple(
            ResourceResult(
                resource=rr.get("EvalResourceName", ""),
                decision=Decision(rr["EvalResourceDecision"]),
                matched_statements=_statements_from_api(rr.get("MatchedStatements")),
                missing_context_values=tuple(rr.get("MissingContextValues") or ()),
                decision_details={k: Decision(v) for k, v in (rr.get("EvalDecisionDetails") or {}).items()},
                permissions_boundary_allowed=(rr.get("PermissionsBoundaryDecisionDetail") or {}).get(
                    "AllowedByPermissionsBoundary"
                ),
            )
            for rr in r.get("ResourceSpecificResults") or ()
        )
        results.append(
            EvaluationResult(
                action=r["EvalActionName"],
                resource=r.get("EvalResourceName", "*"),
                decision=Decision(r["EvalDecision"]),
                matched_statements=_statements_from_api(r.get("MatchedStatements")),
                missing_context_values=tuple(r.get("MissingContextValues") or ()),
                decision_details={k: Decision(v) for k, v in (r.get("EvalDecisionDetails") or {}).items()},
                organizations_allowed=(r.get("OrganizationsDecisionDetail") or {}).get(
                    "AllowedByOrganizations"
                ),
                permissions_boundary_allowed=(r.get("PermissionsBoundaryDecisionDetail") or {}).get(
                    "AllowedByPermissionsBoundary"
                ),
                resource_results=rrs,
            )
        )
    return SimulationOutput(results=tuple(results), warnings=tuple(warnings))
