"""HTML report: one self-contained file (inline CSS and JS, no network), a summary matrix that drills down.

What a person opens first is the summary: principals x services (the action's
prefix), each cell counting allowed, denied, failed, errors and changed
decisions, rows and columns with drift or failures first; the changes since
the baseline and the failures are listed above it. Clicking a summary cell
lists its cells; clicking one shows everything the run knows about it.

The data travels in two blocks, so the page opens fast at a million cells:

- `<script type="application/json" id="run-data">`: parsed at load; the
  summary counts, the tables, and every cell that is not a plain pass in full
  (failed, error, decision changed: bounded by failures and drift; at most
  `HtmlLimits.full_cells`);
- `<script type="text/plain" id="cell-lines">`: every other cell, one line
  each (`CompactLines`), decoded only when a summary cell is first opened.
  The browser's parser only scans this text for its end tag, so it costs
  little at load. Past `HtmlLimits.line_bytes` further cells are only counted
  in the summary, and the page points to report.csv / report.json, which hold
  every cell.

Both blocks are written so nothing in them can end the element: the JSON
block writes `<`, `>`, `&` and the JavaScript line separators as \\u escapes;
the lines block writes `<` as `\\l` (so no `<` at all is left in it) and
backslash-escapes tab, newline, carriage return, NUL and backslash. The page
script inserts values with `textContent` only, never as markup.

With cells that cover estate resources the data block also carries the
readiness view (one row per covered volume: harness/reports/readiness.py),
drawn as a table the reader sorts by any column; a failed cell's fix shows in
its detail as JSON ready to paste, with whether it was verified.

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
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import msgspec
from jinja2 import Environment, FileSystemLoader, select_autoescape

from harness import __version__
from harness.reports.cellfields import effective_decision, statement_label
from harness.reports.drift import KIND_RANK, Drift, DriftKind
from harness.reports.files import HashingWriter
from harness.reports.summary import COUNT_FIELDS, PlacedCell, RunSummary
from harness.run.result import CellRecord, RunResult
from harness.run.select import partial_banner

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


_ENCODER = msgspec.json.Encoder()
_JSON_BYTE_ESCAPES = (
    (b"<", b"\\u003c"),
    (b">", b"\\u003e"),
    (b"&", b"\\u0026"),
    ("\u2028".encode(), b"\\u2028"),
    ("\u2029".encode(), b"\\u2029"),
)
# Where the lines block goes in the rendered template: it contains `<`, which no value
# can (autoescape and the JSON escapes turn every `<` from the data into something else).
_LINES_SLOT = "<!--iam-harness:cell-lines-->"


def script_json_bytes(value: Any) -> bytes:
    """`script_json` with msgspec's C encoder (for the large data block)."""
    data = _ENCODER.encode(value)
    for raw, escape in _JSON_BYTE_ESCAPES:
        data = data.replace(raw, escape)
    return data


@dataclass(frozen=True)
class HtmlLimits:
    """How much of a large run report.html embeds (the rest is counted, and is in CSV/JSON)."""

    full_cells: int = 20_000  # non-passing / drifted cells embedded as full records
    line_bytes: int = 96 << 20  # the compact lines block (about a million cells)
    drift_listed: int = 5_000  # decision changes listed in the page's drift table


