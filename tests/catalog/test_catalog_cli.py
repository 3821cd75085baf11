"""`harness actions` and `harness context-keys`."""

from __future__ import annotations

import json

import pytest

from harness.cli.main import main


def test_actions_lists_wildcard_expansion(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actions", "kms:GenerateDataKey*", "kms:ReEncrypt*"]) == 0
    out = capsys.readouterr().out
    assert "kms:GenerateDataKeyPairWithoutPlaintext" in out and "kms:ReEncryptTo" in out


def test_actions_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actions", "kms:Decrypt", "--output", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["Actions"]
    assert rows == [
        {"Pattern": "kms:Decrypt", "Action": "kms:Decrypt", "AccessLevel": "Write", "ResourceTypes": ["key"]}
    ]


def test_actions_unknown_exits_2_with_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["actions", "kms:Decrpyt"]) == 2
    captured = capsys.readouterr()
    assert "did you mean kms:Decrypt" in captured.err and captured.out == ""


def test_context_keys_lists_types(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["context-keys", "kms:CreateGrant", "--output", "json"]) == 0
    rows = {r["Key"]: r for r in json.loads(capsys.readouterr().out)["ContextKeys"]}
    assert rows["kms:GrantOperations"]["ContextKeyType"] == "stringList"
    assert rows["kms:GrantIsForAWSResource"]["Type"] == "Bool"


def test_context_keys_unknown_action_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["context-keys", "kms:CreateGrnt"]) == 2
    assert "did you mean kms:CreateGrant" in capsys.readouterr().err
