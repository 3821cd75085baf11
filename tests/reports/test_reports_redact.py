"""No credential reaches a report or a log."""

import json

from harness.redact import REDACTED, redact_data, redact_text

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_access_key_ids_are_redacted():
    assert (
        redact_text("key AKIAIOSFODNN7EXAMPLE and ASIAIOSFODNN7EXAMPLE") == f"key {REDACTED} and {REDACTED}"
    )


def test_secret_key_assignment_is_redacted():
    out = redact_text(f"aws_secret_access_key = {SECRET}")
    assert SECRET not in out and REDACTED in out


def test_security_token_in_a_query_string_is_redacted():
    out = redact_text("https://x/?X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE%2F&X-Amz-Date=1")
    assert "IQoJb3JpZ2lu" not in out and "X-Amz-Date=1" in out


def test_sigv4_authorization_header_is_redacted():
    out = redact_text(
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/iam/aws4_request"
    )
    assert "AKIDEXAMPLE" not in out


def test_bare_secret_access_key_is_redacted():
    assert SECRET not in redact_text(f"leaked {SECRET} here")


def test_sha_digests_and_arns_are_not_redacted():
    text = "da39a3ee5e6b4b0d3255bfef95601890afd80709 arn:aws:iam::111122223333:role/AROAEXAMPLEROLEID"
    assert redact_text(text) == text


def test_secret_named_metadata_values_are_dropped():
    data = redact_data({"api": {"aws_session_token": "abc", "password": "hunter2", "region": "eu-west-1"}})
    assert data == {"api": {"aws_session_token": REDACTED, "password": REDACTED, "region": "eu-west-1"}}


# -- one pass over the run's data, before any format is serialised


def _run_with_secret_policy(make_cell, make_run):
    from harness.run.result import RunResult

    text = '{"Statement": [{"Sid": "aws_secret_access_key=\\"' + SECRET + '\\"", "Effect": "Deny"}]}'
    run: RunResult = make_run([make_cell(reason=f"key AKIAIOSFODNN7EXAMPLE {SECRET}")])
    run.metadata["policy_documents"] = [{"id": "p", "origin": "p.json", "sha256": "", "text": text}]
    return run


def test_redact_run_scrubs_cells_metadata_and_errors(make_cell, make_run):
    from harness.run.result import redact_run

    run = _run_with_secret_policy(make_cell, make_run)
    run.errors = [{"file": "s.yaml", "line": 1, "field": "", "message": "AKIAIOSFODNN7EXAMPLE"}]
    clean = redact_run(run)
    text = clean.dumps()
    assert "AKIAIOSFODNN7EXAMPLE" not in text and SECRET not in text
    assert clean.redacted and not run.redacted  # a copy; the input is left alone


def test_redact_run_is_done_once(make_cell, make_run):
    from harness.run.result import redact_run

    clean = redact_run(_run_with_secret_policy(make_cell, make_run))
    assert redact_run(clean) is clean


def test_secret_inside_an_escaped_json_string_leaves_report_json_valid(tmp_path, make_cell, make_run):
    from harness.reports.export import render_all

    render_all(_run_with_secret_policy(make_cell, make_run), tmp_path, formats=["json", "html"])
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert SECRET not in json.dumps(doc)
    assert doc["metadata"]["policy_documents"][0]["text"].startswith('{"Statement"')


def test_run_collector_writes_a_redacted_run(make_cell):
    import dataclasses
    import datetime as dt

    from harness.plugin.results import PROP_CELL, RunCollector

    record = dataclasses.asdict(make_cell(reason="AKIAIOSFODNN7EXAMPLE"))
    collector = RunCollector()
    collector.take([(PROP_CELL, {"record": record, "index": 0})])
    now = dt.datetime.now(dt.UTC)
    run = collector.run_result("offline", now, now)
    assert run.redacted and "AKIAIOSFODNN7EXAMPLE" not in run.dumps()
