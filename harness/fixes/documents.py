"""Policy documents changed as parsed data: a statement added, a statement removed, a statement found.

A fix never edits policy text: the document is parsed (`json.loads`, as the engine reads it),
its `Statement` list changed, and the result written out again. A statement is found by the
position the engine reported for it (`MatchedStatement.start`, scanned the engine's way), so
a statement without a Sid, or with a Sid used twice, is still the one that decided.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from harness.engine.policy import scan_statement_spans
from harness.engine.types import Position

POLICY_VERSION = "2012-10-17"


class DocumentError(Exception):
    """A policy could not be changed as asked (not a JSON object, statement not found, Sid taken)."""


def _parsed(text: str) -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"the policy is not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(doc, dict):
        raise DocumentError("the policy is not a JSON object")
    return doc


def statements_of(text: str) -> list[dict[str, Any]]:
    """The statements of a policy, a single statement object read as a list of one."""
    found = _parsed(text).get("Statement", [])
    listed = found if isinstance(found, list) else [found]
    return [s for s in listed if isinstance(s, dict)]


def statement_at(text: str, start: Position) -> dict[str, Any]:
    """The statement that starts at `start` (a MatchedStatement's position in this text)."""
    listed = statements_of(text)
    for index, (begin, _end) in enumerate(scan_statement_spans(text)):
        if begin == start and index < len(listed):
            return listed[index]
    raise DocumentError(f"no statement starts at line {start.line}, column {start.column}")


def with_statement(text: str | None, statement: Mapping[str, Any]) -> str:
    """`text` with `statement` appended; a new policy holding it when `text` is None.

    A statement already there (same Sid, same content) is not added twice, so fixes that
    share a statement apply together; a Sid taken by another statement is refused, since
    IAM requires Sids to be unique within a policy
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html).
    """
    doc = {"Version": POLICY_VERSION, "Statement": []} if text is None else _parsed(text)
    listed = _statement_list(doc)
    sid = statement.get("Sid")
    for existing in listed:
        if sid is not None and isinstance(existing, dict) and existing.get("Sid") == sid:
            if existing == dict(statement):
                return _written(doc)
            raise DocumentError(f"Sid {sid!r} is already used by another statement of the policy")
    listed.append(dict(statement))
    doc["Statement"] = listed
    return _written(doc)


def without_statement(text: str, statement: Mapping[str, Any]) -> str:
    """`text` without the first statement equal to `statement`."""
    doc = _parsed(text)
    listed = _statement_list(doc)
    for index, existing in enumerate(listed):
        if existing == dict(statement):
            del listed[index]
            doc["Statement"] = listed
            return _written(doc)
    raise DocumentError(f"the policy has no statement {_written(dict(statement))}")


def _statement_list(doc: dict[str, Any]) -> list[Any]:
    found = doc.get("Statement", [])
    return list(found) if isinstance(found, list) else [found]


def _written(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=2)
