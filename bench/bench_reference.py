"""This engine against the reference TypeScript simulator, whole process each, side by side.

    python bench/bench_reference.py [--count 4000] [--seed 7] [--runs 3]
                                    [--workload basic|language|one-cell|both|all]
                                    [--reference-dir DIR] [--tree DIR]

Installs @cloud-copilot/iam-simulate from npm into a temporary folder (never a
dependency of this project; `--reference-dir` reuses an existing install) with a
small node runner (bench/reference_runner.mjs) that reads the same JSONL requests
and calls its `runSimulation` once per action x resource cell. Then, in one run,
each side interleaved `--runs` times:

(a) `--count` distinct generated requests, ours through
    `harness simulate-custom-policy --cli-input-jsonl`, target >= 3x, once per workload
    `--workload` names (default both):
    - basic: bench/workload.py, the shapes most policies use;
    - language: bench/workload_language.py, the whole policy language (every condition
      operator, qualifiers, variables, NotPrincipal, SCPs, boundaries, resource
      policies) at frequencies measured on AWS managed policies;
    - one-cell: the same requests, each cut to its first action and first resource, so
      that reading the policies, not evaluating cells, is most of the work (not in
      "both": name it, or "all");
(b) one request of 40 actions x 250 keys (10,000 cells): ours through
    `--cli-input-json` with default output, target >= 10x.

Python runs with its bytecode cache on (in the benchmark's temporary folder) and its
standard output buffered, as it normally does, even where PYTHONDONTWRITEBYTECODE or
PYTHONUNBUFFERED is set. `--tree DIR` also times
another checkout of this project (e.g. the main branch) in the same interleaved runs,
so a change is measured side by side under the same load (`python -m harness` run
from DIR imports DIR's package).

Prints each run's wall and CPU time, the median ratio (reference / ours) of each,
and how often the two agree on the cells of each (a) case, as a sanity check that both
ran the same requests (the engine's known divergences from the reference, and its
enforced decision, keep that below 100%). On a shared machine the wall ratio moves with
the load; the CPU ratio (user + system time of each process) moves less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workload
import workload_language
from workload import big_request

HERE = Path(__file__).resolve().parent
PACKAGE = "@cloud-copilot/iam-simulate"


@dataclass(frozen=True)
class Workload:
    source: str
    generate: Callable[[int, int], list[dict[str, Any]]]  # (count, seed) -> requests


def _one_cell(count: int, seed: int) -> list[dict[str, Any]]:
    """The language workload's requests, each cut to one action and one resource."""
    requests = workload_language.generate_requests(count, seed)
    for req in requests:
        req["ActionNames"] = req["ActionNames"][:1]
        if "ResourceArns" in req:
            req["ResourceArns"] = req["ResourceArns"][:1]
    return requests


WORKLOADS = {
    "basic": Workload("bench/workload.py", workload.generate_requests),
    "language": Workload(
        "bench/workload_language.py, the whole policy language", workload_language.generate_requests
    ),
    "one-cell": Workload("bench/workload_language.py, one action and one resource each", _one_cell),
}
# What --workload both runs (the two workloads of the >= 3x target).
BOTH = ("basic", "language")


@dataclass(frozen=True)
class Case:
    name: str
    ours: list[str]
    ours_stdin: Path | None
    reference_stdin: Path
    target: float
    agreement: bool = False  # report how often the two agree on its cells


def install_reference(folder: Path) -> None:
    if not (folder / "node_modules" / PACKAGE).is_dir():
        subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(folder), PACKAGE],
            check=True,
        )
    shutil.copy(HERE / "reference_runner.mjs", folder / "reference_runner.mjs")


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float  # user + system time of the process (less sensitive to a busy machine)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Settings of some environments (this project's sandboxes, many container images) that make
# Python run otherwise than it does by default; see python_env.
_NOT_DEFAULT = frozenset({"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"})


