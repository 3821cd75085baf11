"""A policy attribute's value as policy text, or a clear error: never a guess at what was meant.

Terraform holds policies as JSON strings (`jsonencode(...)` or a heredoc); CloudFormation
as objects (or JSON strings). Either way the document must be a JSON object
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html:
a policy is `{ <version_block>? <id_block>? <statement_block> }`). A JSON string that
holds another string is a document encoded twice: refused, not unwrapped.
"""

from __future__ import annotations

import json
from typing import Any

from harness.plans.changes import Unknown, first_unknown
from harness.plans.errors import PlanError


def policy_text(value: Any, file: str, where: str) -> str | Unknown | None:
    """Policy text of `value`; None when the attribute is empty (no policy); PlanError otherwise."""
    if isinstance(value, Unknown) or value is None or value == "":
        return value or None
    if isinstance(value, dict):
        # A CloudFormation document with an unresolved intrinsic inside: the whole policy is unknown.
        found = first_unknown(value)
        if found is not None:
            raise _UnknownInside(found)
        return json.dumps(value)
    if not isinstance(value, str):
        raise PlanError(file, where, f"a policy must be a JSON document, not {type(value).__name__}")
    try:
        doc = json.loads(value)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise PlanError(file, where, f"the policy is not JSON: {getattr(exc, 'msg', exc)}") from None
    if isinstance(doc, str):
        raise PlanError(
            file, where, "the policy is a JSON string holding a string (encoded twice?), not a document"
        )
    if not isinstance(doc, dict):
        raise PlanError(file, where, f"the policy must be a JSON object, not a JSON {type(doc).__name__}")
    return value


class _UnknownInside(Exception):
    def __init__(self, unknown: Unknown) -> None:
        super().__init__(unknown.why)
        self.unknown = unknown


# The attributes of the handled types that hold a policy document (Terraform names).
POLICY_ATTRIBUTES = ("policy", "assume_role_policy", "content")


def check_policies(values: Any, file: str, address: str) -> None:
    """Every policy attribute of a resource is a document or unknown, checked when the plan is read
    (so a bad one stops the run before any cell is evaluated)."""
    for key in POLICY_ATTRIBUTES:
        if key in values:
            document_text(values[key], file, f"{address}.{key}")
    blocks = values.get("inline_policy")
    if isinstance(blocks, list):
        for i, block in enumerate(blocks):
            if isinstance(block, dict) and "policy" in block:
                document_text(block["policy"], file, f"{address}.inline_policy[{i}].policy")


def document_text(value: Any, file: str, where: str) -> str | Unknown | None:
    """policy_text, with a document holding an unknown value becoming that Unknown."""
    try:
        return policy_text(value, file, where)
    except _UnknownInside as exc:
        return exc.unknown