# Compact lines: one cell per line, fields separated by tabs:
#   triple  action  codes  res_keep  res_tail  id_keep  id_tail  origin  line  statements  extra
# triple/action: numbers into the data block's tables; codes: outcome, expected, actual,
# enforced, drift kind (one character each); res/id: the resource and cell id, as the number
# of leading UTF-16 units shared with the previous line's and the rest (ids and resources of
# consecutive cells share long prefixes); origin: number into the origins table (scenario,
# file, reason, tags, mode, backend); statements: numbers into the statements table;
# extra: JSON of the rare fields (context, error, warnings, ...) or empty. Every LINE_CHUNK-th
# line starts afresh (nothing shared with the line before), so the page decodes the lines of
# one summary cell without decoding every line before them.
LINE_CHUNK = 64
_OUTCOME_CODE = {"passed": "p", "failed": "f", "error": "e"}
_DECISION_CODE = {
    "allowed": "A",
    "explicitDeny": "X",
    "implicitDeny": "I",
    "denied": "D",
    "error": "E",
    None: "-",
    "": "-",
}
_CODED = (
    ("outcome", _OUTCOME_CODE),
    ("expected", _DECISION_CODE),
    ("actual", _DECISION_CODE),
    ("enforced", _DECISION_CODE),
)
_DRIFT_CODE = {kind: str(rank) for kind, rank in KIND_RANK.items()}
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0", "<": "\\l"})


def _shared_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix (binary search on slices: a few C-level compares)."""
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    lo, hi = 0, n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid
    return lo


def _utf16_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


class Interner:
    """Numbers distinct values for a table in the data block; at most `limit` (then None: inline)."""

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self.numbers: dict[Any, int] = {}
        self.values: list[Any] = []

    def number(self, key: Any, value: Any) -> int | None:
        found = self.numbers.get(key)
        if found is None:
            if len(self.values) >= self.limit:
                return None
            found = self.numbers[key] = len(self.values)
            self.values.append(value)
        return found


class CompactLines:
    """Encodes cells as compact lines (see above); keeps only the previous line's resource and id."""

    def __init__(self, policies: PolicyIndex) -> None:
        self.policies = policies
        self.origins = Interner()
        self.statements = Interner()
        self._resource = ""
        self._id = ""
        self.count = 0
        self._code_cache: dict[tuple, str] = {}
        self._stmt_cache: dict[tuple, str] = {}

    def _statement(self, stmt: dict[str, Any]) -> int | None:
        try:
            key: Any = tuple(sorted(stmt.items()))
            hash(key)
        except TypeError:  # a value that is a list or a mapping
            key = json.dumps(stmt, sort_keys=True, default=str)
        return self.statements.number(
            key, {**stmt, "label": statement_label(stmt), "doc": self.policies.find(stmt)}
        )

    def _codes(self, cell: CellRecord, extra: dict[str, Any]) -> str:
        key = (cell.outcome, cell.expected, cell.actual, cell.enforced)
        found = self._code_cache.get(key)
        if found is not None:
            return found
        codes = []
        for (name, table), value in zip(_CODED, key, strict=True):
            code = table.get(value)
            if code is None:  # a value outside the tables travels in full
                code = "?"
                extra[name] = value
            codes.append(code)
        text = "".join(codes)
        if "?" not in text:
            self._code_cache[key] = text
        return text

    def _origin(self, cell: CellRecord, extra: dict[str, Any]) -> str:
        key = (cell.scenario, cell.file, cell.reason, tuple(cell.tags), cell.mode, cell.backend)
        found = self.origins.numbers.get(key)
        if found is None:
            value = {
                "scenario": cell.scenario,
                "file": cell.file,
                "reason": cell.reason,
                "tags": cell.tags,
                "mode": cell.mode,
                "backend": cell.backend,
            }
            found = self.origins.number(key, value)
            if found is None:
                extra["origin"] = value
                return ""
        return str(found)

    def _statements(self, cell: CellRecord, extra: dict[str, Any]) -> str:
        numbers = []
        for stmt in cell.deciding_statements:
            try:
                key: Any = tuple(stmt.items())
                found = self._stmt_cache.get(key)
            except TypeError:  # a value that is a list or a mapping
                key, found = None, None
            if found is None:
                n = self._statement(stmt)
                if n is None:
                    extra.setdefault("statements", []).append({**stmt, "label": statement_label(stmt)})
                    continue
                found = str(n)
                if key is not None:
                    self._stmt_cache[key] = found
            numbers.append(found)
        return ",".join(numbers)

    def line(self, placed: PlacedCell) -> str:
        cell = placed.cell
        extra: dict[str, Any] = {}
        codes = self._codes(cell, extra)
        change = placed.change
        if change is None:
            codes += "-"
        else:
            codes += _DRIFT_CODE[change.kind]
            if change.before is not None:
                extra["drift_before"] = change.before
        origin = self._origin(cell, extra)
        statements = self._statements(cell, extra) if cell.deciding_statements else ""
        # The rare fields, all checked at once (a passing cell seldom has any).
        if (
            cell.explanation or cell.missing_context or cell.warnings or cell.context or cell.other
            or cell.advisory or cell.error or cell.via or cell.disagreement or cell.check_enforced
            or cell.fix
        ):  # fmt: skip
            for name in ("explanation", "missing_context", "warnings", "context", "other"):
                value = getattr(cell, name)
                if value:
                    extra[name] = value
            for name in ("advisory", "error", "via", "disagreement", "fix"):
                value = getattr(cell, name)
                if value:
                    extra[name] = value
            if cell.check_enforced:
                extra["check_enforced"] = True
        resource, ident = cell.resource, cell.id
        if self.count % LINE_CHUNK == 0:  # a chunk starts afresh: decodable without the lines before
            self._resource = self._id = ""
        self.count += 1
        r_keep = _shared_prefix(self._resource, resource)
        i_keep = _shared_prefix(self._id, ident)
        self._resource, self._id = resource, ident
        return (
            f"{placed.triple}\t{placed.action}\t{codes}\t{_utf16_len(resource[:r_keep])}\t"
            f"{resource[r_keep:].translate(_ESCAPES)}\t{_utf16_len(ident[:i_keep])}\t"
            f"{ident[i_keep:].translate(_ESCAPES)}\t{origin}\t{cell.line}\t{statements}\t"
            f"{_ENCODER.encode(extra).decode('utf-8').translate(_ESCAPES) if extra else ''}\n"
        )


