"""Helpers for engine tests: policies and SimulationInputs from plain dicts."""

from __future__ import annotations

import json
from typing import Any

from harness.engine import (
    ContextEntry,
    EvaluationResult,
    PolicyKind,
    PolicySource,
    SimulationInput,
    SimulationOutput,
)

Doc = dict[str, Any] | str


def _text(doc: Doc) -> str:
    return doc if isinstance(doc, str) else json.dumps(doc)


def policy(*statements: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    doc: dict[str, Any] = {"Statement": list(statements)}
    if version:
        doc = {"Version": version, **doc}
    return doc


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def build_input(
    actions: tuple[str, ...] | list[str] | str,
    *,
    identity: list[Doc] = (),  # type: ignore[assignment]
    resource_policy: Doc | None = None,
    boundaries: list[Doc] = (),  # type: ignore[assignment]
    sessions: list[Doc] = (),  # type: ignore[assignment]
    scps: list[list[Doc]] = (),  # type: ignore[assignment]
    rcps: list[list[Doc]] = (),  # type: ignore[assignment]
    resources: tuple[str, ...] | list[str] = ("*",),
    caller: str | None = None,
    principal: str | None = None,
    owner: str | None = None,
    context: dict[str, Any] | None = None,
    handling: str | None = None,
) -> SimulationInput:
    if isinstance(actions, str):
        actions = (actions,)
    ctx: list[ContextEntry] = []
    for k, v in (context or {}).items():
        if isinstance(v, tuple):
            values, ctype = v
            ctx.append(ContextEntry(k, tuple(values), ctype))
        elif isinstance(v, list):
            ctx.append(ContextEntry(k, tuple(v), "stringList"))
        else:
            ctx.append(ContextEntry(k, (str(v),), "string"))
    return SimulationInput(
        action_names=tuple(actions),
        resource_arns=tuple(resources),
        identity_policies=tuple(
            PolicySource(_text(d), f"PolicyInputList.{i}", "IAM Policy") for i, d in enumerate(identity, 1)
        ),
        permissions_boundaries=tuple(
            PolicySource(
                _text(d),
                f"PermissionsBoundaryPolicyInputList.{i}",
                "IAM Policy",
                PolicyKind.PERMISSIONS_BOUNDARY,
            )
            for i, d in enumerate(boundaries, 1)
        ),
        session_policies=tuple(
            PolicySource(_text(d), f"SessionPolicy.{i}", "IAM Policy", PolicyKind.SESSION)
            for i, d in enumerate(sessions, 1)
        ),
        resource_policy=(
            PolicySource(_text(resource_policy), "ResourcePolicy", "Resource Policy", PolicyKind.RESOURCE)
            if resource_policy is not None
            else None
        ),
        scp_levels=tuple(
            tuple(
                PolicySource(_text(d), f"SCP.{n}.{i}", "SCP", PolicyKind.SCP) for i, d in enumerate(level, 1)
            )
            for n, level in enumerate(scps, 1)
        ),
        rcp_levels=tuple(
            tuple(
                PolicySource(_text(d), f"RCP.{n}.{i}", "RCP", PolicyKind.RCP) for i, d in enumerate(level, 1)
            )
            for n, level in enumerate(rcps, 1)
        ),
        caller_arn=caller,
        principal_arn=principal,
        resource_owner=owner,
        context=tuple(ctx),
        resource_handling_option=handling,
    )


def first(out: SimulationOutput) -> EvaluationResult:
    assert len(out.results) == 1
    return out.results[0]
