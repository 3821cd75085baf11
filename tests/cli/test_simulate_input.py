"""What the simulate commands say about the newcomer's input mistakes, the answer unchanged.

A misspelt action (`kms:Decrpyt`) is answered as AWS answers it (implicitDeny) with the
scenario loader's suggestion on stderr; `--cli-input-json case.json` (no `file://`) says
that the AWS CLI reads a file as `file://case.json`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from newcomer_account import IR_ROLE, NAMED_KEY, Newcomer

from harness.cli.main import main

ALLOW_DECRYPT = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}
)
TYPO = {"PolicyInputList": [ALLOW_DECRYPT], "ActionNames": ["kms:Decrpyt"]}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_misspelt_action_warns_with_the_nearest_name_and_keeps_the_aws_answer(capsys):
    code, out, err = run(capsys, "simulate-custom-policy", "--cli-input-json", json.dumps(TYPO))
    assert code == 0
    assert json.loads(out)["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    assert err.startswith("warning: kms:Decrpyt is not a KMS action; did you mean kms:Decrypt")


def test_a_misspelt_action_warns_in_principal_mode_too(capsys, newcomer: Newcomer):
    request = {"PolicySourceArn": IR_ROLE, "ActionNames": ["kms:Decrpyt"], "ResourceArns": [NAMED_KEY]}
    argv = ("simulate-principal-policy", "--account", str(newcomer.model), "--cli-input-json")
    code, out, err = run(capsys, *argv, json.dumps(request))
    assert code == 0
    assert json.loads(out)["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    assert "warning: kms:Decrpyt is not a KMS action; did you mean kms:Decrypt" in err


def test_known_actions_in_any_case_give_no_warning(capsys):
    request = {**TYPO, "ActionNames": ["kms:Decrypt", "kms:decrypt"]}
    code, _, err = run(capsys, "simulate-custom-policy", "--cli-input-json", json.dumps(request))
    assert (code, err) == (0, "")


def test_a_batch_warns_once_per_misspelt_name_with_the_line_it_first_appears_on(capsys, tmp_path):
    path = tmp_path / "requests.jsonl"
    path.write_text("".join(json.dumps(TYPO) + "\n" for _ in range(3)))
    code, out, err = run(capsys, "simulate-custom-policy", "--cli-input-jsonl", str(path))
    assert code == 0
    assert len(out.splitlines()) == 3
    assert err.splitlines() == [
        f"{path}:1: warning: kms:Decrpyt is not a KMS action; did you mean kms:Decrypt or kms:Encrypt?"
    ]


@pytest.fixture
def in_directory(tmp_path: Path):
    before = Path.cwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(before)


def test_a_file_name_without_file_prefix_says_the_aws_cli_wants_file_prefix(capsys, in_directory):
    (in_directory / "case.json").write_text(json.dumps(TYPO))
    code, out, err = run(capsys, "simulate-custom-policy", "--cli-input-json", "case.json")
    assert (code, out) == (2, "")
    assert "line 1 column 1: invalid JSON" in err
    assert "case.json is a file: the AWS CLI reads a file given as file://case.json" in err


def test_a_path_that_does_not_exist_still_mentions_the_file_prefix(capsys, in_directory):
    code, _, err = run(capsys, "simulate-custom-policy", "--cli-input-json", "cases/missing.json")
    assert code == 2
    assert "to read the request from a file, write --cli-input-json file://PATH" in err


def test_json_text_with_a_mistake_gets_no_file_hint(capsys):
    code, _, err = run(capsys, "simulate-custom-policy", "--cli-input-json", '{"ActionNames": [}')
    assert code == 2
    assert "invalid JSON" in err
    assert "file://" not in err
