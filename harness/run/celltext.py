"""A cell's result as text, as a failed test and `harness explain` show it: expected, actual, the
deciding statements, why each statement did not apply."""

from __future__ import annotations

from harness.cells import Cell, CellResult


def describe_failure(cell: Cell, result: CellResult) -> str:
    actual = result.decision
    lines = [
        f"{cell.principal_label} {cell.action} on {cell.resource}",
        f"  expected: {cell.expected.value}",
        f"  actual:   {actual}"
        + (
            f" (enforced: {result.enforced_decision})"
            if result.enforced_decision not in (None, actual)
            else ""
        ),
    ]
    if result.disagreement:
        lines.append(f"  backends disagree: {result.disagreement}")
    if cell.check_enforced:
        lines.append("  judged on the enforced decision (enforced: true)")
    if cell.reason:
        lines.append(f"  reason:   {cell.reason}")
    lines.append(f"  scenario: {cell.source.scenario} ({cell.source.file}:{cell.source.line})")
    if result.deciding_statements:
        lines.append("  deciding statements:")
        for s in result.deciding_statements:
            sid = f" Sid {s.sid!r}" if s.sid else ""
            where = s.origin or s.policy_id
            lines.append(
                f"    {s.effect}{sid} in {where} [{s.policy_type}] lines {s.start_line}-{s.end_line}"
            )
    else:
        lines.append("  deciding statements: none (no statement applies)")
    if result.missing_context:
        lines.append("  missing context keys: " + ", ".join(result.missing_context))
    if result.advisory:
        lines.append(f"  advisory: {result.advisory}")
    if result.explanation:
        lines.append("  explanation:")
        lines.extend(f"    {line}" for line in result.explanation)
    for key, value in result.other.items():
        lines.append(f"  {key}: {value}")
    return "\n".join(lines)


def describe_error(cell: Cell, result: CellResult) -> str:
    return (
        f"{cell.principal_label} {cell.action} on {cell.resource}: could not be evaluated "
        f"({result.backend}): {result.error}\n  scenario: {cell.source.scenario} "
        f"({cell.source.file}:{cell.source.line})"
    )
