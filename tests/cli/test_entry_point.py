"""The `harness` process: `python -m harness` and the console script run `main` and exit with its code."""

from __future__ import annotations

import json
import subprocess
import sys

REQUEST = json.dumps(
    {
        "PolicyInputList": [
            json.dumps(
                {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}
            )
        ],
        "ActionNames": ["s3:GetObject"],
    }
)


def _harness(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness", *args], input=stdin, capture_output=True, text=True, timeout=60
    )


def test_a_batch_run_as_a_process_prints_each_response_and_exits_0() -> None:
    done = _harness("simulate-custom-policy", "--cli-input-jsonl", "-", stdin=REQUEST + "\n" + REQUEST + "\n")
    assert done.returncode == 0, done.stderr
    assert [json.loads(x)["EvaluationResults"][0]["EvalDecision"] for x in done.stdout.splitlines()] == [
        "allowed",
        "allowed",
    ]


def test_a_process_whose_input_fails_exits_2_with_the_aws_error() -> None:
    done = _harness("simulate-custom-policy", "--cli-input-jsonl", "-", stdin="not json\n")
    assert done.returncode == 2
    assert '"Code":"InvalidInput"' in done.stdout
    assert done.stderr.startswith("<stdin>:1: An error occurred (InvalidInput)")
