"""A cell's result as text, as a failed test and `harness explain` show it: expected, actual, the
deciding statements, why each statement did not apply, and the fix that would unblock it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from harness.cells import Cell, CellResult


def describe_failure(cell: Cell, result: CellResult) -> str:
    lines = _request_lines(cell, result)
    lines += _statement_lines(result)
    if result.missing_context:
        lines.append("  missing context keys: " + ", ".join(result.missing_context))
    if result.advisory:
        lines.append(f"  advisory: {result.advisory}")
    if result.explanation:
        lines.append("  explanation:")
        lines.extend(f"    {line}" for line in result.explanation)
    for key, value in result.other.items():
        lines.append(f"  {key}: {value}")
    if result.fix is not None:
        lines += fix_lines(result.fix.to_dict())
    return "\n".join(lines)


def _request_lines(cell: Cell, result: CellResult) -> list[str]:
    actual = result.decision
    enforced = result.enforced_decision
    lines = [
        f"{cell.principal_label} {cell.action} on {cell.resource}",
        f"  expected: {cell.expected.value}",
        f"  actual:   {actual}" + (f" (enforced: {enforced})" if enforced not in (None, actual) else ""),
    ]
    if result.disagreement:
        lines.append(f"  backends disagree: {result.disagreement}")
    if cell.check_enforced:
        lines.append("  judged on the enforced decision (enforced: true)")
    if cell.reason:
        lines.append(f"  reason:   {cell.reason}")
    lines.append(f"  scenario: {cell.source.scenario} ({cell.source.file}:{cell.source.line})")
    return lines


def _statement_lines(result: CellResult) -> list[str]:
    if not result.deciding_statements:
        return ["  deciding statements: none (no statement applies)"]
    lines = ["  deciding statements:"]
    for s in result.deciding_statements:
        sid = f" Sid {s.sid!r}" if s.sid else ""
        where = s.origin or s.policy_id
        lines.append(f"    {s.effect}{sid} in {where} [{s.policy_type}] lines {s.start_line}-{s.end_line}")
    return lines


def fix_heading(fix: Mapping[str, Any]) -> str:
    """Whether the fix was proven, and its note: said before the JSON, so nobody pastes it unread."""
    verified = fix.get("verified")
    if verified is True:
        state = "verified: the cell was evaluated again with these changes and came out allowed"
    elif verified is False:
        state = "NOT verified: no evaluation proved these changes unblock the cell"
    else:  # a hand-edited run: say so rather than guess either way
        state = "verification unknown (the run does not say)"
    note = fix.get("note")
    return f"fix ({state})" + (f"; note: {note}" if note else "")


def fix_json(fix: Mapping[str, Any]) -> str:
    """The fix as indented JSON, ready to paste (the `statement` of each change goes into its policy)."""
    return json.dumps(fix, indent=2, ensure_ascii=False, default=str)


def fix_lines(fix: Mapping[str, Any], *, recorded: bool = False) -> list[str]:
    """The fix block of a failure text: its heading, then its JSON indented under it."""
    heading = fix_heading(fix)
    if recorded:
        heading += " [as the run recorded it]"
    return [f"  {heading}:", *(f"    {line}" for line in fix_json(fix).splitlines())]


def describe_error(cell: Cell, result: CellResult) -> str:
    return (
        f"{cell.principal_label} {cell.action} on {cell.resource}: could not be evaluated "
        f"({result.backend}): {result.error}\n  scenario: {cell.source.scenario} "
        f"({cell.source.file}:{cell.source.line})"
    )
