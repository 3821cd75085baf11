"""Run-result records benchmark (issue 12): the library's per-cell cost, without pytest.

    python bench/bench_records.py --cells 10000 [--tree /work/main] [--repeat 3]

On bench_scale.py's generated pack, cells are loaded and evaluated once (not timed); then timed per
cell: building the record (`CellRecord.from_cell` + `record_dict`), streaming it into run.json
(`RunBuilder(stream=...)`, redaction included) and reading the run back (`RunResult.load`), plus
run.json bytes per cell and the peak memory the streaming builder allocates (tracemalloc, a separate
pass). `--tree DIR` runs the same in another checkout (on PYTHONPATH), so figures compare side by
side. Not a test: targets are read off its output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(cells: int, repeat: int) -> str:
    from bench_scale import write_pack

    from harness.backends.registry import BackendOptions, make_backend
    from harness.run.builder import RunBuilder, record_dict
    from harness.run.result import CellRecord, RunResult
    from harness.scenarios import ScenarioLoader

    root = Path(tempfile.mkdtemp())
    write_pack(root, cells)
    backend = make_backend("offline", BackendOptions())
    pairs = []
    for path in sorted((root / "scenarios").glob("*.yaml")):
        loaded = ScenarioLoader().load(path, display=path.name)
        pairs += list(zip(loaded.cells, backend.evaluate(loaded.cells), strict=True))
    n = len(pairs)

    def stream(records: list[dict]) -> Path:
        builder = RunBuilder(stream=root / "run.json")
        for i, record in enumerate(records):
            builder.add_cell(record, i)
        now = dt.datetime.now(dt.UTC)
        out = builder.finish_stream(builder.metadata("offline", now, now))
        assert out is not None
        return out

    best = [float("inf")] * 3
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        records = [record_dict(CellRecord.from_cell(c, r)) for c, r in pairs]
        t1 = time.perf_counter()
        path = stream(records)
        t2 = time.perf_counter()
        RunResult.load(path)
        t3 = time.perf_counter()
        best = [min(b, t) for b, t in zip(best, (t1 - t0, t2 - t1, t3 - t2), strict=True)]
    tracemalloc.start()
    stream(records)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    record_us, write_us, load_us = (t / n * 1e6 for t in best)
    size = path.stat().st_size / n
    return f"{n} {record_us:.1f} {write_us:.1f} {load_us:.1f} {size:.0f} {peak / 1e6:.2f}"


def run_tree(tree: Path | None, cells: int, repeat: int) -> list[float]:
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    code = f"import bench_records as b; print(b.measure({cells}, {repeat}))"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(HERE)) if p)
    # cwd elsewhere: `python -c` puts it first on sys.path, and it must not shadow the tree measured.
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return [float(x) for x in out.stdout.split()[-6:]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=10_000)
    parser.add_argument("--tree", type=Path, default=None, help="second checkout to compare against")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes; the fastest is kept")
    args = parser.parse_args()
    trees = [None] + ([args.tree] if args.tree else [])
    results = [run_tree(t, args.cells, args.repeat) for t in trees]
    for tree, (n, rec, write, load, size, peak) in zip(trees, results, strict=True):
        print(
            f"{tree or 'this tree'}: {int(n)} cells, record {rec:.1f} us, write {write:.1f} us, "
            f"load {load:.1f} us per cell; run.json {size:.0f} B/cell; streaming peak {peak:.2f} MB"
        )
    if len(results) == 2:
        a, b = results
        print(
            f"ratio this/other: record {a[1] / b[1]:.2f}, write {a[2] / b[2]:.2f}, load {a[3] / b[3]:.2f}, "
            f"run.json {a[4] / b[4]:.2f}, streaming peak {a[5] / b[5]:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
