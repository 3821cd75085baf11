"""Who the simulator is told calls, when a role or role session meets a resource policy.

What AWS says (botocore's IAM service model of 2026-07-30, the text behind
https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
and https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html),
in short: `CallerArn` may name an IAM user, group *or role*, never an assumed
role (session), a federated user or a service principal; it defaults to the
`PolicySourceArn` identity. The same model still notes, under `ResourcePolicy`
and `ResourceArns`, that simulating resource-based policies is not supported
for IAM roles. The two sentences disagree; only a call settles which one an
account's simulator follows.

The reading the harness takes (docs/aws-backend.md, "Role and session
callers"): send the role as itself first (`direct`), and if the simulator
refuses that caller (error code `InvalidInput`, "Caller must be an IAM user"),
answer the cell through a stand-in user (standin.py) and remember the refusal
for that partition and account for the rest of the run, so each account costs
at most one refused call. `caller_mode` pins either path.

A session is sent as its role only where that is the same question: no policy
the harness can see names a session of the role, and none uses a key whose
value belongs to the session rather than the role (the scenario's context may
set such keys). Otherwise it takes the stand-in path, as before.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from harness.backends.batching import BatchKey
from harness.engine.principals import parse_caller
from harness.engine.types import PolicySource

IAM_USER_ARN = re.compile(r"^arn:[\w-]+:iam::\d{12}:user/.+$")

# The old simulator's refusal of a role caller ("Invalid caller - Caller must be an IAM user in this
# context"): the fragment that says only a user will do. A text that goes on to allow groups or
# roles is another refusal (a session caller on today's simulator) and must not switch paths.
_USER_ONLY = re.compile(r"caller must be an iam user(?!\s*(?:,|or\b|and\b|group))", re.IGNORECASE)


class CallerMode(StrEnum):
    """`caller_mode`: how a role or session caller against a resource policy is sent."""

    AUTO = "auto"  # the role as itself; the stand-in once the account refuses that
    DIRECT = "direct"  # the role as itself only; a refusal is an error cell
    STAND_IN = "stand-in"  # always the stand-in user (the simulator as documented before 2026)

    @classmethod
    def parse(cls, text: str) -> CallerMode:
        value = text.strip().lower().replace("_", "-")
        for mode in cls:
            if value == mode.value:
                return mode
        choices = ", ".join(m.value for m in cls)
        raise ValueError(f"caller_mode must be one of {choices}, got {text!r}")


class Via(StrEnum):
    """How a role or session caller's cell was answered (the cell's `via`)."""

    DIRECT = "direct"
    STAND_IN = "stand-in caller"


def is_caller_refusal(code: str, message: str) -> bool:
    """AWS refusing a non-user as CallerArn (the simulator as documented before July 2026)."""
    return code == "InvalidInput" and _USER_ONLY.search(message) is not None


@dataclass(frozen=True, order=True)
class CallerAccount:
    """Where a role caller lives; the simulator's refusal is remembered per (partition, account)."""

    partition: str
    account: str

    @classmethod
    def of(cls, arn: str) -> CallerAccount | None:
        caller = parse_caller(arn)
        return cls(caller.partition, caller.account) if caller.account else None

    def __str__(self) -> str:
        return f"{self.partition}:{self.account}"


def resource_policy_caller(key: BatchKey) -> str | None:
    """The role or role-session ARN the simulator must take as caller against the batch's resource policy.

    None without a resource policy, for a user's own request (a user principal, whatever the
    scenario's caller: the user is the caller), and for other callers (federated, service, root).
    """
    subject = key.subject
    who = subject.caller_arn or subject.principal_arn
    if key.resource_policy is None or not who or IAM_USER_ARN.match(who):
        return None
    if subject.caller_arn and subject.principal_arn and IAM_USER_ARN.match(subject.principal_arn):
        return None
    caller = parse_caller(who)
    return who if caller.kind in ("role", "assumed-role") and caller.account else None


# Keys whose value belongs to the session, not to the role as a whole: the role session's
# properties (reference_policies_condition-keys.html, "Properties of the role session"), the
# session's own identity (aws:userid is ROLE-ID:SESSION, aws:PrincipalType AssumedRole) and
# session tags, which add to and override the role's tags (aws:PrincipalTag/*, id_session-tags.html).
SESSION_KEYS = (
    "aws:userid",
    "aws:PrincipalType",
    "aws:PrincipalTag/",
    "aws:SourceIdentity",
    "aws:TokenIssueTime",
    "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge",
    "aws:FederatedProvider",
    "aws:AssumedRoot",
    "aws:ChatbotSourceArn",
    "aws:Ec2InstanceSourceVpc",
    "aws:Ec2InstanceSourcePrivateIPv4",
    "ec2:RoleDelivery",
    "ec2:SourceInstanceArn",
    "glue:RoleAssumedBy",
    "glue:CredentialIssuingService",
    "lambda:SourceFunctionArn",
    "ssm:SourceInstanceArn",
    "identitystore:UserId",
)


def session_keys_used(referenced: Iterable[str], context_keys: Iterable[str]) -> list[str]:
    """Session keys the policies use that the scenario's context does not set."""
    given = {k.lower() for k in context_keys}
    out: set[str] = set()
    for key in referenced:
        low = key.lower()
        if low in given:
            continue
        for known in SESSION_KEYS:
            if low == known.lower():
                out.add(known)
            elif known.endswith("/") and low.startswith(known.lower()):
                out.add(known + key[len(known) :])
    return sorted(out)


def names_a_session(session_arn: str, documents: Iterable[PolicySource]) -> str | None:
    """The first document naming a session of the session's role (its ARN text), or None.

    A text search, on purpose: a session named anywhere (Principal, NotPrincipal, a condition
    value) makes the role and the session different questions.
    """
    caller = parse_caller(session_arn)
    needle = f":assumed-role/{caller.role_name}/".lower()
    for doc in documents:
        if needle in doc.text.lower():
            return doc.origin or doc.source_id
    return None


class RoleCallerMemory:
    """Per backend (one per run and process): which accounts' simulator took a role as caller.

    `claim` lets exactly one request per unknown account try the role first; the others wait
    for its answer (`settle`), so a refusing simulator is asked once per account.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._known: dict[CallerAccount, Via] = {}
        self._probing: set[CallerAccount] = set()
        self.refusals: Counter[CallerAccount] = Counter()

    def path(self, account: CallerAccount) -> Via | None:
        with self._cond:
            return self._known.get(account)

    def claim(self, account: CallerAccount) -> bool:
        """True: the caller sends the probe for `account` and must `settle` or `release` it."""
        with self._cond:
            if account in self._known or account in self._probing:
                return False
            self._probing.add(account)
            return True

    def settle(self, account: CallerAccount, via: Via, *, refused: bool = False) -> None:
        with self._cond:
            if refused:
                self.refusals[account] += 1
            self._known[account] = via
            self._probing.discard(account)
            self._cond.notify_all()

    def release(self, account: CallerAccount) -> None:
        """The probe failed for another reason: the account is still unknown."""
        with self._cond:
            self._probing.discard(account)
            self._cond.notify_all()

    def wait(self, accounts: Iterable[CallerAccount], timeout: float = 1.0) -> None:
        """Until another thread's probe for one of `accounts` ends (or `timeout`)."""
        wanted = set(accounts)
        with self._cond:
            if wanted & self._probing:
                self._cond.wait(timeout)

    def refused_accounts(self) -> list[str]:
        with self._cond:
            return sorted(str(a) for a in self.refusals)
