"""`harness preflight --account MODEL --plan FILE [scenario paths...] [pytest options]`.

The scenarios run twice, each in its own pytest process: on the account model as it is
(the baseline, reports under `--iam-report-dir`/baseline) and with the plans applied
(`--iam-plan`, reports under `--iam-report-dir`, with the baseline's drift). The access
diff is printed first, each change naming the plan resource that caused it, then the
run's own output. The model file is only read. Every plan is read and applied to the
model before either run starts: a plan that cannot be read is exit 2 and nothing runs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1  # a scenario fails with the plan, or new access appears on an expected-deny cell
EXIT_INPUT = 2  # a plan or model that cannot be read, or a run that could not complete

EXIT_CODES = """exit codes:
  0  every scenario passes on the account as it will be after apply
  1  a scenario fails after apply, or new access appears on a cell that expects a deny
  2  a plan, template or account model that cannot be read (nothing is run), or a run
     that could not complete (pytest's usage and internal errors)"""


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "preflight",
        help="run scenarios on the account as a Terraform plan or CloudFormation template leaves it.",
        description=__doc__,
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--account", required=True, metavar="MODEL", help="the account model (never changed)."
    )
    parser.add_argument(
        "--plan",
        required=True,
        action="append",
        metavar="FILE",
        help="terraform show -json output or a template.",
    )
    parser.add_argument(
        "--iam-report-dir", default="reports", metavar="DIR", help="where reports go (reports/)."
    )
    parser.add_argument(
        "--iam-var", action="append", default=[], metavar="NAME=VALUE", help="a run variable."
    )
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="scenario paths and pytest options.")
    parser.set_defaults(func=run_preflight)


def run_preflight(args: argparse.Namespace) -> int:
    from harness.cli.preflight_check import check_inputs
    from harness.cli.preflight_diff import access_diff_lines, cell_changes, new_access_on_expected_deny

    problem = check_inputs(Path(args.account), [Path(p) for p in args.plan], args.iam_var)
    if problem:
        print(f"harness preflight: {problem}", file=sys.stderr)
        return EXIT_INPUT
    reports = Path(args.iam_report_dir)
    common = ["--iam-account", args.account, *(f"--iam-var={v}" for v in args.iam_var), *args.pytest_args]
    # `-o iam_plan=`: an ini `iam_plan` must not patch the baseline's model.
    before = _pytest([*common, "-o", "iam_plan=", "--iam-report-dir", str(reports / "baseline")])
    if before.returncode not in (0, 1) or not (reports / "baseline" / "run.json").is_file():
        print(before.stdout + before.stderr, end="")
        print(f"harness preflight: the run without the plan did not complete (exit {before.returncode})")
        return EXIT_INPUT
    plans = [f"--iam-plan={p}" for p in args.plan]
    baseline = f"--iam-baseline={reports / 'baseline' / 'run.json'}"
    after = _pytest(
        [*common, *plans, baseline, "--iam-baseline-partial-ok", "--iam-report-dir", str(reports)]
    )
    if after.returncode not in (0, 1) or not (reports / "run.json").is_file():
        print(after.stdout + after.stderr, end="")
        print(f"harness preflight: the run with the plan did not complete (exit {after.returncode})")
        return EXIT_INPUT
    changes = cell_changes(reports / "baseline" / "run.json", reports / "run.json")
    for line in access_diff_lines(changes):
        print(line)
    print(after.stdout + after.stderr, end="")
    if after.returncode == 1 or new_access_on_expected_deny(changes):
        return EXIT_FAILED
    return EXIT_OK


def _pytest(argv: list[str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", *argv]
    return subprocess.run(command, capture_output=True, text=True, check=False)
