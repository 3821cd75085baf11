"""`harness simulate-custom-policy` / `harness simulate-principal-policy`: the offline engine, AWS CLI-shaped.

Input is the JSON of `aws iam simulate-custom-policy --generate-cli-skeleton`
(`--cli-input-json file://case.json`, or the JSON text itself). Output is the
JSON the AWS CLI prints, with our enforcement fields under `Harness*` keys.
Bad input exits 2 with the AWS error name and a message on stderr, in the AWS
CLI's wording: `An error occurred (InvalidInput) when calling the ... operation: ...`.
An action name the catalog does not know is answered as AWS answers it (implicitDeny),
with a warning and the nearest names on stderr; the exit code is unchanged.
`--cli-input-jsonl PATH` answers one request per line (harness/cli/batch.py).
With `--account MODEL`, each resource's policy, owner and context come from the model as
in scenarios and `harness who-can` (harness/cli/principal.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from harness.cli.action_names import ActionNameCheck
from harness.cli.batch import Answer, open_lines, run_lines
from harness.cli.collector import fewer_collections
from harness.cli.output import pretty
from harness.engine import Engine, SimulationError
from harness.engine.apishape import input_from_api, output_to_api
from harness.engine.errors import InvalidInput
from harness.inputs.textfiles import FileProblem, nesting_line, read_text_checked


def register(subparsers: Any) -> None:
    custom = subparsers.add_parser(
        "simulate-custom-policy",
        help="simulate policies given as documents (like aws iam simulate-custom-policy), offline",
        description="Evaluate a SimulateCustomPolicy request with the offline engine and print the "
        "response the AWS CLI would print, plus Harness* enforcement fields.",
    )
    _add_inputs(custom)
    custom.add_argument("--no-harness-fields", action="store_true", help="print only the fields AWS returns")
    custom.set_defaults(func=run_custom)

    principal = subparsers.add_parser(
        "simulate-principal-policy",
        help="simulate an identity of an account model (like aws iam simulate-principal-policy), offline",
        description="Evaluate a SimulatePrincipalPolicy request against an offline account model.",
    )
    _add_inputs(principal)
    principal.add_argument("--account", required=True, metavar="FILE", help="account model file")
    principal.add_argument(
        "--no-harness-fields", action="store_true", help="print only the fields AWS returns"
    )
    principal.set_defaults(func=run_principal)


# A request nested deeper than this is no SimulateCustomPolicy request (its deepest member, a
# ContextEntries value list, sits three levels down); refusing it keeps json.loads from recursing.
MAX_REQUEST_DEPTH = 64


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    inputs = parser.add_mutually_exclusive_group(required=True)
    inputs.add_argument("--cli-input-json", metavar="JSON", help="file://case.json or JSON text")
    inputs.add_argument(
        "--cli-input-jsonl",
        metavar="PATH",
        help="one request per line (- for standard input); one compact JSON response per line, "
        'an {"Error": ...} line for a request that fails; exit 2 if any failed',
    )


def _read_request(value: str) -> Any:
    if value.startswith("file://"):
        path = Path(value[len("file://") :])
        try:
            text = read_text_checked(path)
        except FileProblem as exc:
            at = f" line {exc.line}" if exc.line else ""
            raise InvalidInput(f"cannot read {path}{at}: {exc.message}") from None
        where = str(path)
    else:
        text, where = value, "--cli-input-json"
    deep = nesting_line(text, MAX_REQUEST_DEPTH)
    if deep:
        raise InvalidInput(
            f"{where}: line {deep}: the request nests more than {MAX_REQUEST_DEPTH} levels deep"
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        hint = "" if value.startswith("file://") else _file_hint(value)
        raise InvalidInput(
            f"{where}: line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}{hint}"
        ) from None
    except RecursionError:
        raise InvalidInput(f"{where}: the request nests too deeply to read") from None


def _file_hint(value: str) -> str:
    """For a value that is no JSON but looks like a path: the AWS CLI reads files as file://PATH."""
    stripped = value.strip()
    if not stripped or stripped[0] in "{[" or "\n" in stripped or len(stripped) > 4096:
        return ""  # JSON text with a mistake in it, not a path
    try:
        exists = Path(stripped).is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        exists = False
    if exists:
        return (
            f"; {stripped} is a file: the AWS CLI reads a file given as file://{stripped} "
            "(without file:// the value itself is the JSON)"
        )
    return "; to read the request from a file, write --cli-input-json file://PATH"


