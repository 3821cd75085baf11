"""report.sarif: the failed and error cells and the new access of a run, as SARIF 2.1.0 for code review.

SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), in the subset
GitHub code scanning reads (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning):
one `run`, the tool's `rules` (one per scenario: `ruleId` is the scenario's name made an
identifier), and one `result` per failed or error cell and per new-access change, with
`level` `error` (a failed or error cell) or `warning` (new access on a passing cell).

The location is where a reviewer can act: for a cell a CloudFormation template caused, the
template line of the deciding statement (or of the resource); otherwise the scenario file's
line (a Terraform plan has no source lines), with the Terraform address in the message.
`properties` carry the cell and its `source` ({kind, address | logical_id, file, line}).
Passing cells are never held: the report's memory grows with findings only.
"""

from __future__ import annotations

import json
import re
from typing import IO, Any

from harness import __version__
from harness.reports.drift import Drift, DriftKind
from harness.reports.files import HashingWriter
from harness.reports.summary import PlacedCell, RunSummary
from harness.run.schema import CellRecord

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_STATEMENT_LINES = re.compile(r"^(?P<file>.+?):\d+: cloudformation .* \(statement lines (?P<lines>[\d,]+)\)$")
_INFORMATION_URI = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
_RULE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


class SarifFormat:
    """Takes no passing cell; `finish` writes the findings the summary held."""

    def __init__(self, spool: IO[bytes]) -> None:
        self.spool = spool

    def take(self, placed: PlacedCell) -> None:
        return None

    def finish(self, out: HashingWriter, summary: RunSummary, drift: Drift | None) -> None:
        out.write(json.dumps(sarif_log(summary), indent=1).encode("utf-8") + b"\n")


def sarif_log(summary: RunSummary) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for placed in summary.held_in_order():
        cell = placed.cell
        if cell.outcome in ("failed", "error"):
            results.append(_result(cell, _rule(rules, cell), "error", _cell_text(cell)))
        change = placed.decision_change
        if change is not None and change.kind is DriftKind.NEW_ACCESS:
            text = f"new access since the baseline ({change.before} -> {change.after}): {_cell_text(cell)}"
            results.append(_result(cell, _rule(rules, cell), "warning", text))
    driver = {
        "name": "iam-harness",
        "version": __version__,
        "informationUri": _INFORMATION_URI,
        "rules": list(rules.values()),
    }
    run = {"tool": {"driver": driver}, "results": results}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _rule(rules: dict[str, dict[str, Any]], cell: CellRecord) -> str:
    name = cell.scenario or "cell"
    rule_id = _RULE_CHARS.sub("-", name).strip("-")[:200] or "cell"
    if rule_id not in rules:
        rules[rule_id] = {
            "id": rule_id,
            "name": rule_id,
            "shortDescription": {"text": name[:1000]},
            "fullDescription": {"text": (cell.reason or name)[:1000]},
            "properties": {"file": cell.file},
        }
    return rule_id


def _cell_text(cell: CellRecord) -> str:
    text = f"{cell.principal} {cell.action} on {cell.resource}: expected {cell.expected}, got {cell.actual}"
    if cell.error:
        text += f"; error: {cell.error}"
    statement = next(iter(cell.deciding_statements), None)
    if statement:
        sid = f"Sid {statement.get('sid')!r}" if statement.get("sid") else "a statement"
        where = statement.get("origin") or statement.get("policy_id")
        text += f"; deciding statement: {statement.get('effect')} {sid} in {where}"
    source = cell.source or {}
    if source.get("kind") == "terraform":
        text += f"; caused by the planned change terraform {source.get('address')}"
    elif source.get("kind") == "cloudformation":
        where = f"{source.get('file')}:{source.get('line')}"
        text += f"; caused by the template resource {source.get('logical_id')} ({where})"
    return text


def _result(cell: CellRecord, rule_id: str, level: str, text: str) -> dict[str, Any]:
    uri, line = _location(cell)
    properties: dict[str, Any] = {
        "cell_id": cell.id,
        "principal": cell.principal,
        "action": cell.action,
        "resource": cell.resource,
        "expected": cell.expected,
        "actual": cell.actual,
        "outcome": cell.outcome,
    }
    if cell.source:
        properties["source"] = cell.source
    return {
        "ruleId": rule_id,
        "level": level,
        "message": {"text": text},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": max(line, 1)}}}
        ],
        "properties": properties,
    }


def _location(cell: CellRecord) -> tuple[str, int]:
    """The template line of the deciding statement a template caused, else the scenario's line."""
    source = cell.source or {}
    if source.get("kind") == "cloudformation":
        for statement in cell.deciding_statements:
            match = _STATEMENT_LINES.match(str(statement.get("origin") or ""))
            start = int(statement.get("start_line") or 0)
            lines = [int(n) for n in match["lines"].split(",")] if match else []
            # Statement i of a template's policy is on line i + 2 of its text (plans/cloudformation.py).
            if match and 2 <= start < len(lines) + 2:
                return match["file"], lines[start - 2]
        return str(source.get("file")), int(source.get("line") or 1)
    return cell.file or "unknown", cell.line
