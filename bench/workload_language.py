"""Deterministic generator of distinct SimulateCustomPolicy requests covering the whole policy language.

    python bench/workload_language.py --count 4000 --seed 7 > requests.jsonl
    python bench/workload_language.py --count 4000 --seed 7 --coverage   # what the requests hold

The second workload of the engine benchmark (bench/workload.py is the first), with
its conventions: the same seed always gives the same requests; every request is
its own case (its caller, names and values carry its index); actions and resource
types are real pairs (the ActionNames of a request all take the resource type of
its ResourceArns) and every context key a request carries applies to every action
it names, with the ContextKeyType AWS's service reference gives the key; shared
"managed" policies appear only as often as accounts share them (zero to two of
four per request). Beyond workload.py it covers every condition operator (Null
included), `...IfExists`, `ForAllValues:`/`ForAnyValue:` on multivalued keys
(stringList context entries), NotAction, NotResource, NotPrincipal, Principal in
its forms, policy variables in resources and condition values (defaults and the
`${*}`/`${?}`/`${$}` literals too), date, IP (v4 and v6), ARN, numeric, binary
(base64) and boolean values, SCP levels, permissions boundaries and resource
policies.

Where the frequencies come from
-------------------------------
Measured with bench/managed_frequencies.py over the AWS managed policies of
github.com/zoph-io/MAMIP at commit 0387244e53a3dbe038810ef3463489c2c6836f06
(snapshot of 2026-03-07: 1,523 policies, 7,972 statements, 4,558 condition
clauses), and used for identity policies and permissions boundaries:

- statements per policy 1-9: 561, 225, 142, 112, 106, 44, 61, 41, 34; ">= 10":
  197 (median 16), drawn uniformly from 10-22;
- Effect Deny 81 of 7,972 statements; NotAction 13; NotResource 15; a Condition 3,251;
- actions per statement 1-9: 3,761, 1,361, 695, 475, 327, 235, 177, 121, 100;
  ">= 10": 720, drawn from 10-22 (at most the service's list below); action
  shapes exact 49,874, wildcarded 2,736, "*" 4;
- resources per statement 1-5: 7,040, 507, 189, 89, 36; ">= 6": 111, drawn from
  6-8; shapes "*" 3,913, wildcarded 6,353, with a variable 145, exact 19;
- clauses per Condition 1-4: 2,326, 673, 170, 56; ">= 5": 26, drawn from 5-6;
  values per clause 1-3: 4,082, 236, 121; ">= 4": 119, drawn from 4-6;
- operators per clause: StringEquals 2,776, StringLike 841, Null 494,
  StringNotEquals 145, ArnLike 127, Bool 101, ArnEquals 36,
  StringEqualsIgnoreCase 25, StringNotLike 8, ArnNotLike 4,
  NumericGreaterThanEquals 1; qualifiers ForAnyValue 332, ForAllValues 245 (all
  but 4 on string operators, so drawn for string clauses only), IfExists 67 (drawn
  for every operator but Null);
- condition values holding a variable: 898 of 5,615 (a string or ARN clause gets
  one at that rate, scaled to the clauses whose operators take variables);
- condition keys weighted by their clause counts (aws:ResourceTag/ 799,
  aws:ResourceAccount 567, aws:RequestTag/ 423, iam:PassedToService 284,
  aws:TagKeys 272, iam:AWSServiceName 223, aws:CalledVia 210, kms:ViaService 187,
  aws:PrincipalTag/ 147, ...); policy variables by their uses
  (aws:PrincipalAccount 602, aws:PrincipalTag/ 361, aws:userid 35,
  aws:SourceIdentity 29, aws:ResourceAccount 17, aws:username 11, ...).

Chosen, where managed policies have none or almost none (floors):

- every operator gets at least 1.4% of the generated condition clauses, about 1%
  of all clauses once those of the shared policies and SCP region guards are
  counted (Numeric*, Date*, IpAddress, NotIpAddress, BinaryEquals,
  StringNotEqualsIgnoreCase, ArnNotEquals never occur in managed policies); the
  operators measured above that share the rest in their measured proportions;
- every key and every variable of the tables below weighs at least 10 clauses
  (uses), so keys managed policies never test (aws:SourceIp, aws:CurrentTime,
  aws:MultiFactorAuthAge, ...) still occur;
- Principal and NotPrincipal (managed policies are identity policies): resource
  policies on 30% of the requests whose resource type has them (IAM roles' trust
  policies do not apply to these actions), on 90% of the KMS ones (every key has a
  key policy, 80% of them opening with the default statement for the account);
  1-4 statements, a quarter of those requests cross-account; principal forms caller ARN 25%, account root
  ARN 15%, account ID 10%, "*" 10%, {"AWS": "*"} 10%, another user or role 10%, a
  list 10%, Service 4%, Federated 3%, CanonicalUser 3%; NotPrincipal on 40% of
  their Deny statements (35% of statements after the first);
- SCPs on 35% of requests: 1-3 levels, each FullAWSAccess (85%) or an allow-list,
  half of them with a deny SCP of 1-3 statements (region guard with NotAction 20%,
  NotResource 5%, otherwise a Deny with a Condition 80% of the time);
- permissions boundaries on 25% of requests: a broad Allow, then statements as above;
- callers: IAM users 80%, roles 20%. A context key a policy tests is present 75%
  of the time (90% for those the caller or resource determines, as
  aws:PrincipalArn), with a value that satisfies the clause about half the time;
  keys of the binary type do not exist in AWS's reference, so BinaryEquals tests
  two tag keys sent as `binary`. S3 requests carry no aws:ResourceTag (S3 reads it
  only on buckets with attribute-based access control enabled).
"""

from __future__ import annotations

import argparse
import base64
import ipaddress
import json
import random
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Generic, TypeVar

from managed_frequencies import Frequencies, format_table

T = TypeVar("T")

VERSION = "2012-10-17"
REGIONS = ("us-east-1", "eu-west-3", "ap-southeast-2")
ACCOUNTS = ("111122223333", "444455556666", "777788889999")
ORG_IDS = ("o-a1b2c3d4e5", "o-f6g7h8i9j0")
ORG_PATHS = ("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/", "o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/")
SERVICE_PRINCIPALS = (
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "glue.amazonaws.com",
    "cloudformation.amazonaws.com",
    "athena.amazonaws.com",
)
LINKED_SERVICES = ("elasticbeanstalk.amazonaws.com", "autoscaling.amazonaws.com", "rds.amazonaws.com")
TAG_NAMES = ("team", "env", "project", "owner", "cost-center", "Name")
ENVS = ("prod", "staging", "dev", "test")
VIA_SERVICES = ("s3", "ec2", "rds")
EPOCH_2026 = 1_767_225_600  # 2026-01-01T00:00:00Z

# --- measured (see the docstring) --------------------------------------------------------------
STATEMENTS = 7_972
CLAUSES = 4_558
DENY = 81 / STATEMENTS
NOT_ACTION = 13 / STATEMENTS
NOT_RESOURCE = 15 / STATEMENTS
WITH_CONDITION = 3_251 / STATEMENTS
MEASURED_OPERATORS = {
    "StringEquals": 2_776,
    "StringLike": 841,
    "Null": 494,
    "StringNotEquals": 145,
    "ArnLike": 127,
    "Bool": 101,
    "ArnEquals": 36,
    "StringEqualsIgnoreCase": 25,
    "StringNotLike": 8,
    "ArnNotLike": 4,
    "NumericGreaterThanEquals": 1,
}
# Qualified clauses are string clauses: their shares are taken within the string operators.
STRING_SHARE = sum(n for op, n in MEASURED_OPERATORS.items() if op.startswith("String")) / CLAUSES
FOR_ANY = 332 / CLAUSES / STRING_SHARE
FOR_ALL = 245 / CLAUSES / STRING_SHARE
IF_EXISTS = 67 / (CLAUSES - MEASURED_OPERATORS["Null"])
# 898 of 5,615 values hold a variable; all of those sit under operators that allow variables.
VARIABLE_VALUES = 898 / 5_615 * CLAUSES / (CLAUSES - MEASURED_OPERATORS["Null"])

