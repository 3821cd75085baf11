"""report.html's summary matrix (principals x services) and the cells behind each summary cell."""

from __future__ import annotations

import re

from harness.reports.drift import diff
from harness.reports.render import render_text
from tests.reports.conftest import XSS_CONDITION, XSS_SID, cell, run_of
from tests.reports.test_reports_html import cell_lines, data_block

_UNESCAPE = {"t": "\t", "n": "\n", "r": "\r", "0": "\0", "l": "<"}


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _UNESCAPE.get(m.group(1), m.group(1)), text, flags=re.S)


def decode(lines: list[str]) -> list[dict]:
    """The lines block as the page script reads it (resource and id share a prefix with the line before)."""
    out, resource, ident = [], "", ""
    for line in lines:
        f = line.split("\t")
        # The kept lengths count UTF-16 units, as JavaScript strings do.
        resource = _utf16_prefix(resource, int(f[3])) + unescape(f[4])
        ident = _utf16_prefix(ident, int(f[5])) + unescape(f[6])
        out.append(
            {"triple": int(f[0]), "action": int(f[1]), "codes": f[2], "resource": resource, "id": ident}
        )
    return out


def _utf16_prefix(text: str, units: int) -> str:
    return text.encode("utf-16-le")[: 2 * units].decode("utf-16-le")


def groups(data: dict) -> dict[tuple[str, str], dict[str, int]]:
    width = 2 + len(data["count_fields"])
    flat = data["groups"]
    out = {}
    for i in range(0, len(flat), width):
        row, service = data["rows"][flat[i]], data["services"][flat[i + 1]]
        out[(row, service)] = dict(zip(data["count_fields"], flat[i + 2 : i + width], strict=True))
    return out


def test_summary_counts_allowed_denied_failed_and_errors_per_principal_and_service(sample_run):
    data = data_block(render_text(sample_run, "html"))
    found = groups(data)
    reader = found[("arn:aws:iam::111122223333:role/Reader", "kms")]
    assert reader == {"cells": 2, "allowed": 1, "denied": 1, "failed": 1, "error": 0, "changed": 0}
    auditor = found[("arn:aws:iam::111122223333:role/Auditor", "kms")]
    assert auditor["error"] == 1 and auditor["allowed"] == 0 and auditor["denied"] == 0


def test_rows_with_errors_and_failures_come_first(sample_run):
    data = data_block(render_text(sample_run, "html"))
    assert data["rows"][0].endswith("role/Auditor")  # the error
    assert data["rows"][1].endswith("role/Reader")  # the failure
    assert data["rows"][-1].endswith("role/Admin")


def test_changed_decisions_are_counted_and_their_rows_come_first():
    old = run_of(
        [cell("a", "s3:GetObject"), cell("b", "kms:Decrypt", actual="implicitDeny", expected="denied")]
    )
    new = run_of([cell("a", "s3:GetObject"), cell("b", "kms:Decrypt", actual="allowed", expected="denied")])
    data = data_block(render_text(new, "html", drift=diff(old, new)))
    assert data["rows"][0] == "b" and data["services"][0] == "kms"
    assert groups(data)[("b", "kms")]["changed"] == 1
    assert data["drift"]["summary"]["new_access"] == 1


def test_every_cell_is_behind_its_summary_cell(make_big_run):
    run = make_big_run(20, 30)
    html = render_text(run, "html")
    data = data_block(html)
    lines = decode(cell_lines(html))
    assert sum(g["cells"] for g in groups(data).values()) == len(run.cells)
    assert sorted([c["id"] for c in data["cells"]] + [line["id"] for line in lines]) == sorted(
        c.id for c in run.cells
    )
    by_id = {c.id: c for c in run.cells}
    for line in lines:
        original = by_id[line["id"]]
        assert line["resource"] == original.resource
        assert data["actions"][line["action"]] == original.action
        key = data["triple_keys"][line["triple"]]
        assert key[1] == original.principal


def test_failures_are_embedded_in_full_with_their_explanation(sample_run):
    data = data_block(render_text(sample_run, "html"))
    failed = next(c for c in data["cells"] if c["outcome"] == "failed")
    assert failed["explanation"] and failed["statements"][0]["sid"] == XSS_SID
    assert all(c["outcome"] != "passed" for c in data["cells"])


def test_a_passing_cell_keeps_its_statements_context_and_origin_in_its_line():
    stmt = {
        "policy_id": "PolicyInputList.1",
        "sid": XSS_SID,
        "effect": "Allow",
        "start_line": 3,
        "end_line": 5,
    }
    run = run_of(
        [
            cell(
                resource=f"arn:aws:s3:::bucket/{XSS_CONDITION}",
                deciding_statements=[stmt],
                context=[{"key": "aws:PrincipalTag/team", "values": [XSS_CONDITION], "type": "string"}],
                reason="readers read",
            )
        ]
    )
    html = render_text(run, "html")
    data = data_block(html)
    [raw] = cell_lines(html)
    [line] = decode([raw])
    assert line["resource"] == f"arn:aws:s3:::bucket/{XSS_CONDITION}"
    fields = raw.split("\t")
    assert data["statements"][int(fields[9])]["sid"] == XSS_SID
    assert data["origins"][int(fields[7])]["reason"] == "readers read"
    assert XSS_CONDITION in unescape(fields[10])


def test_ids_and_resources_with_characters_outside_the_bmp_round_trip():
    run = run_of(
        [
            cell(resource="arn:aws:s3:::b/\U0001f600x", id="f::\U0001f600-1"),
            cell(resource="arn:aws:s3:::b/\U0001f600y", id="f::\U0001f600-2"),
        ]
    )
    lines = decode(cell_lines(render_text(run, "html")))
    assert [line["resource"] for line in lines] == [
        "arn:aws:s3:::b/\U0001f600x",
        "arn:aws:s3:::b/\U0001f600y",
    ]
    assert [line["id"] for line in lines] == ["f::\U0001f600-1", "f::\U0001f600-2"]


def test_every_chunk_of_lines_starts_afresh(make_big_run):
    from harness.reports.html import LINE_CHUNK

    raw = cell_lines(render_text(make_big_run(10, 30), "html"))
    starts = raw[::LINE_CHUNK]
    assert len(starts) > 2
    assert all(line.split("\t")[3] == "0" and line.split("\t")[5] == "0" for line in starts)


def test_a_row_without_its_own_account_in_a_multi_account_run_gets_no_joined_prefix():
    own = cell("app", "kms:Decrypt")
    own.account = "111122223333"
    run = run_of([own, cell("capture", "s3:GetObject")], account="111122223333,444455556666")
    assert set(data_block(render_text(run, "html"))["rows"]) == {"111122223333:app", "capture"}


def test_a_skipped_cell_is_counted_neither_allowed_nor_denied():
    skipped = run_of([cell("a", "kms:Decrypt", actual="skipped", outcome="skipped")])
    data = data_block(render_text(skipped, "html"))
    [counts] = groups(data).values()
    assert (counts["allowed"], counts["denied"], counts["error"]) == (0, 0, 1)
