"""`harness account capture`: read one or more accounts, read-only, into an account model.

Credentials: boto3's chain, optionally a named profile; with `assume_roles` each role is
assumed in turn (with the external id when one is given) and its account captured, so one
model holds several accounts. Every call is a read (Get*, List*, Describe*); the exact list
is `CAPTURE_ACTIONS`, which the README's least-privilege policy grants and
scenarios/harness-self/capture-least-privilege.yaml checks.

Services: IAM, KMS and Organizations always; the optional ones (`OPTIONAL_SERVICES`) are
those `CaptureOptions.services` names, EC2 by default (`DEFAULT_SERVICES`).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from harness import __version__
from harness.account.capture.calls import CallLog, CaptureAborted, Refused, ServiceCalls
from harness.account.capture.ec2 import capture_ec2, key_aliases
from harness.account.capture.gaps import Gap
from harness.account.capture.iam import capture_iam
from harness.account.capture.kms import capture_kms
from harness.account.capture.organizations import capture_organization
from harness.account.capture.regional_policies import READ_ACTIONS, SECTIONS
from harness.account.capture.s3 import capture_s3
from harness.account.capture.s3control import capture_access_points, capture_account_public_access
from harness.account.capture.writer import render
from harness.backends.aws.options import AwsOptions
from harness.backends.aws.session import AwsSession, SessionError, open_session

# Every action the capture may call; nothing else (README, "The capture's own permissions").
CAPTURE_ACTIONS = (
    "ec2:DescribeInstances",
    "ec2:DescribeSnapshots",
    "ec2:DescribeVolumes",
    "ec2:GetEbsDefaultKmsKeyId",
    "ec2:GetEbsEncryptionByDefault",
    "iam:GetAccountAuthorizationDetails",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeys",
    "kms:ListResourceTags",
    "organizations:DescribeOrganization",
    "organizations:DescribePolicy",
    "organizations:ListParents",
    "organizations:ListPoliciesForTarget",
    "organizations:ListRoots",
    "s3:GetAccessPointPolicy",
    "s3:GetAccountPublicAccessBlock",
    "s3:GetBucketPolicy",
    "s3:GetBucketPublicAccessBlock",
    "s3:ListAccessPoints",
    "s3:ListAllMyBuckets",
    "sts:GetCallerIdentity",
    *(a for actions in READ_ACTIONS.values() for a in actions),  # --services sqs, sns, ...
)
SERVICES = ("iam", "kms", "organizations")  # always
OPTIONAL_SERVICES = ("ec2", "s3", *SECTIONS)  # those CaptureOptions.services names
DEFAULT_SERVICES = ("ec2",)


@dataclass(frozen=True)
class CaptureOptions:
    profile: str | None = None
    regions: tuple[str, ...] = ()  # empty: the session's Region
    all_regions: bool = False
    assume_roles: tuple[str, ...] = ()
    external_id: str | None = None
    services: tuple[str, ...] = DEFAULT_SERVICES  # of OPTIONAL_SERVICES; () for none
    endpoint_url: str | None = None
    page_size: int = 1000  # GetAccountAuthorizationDetails MaxItems (1..1000)
    max_attempts: int = 8
    concurrency: int = 4  # per-key KMS calls in flight
    progress: bool = True


@dataclass
class CaptureResult:
    text: str
    accounts: list[str]
    regions: list[str]
    gaps: list[Gap]
    log: CallLog
    redacted: int = 0


@dataclass
class _Target:
    session: AwsSession
    account_id: str
    via: str


@dataclass
class _Collected:
    accounts: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    management: str | None = None
    tables: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)


def capture_account(
    options: CaptureOptions,
    *,
    stderr: TextIO | None = None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> CaptureResult:
    """Capture the accounts `options` name; raises CaptureAborted when nothing can be read."""
    err = stderr or sys.stderr
    log = CallLog()
    base = _open(_aws_options(options, options.regions[0] if options.regions else None), log)
    caller = _identity(base, log)
    targets = _targets(options, base, caller, log)
    regions = _regions(options, base)
    services = [*SERVICES, *(s for s in OPTIONAL_SERVICES if s in options.services)]
    run = _Run(base, regions, services, options, log)
    collected = _capture_targets(targets, run, err)
    model: dict[str, Any] = {"accounts": collected.accounts}
    organization = _organization_block(collected)
    if organization:
        model["Organization"] = organization
    block = {
        "tool": f"harness account capture {__version__}",
        "when": now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "caller": caller["Arn"],
        "accounts": [{"AccountId": t.account_id, "via": t.via} for t in targets],
        "regions": regions,
        "services": services,
        "api_calls": log.as_dict(),
        "pages": log.pages_dict(),
        "gaps": [g.as_dict() for g in collected.gaps],
    }
    text, redacted = render(model, block)
    _report_gaps(collected.gaps, caller["Arn"], err)
    return CaptureResult(
        text, [a["AccountId"] for a in collected.accounts], regions, collected.gaps, log, redacted
    )


@dataclass(frozen=True)
class _Run:
    """What every account of one capture shares."""

    base: AwsSession
    regions: list[str]
    services: list[str]
    options: CaptureOptions
    log: CallLog


def _aws_options(options: CaptureOptions, region: str | None, role: str | None = None) -> AwsOptions:
    if role is None:
        return AwsOptions(
            profile=options.profile,
            region=region,
            endpoint_url=options.endpoint_url,
            max_attempts=options.max_attempts,
        )
    return AwsOptions(
        profile=options.profile,
        region=region,
        endpoint_url=options.endpoint_url,
        max_attempts=options.max_attempts,
        assume_role_arn=role,
        external_id=options.external_id,
        role_session_name="iam-harness-capture",
    )


def _targets(
    options: CaptureOptions, base: AwsSession, caller: dict[str, Any], log: CallLog
) -> list[_Target]:
    """The caller's own account, or the account of each role to assume; sorted by account."""
    if not options.assume_roles:
        return [_Target(base, caller["Account"], caller["Arn"])]
    targets = []
    for role in options.assume_roles:
        session = _open(_aws_options(options, base.region, role), log)
        targets.append(_Target(session, _identity(session, log)["Account"], role))
    return sorted(targets, key=lambda t: t.account_id)


