"""What the hostile-input defences cost, side by side in one run.

(a) Loading the bundled packs (scenarios/, 1,084 cells) with every defensive check of issue 13
    (file type and size, strict UTF-8, nesting scan, YAML tag check, policy quotas, unique Sids),
    against the same loads with those checks replaced by no-ops.
(b) Writing the four reports for a 10,000-cell run: one redaction pass on the data (today),
    against the data pass plus a second pass over each serialised report (before issue 13).

Each figure is the best of several runs. Run: `python bench/bench_hostile_checks.py`.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

from harness.plugin.collection import is_scenario_path
from harness.reports import export
from harness.reports.redact import redact_text
from harness.runresult import CellRecord, RunResult
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


def big_run(n: int) -> RunResult:
    cells = [
        CellRecord(
            id=f"s.yaml::s[role-{i // 100}|kms:Action{i % 100}|*]",
            principal=f"arn:aws:iam::111122223333:role/role-{i // 100}",
            action=f"kms:Action{i % 100}",
            resource="*",
            expected="allowed",
            actual="allowed",
            outcome="passed",
            backend="offline",
            reason="readers need plaintext",
            explanation=["Statement ReadKeys allows kms:Decrypt on *"],
        )
        for i in range(n)
    ]
    return RunResult(metadata={"backend": "offline", "policy_documents": []}, cells=cells)


def scrubbed_again(render: Callable[..., str]) -> Callable[..., str]:
    """The pre-issue-13 pipeline: each serialised report scrubbed a second time."""
    return lambda run, drift=None: redact_text(render(run, drift=drift))


def bench_reports() -> None:
    run = big_run(10_000)
    renderers = dict(export._RENDERERS)
    with tempfile.TemporaryDirectory() as out:
        once = best(lambda: export.render_all(run, out), runs=3)
        twice_renderers = {k: scrubbed_again(f) for k, f in renderers.items()}
        with mock.patch.dict(export._RENDERERS, twice_renderers):
            twice = best(lambda: export.render_all(run, out), runs=3)
    print(
        f"(b) reports for 10,000 cells: one data pass {once:.2f} s, data + text passes {twice:.2f} s, "
        f"ratio {once / twice:.3f}"
    )


if __name__ == "__main__":
    bench_load()
    bench_reports()
