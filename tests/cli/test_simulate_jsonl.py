"""`--cli-input-jsonl`: one request per line in, one compact response per line out, in order."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import yaml

from harness.cli.main import main

ALLOW_S3 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
)


def _request(action: str, policy: str = ALLOW_S3) -> str:
    return json.dumps({"PolicyInputList": [policy], "ActionNames": [action]})


def _run(tmp_path: Path, lines: list[str], capsysbinary, *extra: str) -> tuple[int, list[dict], str]:
    path = tmp_path / "requests.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(["simulate-custom-policy", "--cli-input-jsonl", str(path), *extra])
    captured = capsysbinary.readouterr()
    return code, [json.loads(x) for x in captured.out.splitlines()], captured.err.decode()


def test_each_line_gets_its_response_in_order(tmp_path, capsysbinary) -> None:
    code, out, _ = _run(tmp_path, [_request("s3:GetObject"), _request("ec2:RunInstances")], capsysbinary)
    assert code == 0
    assert [r["EvaluationResults"][0]["EvalDecision"] for r in out] == ["allowed", "implicitDeny"]


def test_a_response_line_has_the_fields_of_cli_input_json(tmp_path, capsysbinary) -> None:
    _, out, _ = _run(tmp_path, [_request("s3:GetObject")], capsysbinary)
    case = tmp_path / "case.json"
    case.write_text(_request("s3:GetObject"))
    assert main(["simulate-custom-policy", "--cli-input-json", f"file://{case}"]) == 0
    assert out[0] == json.loads(capsysbinary.readouterr().out)


def test_output_lines_are_compact(tmp_path, capsysbinary) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_text(_request("s3:GetObject") + "\n")
    main(["simulate-custom-policy", "--cli-input-jsonl", str(path)])
    line = capsysbinary.readouterr().out.splitlines()[0]
    assert b"\n" not in line and b'": ' not in line and b'", "' not in line


def test_a_failing_line_is_an_aws_error_line_and_the_others_go_on(tmp_path, capsysbinary) -> None:
    lines = [_request("s3:GetObject"), _request("s3:GetObject", policy="{not json"), _request("s3:PutObject")]
    code, out, err = _run(tmp_path, lines, capsysbinary)
    assert code == 2
    assert out[0]["EvaluationResults"][0]["EvalDecision"] == "allowed"
    assert out[1]["Error"]["Code"] == "MalformedPolicyDocument"
    assert out[1]["Error"]["Message"]
    assert out[2]["EvaluationResults"][0]["EvalDecision"] == "allowed"
    assert "requests.jsonl:2: An error occurred (MalformedPolicyDocument)" in err


def test_a_line_that_is_not_json_is_invalid_input(tmp_path, capsysbinary) -> None:
    code, out, err = _run(tmp_path, ["{oops", _request("s3:GetObject")], capsysbinary)
    assert code == 2
    assert out[0]["Error"]["Code"] == "InvalidInput"
    assert "column 2" in out[0]["Error"]["Message"]
    assert "requests.jsonl:1:" in err
    assert "EvaluationResults" in out[1]


def test_a_line_nested_too_deeply_is_invalid_input(tmp_path, capsysbinary) -> None:
    code, out, _ = _run(tmp_path, ["[" * 100_000 + "]" * 100_000, _request("s3:GetObject")], capsysbinary)
    assert code == 2
    assert out[0]["Error"]["Code"] == "InvalidInput"
    assert "EvaluationResults" in out[1]


def test_a_line_that_is_not_utf8_fails_alone(tmp_path, capsysbinary) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_bytes(b'{"ActionNames": ["\xff"]}\n' + _request("s3:GetObject").encode() + b"\n")
    assert main(["simulate-custom-policy", "--cli-input-jsonl", str(path)]) == 2
    out = [json.loads(x) for x in capsysbinary.readouterr().out.splitlines()]
    assert out[0]["Error"]["Code"] == "InvalidInput" and "EvaluationResults" in out[1]


def test_a_request_that_is_not_an_object_is_invalid_input(tmp_path, capsysbinary) -> None:
    code, out, _ = _run(tmp_path, ["[1, 2]"], capsysbinary)
    assert code == 2 and out[0]["Error"]["Code"] == "InvalidInput"


def test_blank_lines_are_skipped(tmp_path, capsysbinary) -> None:
    code, out, _ = _run(tmp_path, ["", _request("s3:GetObject"), "   "], capsysbinary)
    assert code == 0 and len(out) == 1


def test_an_unreadable_file_exits_2_without_output(tmp_path, capsysbinary) -> None:
    assert main(["simulate-custom-policy", "--cli-input-jsonl", str(tmp_path / "missing.jsonl")]) == 2
    captured = capsysbinary.readouterr()
    assert captured.out == b"" and b"InvalidInput" in captured.err


def test_dash_reads_standard_input(monkeypatch, capsysbinary) -> None:
    data = (_request("s3:GetObject") + "\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["simulate-custom-policy", "--cli-input-jsonl", "-"]) == 0
    out = capsysbinary.readouterr().out
    assert json.loads(out)["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_json_and_jsonl_inputs_are_exclusive(tmp_path, capsys) -> None:
    try:
        main(["simulate-custom-policy", "--cli-input-json", "{}", "--cli-input-jsonl", "-"])
    except SystemExit as exc:
        assert exc.code == 2
    else:  # pragma: no cover
        raise AssertionError("argparse accepted both inputs")


def test_principal_policy_batch_uses_the_account_model(tmp_path, capsysbinary) -> None:
    account = tmp_path / "account.yaml"
    account.write_text(
        yaml.safe_dump(
            {
                "accounts": [
                    {
                        "AccountId": "111122223333",
                        "UserDetailList": [
                            {
                                "UserName": "alice",
                                "Arn": "arn:aws:iam::111122223333:user/alice",
                                "UserPolicyList": [
                                    {"PolicyName": "s3", "PolicyDocument": json.loads(ALLOW_S3)}
                                ],
                            }
                        ],
                    }
                ]
            }
        )
    )
    arn = "arn:aws:iam::111122223333:user/alice"
    lines = [
        json.dumps({"PolicySourceArn": arn, "ActionNames": ["s3:GetObject"]}),
        json.dumps(
            {"PolicySourceArn": "arn:aws:iam::111122223333:user/nobody", "ActionNames": ["s3:GetObject"]}
        ),
    ]
    path = tmp_path / "requests.jsonl"
    path.write_text("\n".join(lines) + "\n")
    code = main(["simulate-principal-policy", "--cli-input-jsonl", str(path), "--account", str(account)])
    out = [json.loads(x) for x in capsysbinary.readouterr().out.splitlines()]
    assert code == 2
    assert out[0]["EvaluationResults"][0]["EvalDecision"] == "allowed"
    assert out[1]["Error"]["Code"] == "NoSuchEntity"
