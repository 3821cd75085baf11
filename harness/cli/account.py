"""`harness account capture`: write an account model from a real account (read-only).

Exit codes: 0 the model was written (gaps, if any, are listed on stderr and in the file's
`capture:` block); 1 nothing could be captured (credentials, a role that could not be
assumed); 2 a usage error.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_ROLE_ARN = re.compile(r"^arn:[\w-]+:iam::\d{12}:role/.+$")


def register(sub: Any) -> None:
    account = sub.add_parser("account", help="account models: capture a real account (read-only).")
    account_sub = account.add_subparsers(dest="account_command", metavar="SUBCOMMAND")
    capture = account_sub.add_parser(
        "capture",
        help="write an account model (docs/account-model.md) from a real account, read-only.",
        description=(
            "Read IAM (GetAccountAuthorizationDetails), KMS keys, aliases and key policies, "
            "Organizations SCPs/RCPs, EBS volumes, snapshots and their instances (--services ec2, "
            "the default) and bucket policies (--services s3) into an account model file for "
            "`pytest scenarios/ --iam-account FILE`. Changes nothing."
        ),
    )
    capture.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="model file to write ('-': stdout)."
    )
    capture.add_argument("--profile", help="AWS profile (default: boto3's credential chain).")
    capture.add_argument(
        "--regions", metavar="R1,R2", help="KMS and EC2 Regions (default: the session's Region)."
    )
    capture.add_argument(
        "--all-regions", action="store_true", help="every Region the partition offers for KMS."
    )
    capture.add_argument(
        "--assume-role",
        action="append",
        default=[],
        metavar="ARN",
        help="capture the account of this role (repeat: several accounts in one model).",
    )
    capture.add_argument("--external-id", help="external id for --assume-role.")
    capture.add_argument(
        "--services",
        metavar="S1,S2",
        default=None,
        help=(
            "optional services to read, beyond IAM, KMS (with grants) and Organizations: ec2 (EBS volumes, "
            "snapshots, their instances), s3 (bucket policies, Block Public Access, access points), and "
            "the resource policies of sqs, sns, "
            "secretsmanager, lambda, ecr, dynamodb, events; 'all' for every one, 'none' for none "
            "(default: ec2)."
        ),
    )
    capture.add_argument("--endpoint-url", help="send every call to this endpoint (tests, VPC endpoints).")
    capture.add_argument(
        "--page-size", type=int, default=1000, help="GetAccountAuthorizationDetails MaxItems (1..1000)."
    )
    capture.add_argument("--no-progress", action="store_true", help="no progress bar on stderr.")
    capture.set_defaults(func=run_capture)
    account.set_defaults(func=lambda args: _usage(account))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _fail(message: str) -> int:
    print(f"harness account capture: {message}", file=sys.stderr)
    return 2


def run_capture(args: argparse.Namespace) -> int:
    from harness.account.capture import CaptureAborted, CaptureOptions, capture_account

    regions = tuple(r.strip() for r in (args.regions or "").split(",") if r.strip())
    for region in regions:
        if not _REGION.match(region):
            return _fail(f"--regions: {region!r} is not a Region name (for example eu-west-3)")
    if regions and args.all_regions:
        return _fail("--regions and --all-regions exclude each other")
    services = _services(args.services)
    if isinstance(services, str):
        return _fail(services)
    for role in args.assume_role:
        if not _ROLE_ARN.match(role):
            return _fail(f"--assume-role: {role!r} is not a role ARN (arn:aws:iam::111122223333:role/NAME)")
    if args.external_id and not args.assume_role:
        return _fail("--external-id needs --assume-role")
    if not 1 <= args.page_size <= 1000:
        return _fail(f"--page-size must be 1..1000 (the API's MaxItems), got {args.page_size}")
    output = None if args.output == "-" else Path(args.output)
    if output is not None and output.is_dir():
        return _fail(f"-o: {output} is a directory")
    options = CaptureOptions(
        profile=args.profile,
        regions=regions,
        all_regions=args.all_regions,
        assume_roles=tuple(args.assume_role),
        external_id=args.external_id,
        services=services,
        endpoint_url=args.endpoint_url,
        page_size=args.page_size,
        progress=not args.no_progress,
    )
    try:
        result = capture_account(options)
    except CaptureAborted as exc:
        print(f"harness account capture: nothing captured: {exc}", file=sys.stderr)
        return 1
    if output is None:
        sys.stdout.write(result.text)
    else:
        _write_atomically(output, result.text)
    calls = result.log.as_dict()["total"]
    where = "stdout" if output is None else str(output)
    print(
        f"harness account capture: {len(result.accounts)} account(s), {len(result.regions)} Region(s), "
        f"{calls} API calls, {len(result.gaps)} gap(s) -> {where}",
        file=sys.stderr,
    )
    if result.redacted:
        print(
            f"harness account capture: {result.redacted} credential-looking string(s) were redacted",
            file=sys.stderr,
        )
    return 0


def _services(text: str | None) -> tuple[str, ...] | str:
    """The optional services `--services` names (default: ec2; `none`: none), or what is wrong."""
    from harness.account.capture.run import DEFAULT_SERVICES, OPTIONAL_SERVICES

    if text is None:
        return DEFAULT_SERVICES
    services = tuple(s.strip().lower() for s in text.split(",") if s.strip())
    if services == ("none",):
        return ()
    if services == ("all",):
        return OPTIONAL_SERVICES
    for service in services:
        if service not in OPTIONAL_SERVICES:
            return (
                f"--services: unknown service {service!r}; "
                f"known: {', '.join((*OPTIONAL_SERVICES, 'all', 'none'))}"
            )
    return services


def _write_atomically(path: Path, text: str) -> None:
    """A capture interrupted half-way never leaves half a model behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