def _capture_targets(targets: list[_Target], run: _Run, err: TextIO) -> _Collected:
    collected = _Collected()
    progress = _progress(run.options.progress, err)
    try:
        for target in targets:
            if any(a["AccountId"] == target.account_id for a in collected.accounts):
                continue  # two roles into one account: captured once
            collected.accounts.append(_capture_one(target, run, collected, progress))
    finally:
        if progress is not None:
            progress.close()
    return collected


def _organization_block(collected: _Collected) -> dict[str, Any]:
    organization: dict[str, Any] = {}
    if collected.management:
        organization["ManagementAccountId"] = collected.management
    for name in ("ServiceControlPolicies", "ResourceControlPolicies"):
        if name in collected.tables:
            organization[name] = dict(sorted(collected.tables[name].items()))
    return organization


# Gaps no permission would close: what AWS answered changed or did not add up.
_NOT_PERMISSIONS = frozenset({"InstanceNotReturned", "PaginationLoop", "IncompletePath"})


def _report_gaps(gaps: list[Gap], caller_arn: str, err: TextIO) -> None:
    for gap in gaps:
        where = f" on {gap.resource}" if gap.resource else ""
        fix = (
            "capture again"
            if gap.code in _NOT_PERMISSIONS
            else f"grant {gap.action} to {caller_arn} to read it"
        )
        print(
            f"harness account capture: gap in account {gap.account} ({gap.section}){where}: "
            f"{gap.describe()}; {fix}",
            file=err,
        )


@dataclass
class _AccountSections:
    """What the per-Region and optional sections of one account gave."""

    resources: list[dict[str, Any]] = field(default_factory=list)
    ec2: dict[str, dict[str, Any]] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)
    public_access_block: dict[str, bool] | None = None  # the account's S3 Block Public Access


def _capture_one(target: _Target, run: _Run, collected: _Collected, progress: Any) -> dict[str, Any]:
    account_id = target.account_id
    _describe(progress, f"{account_id} iam")
    iam = capture_iam(_calls(target, run, "iam"), account_id, page_size=run.options.page_size)
    _describe(progress, f"{account_id} organizations")
    org = _organization(target, run.base, run.options, run.log)
    sections = _regional_sections(target, run, progress)
    gaps = [*iam.gaps, *org.gaps, *sections.gaps]
    collected.gaps.extend(gaps)
    if org.management_account and not collected.management:
        collected.management = org.management_account
    for name, table in org.tables.items():
        collected.tables.setdefault(name, {}).update(table)
    out: dict[str, Any] = {"AccountId": account_id}
    if org.path:
        out["OrganizationPath"] = org.path
    if org.outside:
        out["OutsideOrganization"] = True
    # EC2's gaps are written in its own Regions (`Ec2.REGION.Gaps`), the others here.
    section_gaps = [g.as_section() for g in gaps if not g.resource and not g.section.startswith("ec2/")]
    if section_gaps:
        out["Gaps"] = section_gaps
    out.update(iam.details)
    if sections.public_access_block is not None:
        out["PublicAccessBlock"] = sections.public_access_block
    out["ResourcePolicies"] = sorted(sections.resources, key=lambda r: r["Arn"])
    if "ec2" in run.services:
        out["Ec2"] = dict(sorted(sections.ec2.items()))
    return out