def full_record(placed: PlacedCell, row: int, service: int, policies: PolicyIndex) -> dict[str, Any]:
    """Everything the detail panel shows about a cell."""
    cell, change = placed.cell, placed.change
    return {
        "t": row,
        "s": service,
        "a": placed.action,
        "id": cell.id,
        "account": placed.account,
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
            {**s, "label": statement_label(s), "doc": policies.find(s)} for s in cell.deciding_statements
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
        "covers": cell.covers,
        "fix": cell.fix,
    }


def _drift_payload(drift: Drift | None, limit: int) -> dict[str, Any] | None:
    if drift is None:
        return None
    changes = drift.decision_changes
    return {
        "summary": drift.summary(),
        "changes": [c.to_dict() for c in changes[:limit]],
        "not_listed": max(0, len(changes) - limit),
    }


def _readiness_payload(summary: RunSummary) -> dict[str, Any] | None:
    """The readiness table (one row per covered volume, bounded by the estate), or None when no
    cell covers anything (the page then shows no readiness section)."""
    readiness = summary.readiness
    if not readiness.covered:
        return None
    return {"counts": readiness.counts(), "rows": [row.to_dict() for row in readiness.rows()]}


class HtmlFormat:
    """report.html, streamed: passing cells become compact lines in `spool`; `finish` writes the page."""

    def __init__(self, spool: IO[bytes], metadata: dict[str, Any], limits: HtmlLimits | None = None) -> None:
        self.spool = spool
        self.limits = limits or HtmlLimits()
        self.policies = PolicyIndex(list(metadata.get("policy_documents", []) or []))
        self.lines = CompactLines(self.policies)
        self._buf: list[str] = []
        self._buf_len = 0
        self.line_bytes = 0
        self.embedded = 0
        self.omitted = 0

    def _add(self, placed: PlacedCell) -> bool:
        if self.line_bytes >= self.limits.line_bytes:
            self.omitted += 1
            return False
        text = self.lines.line(placed)
        self._buf.append(text)
        self._buf_len += len(text)
        self.line_bytes += len(text)  # characters: close enough to bytes for a budget
        self.embedded += 1
        return True

    def _flush(self, out) -> None:
        if self._buf:
            out.write("".join(self._buf).encode("utf-8"))
            self._buf.clear()
            self._buf_len = 0

    def take(self, placed: PlacedCell) -> None:
        self._add(placed)
        if self._buf_len > 1 << 20:
            self._flush(self.spool)

    def payload(self, summary: RunSummary, drift: Drift | None) -> tuple[dict[str, Any], list[PlacedCell]]:
        """The data block, and the held cells past `full_cells` (written as lines after the rest)."""
        matrix = summary.matrix()
        held = summary.held_in_order()
        full, overflow = held[: self.limits.full_cells], held[self.limits.full_cells :]
        groups: list[int] = []
        for (row, service), counts in matrix.groups.items():
            groups += (row, service, *counts)
        meta = {k: v for k, v in summary.metadata.items() if k != "policy_documents"}
        cells = [
            full_record(p, matrix.row_of_triple[p.triple], matrix.service_of_action[p.action], self.policies)
            for p in full
        ]
        return (
            {
                "meta": meta,
                "counts": summary.counts(),
                "count_fields": list(COUNT_FIELDS),
                "rows": matrix.rows,
                "services": matrix.services,
                "groups": groups,
                "triples": matrix.row_of_triple,
                "triple_keys": matrix.triple_keys,
                "actions": matrix.actions,
                "action_service": matrix.service_of_action,
                "cells": cells,
                "policies": [
                    {
                        "id": d.get("id"),
                        "origin": d.get("origin"),
                        "sha256": d.get("sha256"),
                        "text": d.get("text"),
                    }
                    for d in self.policies.documents
                ],
                "errors": summary.errors,
                "drift": _drift_payload(drift, self.limits.drift_listed),
                "readiness": _readiness_payload(summary),
                "drift_kinds": [k.value for k in DriftKind],
            },
            overflow,
        )

    def finish(self, out: HashingWriter, summary: RunSummary, drift: Drift | None) -> None:
        self._flush(self.spool)
        data, overflow = self.payload(summary, drift)
        for placed in overflow:  # after every spooled line: they continue its prefixes
            self._add(placed)
        data["origins"] = self.lines.origins.values
        data["statements"] = self.lines.statements.values
        data["lines"] = {"embedded": self.embedded, "omitted": self.omitted, "chunk": LINE_CHUNK}
        page = render_page(summary, drift, data)
        head, tail = page.split(_LINES_SLOT, 1)
        out.write(head.encode("utf-8"))
        out.copy_from(self.spool)
        self._flush(out)
        out.write(tail.encode("utf-8"))


