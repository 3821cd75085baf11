"""Benchmark: the KMS pack on `--iam-backend aws` against the local endpoint holding the pack's account.

    python bench/bench_aws_kms_pack.py [--no-capture | --real-capture]

moto gets the pack's roles, policies and keys (harness.testing.seed), the
endpoint answers the simulate calls with the offline engine, and
`pytest scenarios/kms --iam-backend aws` runs against it (with
`--iam-account scenarios/kms/accounts/example.yaml` unless `--no-capture`;
with `--real-capture`, `harness account capture` first reads both accounts from
the endpoint and the run uses that capture: the new user's path end to end).
Prints cells, outcomes, API calls per kind and per cell, and wall time.
Measured 2026-12 (this tree vs. the tree before role callers): with the
capture 620 passed, 0 errors, 83 calls (0.13 per cell); before, 65 passed,
555 errors.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_CONFIG_FILE=os.devnull,
    AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    AWS_EC2_METADATA_DISABLED="true",
)

import harness.scenarios  # noqa: E402,F401  (the account loader needs it first)
from harness.account import load_account_model  # noqa: E402
from harness.run.result import RunResult  # noqa: E402
from harness.testing.iam_endpoint import LocalIamEndpoint  # noqa: E402
from harness.testing.seed import seed  # noqa: E402

MODEL = ROOT / "scenarios" / "kms" / "accounts" / "example.yaml"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-capture", action="store_true", help="run without --iam-account")
    parser.add_argument("--real-capture", action="store_true", help="capture the endpoint's accounts first")
    args = parser.parse_args()
    with LocalIamEndpoint() as ep, tempfile.TemporaryDirectory() as out:
        seed(ep, load_account_model(MODEL, {"account_id": "123456789012"}))
        cmd = [
            sys.executable, "-m", "pytest", "scenarios/kms", "-p", "no:cacheprovider", "-q",
            "--iam-backend", "aws", "--iam-backend-opt", f"endpoint_url={ep.url}",
            "--iam-var", "account_id=123456789012", "--iam-report-dir", out, "--iam-no-reports",
        ]  # fmt: skip
        model = MODEL
        if args.real_capture:
            model = Path(out) / "capture.yaml"
            roles = [f"--assume-role=arn:aws:iam::{a}:role/audit" for a in ("123456789012", "210987654321")]
            done = subprocess.run(
                [sys.executable, "-m", "harness", "account", "capture", "-o", str(model), "--endpoint-url",
                 ep.url, "--regions", "eu-west-3,us-east-1", "--no-progress", *roles],
                capture_output=True, text=True,
            )  # fmt: skip
            lines = done.stderr.strip().splitlines()
            print(lines[-1] if lines else f"capture exit {done.returncode}")
            print(f"capture calls: {sum(ep.calls.values())}")
            ep.calls.clear()
        if not args.no_capture:
            cmd += ["--iam-account", str(model)]
        started = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - started
        cells = RunResult.from_dict(json.loads((Path(out) / "run.json").read_text())).cells
        outcomes = collections.Counter(c.outcome for c in cells)
        calls = dict(ep.calls)
    total = sum(calls.values())
    print(f"cells {len(cells)}: {dict(outcomes)}")
    print(f"API calls {total} ({total / len(cells):.3f} per cell): {calls}")
    via = collections.Counter(c.via or "plain" for c in cells)
    print(f"cells by way of answer: {dict(via)}; wall {wall:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
