"""No credential reaches a report or a log."""

from harness.reports.redact import REDACTED, redact_data, redact_text

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
