"""`harness report export|diff|merge`: audit exports, drift between runs, merged matrices.

Exit codes (for schedulers; the same numbers pytest uses where they overlap):

- export: 0 every cell as expected; 1 a cell failed or could not be evaluated
  (as pytest fails such a test); 2 usage or input error, or the run itself
  records scenario files that could not be loaded (pytest: collection errors).
- diff:   0 no decision changed; 1 decisions changed (by `--fail-on`); 2 usage or input error.

A baseline (diff's OLD, export's --iam-baseline) from a partial run (`-k`, `-m`,
`--lf`, node ids: metadata.complete false) is refused with exit 2 unless
`--baseline-partial-ok` / `--iam-baseline-partial-ok` says it is meant: drift
against a subset misses every change outside it.
- merge:  0 merged; 1 conflicting duplicates (the merged file is still written,
  the first input wins, every conflict is listed); 2 usage or input error.

Input errors are one line naming the file, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from harness.redact import redact_text
from harness.reports.drift import BaselineIndex, DriftKind, DriftTracker
from harness.reports.export import FORMATS, atomic_write, export, redacted, render_all
from harness.reports.merge import merge
from harness.reports.render import render_source
from harness.reports.source import RunSource
from harness.reports.terminal import matrix_from_summary
from harness.run.load import RunInputError, load_run
from harness.run.select import baseline_refusal, is_partial, partial_banner

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def _formats(value: str) -> list[str]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    bad = [n for n in names if n not in FORMATS]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(bad) or value!r} (choose from {', '.join(FORMATS)})"
        )
    return names


def _chosen_formats(args: argparse.Namespace) -> list[str]:
    if not args.format:
        return list(FORMATS)
    return list(dict.fromkeys(f for group in args.format for f in group))


def _add_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        action="append",
        type=_formats,
        metavar="html|md|json|csv",
        help="report format; repeat or comma-separate (default: all)",
    )


def _err(message: str) -> None:
    print(f"harness report: {redact_text(message)}", file=sys.stderr)


def _print_written(paths: list[Path]) -> None:
    for path in paths:
        print(f"wrote {path}")


def _refuse_partial_baseline(path: str | None, allowed: bool, flag: str) -> bool:
    """True (after saying why) when `path` is a partial run and `flag` was not given."""
    if path is None or allowed:
        return False
    try:
        metadata = RunSource.from_path(path).metadata  # the metadata only: cells are not read
    except RunInputError:
        return False  # the command's own loading reports it
    refusal = baseline_refusal(metadata, path)
    if refusal:
        _err(f"{refusal}; pass {flag} to use it as the baseline")
    return refusal is not None


def cmd_export(args: argparse.Namespace) -> int:
    outdir = Path(args.out) if args.out else Path(args.run).parent
    if _refuse_partial_baseline(args.iam_baseline, args.iam_baseline_partial_ok, "--iam-baseline-partial-ok"):
        return EXIT_USAGE
    try:
        result = export(args.run, outdir, formats=_chosen_formats(args), baseline_path=args.iam_baseline)
    except RunInputError as exc:
        _err(str(exc))
        return EXIT_USAGE
    except OSError as exc:
        _err(f"{exc.filename or outdir}: cannot write: {exc.strerror or exc}")
        return EXIT_USAGE
    if not args.quiet:
        print(matrix_from_summary(result.summary, result.drift), end="")
    _print_written(result.written)
    c = result.summary.counts()
    if c["load_errors"]:
        _err(f"{args.run}: {c['load_errors']} scenario file(s) could not be loaded (see the report)")
        return EXIT_USAGE
    # Could-not-check outranks checked-and-wrong: a scheduler must not read an
    # unevaluated run as a plain policy regression.
    if c["error"]:
        return EXIT_USAGE
    return EXIT_FAILED if c["failed"] else EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    # Streamed: OLD becomes a compact decision index, NEW is read once against it (and rendered
    # in that same pass with --out).
    try:
        old = RunSource.from_path(args.old)
        new = RunSource.from_path(args.new)
        if _refuse_partial_baseline(args.old, args.baseline_partial_ok, "--baseline-partial-ok"):
            return EXIT_USAGE
        index = BaselineIndex.build(old)
        if args.out:
            try:
                result = render_source(new, Path(args.out), formats=_chosen_formats(args), baseline=index)
            except OSError as exc:
                _err(f"{exc.filename or args.out}: cannot write: {exc.strerror or exc}")
                return EXIT_USAGE
            drift = result.drift
            assert drift is not None
        else:
            tracker = DriftTracker(index, partial=is_partial(new.metadata), list_limit=None)
            account = str(new.metadata.get("account") or "")
            for cell in new.cells():
                tracker.observe(cell.account or account, cell)
            drift = tracker.finish()
    except RunInputError as exc:
        _err(str(exc))
        return EXIT_USAGE
    if args.json:
        print(json.dumps(drift.to_dict(), indent=2))
    else:
        s = drift.summary()
        print(
            f"{s['new_access']} new access, {s['lost_access']} lost access, {s['new_error']} new errors, "
            f"{s['deny_changed']} deny changed, {s['error_resolved']} errors resolved "
            f"({s['added']} added, {s['removed']} removed)"
            + (f"; {drift.outside_selection} not in the partial NEW run" if drift.outside_selection else "")
        )
        for label, run in (("OLD", old), ("NEW", new)):
            banner = partial_banner(run.metadata)
            if banner:
                print(f"{label}: {banner}")
        for ch in drift.decision_changes:
            print(f"  {ch.label:14} {ch.principal}  {ch.action}  {ch.resource}  {ch.before} -> {ch.after}")
    if args.out:
        _print_written(result.written)
    if args.fail_on == "none":
        return EXIT_OK
    if args.fail_on == "new-access":
        return EXIT_FAILED if drift.count(DriftKind.NEW_ACCESS) else EXIT_OK
    return EXIT_FAILED if drift.decision_changes else EXIT_OK


def cmd_merge(args: argparse.Namespace) -> int:
    inputs = []
    try:
        for name in args.runs:
            run, _ = load_run(name)
            inputs.append((str(name), run))
    except RunInputError as exc:
        _err(str(exc))
        return EXIT_USAGE
    result = merge(inputs)
    merged = redacted(result.run)
    try:
        atomic_write(Path(args.output), merged.dumps().encode("utf-8"))
        print(f"wrote {args.output}")
        if args.out:
            _print_written(render_all(merged, Path(args.out), formats=_chosen_formats(args)))
    except OSError as exc:
        _err(f"{exc.filename or args.output}: cannot write: {exc.strerror or exc}")
        return EXIT_USAGE
    print(
        f"merged {len(inputs)} runs: {len(merged.cells)} cells, {result.duplicates} identical duplicates, "
        f"{len(result.conflicts)} conflicts"
    )
    for conflict in result.conflicts:
        _err(f"conflict: {conflict.describe()}")
    return EXIT_FAILED if result.conflicts else EXIT_OK


def _add_export_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="write audit reports (html, md, json, csv) with metadata and a SHA-256 manifest",
        description="Write audit reports with run metadata and a SHA-256 manifest. "
        "Exit 0: all as expected; 1: expectation failures; 2: error cells, unloadable scenario "
        "files, or a usage or input error.",
    )
    p.add_argument("run", metavar="RUN.json", help="run result written by the pytest plugin")
    _add_format_option(p)
    p.add_argument("--out", "-o", metavar="DIR", help="output directory (default: the run file's directory)")
    p.add_argument("--iam-baseline", metavar="OLD.json", help="previous run: changed decisions come first")
    p.add_argument(
        "--iam-baseline-partial-ok",
        action="store_true",
        help="accept a baseline from a partial run (-k, -m, --lf, node ids); refused otherwise",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="do not print the matrix")
    p.set_defaults(func=cmd_export)


def _add_diff_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diff",
        help="decisions that changed between two runs (new access, lost access, errors)",
        description="Compare two runs. "
        "Exit 0: no change; 1: changes (see --fail-on); 2: usage or input error.",
    )
    p.add_argument("old", metavar="OLD.json")
    p.add_argument("new", metavar="NEW.json")
    p.add_argument(
        "--fail-on",
        choices=("any", "new-access", "none"),
        default="any",
        help="which changes exit 1: any decision change (default), only new access, or none",
    )
    p.add_argument(
        "--baseline-partial-ok",
        action="store_true",
        help="accept an OLD run from a partial run (-k, -m, --lf, node ids); refused otherwise",
    )
    p.add_argument("--json", action="store_true", help="print the drift as JSON")
    p.add_argument("--out", "-o", metavar="DIR", help="also write reports of NEW with the drift marked")
    _add_format_option(p)
    p.set_defaults(func=cmd_diff)


def _add_merge_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "merge",
        help="merge runs of several accounts or shards into one run result",
        description="Merge runs into one. Exit 0: merged; 1: conflicting duplicates (listed; "
        "the first input wins); 2: usage or input error.",
    )
    p.add_argument("runs", nargs="+", metavar="RUN.json")
    p.add_argument("--output", required=True, metavar="MERGED.json", help="merged run result to write")
    p.add_argument("--out", "-o", metavar="DIR", help="also write reports of the merged run")
    _add_format_option(p)
    p.set_defaults(func=cmd_merge)


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser(
        "report",
        help="render, diff and merge run results",
        description="Render, diff and merge run results (reports/run.json written by the pytest plugin).",
    )
    sub = report.add_subparsers(dest="report_command", metavar="SUBCOMMAND")
    report.set_defaults(func=lambda args: (report.print_help(sys.stderr), EXIT_USAGE)[1])
    _add_export_parser(sub)
    _add_diff_parser(sub)
    _add_merge_parser(sub)
