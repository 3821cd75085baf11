"""Scale benchmark (issue 12): a generated pack, one policy per principal, KMS and S3 actions.

    python bench/bench_scale.py --cells 10000 [--cells 100000 ...] [--tree /tmp/base] [--no-reports]
                                [--repeat 3] [--pytest-arg=--iam-items=cell] [--tree-arg=...]

Runs `pytest PACK` serially with reports on (`--no-reports`: run.json only), in a child process, and
prints wall time, the child's peak RSS, run.json size, and per-cell figures. Every cell of the pack
passes, so run.json's B/cell is what a passing cell costs (metadata included). `--tree DIR` runs
another checkout's harness (on PYTHONPATH) on the same pack in the same invocation, so figures
compare side by side as ratios; `--repeat N` runs the trees alternately N times and keeps each
one's fastest run (wall time on shared cores is noisy; RSS and size do not vary). `--pytest-arg`
and `--tree-arg` pass a pytest option to this tree's run or to the other tree's.
Not a test: targets are read off its output (issue 12).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ACTIONS = ("kms:Decrypt", "kms:Encrypt", "s3:GetObject", "s3:PutObject")
PER_FILE = 10  # principals per scenario file


def write_pack(root: Path, cells: int) -> int:
    """Principals x 4 actions x resources ~= cells; returns the exact cell count."""
    resources = max(1, int((cells / len(ACTIONS)) ** 0.5))
    principals = max(1, round(cells / (len(ACTIONS) * resources)))
    arns = [f"arn:aws:kms:eu-west-3:012345678910:key/k{i}" for i in range(resources)]
    (root / "scenarios").mkdir(parents=True)
    for start in range(0, principals, PER_FILE):
        names = [f"p{i}" for i in range(start, min(principals, start + PER_FILE))]
        lines = ["version: 1", "policies:"]
        for n in names:
            doc = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "Use",
                        "Effect": "Allow",
                        "Action": ["kms:Decrypt", "s3:GetObject"],
                        "Resource": "*",
                    }
                ],
            }
            lines.append(f"  pol-{n}: {json.dumps(doc)}")
        lines.append("principals:")
        lines.extend(f"  {n}: {{policies: [pol-{n}]}}" for n in names)
        lines.append("scenarios:")
        for n in names:
            lines += [
                f"  - name: {n} uses keys",
                f"    principal: {n}",
                f"    actions: {json.dumps(list(ACTIONS))}",
                f"    resources: {json.dumps(arns)}",
                "    expect: allowed",
                "    overrides:",
                "      - {action: kms:Encrypt, expect: implicitDeny}",
                "      - {action: s3:PutObject, expect: implicitDeny}",
            ]
        (root / "scenarios" / f"f{start // PER_FILE:05d}.yaml").write_text("\n".join(lines) + "\n")
    return principals * len(ACTIONS) * resources


@dataclass
class Measure:
    tree: str
    cells: int
    wall_s: float
    peak_rss_mb: float
    run_json_bytes: int


def run_once(
    pack: Path, tree: Path | None, cells: int, reports: bool = True, extra: tuple[str, ...] = ()
) -> Measure:
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    out = pack / "reports"
    code = (
        "import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
        "print('PEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
        "sys.exit(p.returncode)"
    )
    cmd = [sys.executable, "-c", code, sys.executable, "-m", "pytest", "scenarios", "-q",
           "-p", "no:cacheprovider", "--iam-report-dir", str(out)]  # fmt: skip
    if not reports:
        cmd.append("--iam-no-reports")
    cmd.extend(extra)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=pack, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    peak_kb = next(int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("PEAK"))
    if proc.returncode not in (0, 1):
        print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
    run_json = out / "run.json"
    size = run_json.stat().st_size if run_json.exists() else 0
    return Measure(str(tree or "this tree"), cells, wall, peak_kb / 1024, size)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, action="append", default=None)
    parser.add_argument("--tree", type=Path, default=None, help="second checkout to compare against")
    parser.add_argument("--no-reports", action="store_true", help="write run.json only (no rendering)")
    parser.add_argument("--repeat", type=int, default=1, help="alternate runs per tree; keep the fastest")
    # Options only one side knows (e.g. --iam-items=cell against a checkout from before it existed).
    parser.add_argument("--pytest-arg", action="append", default=[], help="pytest option for this tree")
    parser.add_argument("--tree-arg", action="append", default=[], help="pytest option for --tree")
    args = parser.parse_args()
    for cells in args.cells or [10_000]:
        with tempfile.TemporaryDirectory() as tmp:
            pack = Path(tmp)
            exact = write_pack(pack, cells)
            trees = [None] + ([args.tree] if args.tree else [])
            runs = [
                [
                    run_once(
                        pack,
                        t,
                        exact,
                        reports=not args.no_reports,
                        extra=tuple(args.pytest_arg if t is None else args.tree_arg),
                    )
                    for t in trees
                ]
                for _ in range(max(1, args.repeat))
            ]
            results = [min((r[i] for r in runs), key=lambda m: m.wall_s) for i in range(len(trees))]
            for m in results:
                print(
                    f"{m.tree}: {m.cells} cells, {m.wall_s:.1f} s ({m.wall_s / m.cells * 1e6:.0f} us/cell), "
                    f"peak RSS {m.peak_rss_mb:.0f} MB ({m.peak_rss_mb * 1024 / m.cells:.1f} KB/cell), "
                    f"run.json {m.run_json_bytes / m.cells:.0f} B/cell"
                )
            if len(results) == 2:
                a, b = results
                print(
                    f"ratio this/other: wall {a.wall_s / b.wall_s:.2f}, "
                    f"RSS {a.peak_rss_mb / b.peak_rss_mb:.2f}, "
                    f"run.json {a.run_json_bytes / max(b.run_json_bytes, 1):.2f}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
