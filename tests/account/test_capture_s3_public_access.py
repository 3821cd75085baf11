"""`--services s3` reads Block Public Access (account and bucket) and access points with their policies.

S3 Control's own answers come from botocore's Stubber (nothing sent); the end-to-end capture
runs against the loopback moto server, which also answers S3 Control once the account label
botocore puts in front of an IP endpoint is taken off (s3control_endpoint.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.stub import Stubber
from capture_builders import capture, doc, refuse

from harness.account import load_account_model
from harness.account.capture.calls import CallLog, ServiceCalls
from harness.account.capture.s3control import capture_access_points, capture_account_public_access
from harness.account.capture.s3control_endpoint import keep_ip_endpoint
from harness.account.public_access import PublicAccessBlock
from harness.backends.aws.options import AwsOptions
from harness.backends.aws.session import AwsSession, open_session
from harness.inputs.errors import ScenarioFileErrors

ACCOUNT = "123456789012"
PARIS = "eu-west-3"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}],
}
ALL_ON = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


@pytest.fixture
def s3control(monkeypatch):
    """ServiceCalls for S3 Control in Paris whose client answers from a Stubber."""
    session = open_session(AwsOptions(region=PARIS))
    client = session.client("s3control")
    monkeypatch.setattr(AwsSession, "client", lambda self, service, region=None: client)
    with Stubber(client) as stubber:
        yield stubber, ServiceCalls(session, "s3control", PARIS, CallLog(), max_attempts=1)
        stubber.assert_no_pending_responses()


# -- the account's Block Public Access ------------------------------------------------------


def test_the_accounts_settings_are_read_with_s3controls_get_public_access_block(s3control):
    stubber, calls = s3control
    stubber.add_response(
        "get_public_access_block",
        {"PublicAccessBlockConfiguration": {"RestrictPublicBuckets": True, "BlockPublicPolicy": False}},
        {"AccountId": ACCOUNT},
    )
    found = capture_account_public_access(calls, ACCOUNT)
    assert found.settings == PublicAccessBlock(restrict_public_buckets=True)
    assert found.gaps == []
    assert calls.log.calls["s3:GetAccountPublicAccessBlock"] == 1


def test_no_configuration_on_the_account_means_none_set_not_a_gap(s3control):
    stubber, calls = s3control
    stubber.add_client_error(
        "get_public_access_block", "NoSuchPublicAccessBlockConfiguration", "not found", 404
    )
    found = capture_account_public_access(calls, ACCOUNT)
    assert found.settings is None and found.gaps == []


def test_a_refused_account_read_is_the_accounts_gap_naming_the_iam_action(s3control):
    stubber, calls = s3control
    stubber.add_client_error("get_public_access_block", "AccessDenied", "no", 403)
    found = capture_account_public_access(calls, ACCOUNT)
    assert found.settings is None
    [gap] = found.gaps
    assert (gap.section, gap.action, gap.code) == (
        "s3/public-access-block",
        "s3:GetAccountPublicAccessBlock",
        "AccessDenied",
    )


# -- access points ------------------------------------------------------------------------


def _point(name: str) -> dict[str, str]:
    return {"Name": name, "NetworkOrigin": "Internet", "Bucket": "evidence"}


def test_every_page_of_access_points_is_read_with_each_policy(s3control):
    stubber, calls = s3control
    listing = {"AccountId": ACCOUNT, "MaxResults": 1000}
    stubber.add_response(
        "list_access_points", {"AccessPointList": [_point("beta")], "NextToken": "t1"}, listing
    )
    stubber.add_response(
        "list_access_points", {"AccessPointList": [_point("alpha")]}, {**listing, "NextToken": "t1"}
    )
    stubber.add_response(
        "get_access_point_policy", {"Policy": doc(PUBLIC_READ)}, {"AccountId": ACCOUNT, "Name": "alpha"}
    )
    stubber.add_client_error("get_access_point_policy", "NoSuchAccessPointPolicy", "none", 404)
    section = capture_access_points(calls, ACCOUNT, "aws")
    alpha, beta = section.resources
    assert alpha["Arn"] == f"arn:aws:s3:{PARIS}:{ACCOUNT}:accesspoint/alpha"
    assert json.loads(alpha["Policy"]) == PUBLIC_READ
    assert beta == {"Arn": f"arn:aws:s3:{PARIS}:{ACCOUNT}:accesspoint/beta"}
    assert section.gaps == []


def test_a_refused_access_point_policy_is_that_access_points_gap(s3control):
    stubber, calls = s3control
    stubber.add_response("list_access_points", {"AccessPointList": [_point("alpha")]})
    stubber.add_client_error("get_access_point_policy", "AccessDenied", "no", 403)
    section = capture_access_points(calls, ACCOUNT, "aws")
    [entry] = section.resources
    assert "Policy" not in entry and "s3:GetAccessPointPolicy was refused (AccessDenied)" in entry["Gap"]
    assert [g.resource for g in section.gaps] == [entry["Arn"]]


def test_a_refused_access_point_listing_is_the_regions_gap(s3control):
    stubber, calls = s3control
    stubber.add_client_error("list_access_points", "AccessDenied", "no", 403)
    section = capture_access_points(calls, ACCOUNT, "aws")
    assert section.resources == []
    [gap] = section.gaps
    assert (gap.section, gap.action, gap.resource) == (f"s3/{PARIS}", "s3:ListAccessPoints", "")


# -- a whole capture, against moto ----------------------------------------------------------


def _estate(moto):
    s3 = moto.client("s3", PARIS)
    for name in ("evidence", "open-data"):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": PARIS})
        s3.put_bucket_policy(Bucket=name, Policy=doc(PUBLIC_READ))
    s3.put_public_access_block(Bucket="evidence", PublicAccessBlockConfiguration=ALL_ON)
    control = moto.client("s3control", PARIS)
    keep_ip_endpoint(control)  # the set-up client reaches moto as the capture's does
    control.create_access_point(AccountId=ACCOUNT, Name="evidence-ap", Bucket="evidence")
    control.put_access_point_policy(AccountId=ACCOUNT, Name="evidence-ap", Policy=doc(PUBLIC_READ))
    control.put_public_access_block(
        AccountId=ACCOUNT, PublicAccessBlockConfiguration={"BlockPublicPolicy": True}
    )


def test_a_capture_with_services_s3_writes_both_levels_and_the_access_points(moto, tmp_path):
    _estate(moto)
    result, model = capture(moto, tmp_path, services=("s3",))
    assert result.gaps == []
    account = model.accounts[ACCOUNT]
    assert account.public_access_block == PublicAccessBlock(block_public_policy=True)
    assert account.resources["arn:aws:s3:::evidence"].public_access_block == PublicAccessBlock(*[True] * 4)
    assert account.resources["arn:aws:s3:::open-data"].public_access_block is None  # none set
    point = f"arn:aws:s3:{PARIS}:{ACCOUNT}:accesspoint/evidence-ap"
    assert "s3:GetObject" in model.resource_policy_for(point).text
    assert {"s3:GetAccountPublicAccessBlock", "s3:GetBucketPublicAccessBlock", "s3:ListAccessPoints"} <= set(
        result.log.calls
    )


def test_a_refused_bucket_read_is_its_own_gap_and_keeps_its_policy(moto, tmp_path, monkeypatch):
    _estate(moto)
    refuse(monkeypatch, "s3", "GetPublicAccessBlock", "AccessDenied")
    result, model = capture(moto, tmp_path, services=("s3",))
    entry = model.accounts[ACCOUNT].resources["arn:aws:s3:::open-data"]
    assert entry.policy is not None and entry.gap is None
    assert "s3:GetBucketPublicAccessBlock was refused (AccessDenied)" in entry.public_access_block_gap
    assert {g.action for g in result.gaps} == {"s3:GetBucketPublicAccessBlock"}


def test_a_refused_access_point_listing_makes_unknown_access_points_errors(moto, tmp_path, monkeypatch):
    refuse(monkeypatch, "s3control", "ListAccessPoints", "AccessDenied")
    _, model = capture(moto, tmp_path, services=("s3",))
    gap = model.resource_gap(f"arn:aws:s3:{PARIS}:{ACCOUNT}:accesspoint/any")
    assert "s3:ListAccessPoints" in (gap or "")
    assert model.resource_gap("arn:aws:s3:::any-bucket") is None  # buckets are listed apart


# -- the loader: strict keys ----------------------------------------------------------------


def _load(tmp_path: Path, text: str):
    path = tmp_path / "model.yaml"
    path.write_text(text)
    return load_account_model(path)


BUCKET_MODEL = """\
accounts:
  - AccountId: "123456789012"
    PublicAccessBlock: {{RestrictPublicBuckets: true}}
    ResourcePolicies:
      - Arn: {arn}
        PublicAccessBlock: {settings}
