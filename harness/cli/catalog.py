"""`harness actions PATTERN...` and `harness context-keys ACTION`: catalog look-ups.

Output is a table by default, or JSON with `--output json` (as the AWS CLI
does). Unknown input exits 2 with the suggestion on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from tabulate import tabulate

from harness.catalog import Catalog, UnknownAction


def register(subparsers: Any) -> None:
    actions = subparsers.add_parser(
        "actions",
        help="list the actions a pattern expands to",
        description="List the IAM actions each pattern (kms:GenerateDataKey*, kms:*) expands to, "
        "with access level and resource types, from AWS's service authorization data.",
    )
    actions.add_argument("patterns", nargs="+", metavar="PATTERN")
    _output_option(actions)
    actions.set_defaults(func=run_actions)

    keys = subparsers.add_parser(
        "context-keys",
        help="list the condition keys an action supports, with their types",
        description="List the condition keys an action supports (its own and its resource types'), "
        "with their types and the simulator's ContextKeyType.",
    )
    keys.add_argument("action", metavar="ACTION")
    keys.add_argument(
        "--global", dest="with_global", action="store_true", help="also list the global aws: keys"
    )
    _output_option(keys)
    keys.set_defaults(func=run_context_keys)


def _output_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", choices=("table", "json"), default="table", help="output format")


def run_actions(args: argparse.Namespace) -> int:
    catalog = Catalog()
    rows: list[dict[str, Any]] = []
    try:
        for pattern in args.patterns:
            expanded, warnings = catalog.expand_with_warnings(pattern)
            for warning in warnings:
                print(f"warning: {warning}", file=sys.stderr)
            for info in expanded:
                rows.append(
                    {
                        "Pattern": pattern,
                        "Action": info.full_name,
                        "AccessLevel": info.access_level,
                        "ResourceTypes": list(info.resource_types) or ["*"],
                    }
                )
    except UnknownAction as exc:
        print(f"harness actions: {exc}", file=sys.stderr)
        return 2
    if args.output == "json":
        print(json.dumps({"Actions": rows}, indent=2))
    else:
        table = [[r["Pattern"], r["Action"], r["AccessLevel"], ", ".join(r["ResourceTypes"])] for r in rows]
        print(tabulate(table, headers=["Pattern", "Action", "Access level", "Resource types"]))
    return 0


def run_context_keys(args: argparse.Namespace) -> int:
    catalog = Catalog()
    try:
        info = catalog.validate_action(args.action)
        listed = catalog.action_condition_keys(info.full_name)
    except UnknownAction as exc:
        print(f"harness context-keys: {exc}", file=sys.stderr)
        return 2
    rows = [
        {
            "Key": key,
            "Type": key_type.iam_type if key_type else "unknown",
            "ContextKeyType": key_type.context_key_type if key_type else "",
            "Multivalued": key_type.multivalued if key_type else False,
            "From": where,
        }
        for key, key_type, where in listed
    ]
    if args.with_global:
        rows.extend(
            {
                "Key": kt.key,
                "Type": kt.iam_type,
                "ContextKeyType": kt.context_key_type,
                "Multivalued": kt.multivalued,
                "From": "global",
            }
            for kt in catalog.global_keys()
            if kt.key.lower() not in {r["Key"].lower() for r in rows}
        )
    if args.output == "json":
        print(json.dumps({"Action": info.full_name, "ContextKeys": rows}, indent=2))
    else:
        print(f"{info.full_name} ({info.access_level})")
        table = [
            [r["Key"], r["Type"], r["ContextKeyType"], "yes" if r["Multivalued"] else "", r["From"]]
            for r in rows
        ]
        print(tabulate(table, headers=["Key", "Type", "ContextKeyType", "Multivalued", "From"]))
    return 0
