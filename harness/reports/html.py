"""HTML report: one self-contained file (inline CSS and JS, no network) with the matrix and detail panels.

The page is rendered by Jinja2 with autoescape on. The run's data travels as
JSON inside `<script type="application/json">`, with `<`, `>`, `&` and the
JavaScript line separators written as \\u escapes, so no value (a Sid, a
condition value) can close the script element; the page script inserts values
with `textContent` only, never as markup. The matrix is drawn client-side one
page of rows x columns at a time, so thousands of cells stay responsive.

Escaping is not the only defence: the page's Content-Security-Policy allows
exactly one script, the report's own (templates/report.js), by its SHA-256
(`script-src 'sha256-...'`, CSP Level 2), so no inline script or event
handler that a value might smuggle in would run, and nothing is fetched.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from harness import __version__
from harness.reports.drift import Drift
from harness.reports.view import (
    build_grid,
    cell_account,
    counts,
    effective_decision,
    multi_account,
    names_in_several_files,
    ordered_cells,
    principal_label,
    statement_label,
)
from harness.runresult import RunResult
from harness.runselection import partial_banner

TEMPLATES = Path(__file__).parent / "templates"

_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


@functools.cache
def page_script() -> tuple[str, str]:
    """The report's own script and its CSP source expression ('sha256-<base64>' of its exact text)."""
    text = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return text, f"sha256-{digest}"


def script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element: nothing in it can end the element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in _JSON_ESCAPES.items():
        text = text.replace(char, escape)
    return text


class PolicyIndex:
    """Finds the document a deciding statement came from in metadata["policy_documents"].

    A statement names its policy by `policy_id` (the simulator's SourcePolicyId,
    e.g. `PolicyInputList.1`, which repeats across cells) and `origin` (the file
    or account-model entry). Origin is the better key; the id alone is used
    only when it is unambiguous.
    """

    def __init__(self, documents: list[dict[str, Any]]):
        self.documents = documents
        self._by_both: dict[tuple[str, str], int] = {}
        self._by_origin: dict[str, list[int]] = {}
        self._by_id: dict[str, list[int]] = {}
        for i, doc in enumerate(documents):
            pid, origin = str(doc.get("id", "")), str(doc.get("origin", ""))
            self._by_both.setdefault((pid, origin), i)
            if origin:
                self._by_origin.setdefault(origin, []).append(i)
            if pid:
                self._by_id.setdefault(pid, []).append(i)

    def find(self, stmt: dict[str, Any]) -> int | None:
        pid, origin = str(stmt.get("policy_id", "")), str(stmt.get("origin", ""))
        if (pid, origin) in self._by_both and origin:
            return self._by_both[(pid, origin)]
        for candidates in (self._by_origin.get(origin, []) if origin else [], self._by_id.get(pid, [])):
            if len(candidates) == 1:
                return candidates[0]
        return None


def build_payload(run: RunResult, drift: Drift | None = None) -> dict[str, Any]:
    grid = build_grid(run, drift)
    p_index = {p: i for i, p in enumerate(grid.principals)}
    a_index = {a: i for i, a in enumerate(grid.actions)}
    documents = list(run.metadata.get("policy_documents", []))
    index = PolicyIndex(documents)
    multi = multi_account(run)
    shared = names_in_several_files(run)
    cells = []
    for cell in ordered_cells(run, drift):
        change = drift.for_cell(run, cell) if drift else None
        cells.append(
            {
                "p": p_index[principal_label(run, cell, multi, shared)],
                "a": a_index[cell.action],
                "id": cell.id,
                "account": cell_account(run, cell),
                "principal": cell.principal,
                "action": cell.action,
                "resource": cell.resource,
                "expected": cell.expected,
                "actual": cell.actual,
                "enforced": cell.enforced,
                "effective": effective_decision(cell),
                "advisory": cell.advisory,
                "via": cell.via,
                "outcome": cell.outcome,
                "backend": cell.backend,
                "mode": cell.mode,
                "reason": cell.reason,
                "scenario": cell.scenario,
                "file": cell.file,
                "line": cell.line,
                "statements": [
                    {**s, "label": statement_label(s), "doc": index.find(s)} for s in cell.deciding_statements
                ],
                "explanation": cell.explanation,
                "missing_context": cell.missing_context,
                "warnings": cell.warnings,
                "error": cell.error,
                "other": cell.other,
                "context": cell.context,
                "tags": cell.tags,
                "drift": change.kind.value if change else None,
                "drift_label": change.label if change else None,
                "drift_before": change.before if change else None,
                "drift_is_change": bool(change and change.is_decision_change),
            }
        )
    meta = {k: v for k, v in run.metadata.items() if k != "policy_documents"}
    return {
        "meta": meta,
        "counts": counts(run),
        "principals": grid.principals,
        "actions": grid.actions,
        "cells": cells,
        "policies": [
            {
                "id": d.get("id"),
                "origin": d.get("origin"),
                "sha256": d.get("sha256"),
                "text": d.get("text"),
            }
            for d in documents
        ],
        "errors": run.errors,
        "drift": drift.to_dict() if drift else None,
    }


def render_html(run: RunResult, *, drift: Drift | None = None) -> str:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("report.html.j2")
    script, script_hash = page_script()
    meta = run.metadata
    account = meta.get("account")
    if isinstance(account, list):
        account = f"{len(account)} accounts"
    return template.render(
        title=f"IAM permission matrix — {account or 'run'}",
        counts=counts(run),
        meta=meta,
        drift=drift.summary() if drift else None,
        partial=partial_banner(meta),
        tool_version=__version__,
        data_json=script_json(build_payload(run, drift)),
        script=script,
        script_hash=script_hash,
    )