"""


def test_the_loader_reads_both_levels(tmp_path):
    text = BUCKET_MODEL.format(arn="arn:aws:s3:::evidence", settings="{BlockPublicAcls: true}")
    model = _load(tmp_path, text)
    account = model.accounts[ACCOUNT]
    assert account.public_access_block == PublicAccessBlock(restrict_public_buckets=True)
    assert account.resources["arn:aws:s3:::evidence"].public_access_block == PublicAccessBlock(True)


@pytest.mark.parametrize(
    ("arn", "settings", "message"),
    [
        ("arn:aws:s3:::evidence", "{RestrictPublicBucket: true}", "did you mean RestrictPublicBuckets"),
        ("arn:aws:s3:::evidence", '{RestrictPublicBuckets: "yes"}', "must be true or false"),
        (
            "arn:aws:sqs:eu-west-3:123456789012:jobs",
            "{RestrictPublicBuckets: true}",
            "only an S3 bucket has its own Block Public Access",
        ),
    ],
)
def test_the_loader_refuses_a_misspelt_setting_a_non_boolean_and_a_non_bucket(
    tmp_path, arn, settings, message
):
    with pytest.raises(ScenarioFileErrors) as raised:
        _load(tmp_path, BUCKET_MODEL.format(arn=arn, settings=settings))
    text = str(raised.value)
    assert message in text and "model.yaml:6" in text and "ResourcePolicies[0].PublicAccessBlock" in text