def render_page(summary: RunSummary, drift: Drift | None, data: dict[str, Any]) -> str:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("report.html.j2")
    script, script_hash = page_script()
    meta = summary.metadata
    account = meta.get("account")
    if isinstance(account, list):
        account = f"{len(account)} accounts"
    return template.render(
        title=f"IAM permission matrix — {account or 'run'}",
        counts=summary.counts(),
        meta=meta,
        drift=drift.summary() if drift else None,
        partial=partial_banner(meta),
        tool_version=__version__,
        data_json=script_json_bytes(data).decode("utf-8"),
        lines_slot=_LINES_SLOT,
        omitted=data["lines"]["omitted"],
        script=script,
        script_hash=script_hash,
    )


def build_payload(run: RunResult, drift: Drift | None = None) -> dict[str, Any]:
    """The data block report.html would carry for `run` (passing cells are in the lines block)."""
    from harness.reports.summary import summarise_run

    summary = summarise_run(run, drift)
    data, _ = HtmlFormat(_NullSpool(), run.metadata).payload(summary, drift)
    return data


class _NullSpool:
    def write(self, data: bytes) -> int:
        return len(data)


__all__ = [
    "CellRecord",
    "HtmlFormat",
    "HtmlLimits",
    "PolicyIndex",
    "build_payload",
    "script_json",
]
