"""`harness who-can ACTION [RESOURCE ...] --account MODEL`: who in the account model may do it.

Every user and role of the model (or those `--principals` selects, same rules as a
scenario's `principals:`) is asked, offline, exactly as a scenario cell would be
(harness.who_can). Allowed means what the service enforces allows. Listed: each identity
allowed, and each the simulator allows but the service refuses ("simulator only", with the
advisory saying why), with both decisions and the deciding statements (policy, Sid, lines).
`--all` lists the refused ones too; `--json` prints the same as JSON. A RESOURCE may be a
bare KMS key id, resolved to the key's ARN in the model.

Then the principals outside the model that the resource's policy or KMS grants name
(harness.account.external): scope (account, service, public), what names them, the
conditions that still restrict them as written, the resource side's decision with the
given context, and `other side: unknown` for an account the model does not hold.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from harness.cells import DecidingStatement

EXIT_OK = 0  # answered; at least one identity allowed, or principals outside the model named
EXIT_NONE_ALLOWED = 1  # answered; nobody allowed (simulator-only allows do not count)
EXIT_INPUT = 2  # usage error, bad model, or an answer that could not be evaluated

EXIT_CODES = """exit codes:
  0  answered: at least one identity is allowed (by what the service enforces), or
     the resource's policy or grants name principals outside the model (listed)
  1  answered: no identity is allowed and nobody outside the model is named;
     identities only the simulator allows (the service refuses them, e.g. a KMS key
     policy that does not allow them) do not count:
     they are listed as "simulator only" (JSON: simulator_only)
  2  usage error, an account model that does not load, an ambiguous or unknown key id,
     or an answer that could not be evaluated (listed as an error on stderr)"""


class _Usage(Exception):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "who-can",
        help="list every identity of an account model allowed to do an action, offline",
        description="Ask every user and role of an account model whether it may do ACTION on each "
        "RESOURCE (default *), offline. The key policy of a KMS key (and any resource policy) comes "
        "from the model. Shows the simulator's and the enforced decision and the deciding statements; "
        "allowed means allowed by what the service enforces.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "action", metavar="ACTION", help="an action; a wildcard asks each action it expands to"
    )
    parser.add_argument(
        "resources",
        nargs="*",
        metavar="RESOURCE",
        help='resource ARNs or bare KMS key ids (default "*")',
    )
    parser.add_argument("--account", required=True, metavar="MODEL", help="account model file")
    parser.add_argument(
        "--principals",
        action="append",
        default=[],
        metavar="SELECTOR",
        help="only these identities: all (default), role/NAME, user/ci-*, a name or an ARN glob; "
        "external: the principals outside the model the resource's policy or grants name "
        "(asked by default, not with other selectors unless named; needs a RESOURCE, not *; an "
        "unread resource policy makes them an error); repeatable",
    )
    parser.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a request context value (type from the action catalog); repeat a key for a list",
    )
    parser.add_argument(
        "--var", action="append", default=[], metavar="NAME=VALUE", help="a variable of the account model"
    )
    parser.add_argument("--all", action="store_true", help="also list the identities that are refused")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: `harness --help` need not load the engine, the catalog or YAML support.
    from harness.account import load_account_model
    from harness.account.selection import ALL, SelectionError
    from harness.inputs.errors import ScenarioFileErrors
    from harness.inputs.variables import parse_assignments
    from harness.scenarios.catalog_adapter import ActionCatalog, CatalogProblem
    from harness.who_can import WhoCanQuestion, who_can

    catalog = ActionCatalog()
    try:
        try:
            actions = tuple(catalog.expand(args.action))
        except CatalogProblem as exc:
            raise _Usage(f"{args.action}: {exc.message}", exc.suggestion) from None
        context = _context(args.context, actions, catalog)
        try:
            variables = parse_assignments(args.var, "--var")
        except ValueError as exc:
            raise _Usage(str(exc)) from None
        try:
            model = load_account_model(args.account, variables)
        except ScenarioFileErrors as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_INPUT
        resources = tuple(_resources(args.resources, model))
        question = WhoCanQuestion(actions, resources, context, tuple(args.principals) or (ALL,))
        try:
            report = who_can(model, question)
        except SelectionError as exc:
            raise _Usage(f"--principals: {exc.message}", exc.hint) from None
    except _Usage as exc:
        print(f"harness who-can: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  hint: {exc.hint}", file=sys.stderr)
        return EXIT_INPUT
    shown = [a for a in report.answers if args.all or a.allowed or a.simulator_only or a.error]
    if args.json:
        json.dump(_json(report, shown), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print_table(report, shown)
    for answer in report.errors:
        print(
            f"error: {_short(answer.principal_arn)} {answer.action} {answer.resource}: {answer.error}",
            file=sys.stderr,
        )
    if report.errors:
        return EXIT_INPUT
    return EXIT_OK if report.allowed or report.external else EXIT_NONE_ALLOWED


def _resources(given: Sequence[str], model: Any) -> list[str]:
    return list(dict.fromkeys(_resource(value, model) for value in given)) or ["*"]


def _resource(value: str, model: Any) -> str:
    """An ARN or `*` as given; a bare key id (no `:` or `/`) resolved to its key ARN in the model."""
    from harness.account.resource_inputs import key_arns_with_id

    if value == "*" or value.startswith("arn:"):
        return value
    if not value or ":" in value or "/" in value:
        raise _Usage(f"{value!r} is not a resource ARN", 'write a full ARN, a KMS key id or "*"')
    found = key_arns_with_id(model, value)
    if len(found) == 1:
        return found[0]
    if not found:
        raise _Usage(
            f"{value!r} is not a resource ARN, nor the id of a KMS key in the account model {model.path}",
            'write a full ARN or "*", or check the key id',
        )
    raise _Usage(
        f"key id {value!r} names {len(found)} keys in the account model {model.path} "
        f"(several accounts or Regions): {', '.join(found)}",
        "write the ARN of the one you mean",
    )


def _context(values: Sequence[str], actions: Sequence[str], catalog: Any) -> tuple[Any, ...]:
    from harness.engine.types import ContextEntry
    from harness.scenarios.catalog_adapter import CatalogProblem

    raw: dict[str, list[str]] = {}
    for value in values:
        key, sep, val = value.partition("=")
        key = key.strip()
        if not sep or ":" not in key:
            raise _Usage(
                f"--context {value!r}: expected KEY=VALUE with a condition key",
                "e.g. --context kms:ViaService=ec2.eu-west-3.amazonaws.com",
            )
        raw.setdefault(key, []).append(val)
    entries = []
    for key, vals in raw.items():
        try:
            ctype, parsed = catalog.parse_context(key, vals if len(vals) > 1 else vals[0], list(actions))
        except CatalogProblem as exc:
            raise _Usage(f"--context {key}: {exc.message}", exc.suggestion) from None
        entries.append(ContextEntry(key, tuple(parsed), ctype))
    return tuple(entries)


def _short(arn: str) -> str:
    # arn:aws:iam::111122223333:role/x -> role/x (111122223333)
    parts = arn.split(":", 5)
    return f"{parts[5]} ({parts[4]})" if len(parts) == 6 else arn


def _statement_text(s: DecidingStatement) -> str:
    sid = f" {s.sid!r}" if s.sid else ""
    lines = f" lines {s.start_line}-{s.end_line}" if s.start_line else ""
    return f"{s.effect} {s.policy_id}{sid}{lines}"


def _print_table(report: Any, shown: Sequence[Any]) -> None:
    from tabulate import tabulate

    q = report.question
    print(
        f"who can {', '.join(q.actions)} on {', '.join(q.resources)} "
        f"(account model {report.account_model}, {report.identities} identities)"
    )
    if shown:
        rows = [
            [
                _short(a.principal_arn),
                a.action,
                a.resource,
                a.decision,
                a.enforced,
                _verdict(a),
                "; ".join(_statement_text(s) for s in a.deciding_statements) or (a.error or ""),
                a.advisory or "",
            ]
            for a in shown
        ]
        headers = [
            "principal",
            "action",
            "resource",
            "simulator",
            "enforced",
            "allowed",
            "deciding statements",
            "advisory",
        ]
        print(tabulate(rows, headers=headers))
    errors = {a.principal_arn for a in report.errors}
    simulator_only = report.simulator_only_identities
    also = (
        f"; {len(simulator_only)} allowed by the simulator only (the service refuses: see the advisory)"
        if simulator_only
        else ""
    )
    print(
        f"{len(report.allowed_identities)} of {report.identities} identities allowed{also}; "
        f"{len(errors)} could not be evaluated"
    )
    _print_external(report)


def _print_external(report: Any) -> None:
    from tabulate import tabulate

    if not report.external:
        return
    print("\noutside the model (answered from the resource's side):")
    rows = [
        [
            a.entry.principal,
            a.entry.scope,
            a.entry.action,
            a.entry.resource,
            a.entry.via,
            _external_verdict(a),
            "; ".join(a.entry.conditions),
            "unknown (must also allow)" if a.entry.other_side == "unknown" else (a.entry.other_side or ""),
        ]
        for a in report.external
    ]
    headers = [
        "principal",
        "scope",
        "action",
        "resource",
        "named by",
        "resource side",
        "conditions",
        "other side",
    ]
    print(tabulate(rows, headers=headers))
    if report.public:
        print(
            f'PUBLIC: {len(report.public)} statement(s) allow any principal ("*" with no account condition)'
        )
    blocked = [a for a in report.external if a.entry.blocked_by is not None and a.entry.scope == "public"]
    if blocked:
        print(
            f"{len(blocked)} statement(s) public by policy, "
            "blocked by Block Public Access (RestrictPublicBuckets)"
        )


def _external_verdict(answer: Any) -> str:
    if answer.error is not None:
        return "error"
    if answer.entry.blocked_by is not None:
        return answer.entry.block_public_access
    if answer.resource_side_allows:
        return "allows"
    return "allows if conditions hold" if answer.entry.conditions else answer.enforced


def _verdict(answer: Any) -> str:
    if answer.error is not None:
        return "error"
    if answer.allowed:
        return "yes"
    return "simulator only" if answer.simulator_only else "no"


def _json(report: Any, shown: Sequence[Any]) -> dict[str, Any]:
    q = report.question
    return {
        "account_model": report.account_model,
        "actions": list(q.actions),
        "resources": list(q.resources),
        "context": [{"key": e.key, "type": e.type, "values": list(e.values)} for e in q.context],
        "principals": list(q.selectors),
        "identities": report.identities,
        "allowed_identities": report.allowed_identities,
        "simulator_only": report.simulator_only_identities,
        "external": [_external_json(a) for a in report.external],
        "answers": [
            {
                "principal": a.principal_arn,
                "kind": a.kind,
                "action": a.action,
                "resource": a.resource,
                "allowed": a.allowed,
                "simulator_only": a.simulator_only,
                "decision": a.decision,
                "enforced_decision": a.enforced,
                "advisory": a.advisory,
                "error": a.error,
                "deciding_statements": [_statement_json(s) for s in a.deciding_statements],
            }
            for a in shown
        ],
    }


def _statement_json(s: DecidingStatement) -> dict[str, Any]:
    return {
        "policy": s.policy_id,
        "policy_type": s.policy_type,
        "sid": s.sid,
        "effect": s.effect,
        "start_line": s.start_line,
        "end_line": s.end_line,
        "origin": s.origin,
    }


def _external_json(a: Any) -> dict[str, Any]:
    e = a.entry
    return {
        "principal": e.principal,
        "scope": str(e.scope),
        "public": e.public,
        "block_public_access": e.block_public_access,
        "action": e.action,
        "resource": e.resource,
        "named_by": e.via,
        "conditions": list(e.conditions),
        "other_side": e.other_side,
        "account": e.account,
        "resource_side_allows": a.resource_side_allows,
        "decision": a.decision,
        "enforced_decision": a.enforced,
        "advisory": a.advisory,
        "error": a.error,
        "deciding_statements": [_statement_json(s) for s in a.deciding_statements],
    }
