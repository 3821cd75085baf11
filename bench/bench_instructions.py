"""Instructions this checkout executes for a batch, against another checkout: a figure that
repeats from run to run where wall time on a shared machine does not.

    python bench/bench_instructions.py --tree DIR [--workload basic|language|one-cell|all]
                                       [--count 1000] [--seed 7]

Runs `python -m harness simulate-custom-policy --cli-input-jsonl` on `--count` generated
requests of each workload (the workloads of bench_reference.py) under valgrind's callgrind,
whole process, once in this checkout and once in `--tree DIR`, and prints the instructions
each executed, its start-up alone (an empty batch), the instructions per request, and the
ratio of this checkout's total to the other's. Valgrind counts what the CPU executes, so a
speed change shows as the same ratio on a busy machine as on an idle one; the wall and CPU
ratios against the reference simulator still come from bench_reference.py. Bytecode is
cached first in a folder of the benchmark's own (bench_reference.python_env), as Python
normally runs. Needs valgrind on PATH; slow (about 50 times the run's own time).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_reference import WORKLOADS, python_env

HERE = Path(__file__).resolve().parent
_COLLECTED = re.compile(r"Collected : (\d+)")


@dataclass(frozen=True)
class Count:
    total: int  # instructions of the whole process
    startup: int  # the same process on an empty batch

    def per_request(self, requests: int) -> float:
        return (self.total - self.startup) / requests


def instructions(tree: Path, requests: Path, env: dict[str, str]) -> int:
    """Instructions of one whole `--cli-input-jsonl` process run from `tree`, as callgrind counts them."""
    cmd = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "harness",
        "simulate-custom-policy",
        "--cli-input-jsonl",
        str(requests),
    ]
    proc = subprocess.run(
        cmd, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    found = _COLLECTED.search(proc.stderr)
    if proc.returncode != 0 or found is None:
        sys.exit(f"valgrind run failed in {tree} ({proc.returncode}): {proc.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, required=True, help="the checkout to compare with")
    parser.add_argument("--workload", choices=[*WORKLOADS, "all"], default="all")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("bench_instructions.py needs valgrind (apt-get install valgrind)")
    trees = {"this checkout": HERE.parent, str(args.tree): args.tree.resolve()}
    names = list(WORKLOADS) if args.workload == "all" else [args.workload]
    with tempfile.TemporaryDirectory(prefix="bench-instructions-") as tmp_name:
        tmp = Path(tmp_name)
        envs = {label: python_env(tmp / f"pycache-{n}") for n, label in enumerate(trees)}
        startup = {}
        for label, tree in trees.items():
            instructions(tree, Path(os.devnull), envs[label])  # writes the bytecode cache
            startup[label] = instructions(tree, Path(os.devnull), envs[label])
        for name in names:
            requests = tmp / f"{name}.jsonl"
            with requests.open("w") as handle:
                for req in WORKLOADS[name].generate(args.count, args.seed):
                    handle.write(json.dumps(req) + "\n")
            counts = {
                label: Count(instructions(tree, requests, envs[label]), startup[label])
                for label, tree in trees.items()
            }
            ours, other = counts.values()
            print(f"{name} workload, {args.count} requests (--seed {args.seed}):")
            for label, count in counts.items():
                per_request = count.per_request(args.count) / 1e3
                print(
                    f"  {label}: {count.total / 1e6:,.0f} M instructions "
                    f"(start-up {count.startup / 1e6:,.0f} M, {per_request:,.0f} k a request)"
                )
            print(
                f"  this checkout / {args.tree}: whole process {ours.total / other.total:.3f}, "
                f"per request {ours.per_request(args.count) / other.per_request(args.count):.3f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
