"""In-process engine time on distinct generated requests (bench/workload.py), for profiling.

    python bench/bench_mixed.py [--count 4000] [--seed 7]
    python -m cProfile -s cumtime bench/bench_mixed.py --count 4000 | head -60

Converts each API request with `input_from_api` and runs it on one Engine, as
`--cli-input-jsonl` does (with its garbage-collector thresholds); prints requests
per second and cells per second.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workload import generate_requests

from harness.cli.collector import collections_between_lines
from harness.engine import Engine, SimulationError
from harness.engine.apishape import input_from_api


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    requests = generate_requests(args.count, args.seed)
    engine = Engine()
    cells = errors = 0
    start, cpu = time.perf_counter(), time.process_time()
    # The collector as the CLI's batch runs it (harness/cli/collector.py).
    with collections_between_lines() as request_answered:
        for req in requests:
            try:
                out = engine.simulate(input_from_api(req))
            except SimulationError:
                errors += 1
                continue
            finally:
                request_answered()
            cells += sum(max(1, len(r.resource_results)) for r in out.results)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"{len(requests)} requests, {cells} cells, {errors} errors in {elapsed:.2f} s: "
        f"{len(requests) / elapsed:,.0f} requests/s, {cells / elapsed:,.0f} cells/s; CPU {cpu:.2f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
