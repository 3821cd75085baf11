"""The HTML report: self-contained, escaped, with the data the page script draws from."""

import json
import re

from harness.reports.drift import diff
from harness.reports.html import PolicyIndex, build_payload, script_json
from harness.reports.render import render_text


def data_block(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="run-data">(.*?)</script>', html, re.S)
    assert match, "data block missing"
    return json.loads(match.group(1))


def cell_lines(html: str) -> list[str]:
    match = re.search(r'<script type="text/plain" id="cell-lines">(.*?)</script>', html, re.S)
    assert match, "lines block missing"
    return [line for line in match.group(1).split("\n") if line]


def test_report_loads_nothing_from_the_network(sample_run):
    html = render_text(sample_run, "html")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html
    assert "default-src 'none'" in html


def test_script_in_a_sid_or_condition_value_is_never_markup(sample_run):
    html = render_text(sample_run, "html")
    # Only the report's own three script elements exist (two data blocks and the page script);
    # the data holds the text escaped.
    assert len(re.findall(r"<script", html, re.I)) == 3
    assert "<img" not in html
    assert "alert('sid')</script>" not in html


def test_policy_text_round_trips_through_the_data_block(sample_run):
    html = render_text(sample_run, "html")
    data = data_block(html)
    text = sample_run.metadata["policy_documents"][0]["text"]
    assert data["policies"][0]["text"] == text
    assert data["cells"][0]["statements"] or data["cells"][1]["statements"]


def test_script_json_escapes_what_could_end_a_script_element():
    out = script_json({"v": "</script><!-- & \u2028"})
    assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out
    assert json.loads(out) == {"v": "</script><!-- & \u2028"}


def test_deciding_statement_points_at_its_policy_document(sample_run):
    payload = build_payload(sample_run)
    stmt = next(s for c in payload["cells"] for s in c["statements"])
    assert payload["policies"][stmt["doc"]]["origin"] == "policies/reader.json"


def test_policy_index_refuses_an_ambiguous_id():
    index = PolicyIndex(
        [{"id": "PolicyInputList.1", "origin": "a.json"}, {"id": "PolicyInputList.1", "origin": "b.json"}]
    )
    assert index.find({"policy_id": "PolicyInputList.1", "origin": "b.json"}) == 1
    assert index.find({"policy_id": "PolicyInputList.1"}) is None


def test_missing_policy_text_is_tolerated(sample_run):
    for doc in sample_run.metadata["policy_documents"]:
        doc.pop("text")
    assert data_block(render_text(sample_run, "html"))["policies"][0]["text"] is None


def test_drifted_cells_come_first_in_the_data(make_cell, make_run):
    old = make_run(
        [make_cell(action="a:One"), make_cell(action="a:Two", actual="implicitDeny", expected="denied")]
    )
    new = make_run(
        [make_cell(action="a:One"), make_cell(action="a:Two", actual="allowed", expected="denied")]
    )
    data = build_payload(new, diff(old, new))
    assert data["cells"][0]["action"] == "a:Two"
    assert data["cells"][0]["drift"] == "new_access"
    assert data["actions"][data["cells"][0]["a"]] == "a:Two"


def test_page_has_the_filters(sample_run):
    html = render_text(sample_run, "html")
    for control in ('id="f-principal"', 'id="f-action"', 'id="f-result"', 'id="f-failures"'):
        assert control in html


def test_five_thousand_cells_are_all_in_the_page(make_big_run):
    html = render_text(make_big_run(100, 50), "html")
    data = data_block(html)
    assert len(data["cells"]) + len(cell_lines(html)) == 5000
    assert len(data["rows"]) == 100 and len(data["actions"]) == 50


def test_header_values_are_autoescaped(make_cell, make_run):
    html = render_text(make_run([make_cell()], account="<b>x</b>", region="<i>r</i>"), "html")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<i>r</i>" not in html


def test_same_named_principals_of_two_files_are_two_rows():
    from dataclasses import replace

    from harness.reports.view import build_grid
    from tests.reports.conftest import cell, run_of

    run = run_of([replace(cell("alice"), file="a.yaml"), replace(cell("alice"), file="b.yaml"), cell("bob")])
    rows = build_payload(run)["rows"]
    assert sorted(rows) == ["alice (a.yaml)", "alice (b.yaml)", "bob"]  # bob is in one file only
    assert sorted(build_grid(run).principals) == sorted(rows)


def test_csp_allows_only_the_report_script_by_its_sha256(sample_run):
    import base64
    import hashlib

    html = render_text(sample_run, "html")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "'unsafe-inline'" not in next(d for d in csp.split(";") if "script-src" in d)
    script = re.search(r"<script>(.*?)</script>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp


def test_page_has_no_inline_event_handlers(sample_run):
    # An inline handler is a script the CSP's hash does not cover, so it would not run anyway.
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", render_text(sample_run, "html").split('id="run-data"')[0])