def _internal(operation: str, exc: Exception) -> int:
    """Any other exception on hostile input: one line and exit 2, never a traceback."""
    print(
        f"harness {operation}: could not process the request ({type(exc).__name__}: {exc}); "
        "this is a bug in iam-harness, please report it with the request",
        file=sys.stderr,
    )
    return 2


def _fail(operation: str, exc: SimulationError) -> int:
    print(
        f"An error occurred ({exc.code}) when calling the {operation} operation: {exc.message}",
        file=sys.stderr,
    )
    return 2


def _print(body: dict[str, Any]) -> None:
    # The bytes json.dump(body, indent=4) would write, encoded by msgspec (harness/cli/output.py).
    sys.stdout.flush()
    sys.stdout.buffer.write(pretty(body))
    sys.stdout.buffer.flush()


def _batch(args: argparse.Namespace, operation: str, answer: Answer) -> int:
    try:
        lines, source = open_lines(args.cli_input_jsonl)
    except SimulationError as exc:
        return _fail(operation, exc)
    sys.stdout.flush()
    check = ActionNameCheck()
    summary = run_lines(lines, source, answer, operation, sys.stdout.buffer, sys.stderr, warn=check.warnings)
    return summary.exit_code


def _warn_unknown_actions(req: Any) -> None:
    for warning in ActionNameCheck().warnings(req):
        print(warning, file=sys.stderr)


def _paging(req: Any) -> tuple[int | None, str | None]:
    if not isinstance(req, dict):
        return None, None
    max_items = req.get("MaxItems") or None
    marker = req.get("Marker") or None
    return max_items, marker


@fewer_collections()
def run_custom(args: argparse.Namespace) -> int:
    operation = "SimulateCustomPolicy"
    if args.cli_input_jsonl is not None:
        engine = Engine()
        harness = not args.no_harness_fields

        def answer(req: Any) -> dict[str, Any]:
            max_items, marker = _paging(req)
            out = engine.simulate(input_from_api(req))
            return output_to_api(out, harness=harness, max_items=max_items, marker=marker)

        return _batch(args, operation, answer)
    try:
        req = _read_request(args.cli_input_json)
        _warn_unknown_actions(req)
        inp = input_from_api(req)
        out = Engine().simulate(inp)
        max_items, marker = _paging(req)
        _print(output_to_api(out, harness=not args.no_harness_fields, max_items=max_items, marker=marker))
    except SimulationError as exc:
        return _fail(operation, exc)
    except Exception as exc:
        return _internal(operation, exc)
    return 0


@fewer_collections()
def run_principal(args: argparse.Namespace) -> int:
    operation = "SimulatePrincipalPolicy"
    # Imported here so that custom-policy simulation does not load YAML support.
    from harness.account import load_account_model
    from harness.cli.principal import answer_principal
    from harness.inputs.errors import ScenarioFileErrors

    try:
        req = _read_request(args.cli_input_json) if args.cli_input_jsonl is None else None
        if req is not None:
            _warn_unknown_actions(req)
        try:
            model = load_account_model(args.account)
        except ScenarioFileErrors as exc:
            print(str(exc), file=sys.stderr)
            return 2
        except OSError as exc:
            raise InvalidInput(f"cannot read account model {args.account}: {exc.strerror or exc}") from None
        if args.cli_input_jsonl is not None:
            engine = Engine()

            def answer(line: Any) -> dict[str, Any]:
                max_items, marker = _paging(line)
                out = answer_principal(engine, model, line)
                return output_to_api(
                    out, harness=not args.no_harness_fields, max_items=max_items, marker=marker
                )

            return _batch(args, operation, answer)
        out = answer_principal(Engine(), model, req)
        max_items, marker = _paging(req)
        _print(output_to_api(out, harness=not args.no_harness_fields, max_items=max_items, marker=marker))
    except SimulationError as exc:
        return _fail(operation, exc)
    except Exception as exc:
        return _internal(operation, exc)
    return 0