def python_env(pycache: Path) -> dict[str, str]:
    """Python as it normally runs, even where the environment says otherwise:
    - bytecode cached after the first run (here in a folder of the benchmark's own, so nothing
      is written into a checkout), even with PYTHONDONTWRITEBYTECODE set; otherwise every run
      would compile every module;
    - standard output buffered, even with PYTHONUNBUFFERED set; otherwise a batch would make
      one write call per response line (the reference runner writes its output once)."""
    env = {k: v for k, v in os.environ.items() if k not in _NOT_DEFAULT}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def timed(
    cmd: list[str],
    stdin: Path | None,
    out: Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Timing:
    with out.open("wb") as sink:
        handle = stdin.open("rb") if stdin is not None else subprocess.DEVNULL
        try:
            start, cpu = time.perf_counter(), _children_cpu()
            proc = subprocess.run(cmd, stdin=handle, stdout=sink, stderr=subprocess.PIPE, cwd=cwd, env=env)
            elapsed, cpu = time.perf_counter() - start, _children_cpu() - cpu
        finally:
            if stdin is not None:
                handle.close()
    if proc.returncode not in (0, 2):
        sys.exit(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return Timing(elapsed, cpu)


def agreement(ours: Path, reference: Path) -> tuple[int, int, int]:
    """Cells where the simulator decision, and the enforced decision, equal the reference's."""
    cells = same_sim = same_enforced = 0
    for mine, theirs in zip(ours.read_text().splitlines(), reference.read_text().splitlines(), strict=True):
        body, ref = json.loads(mine), json.loads(theirs)
        if "Error" in body:
            continue
        decisions = []
        for result in body["EvaluationResults"]:
            for rr in result.get("ResourceSpecificResults") or [result]:
                key = "EvalResourceDecision" if "EvalResourceDecision" in rr else "EvalDecision"
                decisions.append((rr[key], rr.get("HarnessEnforcedDecision", rr[key])))
        for (sim, enforced), other in zip(decisions, ref, strict=True):
            cells += 1
            same_sim += sim == other
            same_enforced += enforced == other
    return cells, same_sim, same_enforced


def workload_cases(args: argparse.Namespace, tmp: Path, harness: list[str]) -> list[Case]:
    """Case (a) once per chosen workload: the same requests to both sides."""
    names = {"both": list(BOTH), "all": list(WORKLOADS)}.get(args.workload, [args.workload])
    cases = []
    for name in names:
        chosen = WORKLOADS[name]
        requests = tmp / f"requests-{name}.jsonl"
        requests.write_text("".join(json.dumps(r) + "\n" for r in chosen.generate(args.count, args.seed)))
        cases.append(
            Case(
                f"{name} workload ({chosen.source}): {args.count} distinct requests, --cli-input-jsonl",
                [*harness, "--cli-input-jsonl", str(requests)],
                None,
                requests,
                3.0,
                agreement=True,
            )
        )
    return cases


def big_case(tmp: Path, harness: list[str]) -> Case:
    big = tmp / "big.json"
    big.write_text(json.dumps(big_request()))
    big_line = tmp / "big.jsonl"
    big_line.write_text(big.read_text() + "\n")
    return Case(
        "one request, 40 actions x 250 keys, default output",
        [*harness, "--cli-input-json", f"file://{big}"],
        None,
        big_line,
        10.0,
    )


@dataclass(frozen=True)
class Sides:
    """What each run starts: our checkouts (name, folder) with their environments, and the reference."""

    trees: list[tuple[str, Path]]
    envs: dict[str, dict[str, str]]
    node: list[str]
    folder: Path  # the reference's install
    tmp: Path


def run_case(i: int, case: Case, runs: int, sides: Sides) -> None:
    """Time both sides `runs` times, interleaved, and print each run and the median ratios."""
    trees, tmp = sides.trees, sides.tmp
    ours: dict[str, list[Timing]] = {name: [] for name, _ in trees}
    ref: list[Timing] = []
    for run in range(runs):
        shown = []
        for name, tree in trees:
            out = tmp / f"{name}-{i}.out".replace("/", "_")
            ours[name].append(timed(case.ours, case.ours_stdin, out, tree, sides.envs[name]))
            shown.append(f"{name} {ours[name][-1].wall:.2f} s ({ours[name][-1].cpu:.2f} s CPU)")
        ref.append(timed(sides.node, case.reference_stdin, tmp / f"ref-{i}.out", cwd=sides.folder))
        print(
            f"  {case.name}: run {run + 1}: {', '.join(shown)}, "
            f"reference {ref[-1].wall:.2f} s ({ref[-1].cpu:.2f} s CPU)"
        )
    for name, _ in trees:
        wall = [r.wall / o.wall for r, o in zip(ref, ours[name], strict=True)]
        cpu = [r.cpu / o.cpu for r, o in zip(ref, ours[name], strict=True)]
        median = statistics.median(wall)
        verdict = "meets" if median >= case.target else "MISSES"
        print(
            f"{case.name} [{name}]: wall ratio per run {', '.join(f'{x:.2f}' for x in wall)}, "
            f"median {median:.2f}x ({verdict} {case.target:g}x); CPU ratio median "
            f"{statistics.median(cpu):.2f}x"
        )
    if case.agreement:
        cells, same_sim, same_enforced = agreement(tmp / f"ours-{i}.out", tmp / f"ref-{i}.out")
        print(
            f"  agreement on {cells} cells: simulator decision {same_sim / cells:.1%}, "
            f"enforced decision {same_enforced / cells:.1%}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--workload", choices=[*WORKLOADS, "both", "all"], default="both", help="the requests of case (a)"
    )
    parser.add_argument("--reference-dir", type=Path, help="reuse an npm install folder")
    parser.add_argument("--tree", type=Path, help="another checkout to time side by side")
    args = parser.parse_args()
    trees = [("ours", HERE.parent)]
    if args.tree is not None:
        trees.append((f"tree {args.tree}", args.tree.resolve()))

    with tempfile.TemporaryDirectory(prefix="bench-reference-") as tmp_name:
        tmp = Path(tmp_name)
        folder = args.reference_dir or tmp / "reference"
        folder.mkdir(parents=True, exist_ok=True)
        install_reference(folder)
        version = json.loads((folder / "node_modules" / PACKAGE / "package.json").read_text())["version"]

        harness = [sys.executable, "-m", "harness", "simulate-custom-policy"]
        cases = [*workload_cases(args, tmp, harness), big_case(tmp, harness)]
        node = ["node", str(folder / "reference_runner.mjs")]
        print(f"reference: {PACKAGE} {version}, node runner; ours: {sys.executable} -m harness")
        envs = {name: python_env(tmp / f"pycache-{n}") for n, (name, _) in enumerate(trees)}
        for name, tree in trees:  # writes each tree's bytecode cache before anything is timed
            timed([*harness, "--cli-input-jsonl", os.devnull], None, tmp / "warm.out", tree, envs[name])
        sides = Sides(trees, envs, node, folder, tmp)
        for i, case in enumerate(cases):
            run_case(i, case, args.runs, sides)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