# --- chosen (see the docstring) ----------------------------------------------------------------
OPERATOR_FLOOR = 0.014
KEY_FLOOR = 10
P_RESOURCE_POLICY = 0.30
P_KEY_POLICY = 0.90  # every KMS key has a key policy; a simulation may leave it out
P_DEFAULT_KEY_STATEMENT = 0.80  # a key policy opens with the default statement for the account
P_CROSS_ACCOUNT = 0.25
P_SCP = 0.35
P_BOUNDARY = 0.25
P_ROLE_CALLER = 0.20
PRESENT = 0.75
DERIVED_PRESENT = 0.90
HINT_TAKEN = 0.6  # a key's value is the one a variable clause resolves to
MATCH = 0.5  # a clause value is built from the key's value in the request
REQUESTED_BIAS = 0.6  # a statement about the request's resource type names one of its actions
DEFAULT_VALUE = 0.1  # `${key, 'default'}` among variables
LITERAL_SPECIAL = 0.004  # `${*}`, `${?}`, `${$}` among string values


class Weighted(Generic[T]):
    """Items drawn in proportion to their weights, reproducibly from a seeded Random."""

    def __init__(self, weights: dict[T, float]) -> None:
        self.items = tuple(weights)
        total, cumulative = 0.0, []
        for w in weights.values():
            total += w
            cumulative.append(total)
        self.cumulative = tuple(cumulative)

    def pick(self, rng: random.Random) -> T:
        return rng.choices(self.items, cum_weights=self.cumulative)[0]


@dataclass(frozen=True)
class Lengths:
    """A measured histogram of list lengths whose last bucket (">= n") is drawn uniformly from `tail`."""

    counts: Weighted[int]
    tail: range

    def draw(self, rng: random.Random) -> int:
        n = self.counts.pick(rng)
        return rng.choice(self.tail) if n == self.tail.start else n


STATEMENTS_PER_POLICY = Lengths(
    Weighted({1: 561, 2: 225, 3: 142, 4: 112, 5: 106, 6: 44, 7: 61, 8: 41, 9: 34, 10: 197}), range(10, 23)
)
ACTIONS_PER_STATEMENT = Lengths(
    Weighted({1: 3761, 2: 1361, 3: 695, 4: 475, 5: 327, 6: 235, 7: 177, 8: 121, 9: 100, 10: 720}),
    range(10, 23),
)
RESOURCES_PER_STATEMENT = Lengths(Weighted({1: 7040, 2: 507, 3: 189, 4: 89, 5: 36, 6: 111}), range(6, 9))
CLAUSES_PER_CONDITION = Lengths(Weighted({1: 2326, 2: 673, 3: 170, 4: 56, 5: 26}), range(5, 7))
VALUES_PER_CLAUSE = Lengths(Weighted({1: 4082, 2: 236, 3: 121, 4: 119}), range(4, 7))
ACTION_SHAPES = Weighted({"exact": 49_874, "wildcarded": 2_736, "*": 4})
RESOURCE_SHAPES = Weighted({"*": 3_913, "wildcarded": 6_353, "variable": 145, "exact": 19})


class Family(Enum):
    """What a condition key holds; decides its operators and its ContextKeyType."""

    STRING = "string"
    LIST = "stringList"
    ARN = "arn"
    NUMERIC = "numeric"
    DATE = "date"
    BOOL = "boolean"
    IP = "ip"
    BINARY = "binary"

    @property
    def context_type(self) -> str:
        return "string" if self is Family.ARN else self.value


STRING_OPERATORS = ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase")
COMPARISONS = ("Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")
OPERATOR_FAMILY: dict[str, Family | None] = {
    **dict.fromkeys((*STRING_OPERATORS, "StringLike", "StringNotLike"), Family.STRING),
    **{f"Numeric{c}": Family.NUMERIC for c in COMPARISONS},
    **{f"Date{c}": Family.DATE for c in COMPARISONS},
    "Bool": Family.BOOL,
    "BinaryEquals": Family.BINARY,
    "IpAddress": Family.IP,
    "NotIpAddress": Family.IP,
    **dict.fromkeys(("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"), Family.ARN),
    "Null": None,  # any key
}
OPERATORS = tuple(OPERATOR_FAMILY)
VARIABLE_OPERATORS = frozenset(op for op in OPERATORS if op.startswith(("String", "Arn")))


def floored_shares(measured: dict[str, int], names: Iterable[str], floor: float) -> dict[str, float]:
    """Measured shares, every name raised to at least `floor`; the others scaled to fill the rest."""
    total = sum(measured.values())
    shares = {name: measured.get(name, 0) / total for name in names}
    low = [n for n, s in shares.items() if s < floor]
    high_total = sum(s for n, s in shares.items() if n not in low)
    scale = (1 - floor * len(low)) / high_total
    return {n: floor if n in low else s * scale for n, s in shares.items()}


OPERATOR_WEIGHTS = Weighted(floored_shares(MEASURED_OPERATORS, OPERATORS, OPERATOR_FLOOR))


# --- resource types ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResourceType:
    """A resource type and the actions that take it; how its ARNs are written."""

    name: str
    service: str
    requested: tuple[str, ...]  # ActionNames of a request about this type: all take it
    prefix: str  # resource part before the name: "table/", "function:", ...
    stem: str  # random names are stem-NNNN
    regional: bool = True  # the ARN has a region (and then an account)
    in_account: bool = True  # the ARN has an account
    tail: str = ""  # "object": /dir/obj.txt after the name; "secret": -XXXXXX
    user_named: bool = True  # names may be the caller's or team's, so variables can match them
    resource_policy: float = P_RESOURCE_POLICY  # share of requests with a ResourcePolicy
    service_keys: tuple[str, ...] = ()  # service condition keys every requested action supports