def _regional_sections(target: _Target, run: _Run, progress: Any) -> _AccountSections:
    """KMS (and EC2, which names KMS keys) in each Region, then S3 when asked."""
    account_id, partition = target.account_id, target.session.partition
    out = _AccountSections()
    for region in run.regions:
        _describe(progress, f"{account_id} kms {region}")
        kms = capture_kms(
            _calls(target, run, "kms", region), account_id, progress, concurrency=run.options.concurrency
        )
        out.resources.extend(kms.resources)
        out.gaps.extend(kms.gaps)
        if "ec2" in run.services:
            _describe(progress, f"{account_id} ec2 {region}")
            ec2 = capture_ec2(
                _calls(target, run, "ec2", region), account_id, partition, key_aliases(kms.resources)
            )
            out.ec2[region] = ec2.region
            out.gaps.extend(ec2.gaps)
        for service in (s for s in run.services if s in SECTIONS):
            _describe(progress, f"{account_id} {service} {region}")
            section = SECTIONS[service](_calls(target, run, service, region), account_id, partition)
            out.resources.extend(section.resources)
            out.gaps.extend(section.gaps)
    if "s3" in run.services:
        _s3(target, run, progress, out)
    return out


def _s3(target: _Target, run: _Run, progress: Any, out: _AccountSections) -> None:
    """Buckets (global), the account's Block Public Access, and access points Region by Region."""
    account_id, partition = target.account_id, target.session.partition
    _describe(progress, f"{account_id} s3")
    s3 = capture_s3(_calls(target, run, "s3"), account_id, partition)
    out.resources.extend(s3.resources)
    out.gaps.extend(s3.gaps)
    account = capture_account_public_access(_calls(target, run, "s3control"), account_id)
    if account.settings is not None:
        out.public_access_block = account.settings.as_api()
    out.gaps.extend(account.gaps)
    for region in run.regions:
        _describe(progress, f"{account_id} s3 access points {region}")
        points = capture_access_points(_calls(target, run, "s3control", region), account_id, partition)
        out.resources.extend(points.resources)
        out.gaps.extend(points.gaps)


def _calls(target: _Target, run: _Run, service: str, region: str | None = None) -> ServiceCalls:
    session = target.session
    return ServiceCalls(
        session, service, region or session.region, run.log, max_attempts=run.options.max_attempts
    )


def _describe(progress: Any, text: str) -> None:
    if progress is not None:
        progress.set_description(text)


def _organization(target: _Target, base: AwsSession, options: CaptureOptions, log: CallLog) -> Any:
    """Organizations as the caller sees it, else as the captured account sees it.

    Most Organizations reads are for the management account or a delegated administrator,
    which is typically the caller (the audit identity) rather than the role assumed in a
    member account; an account of another organization, or of none, answers for itself.
    """
    sessions = [target.session] if base is target.session else [base, target.session]
    found = None
    for session in sessions:
        calls = ServiceCalls(session, "organizations", session.region, log, max_attempts=options.max_attempts)
        found = capture_organization(calls, target.account_id)
        if not found.gaps and not found.outside:
            return found
    return found


def _open(options: AwsOptions, log: CallLog) -> AwsSession:
    if options.assume_role_arn:
        log.calls["sts:AssumeRole"] += 1
    try:
        return open_session(options)
    except SessionError as exc:
        hint = " (the calling identity needs sts:AssumeRole on it)" if options.assume_role_arn else ""
        raise CaptureAborted(f"{exc.message}{hint}") from None


def _identity(session: AwsSession, log: CallLog) -> dict[str, Any]:
    try:
        return ServiceCalls(session, "sts", session.region, log, max_attempts=3).call("GetCallerIdentity")
    except Refused as exc:
        raise CaptureAborted(f"who is calling is unknown: {exc}") from None


def _regions(options: CaptureOptions, base: AwsSession) -> list[str]:
    if options.all_regions:
        return sorted(base.session.get_available_regions("kms", partition_name=base.partition))
    if options.regions:
        return list(dict.fromkeys(options.regions))
    return [base.region]


def _progress(enabled: bool, err: TextIO) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    # disable=None: no bar when stderr is not a terminal (CI logs, tests).
    return tqdm(total=0, unit="key", file=err, leave=False, disable=None, desc="capture")
