"""The optional per-Region resource-policy sections, by the `--services` name that asks for each.

Each is a module of this package with the gap rules of policies.py; run.py calls them Region
by Region after KMS. The IAM read actions each needs are in READ_ACTIONS (and in
run.CAPTURE_ACTIONS and the README's least-privilege policy).
"""

from __future__ import annotations

from collections.abc import Callable

from harness.account.capture.calls import ServiceCalls
from harness.account.capture.dynamodb import capture_dynamodb
from harness.account.capture.ecr import capture_ecr
from harness.account.capture.events import capture_events
from harness.account.capture.lambda_functions import capture_lambda
from harness.account.capture.policies import PolicySection
from harness.account.capture.secretsmanager import capture_secretsmanager
from harness.account.capture.sns import capture_sns
from harness.account.capture.sqs import capture_sqs
from harness.account.gaps import REGIONAL_POLICY_SERVICES

# (calls, account id, partition) -> the section
Capture = Callable[[ServiceCalls, str, str], PolicySection]

_CAPTURES: dict[str, Capture] = {
    "sqs": capture_sqs,
    "sns": lambda calls, account, _partition: capture_sns(calls, account),
    "secretsmanager": lambda calls, account, _partition: capture_secretsmanager(calls, account),
    "lambda": lambda calls, account, _partition: capture_lambda(calls, account),
    "ecr": lambda calls, account, _partition: capture_ecr(calls, account),
    "dynamodb": capture_dynamodb,
    "events": lambda calls, account, _partition: capture_events(calls, account),
}

_READS: dict[str, tuple[str, ...]] = {
    "sqs": ("sqs:ListQueues", "sqs:GetQueueAttributes", "sqs:ListQueueTags"),
    "sns": ("sns:ListTopics", "sns:GetTopicAttributes", "sns:ListTagsForResource"),
    "secretsmanager": ("secretsmanager:ListSecrets", "secretsmanager:GetResourcePolicy"),
    "lambda": ("lambda:ListFunctions", "lambda:GetPolicy", "lambda:ListTags"),
    "ecr": ("ecr:DescribeRepositories", "ecr:GetRepositoryPolicy", "ecr:ListTagsForResource"),
    "dynamodb": ("dynamodb:ListTables", "dynamodb:GetResourcePolicy", "dynamodb:ListTagsOfResource"),
    "events": ("events:ListEventBuses", "events:ListTagsForResource"),
}

# In the order of gaps.REGIONAL_POLICY_SERVICES, the one list of these services (a name there
# without its capture or read actions here fails at import, never silently uncaptured).
SECTIONS: dict[str, Capture] = {name: _CAPTURES[name] for name in REGIONAL_POLICY_SERVICES}
READ_ACTIONS: dict[str, tuple[str, ...]] = {name: _READS[name] for name in REGIONAL_POLICY_SERVICES}
