"""What the hostile-input defences cost, side by side in one run.

(a) Loading the bundled packs (scenarios/, 1,084 cells) with every defensive check of issue 13
    (file type and size, strict UTF-8, nesting scan, YAML tag check, policy quotas, unique Sids),
    against the same loads with those checks replaced by no-ops.
(Reports are rendered in one streamed pass that redacts each cell once, harness/reports/render.py;
the second pass over serialised reports this bench once compared against no longer exists.)

Each figure is the best of several runs. Run: `python bench/bench_hostile_checks.py`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

from harness.plugin.collection import is_scenario_path
from harness.scenarios import ScenarioLoader

ROOT = Path(__file__).resolve().parent.parent


def best(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


@contextlib.contextmanager
def checks_off() -> Iterator[None]:
    from harness.scenarios import textfiles, yamlsource

    def plain_read(path: Path, max_bytes: int = 0) -> bytes:
        return path.read_bytes()

    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch("harness.scenarios.loader.read_bytes_checked", plain_read))
        stack.enter_context(
            mock.patch("harness.scenarios.loader.read_text_checked", lambda p, m=0: p.read_text("utf-8"))
        )
        stack.enter_context(mock.patch("harness.scenarios.loader.decode_utf8", lambda d: d.decode("utf-8")))
        stack.enter_context(mock.patch("harness.scenarios.loader.nesting_line", lambda t, limit=0: 0))
        stack.enter_context(mock.patch("harness.scenarios.loader.policy_findings", lambda t, k: []))
        stack.enter_context(mock.patch.object(yamlsource, "nesting_line", lambda t, limit=0: 0))
        stack.enter_context(mock.patch.object(yamlsource, "_check_tag", lambda n, f, p: None))
        stack.enter_context(
            mock.patch.object(textfiles, "read_bytes_checked", lambda p, m=0: Path(p).read_bytes())
        )
        yield


def bench_load() -> None:
    files = [p for p in (ROOT / "scenarios").rglob("*.y*ml") if is_scenario_path(p)]
    catalog = ScenarioLoader().catalog

    def load_all() -> None:
        for path in files:
            ScenarioLoader(catalog=catalog).load(path, str(path))

    load_all()  # warm the catalog
    # Interleaved, best of each: the machine is shared, so a block of one then a block of the other
    # would measure the neighbours as much as the checks.
    on: list[float] = []
    off: list[float] = []
    for _ in range(7):
        on.append(best(load_all, runs=1))
        with checks_off():
            off.append(best(load_all, runs=1))
    with_checks, without = min(on), min(off)
    print(
        f"(a) load {len(files)} scenario files: with checks {with_checks * 1000:.1f} ms, "
        f"without {without * 1000:.1f} ms, ratio {with_checks / without:.3f}"
    )


if __name__ == "__main__":
    bench_load()
