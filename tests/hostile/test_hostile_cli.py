"""`harness simulate-*` with hostile JSON: every request is an answer or one line on stderr and exit 2,
never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli.main import main

POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
)
GOOD = {"PolicyInputList": [POLICY], "ActionNames": ["kms:Decrypt"]}

# (case id, the --cli-input-json text, a pattern the one-line error must contain)
HOSTILE_REQUESTS = [
    ("nested-3000-objects", '{"a":' * 3000 + "1" + "}" * 3000, "nests more than 64 levels"),
    ("nested-100000-arrays", "[" * 100_000, "nests more than 64 levels"),
    ("not-json", "{not json", "invalid JSON"),
    ("json-array", "[]", "InvalidInput"),
    ("json-string", '"x"', "InvalidInput"),
    ("json-null", "null", "InvalidInput"),
    ("no-policies", json.dumps({"ActionNames": ["kms:Decrypt"]}), "PolicyInputList"),
    ("actions-not-a-list", json.dumps({**GOOD, "ActionNames": "kms:Decrypt"}), "ActionNames"),
    ("action-number", json.dumps({**GOOD, "ActionNames": [42]}), "ActionNames"),
    (
        "policy-not-a-string",
        json.dumps({**GOOD, "PolicyInputList": [{"Version": "2012-10-17"}]}),
        "PolicyInputList",
    ),
    (
        "policy-effect-maybe",
        json.dumps({**GOOD, "PolicyInputList": [POLICY.replace("Allow", "Maybe")]}),
        "Effect",
    ),
    (
        "policy-partial-arn",
        json.dumps({**GOOD, "PolicyInputList": [POLICY.replace('"*"', '"arn:aws:kms"')]}),
        "ARN",
    ),
    (
        "policy-nested-deep",
        json.dumps({**GOOD, "PolicyInputList": ['{"a":' * 3000 + "1" + "}" * 3000]}),
        "nests",
    ),
    ("context-entries-not-a-list", json.dumps({**GOOD, "ContextEntries": {"a": 1}}), "ContextEntries"),
    ("context-entry-number", json.dumps({**GOOD, "ContextEntries": [42]}), "ContextEntries"),
    (
        "context-bad-type",
        json.dumps(
            {
                **GOOD,
                "ContextEntries": [
                    {"ContextKeyName": "aws:x", "ContextKeyValues": ["1"], "ContextKeyType": "nope"}
                ],
            }
        ),
        "InvalidInput",
    ),
    ("resource-arns-number", json.dumps({**GOOD, "ResourceArns": 42}), "ResourceArns"),
    ("max-items-string", json.dumps({**GOOD, "MaxItems": "ten"}), "InvalidInput"),
    ("unknown-field", json.dumps({**GOOD, "Nope": 1}), "InvalidInput"),
]


@pytest.mark.parametrize(
    ("text", "pattern"), [c[1:] for c in HOSTILE_REQUESTS], ids=[c[0] for c in HOSTILE_REQUESTS]
)
def test_hostile_custom_policy_request_is_one_line_and_exit_2(capsys, text: str, pattern: str):
    code = main(["simulate-custom-policy", "--cli-input-json", text])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and pattern in err, err


def test_request_file_that_is_a_device_is_refused(capsys):
    assert main(["simulate-custom-policy", "--cli-input-json", "file:///dev/zero"]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_request_file_in_utf16_is_refused(tmp_path: Path, capsys):
    (tmp_path / "case.json").write_bytes(json.dumps(GOOD).encode("utf-16"))
    assert main(["simulate-custom-policy", "--cli-input-json", f"file://{tmp_path / 'case.json'}"]) == 2
    assert "UTF-16" in capsys.readouterr().err


def test_principal_request_with_a_hostile_account_model_is_refused(tmp_path: Path, capsys):
    (tmp_path / "a.yaml").write_bytes(b"accounts:\n  - AccountId: !!python/object/apply:os.system [id]\n")
    request = json.dumps(
        {"PolicySourceArn": "arn:aws:iam::111122223333:role/app", "ActionNames": ["kms:Decrypt"]}
    )
    code = main(
        ["simulate-principal-policy", "--cli-input-json", request, "--account", str(tmp_path / "a.yaml")]
    )
    err = capsys.readouterr().err
    assert code == 2 and "is not allowed" in err and "Traceback" not in err


def test_a_good_request_still_answers(capsys):
    assert main(["simulate-custom-policy", "--cli-input-json", json.dumps(GOOD)]) == 0
    assert json.loads(capsys.readouterr().out)["EvaluationResults"][0]["EvalDecision"] == "allowed"


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        (b"[" * 100_000, "nested too deeply"),
        (b'{"schema": "caf\xe9"}', "not UTF-8"),
        (b"[]", "not a run result"),
    ],
    ids=["nested-100000", "latin1", "array"],
)
def test_report_export_of_a_hostile_run_file_is_one_line_and_exit_2(tmp_path: Path, capsys, data, pattern):
    (tmp_path / "run.json").write_bytes(data)
    code = main(["report", "export", str(tmp_path / "run.json"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and pattern in err and "Traceback" not in err, err


def test_report_export_of_a_device_is_refused(tmp_path: Path, capsys):
    assert main(["report", "export", "/dev/zero", "--out", str(tmp_path / "out")]) == 2
    assert "not a regular file" in capsys.readouterr().err
