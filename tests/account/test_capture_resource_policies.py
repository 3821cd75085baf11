"""`--services sqs,sns,secretsmanager,...`: resource policies of more services, with the gap rules."""

from __future__ import annotations

import json

from capture_builders import capture, doc, refuse

from harness.account.external import Scope, external_principals
from harness.backends.offline import OfflineBackend
from harness.cells import Cell, Expectation, SourceRef, Subject

ACCOUNT = "123456789012"
PARTNER = "444455556666"
TOPIC = f"arn:aws:sns:eu-west-3:{ACCOUNT}:alerts"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def _policy(*statements):
    return doc({"Version": "2012-10-17", "Statement": list(statements)})


def _queue(moto, name="jobs"):
    sqs = moto.client("sqs")
    url = sqs.create_queue(QueueName=name, tags={"env": "prod"})["QueueUrl"]
    arn = f"arn:aws:sqs:eu-west-3:{ACCOUNT}:{name}"
    policy = _policy(
        {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"},
         "Action": "sqs:SendMessage", "Resource": arn},
        {"Sid": "Sns", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
         "Action": "sqs:SendMessage", "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": TOPIC}}},
    )  # fmt: skip
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    return arn


def test_a_queue_policy_naming_another_account_and_a_service_is_captured(moto, tmp_path):
    arn = _queue(moto)
    result, model = capture(moto, tmp_path, services=("sqs",))
    entry = model.accounts[ACCOUNT].resources[arn]
    assert entry.policy is not None and entry.tags == {"env": "prod"} and entry.gap is None
    named = external_principals(model, entry.policy, (), "sqs:SendMessage", arn)
    by_principal = {e.principal: e for e in named}
    assert by_principal[f"arn:aws:iam::{PARTNER}:root"].other_side == "unknown"
    service = by_principal["sns.amazonaws.com"]
    assert service.scope is Scope.SERVICE and service.conditions == (f"ArnEquals aws:SourceArn {TOPIC}",)
    assert {"sqs:ListQueues", "sqs:GetQueueAttributes", "sqs:ListQueueTags"} <= set(result.log.calls)


def test_a_secret_with_a_public_policy_is_flagged_public(moto, tmp_path):
    sm = moto.client("secretsmanager")
    arn = sm.create_secret(Name="evidence", SecretString="x")["ARN"]
    public = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "secretsmanager:GetSecretValue",
        "Resource": "*",
    }
    sm.put_resource_policy(SecretId=arn, ResourcePolicy=_policy(public))
    _, model = capture(moto, tmp_path, services=("secretsmanager",))
    policy = model.resource_policy_for(arn)
    (entry,) = external_principals(model, policy, (), "secretsmanager:GetSecretValue", arn)
    assert entry.public and entry.scope is Scope.PUBLIC


def test_a_refused_listing_is_a_gap_and_its_resources_answer_errors(moto, tmp_path, monkeypatch):
    moto.client("iam").create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST))
    arn = _queue(moto)
    refuse(monkeypatch, "sqs", "ListQueues")
    result, model = capture(moto, tmp_path, services=("sqs",))
    assert [(g.section, g.action) for g in result.gaps] == [("sqs/eu-west-3", "sqs:ListQueues")]
    cell = Cell(
        id="f::send",
        source=SourceRef("f.yaml", 1, "s"),
        subject=Subject(principal_arn=f"arn:aws:iam::{ACCOUNT}:role/app"),
        action="sqs:SendMessage",
        resource=arn,
        expected=Expectation.DENIED,
    )
    (answer,) = OfflineBackend(model).evaluate([cell])
    assert answer.decision == "error" and "sqs:ListQueues" in (answer.error or "")


def test_a_refused_policy_read_is_the_resources_gap(moto, tmp_path, monkeypatch):
    arn = _queue(moto)
    refuse(monkeypatch, "sqs", "GetQueueAttributes")
    _, model = capture(moto, tmp_path, services=("sqs",))
    assert "sqs:GetQueueAttributes" in (model.resource_gap(arn) or "")


def test_topics_functions_repositories_tables_and_buses_are_read_when_asked(moto, tmp_path):
    topic = moto.client("sns").create_topic(Name="alerts")["TopicArn"]
    repo = moto.client("ecr").create_repository(repositoryName="images")["repository"]["repositoryArn"]
    moto.client("dynamodb").create_table(
        TableName="evidence",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    services = ("sns", "ecr", "dynamodb", "events", "lambda")
    result, model = capture(moto, tmp_path, services=services)
    resources = model.accounts[ACCOUNT].resources
    table = f"arn:aws:dynamodb:eu-west-3:{ACCOUNT}:table/evidence"
    bus = f"arn:aws:events:eu-west-3:{ACCOUNT}:event-bus/default"
    assert {topic, repo, table, bus} <= set(resources)
    assert resources[topic].policy is not None  # every topic has an access policy
    assert resources[repo].policy is None and resources[repo].gap is None  # none: a fact, not a gap
    assert not result.gaps


def test_services_all_names_every_optional_service_and_a_typo_is_refused():
    from harness.account.capture.run import OPTIONAL_SERVICES
    from harness.cli.account import _services

    assert _services("all") == OPTIONAL_SERVICES
    assert set(OPTIONAL_SERVICES) >= {
        "s3",
        "sqs",
        "sns",
        "secretsmanager",
        "lambda",
        "ecr",
        "dynamodb",
        "events",
    }
    assert "unknown service 'sqss'" in str(_services("sqss"))


def test_a_table_index_has_the_tables_policy_and_a_stream_not_captured_is_an_error(moto, tmp_path):
    dynamodb = moto.client("dynamodb")
    table = dynamodb.create_table(
        TableName="evidence",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )["TableDescription"]["TableArn"]
    reader = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"},
        "Action": "dynamodb:Query",
    }
    dynamodb.put_resource_policy(
        ResourceArn=table, Policy=_policy({**reader, "Resource": f"{table}/index/*"})
    )
    _, model = capture(moto, tmp_path, services=("dynamodb",))
    assert model.resource_policy_for(f"{table}/index/by-date") is model.resource_policy_for(table)
    assert "stream policies" in (model.resource_gap(f"{table}/stream/2026-01-01T00:00:00.000") or "")
