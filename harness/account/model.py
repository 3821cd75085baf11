"""The account model: what offline principal mode knows about an AWS account.

The format is the output of IAM `GetAccountAuthorizationDetails`
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html)
with the same keys and nesting, one entry per account under `accounts:`,
plus documented additions (docs/account-model.md): `OrganizationPath`,
`ResourcePolicies`, `Ec2` (harness/account/ec2.py), and a top-level `Organization` with
SCPs and RCPs per root/OU/account id. A snapshot of a real account can be pasted in as is.

Evaluation rules this module applies, from the IAM User Guide:
- An identity's identity-based policies are its inline policies, its attached
  managed policies and, for a user, those of every group it belongs to
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_identity-vs-resource.html).
- A role session (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`) carries
  the permissions of its role
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use.html).
- `aws:PrincipalTag/key` holds the tags attached to the principal
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltag).
- SCPs apply at every level from the root down to the account, and an action
  must be allowed at each level; they do not apply to the management account
  (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html).
  RCPs follow the same inheritance, for the account that owns the resource
  (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
- A role's trust policy is the resource-based policy of the role
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_identity-vs-resource.html:
  "role trust policies are the only resource-based policy type that IAM supports"), so a
  role ARN used as a resource (sts:AssumeRole) gets it as its resource policy.
- An alias belongs to one key in one account and Region
  (https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html), so an alias ARN
  names the key of the same account and Region that carries the alias.

A capture (harness/account/capture.py) records what it could not read as gaps; a
question whose answer depends on a gap raises CaptureGap, never answers as if the
unread policy were absent.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from harness.account.gaps import OPTIONAL_POLICY_SERVICES, REGIONAL_SECTIONS, SectionGap
from harness.engine.apishape import principal_request_fields
from harness.engine.errors import NoSuchEntity, SimulationError
from harness.engine.types import ContextEntry, KmsGrant, PolicyKind, PolicySource, SimulationInput

if TYPE_CHECKING:
    from harness.account.ec2 import Ec2Region
    from harness.account.public_access import PublicAccessBlock

ARN_IDENTITY = re.compile(
    r"^arn:(?P<partition>[\w-]+):(?P<service>iam|sts)::(?P<account>\d{12}):"
    r"(?P<kind>user|role|group|assumed-role)/(?P<rest>.+)$"
)


# Sub-resources with a policy of their own that the capture does not read, beside the resource
# the model holds: their policy is unknown, never the parent's and never "none".
# - A DynamoDB stream: "You can attach a resource-based policy to a table or a stream"
#   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/access-control-resource-based.html).
# - A Lambda version or alias (`function:NAME:QUALIFIER`): each has its own resource-based policy,
#   and a request on the qualified ARN is checked against it, not the function's
#   (https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html). A reading:
#   `$LATEST` is treated the same (unknown), which can only give an error, never a false answer.
_SUB_RESOURCE = re.compile(
    r"^(?P<parent>arn:[^:]+:dynamodb:[^:]*:\d{12}:table/[^/]+)/stream/.+$"
    r"|^(?P<function>arn:[^:]+:lambda:[^:]*:\d{12}:function:[^:]+):[^:]+$"
)
_SUB_RESOURCE_GAP = {
    "parent": "the capture does not read DynamoDB stream policies: give the stream's policy in the model",
    "function": (
        "the capture does not read the policies of Lambda versions and aliases (each has its own): "
        "give the qualified function's policy in the model"
    ),
}


class CaptureGap(SimulationError):
    """The answer depends on something the capture could not read (its AWS error code is in the message)."""

    code = "CaptureGap"


@dataclass(frozen=True)
class ManagedPolicy:
    arn: str
    name: str
    text: str
    origin: str
    # Why this policy's text is not known (a planned change: harness/plans/): using it is an error.
    gap: str | None = None

    @property
    def source_type(self) -> str:
        # IAM API Statement.SourcePolicyType: aws-managed for AWS's own policies.
        return "aws-managed" if ":iam::aws:policy/" in self.arn else "user-managed"


@dataclass(frozen=True)
class InlinePolicy:
    name: str
    text: str
    origin: str


@dataclass
class Identity:
    kind: str  # user | group | role
    name: str
    arn: str
    inline: list[InlinePolicy] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)  # managed policy ARNs
    boundary_arn: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)  # users only
    line: int = 0  # where the entry is written, for load errors
    trust_policy: PolicySource | None = None  # roles: AssumeRolePolicyDocument
    # Why its identity policies or its trust policy are not known (a planned change whose value is
    # known only after apply, harness/plans/): a cell depending on them is an error cell.
    gap: str | None = None
    trust_gap: str | None = None


@dataclass
class ResourceEntry:
    arn: str
    policy: PolicySource | None
    aliases: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)
    # Why the capture could not read what this resource's answer depends on (its policy): a
    # cell on it is an error cell naming this, never evaluated as if the policy were absent.
    gap: str | None = None
    # KMS keys: DescribeKey's KeyManager (AWS | CUSTOMER), KeyState, MultiRegion, as captured.
    key_manager: str | None = None
    key_state: str | None = None
    multi_region: bool | None = None
    # KMS keys: their grants (ListGrants), each a permission beside the key policy.
    grants: tuple[KmsGrant, ...] = ()
    # S3 buckets: their Block Public Access settings (None: none set), or why they are unknown.
    public_access_block: PublicAccessBlock | None = None
    public_access_block_gap: str | None = None


@dataclass
class Account:
    account_id: str
    organization_path: tuple[str, ...]
    users: dict[str, Identity] = field(default_factory=dict)
    groups: dict[str, Identity] = field(default_factory=dict)
    roles: dict[str, Identity] = field(default_factory=dict)
    policies: dict[str, ManagedPolicy] = field(default_factory=dict)
    resources: dict[str, ResourceEntry] = field(default_factory=dict)
    # Capture additions: sections that could not be read; an account outside any organization.
    gaps: tuple[SectionGap, ...] = ()
    outside_organization: bool = False
    # EC2 by Region (harness/account/ec2.py); None when the model has no `Ec2:` for the account.
    ec2: dict[str, Ec2Region] | None = None
    # The account's S3 Block Public Access settings (None: none set; a refused read is a gap).
    public_access_block: PublicAccessBlock | None = None

    def identities(self) -> Iterable[Identity]:
        yield from self.users.values()
        yield from self.groups.values()
        yield from self.roles.values()

    def gap_for(self, section: str) -> SectionGap | None:
        return next((g for g in self.gaps if g.section == section), None)


@dataclass(eq=False)
class AccountModel:
    """One or more accounts and their organization; answers principal-mode questions."""

    path: str
    accounts: dict[str, Account]
    scps: dict[str, tuple[PolicySource, ...]] = field(default_factory=dict)
    rcps: dict[str, tuple[PolicySource, ...]] = field(default_factory=dict)
    has_scps: bool = False
    has_rcps: bool = False
    management_account: str | None = None
    # `capture.services` of a captured file; None for a model kept by hand.
    captured_services: tuple[str, ...] | None = None
    # The model file's `vars:` after --iam-var overrides (a plan's account and Region: harness/plans/).
    variables: dict[str, str] = field(default_factory=dict)
    _aliases: dict[tuple[str, str], ResourceEntry] | None = field(default=None, init=False, repr=False)

    # -- principal mode -------------------------------------------------

    def find_identity(self, principal_arn: str) -> tuple[Account, Identity]:
        match = ARN_IDENTITY.match(principal_arn)
        if not match:
            raise NoSuchEntity(
                f"{principal_arn} is not an IAM user, role, group or assumed-role session ARN "
                f"(account model {self.path})"
            )
        account = self.accounts.get(match["account"])
        if account is None:
            known = ", ".join(sorted(self.accounts)) or "none"
            raise NoSuchEntity(
                f"account {match['account']} of {principal_arn} is not in the account model "
                f"{self.path} (accounts: {known})"
            )
        kind, rest = match["kind"], match["rest"]
        if kind == "assumed-role":
            role_name = rest.split("/", 1)[0]
            table, wanted = account.roles, role_name
        else:
            table = {"user": account.users, "role": account.roles, "group": account.groups}[kind]
            wanted = rest.rsplit("/", 1)[-1]
        identity = table.get(wanted)
        iam_gap = account.gap_for("iam")
        if identity is None and iam_gap is not None:
            raise CaptureGap(
                f"{principal_arn}: the capture could not read the identities of account "
                f"{account.account_id}: {iam_gap.describe()} (account model {self.path})"
            )
        if identity is None:
            known_arns = [i.arn for i in account.identities()]
            close = difflib.get_close_matches(principal_arn, known_arns, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise NoSuchEntity(f"{principal_arn} is not in the account model {self.path}{hint}")
        return account, identity

    def simulation_input_from_api(self, request: Mapping[str, Any]) -> SimulationInput:
        """A SimulatePrincipalPolicy request (API/CLI JSON) answered from this model.

        PolicyInputList adds policies to the principal's own; a boundary given in
        the request replaces the one attached (IAM API reference,
        SimulatePrincipalPolicy).
        """
        fields = principal_request_fields(request)
        inp = self.simulation_input_for(
            fields["policy_source_arn"],
            fields["action_names"],
            fields["resource_arns"],
            context=fields["context"],
            resource_policy=fields["resource_policy"],
            resource_owner=fields["resource_owner"],
            caller_arn=fields["caller_arn"],
            policy_exclusions=fields["policy_exclusions"],
        )
        return replace(
            inp,
            identity_policies=inp.identity_policies + fields["extra_policies"],
            permissions_boundaries=fields["permissions_boundaries"] or inp.permissions_boundaries,
            resource_handling_option=fields["resource_handling_option"],
        )

    def simulation_input_for(
        self,
        principal_arn: str,
        action_names: Sequence[str],
        resource_arns: Sequence[str],
        *,
        context: Sequence[ContextEntry],
        resource_policy: PolicySource | None = None,
        resource_owner: str | None = None,
        caller_arn: str | None = None,
        policy_exclusions: Sequence[str] = (),
        scp_levels: Sequence[Sequence[PolicySource]] | None = None,
        rcp_levels: Sequence[Sequence[PolicySource]] | None = None,
    ) -> SimulationInput:
        """The SimulatePrincipalPolicy-shaped request for an identity in this model."""
        account, identity = self.find_identity(principal_arn)
        self._check_identity_gaps(account, identity, principal_arn)
        excluded = {e.lower() for e in policy_exclusions}
        identity_policies = [
            p
            for p in self._identity_policies(account, identity)
            if p.source_id.lower() not in excluded and p.origin.rsplit(" ", 1)[-1].lower() not in excluded
        ]
        if scp_levels is None:
            self._check_organization(account.account_id, "SCPs", principal_arn)
            scps = self.scp_levels_for(account.account_id)
        else:
            scps = tuple(tuple(level) for level in scp_levels)
        if rcp_levels is None:
            rcps = self._rcps_for(account, principal_arn, resource_arns, resource_owner)
        else:
            rcps = tuple(tuple(level) for level in rcp_levels)
        return SimulationInput(
            action_names=tuple(action_names),
            resource_arns=tuple(resource_arns),
            identity_policies=tuple(identity_policies),
            permissions_boundaries=self._boundaries(account, identity),
            resource_policy=resource_policy,
            scp_levels=scps,
            rcp_levels=rcps,
            principal_arn=principal_arn,
            caller_arn=caller_arn,
            resource_owner=resource_owner,
            context=_with_principal_tags(tuple(context), identity.tags),
            # The keys' grants (a scenario's own `resource_policy:` replaces the key policy only).
            grants=tuple(g for arn in dict.fromkeys(resource_arns) for g in self.grants_for(arn)),
        )

    def _check_identity_gaps(self, account: Account, identity: Identity, principal_arn: str) -> None:
        """CaptureGap when a policy of the identity (its own, its groups', attached, boundary) is unknown."""
        holders = [identity, *(account.groups[g] for g in identity.groups if g in account.groups)]
        for holder in holders:
            arns = [*holder.attached, *([holder.boundary_arn] if holder.boundary_arn else [])]
            gaps = [holder.gap, *(getattr(account.policies.get(a), "gap", None) for a in arns)]
            why = next((g for g in gaps if g), None)
            if why:
                raise CaptureGap(f"{principal_arn}: {why} (account model {self.path})")

    def _boundaries(self, account: Account, identity: Identity) -> tuple[PolicySource, ...]:
        if not identity.boundary_arn:
            return ()
        boundary = self._managed(account, identity.boundary_arn, identity)
        return (
            PolicySource(
                text=boundary.text,
                source_id=boundary.name,
                source_type=boundary.source_type,
                kind=PolicyKind.PERMISSIONS_BOUNDARY,
                origin=boundary.origin,
            ),
        )

    def _rcps_for(
        self,
        account: Account,
        principal_arn: str,
        resource_arns: Sequence[str],
        resource_owner: str | None,
    ) -> tuple[tuple[PolicySource, ...], ...]:
        owner_account = _account_of(resource_owner) or account.account_id
        # RCPs belong to the account that owns each resource: any of them unread is a gap.
        owners = {owner_account, *(a for a in map(_account_of, resource_arns) if a in self.accounts)}
        for owner in sorted(owners):
            self._check_organization(owner, "RCPs", principal_arn)
        return self.rcp_levels_for(owner_account)

    def _identity_policies(self, account: Account, identity: Identity) -> list[PolicySource]:
        out = self._own_policies(account, identity)
        for group_name in identity.groups:
            group = account.groups.get(group_name)
            if group is not None:  # checked at load time; a missing group cannot reach here
                out.extend(self._own_policies(account, group))
        return out

    def _own_policies(self, account: Account, identity: Identity) -> list[PolicySource]:
        out = [
            PolicySource(text=p.text, source_id=p.name, source_type=identity.kind, origin=p.origin)
            for p in identity.inline
        ]
        for arn in identity.attached:
            managed = self._managed(account, arn, identity)
            out.append(
                PolicySource(
                    text=managed.text,
                    source_id=managed.name,
                    source_type=managed.source_type,
                    origin=managed.origin,
                )
            )
        return out

    def _managed(self, account: Account, arn: str, identity: Identity) -> ManagedPolicy:
        policy = account.policies.get(arn)
        if policy is None:
            raise NoSuchEntity(f"managed policy {arn} used by {identity.arn} is not in {self.path}")
        return policy

    # -- organization ---------------------------------------------------

    def organization_gap(self, account_id: str) -> SectionGap | None:
        """The capture could not read this account's organization path or policies (SCPs, RCPs)."""
        account = self.accounts.get(account_id)
        if account is None or account_id == self.management_account:
            return None  # SCPs and RCPs do not apply to the management account
        return account.gap_for("organizations")

    def _check_organization(self, account_id: str, what: str, principal_arn: str) -> None:
        gap = self.organization_gap(account_id)
        if gap is not None:
            raise CaptureGap(
                f"the {what} of account {account_id} (for {principal_arn}) could not be read by the capture: "
                f"{gap.describe()} (account model {self.path}); give the scenario its own "
                f"`{what.lower()}:` or capture with a role that may read Organizations"
            )

    def scp_levels_for(self, account_id: str) -> tuple[tuple[PolicySource, ...], ...]:
        return self._levels(account_id, self.scps, self.has_scps)

    def rcp_levels_for(self, account_id: str) -> tuple[tuple[PolicySource, ...], ...]:
        return self._levels(account_id, self.rcps, self.has_rcps)

    def _levels(
        self, account_id: str, table: Mapping[str, tuple[PolicySource, ...]], enabled: bool
    ) -> tuple[tuple[PolicySource, ...], ...]:
        account = self.accounts.get(account_id)
        if not enabled or account is None or account.outside_organization:
            return ()
        if account_id == self.management_account:
            return ()
        # A level with no policy attached allows nothing, exactly as in AWS.
        return tuple(table.get(level, ()) for level in (*account.organization_path, account_id))

    # -- resources ------------------------------------------------------

    def _resource(self, arn: str) -> ResourceEntry | None:
        for account in self.accounts.values():
            entry = account.resources.get(arn)
            if entry is not None:
                return entry
        if arn.startswith("arn:") and ":s3:::" in arn and "/" in arn:
            # An object's bucket policy is the bucket's.
            return self._resource(arn.split("/", 1)[0])
        if ":s3:" in arn and ":accesspoint/" in arn and "/object/" in arn:
            # An object requested through an access point: the access point's policy
            # (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html).
            return self._resource(arn.split("/object/", 1)[0])
        if ":dynamodb:" in arn and "/index/" in arn:
            # "You can control index permissions using the base table's policy"
            # (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutResourcePolicy.html).
            return self._resource(arn.split("/index/", 1)[0])
        if ":kms:" in arn and ":alias/" in arn:
            return self._key_of_alias(arn)
        role = ARN_IDENTITY.match(arn)
        if role and role["kind"] == "role":
            account = self.accounts.get(role["account"])
            ident = account.roles.get(role["rest"].rsplit("/", 1)[-1]) if account else None
            if ident is not None and (ident.trust_policy is not None or ident.trust_gap):
                return ResourceEntry(arn, ident.trust_policy, gap=ident.trust_gap)
        return None

    def _key_of_alias(self, alias_arn: str) -> ResourceEntry | None:
        prefix, alias = alias_arn.split(":alias/", 1)
        # Same partition, Region and account. Indexed on first use, so a cell costs one look-up
        # however many keys the model holds (the model is not changed after loading).
        if self._aliases is None:
            self._aliases = {}
            for account in self.accounts.values():
                for entry in account.resources.values():
                    if ":key/" in entry.arn:
                        key_prefix = entry.arn.split(":key/", 1)[0]
                        for name in entry.aliases:
                            self._aliases.setdefault((key_prefix, name), entry)
        return self._aliases.get((prefix, f"alias/{alias}"))

    def key_arn_for_alias(self, alias_arn: str) -> str | None:
        """The ARN of the key carrying this alias (same partition, account and Region), or None."""
        entry = self._key_of_alias(alias_arn) if ":alias/" in alias_arn else None
        return entry.arn if entry else None

    def _section_gap(self, arn: str) -> SectionGap | None:
        """The section gap of the account and Region an ARN not in the model would belong to."""
        parts = arn.split(":")
        if len(parts) < 6 or parts[0] != "arn":
            return None
        service, region, account_id = parts[2], parts[3], parts[4]
        if service in REGIONAL_SECTIONS:  # a listing refused in that account and Region
            account = self.accounts.get(account_id)
            return account.gap_for(f"{service}/{region}") if account else None
        if service == "s3" and region and account_id:  # an access point: listed per Region
            account = self.accounts.get(account_id)
            return account.gap_for(f"s3/{region}") if account else None
        if service == "s3":  # bucket ARNs carry no account: any account's S3 gap may hide it
            return next((a.gap_for("s3") for a in self.accounts.values() if a.gap_for("s3")), None)
        return None

    def uncaptured_service(self, service: str) -> str | None:
        """Why the model knows none of `service`'s resources: its capture was not asked to read them.

        None for a hand-written model (no `capture:` block: what it holds is what there is) and for
        a service the capture read; otherwise a resource of it is unknown, never "no policy".
        """
        if self.captured_services is None or service not in OPTIONAL_POLICY_SERVICES:
            return None
        if service in self.captured_services:
            return None
        name = "S3" if service == "s3" else service
        return f"the capture that wrote {self.path} did not read {name}: capture it with --services {service}"

    def resource_policy_for(self, arn: str) -> PolicySource | None:
        entry = self._resource(arn)
        return entry.policy if entry else None

    def resource_gap(self, arn: str) -> str | None:
        """Why this resource's policy is not known (a capture gap), or None."""
        entry = self._resource(arn)
        if entry is not None:
            return entry.gap
        sub = _SUB_RESOURCE.match(arn)
        if sub is not None and sub.lastgroup is not None and self._resource(sub[sub.lastgroup]) is not None:
            return _SUB_RESOURCE_GAP[sub.lastgroup]
        service = arn.split(":")[2] if arn.startswith("arn:") and arn.count(":") >= 5 else ""
        uncaptured = self.uncaptured_service(service)
        if uncaptured is not None:
            return uncaptured
        section = self._section_gap(arn)
        if section is not None:
            return f"the capture could not list the resources holding {arn}: {section.describe()}"
        return None

    def key_manager(self, arn: str) -> str | None:
        """`AWS` or `CUSTOMER` for a KMS key (or an alias ARN naming one) the model holds, else None."""
        entry = self._resource(arn)
        return entry.key_manager if entry else None

    def grants_for(self, arn: str) -> tuple[KmsGrant, ...]:
        """The KMS grants of the key `arn` names (a key or an alias ARN), re-aimed at `arn`."""
        entry = self._resource(arn)
        if entry is None or not entry.grants:
            return ()
        if entry.arn == arn:
            return entry.grants
        return tuple(replace(g, resource=arn) for g in entry.grants)

    def resource_context_for(self, arn: str) -> tuple[ContextEntry, ...]:
        """Context the resource itself supplies: kms:ResourceAliases, aws:ResourceTag/*."""
        entry = self._resource(arn)
        if entry is None:
            return ()
        out: list[ContextEntry] = []
        if entry.aliases:
            out.append(ContextEntry("kms:ResourceAliases", entry.aliases, "stringList"))
        for key, value in entry.tags.items():
            out.append(ContextEntry(f"aws:ResourceTag/{key}", (value,), "string"))
        return tuple(out)

    def principal_arns(self) -> list[str]:
        return [i.arn for a in self.accounts.values() for i in a.identities()]

    def documents(self) -> list[PolicySource]:
        """Every policy in the model, for run metadata (sha256 of each document)."""
        out: list[PolicySource] = []
        for account in self.accounts.values():
            for ident in account.identities():
                out.extend(
                    PolicySource(text=p.text, source_id=p.name, source_type=ident.kind, origin=p.origin)
                    for p in ident.inline
                )
            out.extend(
                PolicySource(text=p.text, source_id=p.name, source_type=p.source_type, origin=p.origin)
                for p in account.policies.values()
            )
            out.extend(e.policy for e in account.resources.values() if e.policy)
            out.extend(r.trust_policy for r in account.roles.values() if r.trust_policy)
        for levels in (self.scps, self.rcps):
            for docs in levels.values():
                out.extend(docs)
        return out


def _account_of(arn: str | None) -> str | None:
    if not arn:
        return None
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else None


def _with_principal_tags(
    context: tuple[ContextEntry, ...], tags: Mapping[str, str]
) -> tuple[ContextEntry, ...]:
    present = {e.key.lower() for e in context}
    extra = [
        ContextEntry(f"aws:PrincipalTag/{k}", (v,), "string")
        for k, v in tags.items()
        if f"aws:principaltag/{k}".lower() not in present
    ]
    return context + tuple(extra)
