"""Benchmark: the pytest plugin on 10,000 generated cells, with and without `-n 2`.

    python bench/bench_plugin.py [--cells 10000] [--files 20] [--keep DIR]

Generates scenario files (custom mode, a key policy, context), runs
`pytest` on them in a subprocess, and prints wall time, the engine's own
time (from run.json backend_metadata.engine_seconds) and the rest, which is
the plugin and pytest (collection, items, reports, run.json). A
`--collect-only` run shows how much of that is loading and collecting.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACTIONS = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:CreateGrant",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:ScheduleKeyDeletion",
]

KEY_POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${account_id}:root"},
     "Action": "kms:*", "Resource": "*"},
    {"Sid": "ViaEbs", "Effect": "Allow", "Principal": {"AWS": "*"},
     "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant"], "Resource": "*",
     "Condition": {"StringEquals": {"kms:ViaService": "ec2.${region}.amazonaws.com",
                                    "kms:CallerAccount": "${account_id}"}}}
  ]
}
"""


def scenario_file(index: int, principals: int, resources: int) -> str:
    lines = [
        "version: 1",
        f"description: generated benchmark file {index}",
        'vars: {account_id: "111122223333", region: eu-west-3}',
        "policies:",
        "  key: key-policy.json",
    ]
    for p in range(principals):
        lines += [
            f"  role-{p}:",
            '    Version: "2012-10-17"',
            "    Statement:",
            "      - {Effect: Allow, Action: ['kms:Decrypt', 'kms:Describe*', 'kms:GenerateDataKey*'],"
            " Resource: '*'}",
            "      - {Effect: Deny, Action: kms:ScheduleKeyDeletion, Resource: '*',"
            f" Condition: {{StringNotEquals: {{aws:PrincipalTag/p: '{p}'}}}}}}",
        ]
    lines.append("principals:")
    for p in range(principals):
        lines.append(f"  p{p}: {{policies: [role-{p}], caller: 'arn:aws:iam::${{account_id}}:user/u{p}'}}")
    resource_list = ", ".join(
        f"'arn:aws:kms:${{region}}:${{account_id}}:key/{index:04d}-{r:04d}'" for r in range(resources)
    )
    lines += [
        "scenarios:",
        f"  - name: generated {index}",
        "    tags: [bench]",
        f"    principals: [{', '.join(f'p{p}' for p in range(principals))}]",
        f"    actions: [{', '.join(ACTIONS)}]",
        f"    resources: [{resource_list}]",
        "    resource_policy: key",
        "    context: {kms:ViaService: 'ec2.${region}.amazonaws.com', aws:SourceIp: 203.0.113.10}",
        "    expect: allowed",
        "    overrides:",
        "      - {action: kms:Encrypt, expect: denied}",
        "      - {action: 'kms:ReEncrypt*', expect: denied}",
        "      - {action: kms:GetKeyPolicy, expect: denied}",
        "      - {action: kms:CreateGrant, expect: denied}",
        "      - {action: kms:ScheduleKeyDeletion, expect: denied}",
    ]
    return "\n".join(lines) + "\n"


def generate(root: Path, cells: int, files: int) -> int:
    per_file = cells // files
    principals = 10
    resources = max(1, per_file // (principals * len(ACTIONS)))
    (root / "scenarios").mkdir(parents=True, exist_ok=True)
    (root / "scenarios/key-policy.json").write_text(KEY_POLICY)
    for i in range(files):
        (root / f"scenarios/bench_{i:03d}.yaml").write_text(scenario_file(i, principals, resources))
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    return files * principals * resources * len(ACTIONS)


def baseline(root: Path, cells: int) -> float:
    """Wall time of `cells` empty parametrized tests: what pytest itself costs per item."""
    base = root / "baseline"
    base.mkdir(exist_ok=True)
    (base / "test_empty.py").write_text(
        f"import pytest\n\n\n@pytest.mark.parametrize('i', range({cells}))\ndef test_empty(i):\n    pass\n"
    )
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "baseline", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - started


def run(root: Path, *extra: str) -> tuple[float, dict]:
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "scenarios",
        "-q",
        "-p",
        "no:cacheprovider",
        "--iam-matrix",
        "none",
    ]
    started = time.perf_counter()
    proc = subprocess.run([*cmd, *extra], cwd=root, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"pytest exited {proc.returncode}")
    run_json = root / "reports/run.json"
    data = json.loads(run_json.read_text()) if run_json.exists() and "--collect-only" not in extra else {}
    if data.get("errors"):
        raise SystemExit(f"generated scenarios are invalid: {data['errors'][:2]}")
    return wall, data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--keep", type=Path, default=None, help="generate here and keep the files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        total = generate(root, args.cells, args.files)
        print(f"{total} cells in {args.files} files ({root})")
        startup, _ = run(root, "--collect-only", "scenarios/key-policy.json")
        collect, _ = run(root, "--collect-only")
        empty = baseline(root, total)
        rows = []
        runs = (
            ("serial", ("--iam-no-reports",)),
            ("-n 2", ("-n", "2", "--iam-no-reports")),
            ("serial+reports", ()),
        )
        for label, extra in runs:
            wall, data = run(root, *extra)
            meta = data.get("metadata", {})
            engine = float(meta.get("backend_metadata", {}).get("engine_seconds", 0.0))
            counts = meta.get("counts", {})
            rows.append((label, wall, engine, counts))
        print(f"pytest start-up (no scenario collected): {startup:6.2f} s")
        print(f"load + collect {total} cells (--collect-only): {collect:6.2f} s")
        print(f"pytest alone, {total} empty parametrized tests: {empty:6.2f} s")
        for label, wall, engine, counts in rows:
            rest = wall - engine
            print(
                f"{label:>14}: wall {wall:6.2f} s | engine {engine:6.2f} s (summed over workers) | "
                f"plugin+pytest {rest:6.2f} s ({100 * rest / wall:4.1f}%) | "
                f"plugin beyond empty-test pytest ~{max(rest - empty, 0):5.2f} s | {counts}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
