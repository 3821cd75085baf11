"""The file a capture writes: loadable unchanged, stable, scrubbed."""

from __future__ import annotations

import json

from harness.account import load_account_model
from harness.account.capture.gaps import document
from harness.account.capture.writer import render

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/${team}/*"}
    ],
}


def _model(**extra):
    role = {
        "RoleName": "app",
        "Arn": "arn:aws:iam::012345678910:role/app",
        "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": document(POLICY)}],
        "Tags": [{"Key": "note", "Value": "${not_a_variable}"}, {"Key": "n2", "Value": "$${escaped}"}],
    }
    return {"accounts": [{"AccountId": "012345678910", "RoleDetailList": [role], **extra}]}


def test_literal_dollar_braces_from_aws_read_back_unchanged(tmp_path):
    text, _ = render(_model(), {"gaps": []})
    path = tmp_path / "m.yaml"
    path.write_text(text)
    model = load_account_model(path)
    role = model.accounts["012345678910"].roles["app"]
    assert json.loads(role.inline[0].text) == POLICY
    assert role.tags == {"note": "${not_a_variable}", "n2": "$${escaped}"}


def test_account_ids_stay_strings_with_their_leading_zero():
    text, _ = render(_model(), {})
    assert 'AccountId: "012345678910"' in text


def test_documents_are_written_as_json_blocks_so_diffs_show_lines():
    text, _ = render(_model(), {})
    assert "PolicyDocument: |-\n" in text
    assert '"Action": "s3:GetObject",' in text


def test_the_capture_block_comes_last():
    text, _ = render(_model(), {"when": "2026-01-01T00:00:00Z"})
    assert text.rstrip().endswith("when: '2026-01-01T00:00:00Z'")


def test_the_redaction_guard_scrubs_and_counts_credential_looking_strings():
    leaked = _model()
    leaked["accounts"][0]["RoleDetailList"][0]["Tags"] = [{"Key": "k", "Value": "AKIAIOSFODNN7EXAMPLE"}]
    text, changed = render(leaked, {})
    assert "AKIAIOSFODNN7EXAMPLE" not in text and changed == 1


def test_gaps_read_back_into_the_model(tmp_path):
    gap = {
        "Section": "organizations",
        "Operation": "organizations:ListParents",
        "Code": "AccessDenied",
        "Message": "no",
    }
    model = _model(Gaps=[gap])
    model["accounts"][0]["ResourcePolicies"] = [
        {
            "Arn": "arn:aws:kms:eu-west-3:012345678910:key/k",
            "KeyManager": "CUSTOMER",
            "Gap": "kms:GetKeyPolicy was refused",
        }
    ]
    text, _ = render(model, {"gaps": []})
    path = tmp_path / "m.yaml"
    path.write_text(text)
    loaded = load_account_model(path)
    assert loaded.organization_gap("012345678910").code == "AccessDenied"
    assert loaded.resource_gap("arn:aws:kms:eu-west-3:012345678910:key/k") == "kms:GetKeyPolicy was refused"
