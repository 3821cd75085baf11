"""Reports at scale (issue 12): render every report of a generated run.json, then open report.html.

    python bench/bench_reports.py --cells 10000 [--cells 100000 ...] [--tree /work/main] [--no-drift]

For each size: writes a synthetic run.json (schema 2, streamed, as the plugin writes it: principals
x services x actions x resources, ~1% failed, ~0.1% error, passing cells compact) and a baseline
with ~0.5% of decisions changed; renders md, html, csv, json and the manifest in a child process
(wall time and that process's peak RSS) the way the plugin does (this tree: `render_run_file`,
streaming; an older tree: `RunResult.load` then `render_all`); prints file sizes; then opens
report.html in headless Chromium (`--screenshot`, so the process ends once the page is drawn) and
reports the browser's wall time and, where the page says so (`?timing=1`), the time to the drawn
matrix as the page measured it. `--tree DIR` renders the same files with another checkout's harness
(on PYTHONPATH), side by side as ratios. Not a test: targets are read off its output.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = {
    "kms": ("Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"),
    "s3": ("GetObject", "PutObject", "DeleteObject", "ListBucket"),
    "dynamodb": ("GetItem", "PutItem", "Query", "Scan"),
    "sqs": ("SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueUrl"),
    "sns": ("Publish", "Subscribe", "ListTopics", "GetTopicAttributes"),
}
ACTIONS = [f"{svc}:{name}" for svc, names in SERVICES.items() for name in names]
# A passing cell of every generated run (the second one: the first is an error).
PASSING_ID = (
    "scenarios/team-000.yaml::app-00000 uses kms"
    "[kms:Decrypt-arn:aws:kms:eu-west-3:012345678910:thing/kms-0001]"
)

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
run_path, out, base = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] or None
import harness.reports.export as export
start = time.perf_counter()
if hasattr(export, "render_run_file"):
    index = export.baseline_index(base) if base else None
    export.render_run_file(run_path, out, baseline=index, redacted=True)
else:  # an older tree: what its plugin did, the whole run in memory
    from harness.reports.drift import diff
    from harness.run.result import RunResult
    run = RunResult.load(run_path)
    run.redacted = True
    drift = diff(RunResult.load(base), run) if base else None
    export.render_all(run, out, drift=drift)
wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def shape(cells: int) -> tuple[int, int]:
    """(principals, resources) so that principals x len(ACTIONS) x resources ~= cells."""
    per_principal = len(ACTIONS)
    resources = max(1, round((cells / per_principal) ** 0.5 / 2))
    principals = max(1, round(cells / (per_principal * resources)))
    return principals, resources


def records(cells: int, *, changed_every: int = 0):
    """Cell records as the plugin writes them (redacted, full dicts; the writer compacts passes)."""
    principals, resources = shape(cells)
    n = 0
    for p in range(principals):
        principal = f"arn:aws:iam::012345678910:role/team-{p // 50:03d}/app-{p:05d}"
        file = f"scenarios/team-{p // 50:03d}.yaml"
        for action in ACTIONS:
            svc = action.split(":")[0]
            for r in range(resources):
                resource = f"arn:aws:{svc}:eu-west-3:012345678910:thing/{svc}-{r:04d}"
                allowed = (p + r + len(action)) % 3 != 0
                actual = "allowed" if allowed else "implicitDeny"
                expected = "allowed" if allowed else "denied"
                outcome = "passed"
                error = None
                if n % 997 == 0:
                    actual, outcome, error = "error", "error", "Throttling: Rate exceeded"
                elif n % 101 == 0:
                    expected, outcome = ("denied" if allowed else "allowed"), "failed"
                if changed_every and n % changed_every == 0 and actual != "error":
                    actual = "implicitDeny" if actual == "allowed" else "allowed"
                    outcome = "passed" if (expected == "allowed") == (actual == "allowed") else "failed"
                stmt = {
                    "policy_id": f"pol-{p}",
                    "policy_type": "IAM Policy",
                    "sid": "Use",
                    "effect": "Allow",
                    "start_line": 4,
                    "start_column": 5,
                    "end_line": 9,
                    "end_column": 6,
                    "origin": f"{file}#pol-{p}",
                }
                yield {
                    "id": f"{file}::app-{p:05d} uses {svc}[{action}-{resource}]",
                    "principal": principal,
                    "action": action,
                    "resource": resource,
                    "expected": expected,
                    "actual": actual,
                    "outcome": outcome,
                    "backend": "offline",
                    "enforced": None,
                    "advisory": None,
                    "reason": "apps use their own team's resources",
                    "scenario": f"app-{p:05d} uses {svc}",
                    "file": file,
                    "line": 12 + ACTIONS.index(action),
                    "mode": "custom",
                    "deciding_statements": [stmt] if actual == "allowed" else [],
                    "explanation": [f"{action} on {resource}: no statement allows it"]
                    if outcome != "passed"
                    else [],
                    "missing_context": [],
                    "warnings": [],
                    "error": error,
                    "other": {},
                    "tags": ["nightly"],
                    "context": [],
                    "disagreement": None,
                    "check_enforced": False,
                    "account": "",
                    "via": None,
                }
                n += 1


def write_run(path: Path, cells: int, *, changed_every: int = 0) -> int:
    from harness.run.stream import RunStreamWriter

    principals, _ = shape(cells)
    writer = RunStreamWriter(path)
    counts = {"passed": 0, "failed": 0, "error": 0}
    for record in records(cells, changed_every=changed_every):
        counts[record["outcome"]] += 1
        writer.write_cell(record)
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "Use", "Effect": "Allow", "Action": "*", "Resource": "*"}],
        },
        indent=2,
    )
    metadata = {
        "tool_version": "bench",
        "backend": "offline",
        "account": "012345678910",
        "started": "2026-12-02T00:00:00+00:00",
        "finished": "2026-12-02T00:10:00+00:00",
        "complete": True,
        "counts": counts,
        "scenario_files": [
            {"path": f"scenarios/team-{t:03d}.yaml", "sha256": "0" * 64} for t in range(principals // 50 + 1)
        ],
        "policy_documents": [
            {
                "id": f"pol-{p}",
                "origin": f"scenarios/team-{p // 50:03d}.yaml#pol-{p}",
                "sha256": "0" * 64,
                "text": policy,
            }
            for p in range(principals)
        ],
    }
    writer.finish(metadata, [])
    return writer.cells


@dataclass
class Measure:
    tree: str
    wall_s: float
    rss_mb: float
    sizes: dict[str, int]
    browser_s: float | None
    ready_ms: int | None
    # The page opened on one passing cell (`?cell=ID`): its summary cell drilled into, which
    # decodes the compact lines block.
    drill_ms: int | None = None


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def open_in_browser(html: Path, query: str = "") -> tuple[float | None, int | None]:
    browser = chromium()
    if browser is None or not html.exists():
        return None, None
    with tempfile.TemporaryDirectory() as profile:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
               "--window-size=1280,900", f"--screenshot={profile}/shot.png",
               html.as_uri() + "?timing=1" + query]  # fmt: skip
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        wall = time.perf_counter() - start
    found = re.search(r"report ready in (\d+) ms", done.stderr)
    return wall, int(found.group(1)) if found else None


def browser_startup() -> float | None:
    """Wall time of the same browser command on an empty page: subtracted from each page's."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "empty.html"
        page.write_text("<!DOCTYPE html><title>empty</title>", encoding="utf-8")
        wall, _ = open_in_browser(page)
    return wall