TYPES = (
    ResourceType(
        "s3 object",
        "s3",
        ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging"),
        "",
        "bucket",
        regional=False,
        in_account=False,
        tail="object",
        service_keys=("s3:ResourceAccount", "s3:TlsVersion", "s3:authType", "s3:signatureAge"),
    ),
    ResourceType(
        "s3 bucket",
        "s3",
        ("s3:ListBucket", "s3:GetBucketPolicy", "s3:GetBucketTagging"),
        "",
        "bucket",
        regional=False,
        in_account=False,
        service_keys=("s3:ResourceAccount", "s3:TlsVersion", "s3:signatureversion"),
    ),
    ResourceType(
        "kms key",
        "kms",
        ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"),
        "key/",
        "",
        user_named=False,
        resource_policy=P_KEY_POLICY,
        service_keys=(
            "kms:ViaService",
            "kms:CallerAccount",
            "kms:EncryptionContextKeys",
            "kms:ResourceAliases",
            "kms:MultiRegion",
        ),
    ),
    ResourceType(
        "sqs queue",
        "sqs",
        ("sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
        "",
        "queue",
    ),
    ResourceType(
        "dynamodb table",
        "dynamodb",
        ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:DeleteItem"),
        "table/",
        "table",
        service_keys=("dynamodb:LeadingKeys", "dynamodb:Attributes"),
    ),
    ResourceType("sns topic", "sns", ("sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes"), "", "topic"),
    ResourceType(
        "lambda function",
        "lambda",
        ("lambda:InvokeFunction", "lambda:GetFunction", "lambda:UpdateFunctionCode"),
        "function:",
        "fn",
    ),
    ResourceType(
        "secret",
        "secretsmanager",
        ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
        "secret:",
        "app",
        tail="secret",
    ),
    ResourceType(
        "iam role",
        "iam",
        ("iam:GetRole", "iam:TagRole"),
        "role/",
        "svc",
        regional=False,
        resource_policy=0.0,
        service_keys=("iam:ResourceTag/team",),
    ),
    ResourceType(
        "iam role passed",
        "iam",
        ("iam:PassRole",),
        "role/",
        "svc",
        regional=False,
        resource_policy=0.0,
        service_keys=("iam:PassedToService", "iam:AssociatedResourceArn", "iam:ResourceTag/team"),
    ),
    ResourceType(
        "iam service-linked role",
        "iam",
        ("iam:CreateServiceLinkedRole",),
        "role/aws-service-role/",
        "svc",
        regional=False,
        user_named=False,
        resource_policy=0.0,
        service_keys=("iam:AWSServiceName",),
    ),
)

# Real actions of each service, for policy Action lists (the requested ones are among them).
SERVICE_ACTIONS: dict[str, tuple[str, ...]] = {
    "s3": (
        "GetObject", "PutObject", "DeleteObject", "GetObjectTagging", "PutObjectTagging",
        "GetObjectVersion", "GetObjectAcl", "PutObjectAcl", "AbortMultipartUpload",
        "ListMultipartUploadParts", "RestoreObject", "GetObjectAttributes", "ListBucket",
        "GetBucketPolicy", "GetBucketTagging", "GetBucketLocation", "ListBucketVersions",
        "GetBucketVersioning", "PutBucketPolicy", "GetEncryptionConfiguration", "ListAllMyBuckets",
    ),
    "kms": (
        "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom",
        "ReEncryptTo", "DescribeKey", "CreateGrant", "ListGrants", "RevokeGrant", "GetKeyPolicy",
        "ListKeys", "ListAliases", "GetKeyRotationStatus", "Sign", "Verify", "TagResource",
    ),
    "sqs": (
        "SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl",
        "ChangeMessageVisibility", "ListQueues", "PurgeQueue", "SetQueueAttributes", "ListQueueTags",
        "TagQueue", "ListDeadLetterSourceQueues",
    ),
    "dynamodb": (
        "GetItem", "PutItem", "Query", "DeleteItem", "UpdateItem", "Scan", "BatchGetItem",
        "BatchWriteItem", "DescribeTable", "ConditionCheckItem", "ListTables", "DescribeTimeToLive",
        "ListTagsOfResource",
    ),
    "sns": (
        "Publish", "Subscribe", "GetTopicAttributes", "ListTopics", "ListSubscriptionsByTopic",
        "SetTopicAttributes", "Unsubscribe", "CreateTopic", "DeleteTopic", "TagResource",
        "ListTagsForResource",
    ),
    "lambda": (
        "InvokeFunction", "GetFunction", "UpdateFunctionCode", "GetFunctionConfiguration",
        "ListFunctions", "UpdateFunctionConfiguration", "GetPolicy", "ListVersionsByFunction",
        "PublishVersion", "InvokeAsync", "ListTags", "TagResource", "GetAlias",
    ),
    "secretsmanager": (
        "GetSecretValue", "DescribeSecret", "ListSecrets", "PutSecretValue", "UpdateSecret",
        "ListSecretVersionIds", "GetResourcePolicy", "TagResource", "RotateSecret", "GetRandomPassword",
    ),
    "iam": (
        "GetRole", "PassRole", "TagRole", "ListRoles", "ListRolePolicies", "GetRolePolicy",
        "ListAttachedRolePolicies", "CreateServiceLinkedRole", "GetUser", "ListUsers", "ListRoleTags",
        "UpdateAssumeRolePolicy",
    ),
}  # fmt: skip
GLOBAL_ACTIONS = ("iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*", "route53:*")


def _name(rng: random.Random, stem: str) -> str:
    return f"{stem}-{rng.randrange(10_000):04d}"


@dataclass(frozen=True)
class Caller:
    """Who asks, about what: everything of a request that its values are drawn from."""

    index: int
    account: str
    region: str
    team: str
    name: str  # the user's or role's name
    arn: str
    is_user: bool
    userid: str
    resource_account: str
    rtype: ResourceType
    resources: tuple[str, ...]


def resource_arn(rng: random.Random, rtype: ResourceType, region: str, account: str, name: str) -> str:
    tail = ""
    if rtype.tail == "object":
        tail = f"/{_name(rng, 'dir')}/{_name(rng, 'obj')}.txt"
    elif rtype.tail == "secret":
        tail = "-" + "".join(rng.choice("ABCDEFabcdef") for _ in range(6))
    return (
        f"arn:aws:{rtype.service}:{region if rtype.regional else ''}:"
        f"{account if rtype.in_account else ''}:{rtype.prefix}{name}{tail}"
    )


def resource_name(rng: random.Random, rtype: ResourceType, team: str, user: str) -> str:
    if rtype.name == "kms key":
        return f"{rng.getrandbits(128):032x}"
    if rtype.name == "iam service-linked role":
        return f"{rng.choice(LINKED_SERVICES)}/AWSServiceRoleFor{rng.randrange(100)}"
    roll = rng.random()
    if rtype.user_named and roll < 0.2:
        return user
    if rtype.user_named and roll < 0.4:
        return f"{team}-{rng.randrange(100)}"
    return _name(rng, rtype.stem)


def make_caller(rng: random.Random, index: int, rtype: ResourceType, cross_account: bool) -> Caller:
    account, region = rng.choice(ACCOUNTS), rng.choice(REGIONS)
    team = f"team{index}"
    is_user = rng.random() >= P_ROLE_CALLER
    name = f"{team}-{_name(rng, 'user' if is_user else 'app')}"
    owner = rng.choice([a for a in ACCOUNTS if a != account]) if cross_account else account
    resources = tuple(
        dict.fromkeys(
            resource_arn(rng, rtype, region, owner, resource_name(rng, rtype, team, name))
            for _ in range(rng.randint(1, 2))
        )
    )
    return Caller(
        index=index,
        account=account,
        region=region,
        team=team,
        name=name,
        arn=f"arn:aws:iam::{account}:{'user' if is_user else 'role'}/{name}",
        is_user=is_user,
        userid=f"{'AIDA' if is_user else 'AROA'}{index:017d}",
        resource_account=owner,
        rtype=rtype,
        resources=resources,
    )


# --- condition keys ----------------------------------------------------------------------------

Sampler = Callable[[random.Random, Caller], tuple[str, ...]]


@dataclass(frozen=True)
class KeySpec:
    """A condition key, its family, weight and how a request's value for it is drawn."""

    name: str
    family: Family
    weight: float  # clause count in managed policies, at least KEY_FLOOR
    sample: Sampler
    pinned: bool = False  # the value follows from the caller or resource: never taken from a hint
    derived: bool = False  # our enforced decision fills it from the caller or resource when absent

    @property
    def service(self) -> str:
        """The service of a service key; "" for a global (aws:) key."""
        return "" if self.name.startswith("aws:") else self.name.split(":", 1)[0]


def _one(values: Iterable[str]) -> Sampler:
    pool = tuple(values)
    return lambda r, c: (r.choice(pool),)


def _some(values: Iterable[str], most: int) -> Sampler:
    pool = tuple(values)
    return lambda r, c: tuple(r.sample(pool, r.randint(1, most)))


def _team(r: random.Random, c: Caller) -> tuple[str, ...]:
    return (r.choice([c.team, c.team, f"team{r.randrange(4000)}", "platform"]),)


def _iso(r: random.Random, c: Caller) -> tuple[str, ...]:
    moment = datetime.fromtimestamp(EPOCH_2026 + r.randrange(365 * 86_400), UTC)
    return (moment.strftime("%Y-%m-%dT%H:%M:%SZ"),)


def _ip(r: random.Random, c: Caller) -> tuple[str, ...]:
    if r.random() < 0.25:
        # Written canonically, as a request carries it (2001:db8::5, not 2001:db8:0::5).
        return (str(ipaddress.ip_address(f"2001:db8:{r.randrange(4):x}::{r.randrange(1, 65_535):x}")),)
    if r.random() < 0.3:
        return (f"203.0.113.{r.randrange(1, 255)}",)
    return (f"10.{r.randrange(4)}.{r.randrange(256)}.{r.randrange(1, 255)}",)


def _binary(r: random.Random, c: Caller) -> tuple[str, ...]:
    return (base64.b64encode(f"signature-{r.randrange(6)}".encode()).decode(),)


def _source_arn(r: random.Random, c: Caller) -> tuple[str, ...]:
    n = r.randrange(4)
    return (
        r.choice(
            [
                f"arn:aws:sns:{c.region}:{c.account}:topic-{n}",
                f"arn:aws:s3:::bucket-{n}",
                f"arn:aws:events:{c.region}:{c.account}:rule/{c.team}-{n}",
            ]
        ),
    )


def _vpc(r: random.Random) -> str:
    return f"vpc-0{r.randrange(4)}a1b2c3"


def _key(name: str, family: Family, count: int, sample: Sampler, **flags: bool) -> KeySpec:
    return KeySpec(name, family, max(count, KEY_FLOOR), sample, **flags)


S, L, A = Family.STRING, Family.LIST, Family.ARN
KEYS = (
    # aws:ResourceTag/ 799, aws:RequestTag/ 423, aws:PrincipalTag/ 147 clauses, spread over their tags
    _key("aws:ResourceTag/team", S, 300, _team),
    _key("aws:ResourceTag/env", S, 200, _one(ENVS)),
    _key("aws:ResourceTag/owner", S, 150, lambda r, c: (r.choice([c.name, _name(r, "user")]),)),
    _key("aws:ResourceTag/project", S, 149, lambda r, c: (f"{c.team}-{r.randrange(3)}",)),
    _key("aws:RequestTag/team", S, 200, _team),
    _key("aws:RequestTag/env", S, 123, _one(ENVS)),
    _key("aws:RequestTag/project", S, 100, lambda r, c: (f"{c.team}-{r.randrange(3)}",)),
    _key("aws:PrincipalTag/team", S, 60, _team),
    _key("aws:PrincipalTag/project", S, 40, lambda r, c: (f"{c.team}-{r.randrange(3)}",)),
    _key("aws:PrincipalTag/env", S, 27, _one(ENVS)),
    _key("aws:PrincipalTag/cost-center", S, 20, lambda r, c: (f"cc-{r.randrange(4):03d}",)),
    _key("aws:ResourceAccount", S, 567, lambda r, c: (c.resource_account,), pinned=True, derived=True),
    _key("aws:PrincipalAccount", S, 17, lambda r, c: (c.account,), pinned=True, derived=True),
    _key("aws:SourceAccount", S, 0, _one(ACCOUNTS)),
    _key("aws:RequestedRegion", S, 1, lambda r, c: (r.choice([c.region, *REGIONS]),)),
    _key("aws:PrincipalOrgID", S, 1, _one(ORG_IDS)),
    _key("aws:SourceVpc", S, 0, lambda r, c: (_vpc(r),)),
    _key("aws:SourceVpce", S, 0, lambda r, c: (f"vpce-0{r.randrange(4)}d4e5f6",)),
    _key("aws:username", S, 0, lambda r, c: (c.name,) if c.is_user else (), pinned=True, derived=True),
    _key("aws:userid", S, 0, lambda r, c: (c.userid,), pinned=True),
    _key("aws:SourceIdentity", S, 0, lambda r, c: (r.choice([c.name, f"session-{r.randrange(4)}"]),)),
    _key("aws:CalledViaFirst", S, 57, _one(SERVICE_PRINCIPALS)),
    _key("aws:CalledViaLast", S, 40, _one(SERVICE_PRINCIPALS)),
    _key("iam:PassedToService", S, 284, _one(SERVICE_PRINCIPALS)),
    _key("iam:AWSServiceName", S, 223, _one(LINKED_SERVICES)),
    _key("iam:ResourceTag/team", S, 9, _team),
    _key("kms:ViaService", S, 187, lambda r, c: (f"{r.choice(VIA_SERVICES)}.{c.region}.amazonaws.com",)),
    _key("kms:CallerAccount", S, 0, lambda r, c: (c.account,), pinned=True, derived=True),
    _key("s3:ResourceAccount", S, 9, lambda r, c: (c.resource_account,), pinned=True),
    _key("s3:authType", S, 1, _one(("REST-HEADER", "REST-QUERY-STRING", "POST"))),
    _key("s3:signatureversion", S, 1, _one(("AWS4-HMAC-SHA256", "AWS"))),
    _key("aws:TagKeys", L, 272, _some(TAG_NAMES, 3)),
    _key("aws:CalledVia", L, 210, _some(SERVICE_PRINCIPALS, 2)),
    _key("aws:PrincipalOrgPaths", L, 0, _some(ORG_PATHS, 2)),
    _key("kms:EncryptionContextKeys", L, 53, _some(("aws:s3:arn", "aws:ebs:id", "department", "tenant"), 2)),
    _key("kms:ResourceAliases", L, 2, lambda r, c: tuple(r.sample(("alias/app", f"alias/{c.team}"), 1))),
    _key("dynamodb:LeadingKeys", L, 0, lambda r, c: (r.choice([c.userid, c.name, "shared"]),)),
    _key("dynamodb:Attributes", L, 0, _some(("id", "name", "email", "status"), 3)),
    _key("aws:PrincipalArn", A, 8, lambda r, c: (c.arn,), pinned=True, derived=True),
    _key("aws:SourceArn", A, 0, _source_arn),
    _key("aws:SourceVpcArn", A, 0, lambda r, c: (f"arn:aws:ec2:{c.region}:{c.account}:vpc/{_vpc(r)}",)),
    _key(
        "iam:AssociatedResourceArn",
        A,
        13,
        lambda r, c: (f"arn:aws:ec2:{c.region}:{c.account}:instance/i-0{r.randrange(4)}abcdef12345678",),
    ),
    _key("aws:MultiFactorAuthAge", Family.NUMERIC, 0, lambda r, c: (str(r.randrange(0, 7_200)),)),
    _key("s3:TlsVersion", Family.NUMERIC, 1, _one(("1.0", "1.1", "1.2", "1.3"))),
    _key("s3:signatureAge", Family.NUMERIC, 0, lambda r, c: (str(r.randrange(0, 900_000)),)),
    _key("aws:CurrentTime", Family.DATE, 0, _iso),
    _key("aws:TokenIssueTime", Family.DATE, 0, _iso),
    _key("aws:EpochTime", Family.DATE, 0, lambda r, c: (str(EPOCH_2026 + r.randrange(365 * 86_400)),)),
    _key("aws:SecureTransport", Family.BOOL, 2, _one(("true", "false"))),
    _key("aws:MultiFactorAuthPresent", Family.BOOL, 3, _one(("true", "false"))),
    _key("aws:ViaAWSService", Family.BOOL, 67, _one(("true", "false"))),
    _key("aws:PrincipalIsAWSService", Family.BOOL, 0, lambda r, c: ("false",), pinned=True, derived=True),
    _key("kms:MultiRegion", Family.BOOL, 0, _one(("true", "false"))),
    _key("aws:SourceIp", Family.IP, 0, _ip),
    _key("aws:VpcSourceIp", Family.IP, 0, _ip),
    # No AWS key is of the binary type: two tag keys carry base64 values for BinaryEquals.
    _key("aws:RequestTag/checksum", Family.BINARY, 0, _binary),
    _key("aws:PrincipalTag/cert-hash", Family.BINARY, 0, _binary),
)  # fmt: skip
KEY_BY_NAME = {k.name: k for k in KEYS}
# Policy variables, weighted by their uses in managed policies (aws:PrincipalTag/ 361 over two tags).
VARIABLES = Weighted(
    {
        KEY_BY_NAME["aws:PrincipalAccount"]: 602,
        KEY_BY_NAME["aws:PrincipalTag/team"]: 181,
        KEY_BY_NAME["aws:PrincipalTag/project"]: 180,
        KEY_BY_NAME["aws:userid"]: 35,
        KEY_BY_NAME["aws:SourceIdentity"]: 29,
        KEY_BY_NAME["aws:ResourceAccount"]: 17,
        KEY_BY_NAME["aws:username"]: 11,
        KEY_BY_NAME["aws:RequestedRegion"]: KEY_FLOOR,
        KEY_BY_NAME["aws:PrincipalOrgID"]: KEY_FLOOR,
    }
)
ACCOUNT_VARIABLES = ("aws:PrincipalAccount", "aws:ResourceAccount")


def carried(key: KeySpec, caller: Caller) -> bool:
    """Whether a request about the caller's resource type can carry the key at all."""
    if key.service:
        return key.name in caller.rtype.service_keys
    return not (caller.rtype.service == "s3" and key.name.startswith("aws:ResourceTag/"))


@dataclass(frozen=True)
class Decided:
    key: KeySpec
    values: tuple[str, ...] | None  # None: the request does not carry the key


@dataclass
class Context:
    """The request's context keys, each decided (present with values, or absent) when first tested."""

    rng: random.Random
    caller: Caller
    decided: dict[str, Decided] = field(default_factory=dict)  # by lower-cased key name

    def values(self, key: KeySpec, hint: tuple[str, ...] | None = None) -> tuple[str, ...] | None:
        """The key's values in this request; `hint`, a value some clause tests, may become them."""
        lower = key.name.lower()
        if lower in self.decided:
            return self.decided[lower].values
        present = carried(key, self.caller) and self.rng.random() < (
            DERIVED_PRESENT if key.derived else PRESENT
        )
        values: tuple[str, ...] | None = None
        if present:
            use_hint = hint is not None and not key.pinned and self.rng.random() < HINT_TAKEN
            values = (hint if use_hint else key.sample(self.rng, self.caller)) or None
        self.decided[lower] = Decided(key, values)
        return values

    def entries(self) -> list[dict[str, Any]]:
        return [
            {
                "ContextKeyName": d.key.name,
                "ContextKeyValues": list(d.values),
                "ContextKeyType": d.key.family.context_type,
            }
            for d in self.decided.values()
            if d.values is not None
        ]


# --- condition values --------------------------------------------------------------------------


def _glob(rng: random.Random, text: str) -> str:
    """A StringLike pattern that `text` matches."""
    if len(text) < 4:
        return text + "*"
    roll = rng.randrange(4)
    cut = rng.randrange(2, len(text) - 1)
    if roll == 0:
        return text[:cut] + "*"
    if roll == 1:
        return "*" + text[cut:]
    if roll == 2:
        return text[:cut] + "?" + text[cut + 1 :]
    return text


RESOURCE_TYPE = re.compile(r"[a-z][a-z-]*[/:]")


def arn_glob(rng: random.Random, arn: str) -> str:
    """An ArnLike pattern that `arn` matches: a part replaced by `*`, or the resource cut short.

    The resource type at the head of the resource part (`role/`, `table/`, `function:`) stays
    as written: the IAM User Guide (ARNs, "Incorrect wildcard usage") rules out wildcards there.
    """
    parts = arn.split(":", 5)
    kept = RESOURCE_TYPE.match(parts[5])
    head = kept.group(0) if kept else ""
    rest = parts[5][len(head) :]
    roll = rng.randrange(4)
    if roll == 0 and parts[3]:
        parts[3] = "*"
    elif roll == 1 and parts[4]:
        parts[4] = "*"
    elif roll == 2 and len(rest) > 3:
        parts[5] = head + rest[: rng.randrange(1, len(rest) - 1)] + "*"
    else:
        parts[5] = head + _glob(rng, rest)
    return ":".join(parts)


@dataclass(frozen=True)
class WithVariable:
    """Policy text holding a variable, and what it reads in this request (None: no value)."""

    text: str
    resolved: str | None


def _variable(rng: random.Random, ctx: Context) -> WithVariable:
    """A policy variable as written (with a default now and then)."""
    var = VARIABLES.pick(rng)
    current = ctx.values(var)
    resolved = current[0] if current else None
    if rng.random() < DEFAULT_VALUE:
        return WithVariable(f"${{{var.name}, 'unset'}}", resolved or "unset")
    return WithVariable(f"${{{var.name}}}", resolved)


def _variable_value(rng: random.Random, ctx: Context, key: KeySpec, like: bool) -> WithVariable:
    """A condition value for `key` holding a variable; `resolved` is a value of the key it matches."""
    if key.family is Family.ARN:
        sample = key.sample(rng, ctx.caller)
        parts = (sample[0] if sample else ctx.caller.arn).split(":", 5)
        if not parts[4]:  # an ARN without an account (S3): the variable goes into the caller's ARN
            parts = ctx.caller.arn.split(":", 5)
        var = KEY_BY_NAME[rng.choice(ACCOUNT_VARIABLES)]
        current = ctx.values(var)
        written, resolved = list(parts), list(parts)
        written[4], resolved[4] = f"${{{var.name}}}", current[0] if current else ""
        if like:
            written[5] = written[5].split("/")[0] + "/*"
            resolved[5] = written[5].replace("*", "x")
        return WithVariable(":".join(written), ":".join(resolved) if current else None)
    variable = _variable(rng, ctx)
    suffix = rng.choice(["", "*", "/*", "-*"]) if like else ""
    hint = None if variable.resolved is None else variable.resolved + suffix.replace("*", "x")
    return WithVariable(variable.text + suffix, hint)


def _plain_string(
    rng: random.Random, ctx: Context, key: KeySpec, base: str, current: tuple[str, ...] | None
) -> str:
    sample = key.sample(rng, ctx.caller) or ("nobody",)
    text = rng.choice(current) if current and rng.random() < MATCH else sample[0]
    if "IgnoreCase" in base and rng.random() < 0.5:
        text = text.upper()
    if key.family is Family.ARN:
        return arn_glob(rng, text) if base.endswith("Like") or rng.random() < 0.15 else text
    if base.endswith("Like"):
        text = _glob(rng, text)
    if rng.random() < LITERAL_SPECIAL:
        text += rng.choice(["${*}", "${?}", "${$}"])
    return text


def string_values(rng: random.Random, ctx: Context, key: KeySpec, base: str, qualifier: str) -> list[str]:
    """String and ARN operators: a value built from the request's (about half the time), or not."""
    if key.family is Family.LIST:
        return _list_values(rng, ctx, key, base, qualifier)
    out: list[str] = []
    hint: tuple[str, ...] | None = None
    if base in VARIABLE_OPERATORS and rng.random() < VARIABLE_VALUES:
        value = _variable_value(rng, ctx, key, base.endswith("Like"))
        out.append(value.text)
        hint = None if value.resolved is None else (value.resolved,)
    current = ctx.values(key, hint)
    target = VALUES_PER_CLAUSE.draw(rng)
    while len(out) < target:
        out.append(_plain_string(rng, ctx, key, base, current))
    return list(dict.fromkeys(out))


def _list_values(rng: random.Random, ctx: Context, key: KeySpec, base: str, qualifier: str) -> list[str]:
    current = ctx.values(key)
    out: list[str] = []
    if current and rng.random() < MATCH:
        # ForAllValues holds when every request value is listed, ForAnyValue when one is.
        out.extend(current if qualifier == "ForAllValues:" else [rng.choice(current)])
    for _ in range(VALUES_PER_CLAUSE.draw(rng)):
        out.extend(key.sample(rng, ctx.caller))
    if base.endswith("Like"):
        out = [_glob(rng, v) if rng.random() < 0.5 else v for v in out]
    if "IgnoreCase" in base:
        out = [v.upper() if rng.random() < 0.3 else v for v in out]
    return list(dict.fromkeys(out))


def _number_text(value: float, like: str) -> str:
    return f"{value:.1f}" if "." in like else str(int(value))


def numeric_values(rng: random.Random, ctx: Context, key: KeySpec, base: str, qualifier: str) -> list[str]:
    current = ctx.values(key)
    sample = key.sample(rng, ctx.caller)[0]
    pivot = float(current[0] if current and rng.random() < MATCH else sample)
    spread = max(abs(pivot) * 0.5, 1.0)
    out = [_number_text(pivot, sample)]
    for _ in range(VALUES_PER_CLAUSE.draw(rng) - 1):
        out.append(_number_text(pivot + rng.uniform(-spread, spread), sample))
    if "Equals" not in base:
        out[0] = _number_text(pivot + rng.uniform(-spread, spread), sample)
    return list(dict.fromkeys(out))


def date_values(rng: random.Random, ctx: Context, key: KeySpec, base: str, qualifier: str) -> list[str]:
    current = ctx.values(key)
    text = current[0] if current and rng.random() < MATCH else key.sample(rng, ctx.caller)[0]
    out = [text] if base in ("DateEquals", "DateNotEquals") else []
    epoch = text.isdigit()
    moment = int(text) if epoch else int(datetime.fromisoformat(text).timestamp())
    target = VALUES_PER_CLAUSE.draw(rng)
    while len(out) < target:
        shifted = moment + rng.randrange(-60 * 86_400, 60 * 86_400)
        if epoch:
            out.append(str(shifted))
        else:
            when = datetime.fromtimestamp(shifted, UTC)
            out.append(when.strftime("%Y-%m-%d" if rng.random() < 0.2 else "%Y-%m-%dT%H:%M:%SZ"))
    return list(dict.fromkeys(out))


def ip_values(rng: random.Random, ctx: Context, key: KeySpec, base: str, qualifier: str) -> list[str]:
    """CIDR ranges (or single addresses), v4 and v6, some holding the request's address."""
    current = ctx.values(key)
    out: list[str] = []
    for _ in range(VALUES_PER_CLAUSE.draw(rng)):
        address = ipaddress.ip_address(
            current[0] if current and rng.random() < MATCH else key.sample(rng, ctx.caller)[0]
        )
        prefixes = (8, 16, 24, 32) if address.version == 4 else (32, 48, 64, 128)
        prefix = rng.choice(prefixes)
        network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
        out.append(str(address) if prefix == prefixes[-1] and rng.random() < 0.5 else str(network))
    return list(dict.fromkeys(out))


def bool_values(rng: random.Random, ctx: Context, key: KeySpec, base: str, qualifier: str) -> list[str]:
    current = ctx.values(key)
    if current and rng.random() < MATCH:
        return [current[0]]
    return [rng.choice(["true", "false"])]


def binary_values(rng: random.Random, ctx: Context, key: KeySpec, base: str, qualifier: str) -> list[str]:
    current = ctx.values(key)
    out = [current[0]] if current and rng.random() < MATCH else []
    target = VALUES_PER_CLAUSE.draw(rng)
    while len(out) < target:
        out.append(key.sample(rng, ctx.caller)[0])
    return list(dict.fromkeys(out))


def null_values(rng: random.Random, ctx: Context, key: KeySpec, base: str, qualifier: str) -> list[str]:
    ctx.values(key)
    return [rng.choice(["true", "false"])]


ValueBuilder = Callable[[random.Random, Context, KeySpec, str, str], list[str]]
VALUE_BUILDERS: dict[Family | None, ValueBuilder] = {
    Family.STRING: string_values,
    Family.LIST: string_values,
    Family.ARN: string_values,
    Family.NUMERIC: numeric_values,
    Family.DATE: date_values,
    Family.IP: ip_values,
    Family.BOOL: bool_values,
    Family.BINARY: binary_values,
    None: null_values,
}


@dataclass(frozen=True)
class Clause:
    operator: str  # as written: qualifier, base name, IfExists
    key: str
    values: list[str]


def _key_table(family: Family | None, rtype: ResourceType) -> Weighted[KeySpec]:
    """The keys of `family` (any key for Null) that a statement about `rtype` may test."""
    return Weighted(
        {
            k: k.weight
            for k in KEYS
            if (family is None or k.family is family) and (not k.service or k.name in rtype.service_keys)
        }
    )


KEY_TABLES = {(f, t.name): _key_table(f, t) for t in TYPES for f in (*Family, None)}


def _pick_key(rng: random.Random, family: Family | None, rtype: ResourceType) -> KeySpec:
    return KEY_TABLES[family, rtype.name].pick(rng)


def clause(rng: random.Random, ctx: Context, rtype: ResourceType) -> Clause:
    base = OPERATOR_WEIGHTS.pick(rng)
    family = OPERATOR_FAMILY[base]
    qualifier = ""
    if family is Family.STRING:
        roll = rng.random()
        qualifier = "ForAnyValue:" if roll < FOR_ANY else "ForAllValues:" if roll < FOR_ANY + FOR_ALL else ""
        if qualifier and rng.random() < 0.9:
            family = Family.LIST  # set operators are for multivalued keys (a tenth of uses are not)
    key = _pick_key(rng, family, rtype)
    if_exists = base != "Null" and rng.random() < IF_EXISTS
    values = VALUE_BUILDERS[key.family if base != "Null" else None](rng, ctx, key, base, qualifier)
    return Clause(f"{qualifier}{base}{'IfExists' if if_exists else ''}", key.name, values)


def condition(rng: random.Random, ctx: Context, rtype: ResourceType, clauses: int) -> dict[str, Any]:
    """A Condition element of `clauses` (operator, key) pairs, one value written as a string."""
    block: dict[str, dict[str, Any]] = {}
    for _ in range(clauses):
        for _attempt in range(3):
            c = clause(rng, ctx, rtype)
            keys = block.setdefault(c.operator, {})
            if c.key not in keys:
                keys[c.key] = c.values[0] if len(c.values) == 1 else c.values
                break
    return {op: keys for op, keys in block.items() if keys}


# --- statements --------------------------------------------------------------------------------


def action_glob(rng: random.Random, action: str) -> str:
    """A wildcard pattern that matches `action` (and other real actions of its service)."""
    service, name = action.split(":")
    verb = re.match(r"[A-Z][a-z]+", name)
    return rng.choice(
        [
            f"{service}:*",
            f"{service}:{verb.group(0) if verb else name[:3]}*",
            f"{service}:*{name[-5:]}",
            f"{service}:{name[:-1]}?",
        ]
    )


def actions(rng: random.Random, caller: Caller, rtype: ResourceType, count: int) -> list[str]:
    names = SERVICE_ACTIONS[rtype.service]
    chosen = [f"{rtype.service}:{n}" for n in rng.sample(names, min(count, len(names)))]
    if rtype is caller.rtype and rng.random() < REQUESTED_BIAS:
        requested = rng.choice(rtype.requested)
        if requested not in chosen:
            chosen[0] = requested
    out = []
    for action in chosen:
        shape = ACTION_SHAPES.pick(rng)
        out.append("*" if shape == "*" else action_glob(rng, action) if shape == "wildcarded" else action)
    return list(dict.fromkeys(out))


def variable_resource(rng: random.Random, ctx: Context, caller: Caller, rtype: ResourceType) -> str:
    """A Resource pattern with a policy variable: in the account, region or name part."""
    parts = resource_arn(rng, rtype, caller.region, caller.resource_account, "x").split(":", 5)
    parts[5] = rtype.prefix + "*"
    choices = ["${aws:PrincipalAccount}"] if rtype.in_account else []
    if rtype.regional:
        choices.append("${aws:RequestedRegion}")
    if rtype.user_named:
        choices += ["${aws:username}", "${aws:PrincipalTag/team}-*", "${aws:userid}"]
    written = rng.choice(choices)
    ctx.values(KEY_BY_NAME[written[2:].split("}")[0]])
    if written == "${aws:PrincipalAccount}":
        parts[4] = written
    elif written == "${aws:RequestedRegion}":
        parts[3] = written
    else:
        tail = {"object": "/*", "secret": "-??????"}.get(rtype.tail, "")
        parts[5] = rtype.prefix + written + tail
    return ":".join(parts)


def resources(rng: random.Random, ctx: Context, caller: Caller, rtype: ResourceType, count: int) -> list[str]:
    out = []
    for _ in range(count):
        shape = RESOURCE_SHAPES.pick(rng)
        if shape == "*":
            out.append("*")
            continue
        if shape == "variable":
            out.append(variable_resource(rng, ctx, caller, rtype))
            continue
        if rtype is caller.rtype and rng.random() < 0.5:
            arn = rng.choice(caller.resources)
        else:
            name = resource_name(rng, rtype, caller.team, caller.name)
            arn = resource_arn(rng, rtype, caller.region, caller.resource_account, name)
        out.append(arn if shape == "exact" else arn_glob(rng, arn))
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class StatementShape:
    """How often a statement of one policy kind denies, negates, or has a Condition."""

    deny: float
    not_action: float
    not_resource: float
    with_condition: float


MEASURED_SHAPE = StatementShape(DENY, NOT_ACTION, NOT_RESOURCE, WITH_CONDITION)


def statement(
    rng: random.Random, ctx: Context, rtype: ResourceType, sid: str, shape: StatementShape
) -> dict[str, Any]:
    """One identity-style statement (identity policies, boundaries, SCPs): no Principal."""
    caller = ctx.caller
    st: dict[str, Any] = {"Sid": sid, "Effect": "Deny" if rng.random() < shape.deny else "Allow"}
    action_list = actions(rng, caller, rtype, ACTIONS_PER_STATEMENT.draw(rng))
    st["NotAction" if rng.random() < shape.not_action else "Action"] = action_list
    resource_list = resources(rng, ctx, caller, rtype, RESOURCES_PER_STATEMENT.draw(rng))
    st["NotResource" if rng.random() < shape.not_resource else "Resource"] = resource_list
    if rng.random() < shape.with_condition:
        block = condition(rng, ctx, rtype, CLAUSES_PER_CONDITION.draw(rng))
        if block:
            st["Condition"] = block
    return st


def _document(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": VERSION, "Statement": statements})


def identity_policy(rng: random.Random, ctx: Context, types: list[ResourceType], tag: str) -> str:
    count = STATEMENTS_PER_POLICY.draw(rng)
    return _document(
        [statement(rng, ctx, rng.choice(types), f"{tag}{i}", MEASURED_SHAPE) for i in range(count)]
    )


def boundary_policy(rng: random.Random, ctx: Context, types: list[ResourceType]) -> str:
    """A broad Allow over some services (usually the request's), then measured statements."""
    services = dict.fromkeys(t.service for t in types if t is ctx.caller.rtype or rng.random() < 0.5)
    if rng.random() < 0.15:
        services.pop(ctx.caller.rtype.service, None)
    broad: list[dict[str, Any]] = []
    if services:
        broad.append(
            {"Sid": "Broad", "Effect": "Allow", "Action": [f"{s}:*" for s in services], "Resource": "*"}
        )
    count = STATEMENTS_PER_POLICY.draw(rng) - len(broad)
    rest = [statement(rng, ctx, rng.choice(types), f"B{i}", MEASURED_SHAPE) for i in range(count)]
    return _document(broad + rest)


# --- organization policies ---------------------------------------------------------------------

FULL_ACCESS = _document([{"Effect": "Allow", "Action": "*", "Resource": "*"}])
SCP_DENY_SHAPE = StatementShape(deny=1.0, not_action=0.0, not_resource=0.05, with_condition=0.8)


def _region_guard(rng: random.Random, ctx: Context, sid: str) -> dict[str, Any]:
    """The usual region-restricting SCP: deny everything but global services outside some regions."""
    current = ctx.values(KEY_BY_NAME["aws:RequestedRegion"])
    regions = rng.sample(REGIONS, rng.randint(1, 2))
    if current and rng.random() < MATCH:
        regions = list(dict.fromkeys([*regions, current[0]]))
    block: dict[str, Any] = {"StringNotEquals": {"aws:RequestedRegion": regions}}
    if rng.random() < 0.5:
        principal = ctx.values(KEY_BY_NAME["aws:PrincipalArn"])
        exempt = (
            arn_glob(rng, principal[0]) if principal and rng.random() < 0.3 else "arn:aws:iam::*:role/admin-*"
        )
        block["ArnNotLike"] = {"aws:PrincipalArn": exempt}
    return {
        "Sid": sid,
        "Effect": "Deny",
        "NotAction": list(rng.sample(GLOBAL_ACTIONS, rng.randint(2, 4))),
        "Resource": "*",
        "Condition": block,
    }


def deny_scp(rng: random.Random, ctx: Context, types: list[ResourceType]) -> str:
    statements = []
    for i in range(rng.randint(1, 3)):
        if rng.random() < 0.2:
            statements.append(_region_guard(rng, ctx, f"Region{i}"))
            continue
        st = statement(rng, ctx, rng.choice(types), f"Deny{i}", SCP_DENY_SHAPE)
        if "Resource" in st and rng.random() < 0.7:
            st["Resource"] = "*"
        statements.append(st)
    return _document(statements)


def allow_list_scp(rng: random.Random, ctx: Context, types: list[ResourceType]) -> str:
    services = [t.service for t in types if t is ctx.caller.rtype or rng.random() < 0.5]
    if rng.random() < 0.2:
        services = [s for s in services if s != ctx.caller.rtype.service]
    services = list(dict.fromkeys([*services, "cloudwatch"]))
    st: dict[str, Any] = {"Sid": "AllowList", "Effect": "Allow", "Action": [f"{s}:*" for s in services]}
    st["Resource"] = "*"
    if rng.random() < 0.3:
        st["Condition"] = condition(rng, ctx, ctx.caller.rtype, 1)
    return _document([st])


def scp_levels(rng: random.Random, ctx: Context, types: list[ResourceType]) -> list[dict[str, list[str]]]:
    levels = []
    for _ in range(rng.randint(1, 3)):
        docs = [FULL_ACCESS if rng.random() < 0.85 else allow_list_scp(rng, ctx, types)]
        if rng.random() < 0.5:
            docs.append(deny_scp(rng, ctx, types))
        levels.append({"ServiceControlPolicyInputList": docs})
    return levels


# --- resource policies -------------------------------------------------------------------------


PRINCIPAL_FORMS = Weighted(
    {"caller": 25, "root": 15, "id": 10, "star": 10, "aws star": 10, "other": 10, "list": 10}
    | {"service": 4, "federated": 3, "canonical": 3}
)


def _principal(rng: random.Random, caller: Caller) -> object:
    account = caller.account if rng.random() < 0.8 else caller.resource_account
    other = f"arn:aws:iam::{account}:{rng.choice(['user', 'role'])}/{_name(rng, 'other')}"
    form = PRINCIPAL_FORMS.pick(rng)
    forms: dict[str, object] = {
        "caller": {"AWS": caller.arn},
        "root": {"AWS": f"arn:aws:iam::{account}:root"},
        "id": {"AWS": account},
        "star": "*",
        "aws star": {"AWS": "*"},
        "other": {"AWS": other},
        "list": {"AWS": [other, caller.arn, f"arn:aws:iam::{account}:root"][: rng.randint(2, 3)]},
        "service": {"Service": rng.choice(SERVICE_PRINCIPALS)},
        "federated": {"Federated": rng.choice(["cognito-identity.amazonaws.com", "accounts.google.com"])},
        "canonical": {"CanonicalUser": f"{rng.getrandbits(256):064x}"},
    }
    return forms[form]


def _not_principal(rng: random.Random, caller: Caller) -> object:
    """Who a Deny spares: the caller (or another identity), with its account."""
    spared = caller.arn if rng.random() < 0.5 else f"arn:aws:iam::{caller.account}:role/{_name(rng, 'admin')}"
    return {"AWS": [spared, f"arn:aws:iam::{caller.account}:root"]}


def resource_statement(rng: random.Random, ctx: Context, sid: str, first: bool) -> dict[str, Any]:
    caller = ctx.caller
    rtype = caller.rtype
    deny = not first and rng.random() < 0.35
    st: dict[str, Any] = {"Sid": sid, "Effect": "Deny" if deny else "Allow"}
    if deny and rng.random() < 0.4:
        st["NotPrincipal"] = _not_principal(rng, caller)
    else:
        st["Principal"] = _principal(rng, caller)
    st["NotAction" if rng.random() < 0.03 else "Action"] = actions(rng, caller, rtype, rng.randint(1, 4))
    arns = [rng.choice(caller.resources)]
    st["Resource"] = [arn if rng.random() < 0.5 else arn_glob(rng, arn) for arn in arns]
    if rng.random() < 0.15:
        st["Resource"] = "*"
    if rng.random() < (0.7 if deny else 0.5):
        block = condition(rng, ctx, rtype, CLAUSES_PER_CONDITION.draw(rng))
        if block:
            st["Condition"] = block
    return st


def resource_policy(rng: random.Random, ctx: Context) -> str:
    statements = [resource_statement(rng, ctx, f"R{i}", i == 0) for i in range(rng.randint(1, 4))]
    if ctx.caller.rtype.service == "kms" and rng.random() < P_DEFAULT_KEY_STATEMENT:
        # The default key policy: the key's account decides through IAM policies.
        root = f"arn:aws:iam::{ctx.caller.resource_account}:root"
        statements.insert(0, {"Sid": "EnableIAM", "Effect": "Allow", "Principal": {"AWS": root}})
        statements[0] |= {"Action": "kms:*", "Resource": "*"}
    return _document(statements)


# --- shared ("managed") policies --------------------------------------------------------------


@dataclass(frozen=True)
class SharedPolicy:
    """A policy whose text every account carries the same; `keys` are the context keys it tests."""

    text: str
    keys: tuple[str, ...]


SHARED = (
    SharedPolicy(
        _document(
            [
                {
                    "Sid": "ReadMost",
                    "Effect": "Allow",
                    "Action": [
                        f"{s}:{v}*"
                        for s in ("s3", "kms", "dynamodb", "sqs", "sns", "lambda")
                        for v in ("Get", "List", "Describe")
                    ],
                    "Resource": "*",
                }
            ]
        ),
        (),
    ),
    SharedPolicy(
        _document(
            [
                {
                    "Sid": "SameTeam",
                    "Effect": "Allow",
                    "Action": ["sqs:*", "sns:*", "dynamodb:*", "lambda:*", "secretsmanager:*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
                },
                {
                    "Sid": "TaggedOnCreate",
                    "Effect": "Allow",
                    "Action": ["sqs:TagQueue", "sns:TagResource", "iam:TagRole"],
                    "Resource": "*",
                    "Condition": {
                        "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]},
                        "Null": {"aws:RequestTag/team": "false"},
                    },
                },
            ]
        ),
        ("aws:ResourceTag/team", "aws:PrincipalTag/team", "aws:TagKeys", "aws:RequestTag/team"),
    ),
    SharedPolicy(
        _document(
            [
                {
                    "Sid": "PassToServices",
                    "Effect": "Allow",
                    "Action": "iam:PassRole",
                    "Resource": "arn:aws:iam::*:role/*",
                    "Condition": {
                        "StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}
                    },
                },
                {
                    "Sid": "LinkedRoles",
                    "Effect": "Allow",
                    "Action": "iam:CreateServiceLinkedRole",
                    "Resource": "*",
                    "Condition": {"StringLike": {"iam:AWSServiceName": "*.amazonaws.com"}},
                },
            ]
        ),
        ("iam:PassedToService", "iam:AWSServiceName"),
    ),
    SharedPolicy(
        _document(
            [
                {
                    "Sid": "DenyInsecure",
                    "Effect": "Deny",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
                {
                    "Sid": "KeysThroughServices",
                    "Effect": "Allow",
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:Encrypt"],
                    "Resource": "arn:aws:kms:*:${aws:PrincipalAccount}:key/*",
                    "Condition": {
                        "StringLike": {"kms:ViaService": "s3.*.amazonaws.com"},
                        "ForAnyValue:StringEquals": {
                            "aws:CalledVia": ["s3.amazonaws.com", "athena.amazonaws.com"]
                        },
                    },
                },
            ]
        ),
        ("aws:SecureTransport", "aws:PrincipalAccount", "kms:ViaService", "aws:CalledVia"),
    ),
)


# --- requests ----------------------------------------------------------------------------------


def generate_request(rng: random.Random, index: int) -> dict[str, Any]:
    """One SimulateCustomPolicy request, distinct from every other (its index is in names and values)."""
    rtype = rng.choice(TYPES)
    with_resource_policy = rng.random() < rtype.resource_policy
    caller = make_caller(rng, index, rtype, with_resource_policy and rng.random() < P_CROSS_ACCOUNT)
    ctx = Context(rng, caller)
    types = [rtype, *rng.sample(TYPES, 2)]
    shared = rng.sample(SHARED, rng.randint(0, 2))
    for policy in shared:
        for name in policy.keys:
            ctx.values(KEY_BY_NAME[name])
    policies = [p.text for p in shared]
    policies += [identity_policy(rng, ctx, types, f"P{n}S") for n in range(rng.randint(1, 2))]
    req: dict[str, Any] = {
        "PolicyInputList": policies,
        "ActionNames": rng.sample(rtype.requested, rng.randint(1, min(3, len(rtype.requested)))),
        "ResourceArns": list(caller.resources),
        "CallerArn": caller.arn,
        "ResourceOwner": f"arn:aws:iam::{caller.resource_account}:root",
    }
    if rng.random() < P_BOUNDARY:
        req["PermissionsBoundaryPolicyInputList"] = [boundary_policy(rng, ctx, types)]
    if rng.random() < P_SCP:
        req["OrderedOrganizationPolicyInputList"] = scp_levels(rng, ctx, types)
    if with_resource_policy:
        req["ResourcePolicy"] = resource_policy(rng, ctx)
    for key in rng.sample(KEYS, rng.randint(0, 2)):  # keys no policy tests, as requests carry
        ctx.values(key)
    entries = ctx.entries()
    if entries:
        req["ContextEntries"] = entries
    return req


def generate_requests(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [generate_request(rng, i) for i in range(count)]


def coverage(requests: Iterable[dict[str, Any]]) -> Frequencies:
    """The managed-policy counts over every policy of the requests, and their ContextKeyTypes."""
    freq = Frequencies()
    for req in requests:
        for text in req["PolicyInputList"]:
            freq.add_policy(json.loads(text), "identity")
        for text in req.get("PermissionsBoundaryPolicyInputList", []):
            freq.add_policy(json.loads(text), "boundary")
        for level in req.get("OrderedOrganizationPolicyInputList", []):
            for text in level["ServiceControlPolicyInputList"]:
                freq.add_policy(json.loads(text), "scp")
        if "ResourcePolicy" in req:
            freq.add_policy(json.loads(req["ResourcePolicy"]), "resource")
        freq.context_types.update(e["ContextKeyType"] for e in req.get("ContextEntries", []))
    return freq


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--coverage", action="store_true", help="print what the requests hold instead")
    args = parser.parse_args()
    requests = generate_requests(args.count, args.seed)
    if args.coverage:
        sys.stdout.write(format_table(coverage(requests), keys=60) + "\n")
        return 0
    for req in requests:
        sys.stdout.write(json.dumps(req) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
