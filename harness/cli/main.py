"""`harness` entry point.

Each subcommand lives in its own module exposing `register(subparsers)`; a
registered command sets `func(args) -> int` (the exit code). Exit codes: 0
success, 1 expectation failures or a simulator-side error (as the AWS CLI
uses 254/255 we keep to pytest's small codes), 2 usage or input errors.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from harness import __version__
from harness.cli.collector import quiet_process, skip_exit_collection

# Modules that contribute subcommands, imported only when the CLI runs.
COMMAND_MODULES = (
    "harness.cli.catalog",
    "harness.cli.simulate",
    "harness.cli.report",
    "harness.cli.account",
    "harness.cli.who_can",
    "harness.cli.explain",
    "harness.cli.preflight",
)


# Subcommands that run often in scripts (batches): running one imports only its own
# module, not the report and catalog machinery the others load.
COMMAND_OWNERS = {
    "simulate-custom-policy": "harness.cli.simulate",
    "simulate-principal-policy": "harness.cli.simulate",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harness",
        description="Test AWS IAM permissions: catalog look-ups, offline simulation, reports.",
    )
    parser.add_argument("--version", action="version", version=f"harness {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in (COMMAND_OWNERS[command],) if command in COMMAND_OWNERS else COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error worth a traceback.
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def run() -> NoReturn:
    """The console script: `main` in a process that ends with it (harness/cli/collector.py)."""
    quiet_process()
    code = main()
    skip_exit_collection()
    raise SystemExit(code)


if __name__ == "__main__":
    run()