def measure(run: Path, base: Path | None, tree: Path | None, startup: float | None) -> Measure:
    env = dict(os.environ)
    # -S: no site processing, so an editable install of this tree (a .pth import hook) cannot
    # shadow `tree`; the libraries come from this interpreter's site-packages, after it.
    env["PYTHONPATH"] = os.pathsep.join((str(tree or ROOT), sysconfig.get_paths()["purelib"]))
    with tempfile.TemporaryDirectory(dir=run.parent) as out:
        proc = subprocess.run(
            [sys.executable, "-S", "-c", CHILD, str(run), out, str(base or "")],
            env=env,
            cwd=out,  # `-c` puts the working directory first on sys.path
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            print(proc.stderr[-3000:], file=sys.stderr)
            return Measure(str(tree or "this tree"), float("nan"), float("nan"), {}, None, None)
        figures = json.loads(proc.stdout.strip().splitlines()[-1])
        sizes = {p.name: p.stat().st_size for p in Path(out).iterdir() if p.name.startswith("report.")}
        browser_s, ready_ms = open_in_browser(Path(out) / "report.html")
        if browser_s is not None and startup is not None:
            browser_s = max(0.0, browser_s - startup)
        drill_ms = None
        if ready_ms is not None:
            _, drill_ms = open_in_browser(
                Path(out) / "report.html", "&cell=" + urllib.parse.quote(PASSING_ID, safe="")
            )
    return Measure(
        str(tree or "this tree"), figures["wall"], figures["rss_mb"], sizes, browser_s, ready_ms, drill_ms
    )


def show(m: Measure, cells: int) -> None:
    mb = lambda n: f"{n / 1e6:.1f} MB"  # noqa: E731
    sizes = ", ".join(f"{k.removeprefix('report.')} {mb(v)}" for k, v in sorted(m.sizes.items()))
    browser = "" if m.browser_s is None else f"; chromium {m.browser_s:.2f} s to a drawn page (less startup)"
    if m.ready_ms is not None:
        browser += f" (page ready at {m.ready_ms} ms"
        browser += f"; opened on a passing cell: {m.drill_ms} ms)" if m.drill_ms is not None else ")"
    print(
        f"  {m.tree}: render {m.wall_s:.1f} s ({m.wall_s / cells * 1e6:.0f} us/cell), "
        f"peak RSS {m.rss_mb:.0f} MB; "
        f"{sizes}{browser}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, action="append", default=None)
    parser.add_argument("--tree", type=Path, default=None, help="second checkout to compare against")
    parser.add_argument("--tree-max-cells", type=int, default=100_000, help="largest size run with --tree")
    parser.add_argument("--no-drift", action="store_true", help="render without a baseline")
    parser.add_argument("--workdir", type=Path, default=None, help="where the generated files go")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    for cells in args.cells or [10_000]:
        with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
            run = Path(tmp) / "run.json"
            start = time.perf_counter()
            exact = write_run(run, cells)
            base = None
            if not args.no_drift:
                base = Path(tmp) / "baseline.json"
                write_run(base, cells, changed_every=199)
            print(
                f"{exact} cells (run.json {run.stat().st_size / 1e6:.0f} MB, generated in "
                f"{time.perf_counter() - start:.0f} s{', with a baseline' if base else ''}):"
            )
            startup = browser_startup()
            results = [measure(run, base, None, startup)]
            if args.tree is not None and cells <= args.tree_max_cells:
                results.append(measure(run, base, args.tree, startup))
            for m in results:
                show(m, exact)
            if len(results) == 2:
                a, b = results
                html_a, html_b = a.sizes.get("report.html", 0), b.sizes.get("report.html", 0)
                ratio = f", chromium {a.browser_s / b.browser_s:.2f}" if a.browser_s and b.browser_s else ""
                print(
                    f"  ratio this/other: render wall {a.wall_s / b.wall_s:.2f}, "
                    f"RSS {a.rss_mb / b.rss_mb:.2f}, "
                    f"report.html size {html_a / max(html_b, 1):.2f}{ratio}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
