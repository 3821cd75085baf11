"""The capture's EC2 section: volumes, snapshots and instances per Region, EBS defaults, and their gaps."""

from __future__ import annotations

import re

import pytest
import yaml
from botocore.stub import Stubber
from capture_builders import AMI, capture, refuse

from harness.account.capture.calls import CallLog, ServiceCalls
from harness.account.capture.ec2 import capture_ec2
from harness.account.ec2 import Ec2Part
from harness.account.model import CaptureGap
from harness.account.resources import ResourceSelector, select_resources
from harness.backends.aws.options import AwsOptions
from harness.backends.aws.session import AwsSession, open_session
from harness.cli.main import main

ACCOUNT = "123456789012"
PARIS, VIRGINIA = "eu-west-3", "us-east-1"
BOTH = (PARIS, VIRGINIA)


def _key(moto, region, alias=None):
    kms = moto.client("kms", region)
    key = kms.create_key()["KeyMetadata"]
    if alias:
        kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    return key


def _tags(kind, **tags):
    return [{"ResourceType": kind, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def _volume(moto, region, key_id=None, **tags):
    ec2 = moto.client("ec2", region)
    encryption = {"Encrypted": True, "KmsKeyId": key_id} if key_id else {}
    spec = {"TagSpecifications": _tags("volume", **tags)} if tags else {}
    return ec2.create_volume(Size=8, AvailabilityZone=f"{region}a", **encryption, **spec)["VolumeId"]


def _instance(moto, region, name, key_id=None):
    """An instance with one root volume (encrypted with `key_id` when given); returns (instance, volume)."""
    ec2 = moto.client("ec2", region)
    ebs = {"VolumeSize": 8, **({"Encrypted": True, "KmsKeyId": key_id} if key_id else {})}
    made = ec2.run_instances(
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": ebs}],
        TagSpecifications=_tags("instance", Name=name),
    )["Instances"][0]
    described = ec2.describe_instances(InstanceIds=[made["InstanceId"]])["Reservations"][0]["Instances"][0]
    return made["InstanceId"], described["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]


def _region(model, region, account=ACCOUNT):
    return model.accounts[account].ec2[region]


def test_volumes_snapshots_and_instances_of_two_regions_name_their_keys_by_arn(moto, tmp_path):
    paris_key = _key(moto, PARIS, "alias/evidence")
    virginia_key = _key(moto, VIRGINIA)
    by_alias = _volume(moto, PARIS, "alias/evidence", Name="data")  # moto echoes the alias back
    instance, root = _instance(moto, PARIS, "web", key_id=paris_key["KeyId"])  # and the key id
    plain = _volume(moto, VIRGINIA, Name="scratch")
    by_arn = _volume(moto, VIRGINIA, virginia_key["Arn"])
    moto.client("ec2", PARIS).create_snapshot(VolumeId=by_alias)
    _, model = capture(moto, tmp_path, regions=BOTH)

    paris, virginia = _region(model, PARIS), _region(model, VIRGINIA)
    volumes = {v.volume_id: v for v in (*paris.volumes, *virginia.volumes)}
    assert volumes[by_alias].kms_key_id == paris_key["Arn"]
    assert volumes[root].kms_key_id == paris_key["Arn"]
    assert volumes[by_arn].kms_key_id == virginia_key["Arn"]
    assert (volumes[plain].encrypted, volumes[plain].kms_key_id) == (False, "")
    assert volumes[by_alias].arn == f"arn:aws:ec2:{PARIS}:{ACCOUNT}:volume/{by_alias}"
    (snapshot,) = paris.snapshots
    assert snapshot.arn == f"arn:aws:ec2:{PARIS}::snapshot/{snapshot.snapshot_id}"
    assert (snapshot.owner_id, snapshot.volume_id, snapshot.encrypted) == (ACCOUNT, by_alias, True)
    (web,) = paris.instances
    assert (web.instance_id, web.name, web.state, web.volume_ids) == (instance, "web", "running", (root,))
    assert web.arn == f"arn:aws:ec2:{PARIS}:{ACCOUNT}:instance/{instance}"
    assert [a.instance_id for a in volumes[root].attachments] == [instance]


def test_entries_are_sorted_and_two_captures_are_equal_but_for_the_time(moto, tmp_path):
    key = _key(moto, PARIS)
    for name in ("c", "a", "b"):
        _volume(moto, PARIS, key["KeyId"], Name=name)
    _instance(moto, PARIS, "web")
    first, model = capture(moto, tmp_path)
    second, _ = capture(moto, tmp_path)
    arns = [v.arn for v in _region(model, PARIS).volumes]
    assert arns == sorted(arns) and len(arns) == 4

    def without_time(text):
        return re.sub(r"\n  when: .*\n", "\n", text)

    assert without_time(first.text) == without_time(second.text)


def test_encryption_by_default_and_its_key_are_read_per_region(moto, tmp_path):
    key = _key(moto, PARIS, "alias/ebs-default")
    ec2 = moto.client("ec2", PARIS)
    ec2.enable_ebs_encryption_by_default()
    ec2.modify_ebs_default_kms_key_id(KmsKeyId=key["KeyId"])
    _, model = capture(moto, tmp_path, regions=BOTH)
    paris, virginia = _region(model, PARIS), _region(model, VIRGINIA)
    assert (paris.ebs_encryption_by_default, paris.ebs_default_kms_key_id) == (True, key["Arn"])
    # No AWS managed key for EBS in Virginia yet: AWS names it by its alias, kept as given.
    assert (virginia.ebs_encryption_by_default, virginia.ebs_default_kms_key_id) == (False, "alias/aws/ebs")


def test_the_capture_block_counts_the_ec2_calls_by_action(moto, tmp_path):
    _instance(moto, PARIS, "web")
    result, _ = capture(moto, tmp_path)
    block = yaml.safe_load(result.text)["capture"]
    assert block["services"] == ["iam", "kms", "organizations", "ec2"]
    calls = block["api_calls"]["by_action"]
    for action in ("DescribeVolumes", "DescribeSnapshots", "DescribeInstances"):
        assert calls[f"ec2:{action}"] == 1
    assert calls["ec2:GetEbsEncryptionByDefault"] == calls["ec2:GetEbsDefaultKmsKeyId"] == 1


def test_a_refused_volume_listing_is_a_gap_of_its_region_and_selection_over_it_fails(
    moto, tmp_path, monkeypatch
):
    _volume(moto, PARIS, _key(moto, PARIS)["KeyId"])
    _volume(moto, VIRGINIA, _key(moto, VIRGINIA)["KeyId"])
    refuse(monkeypatch, "ec2", "DescribeVolumes", "UnauthorizedOperation", times=1)  # Paris, read first
    result, model = capture(moto, tmp_path, regions=BOTH)

    assert [(g.section, g.action, g.code) for g in result.gaps] == [
        (f"ec2/{PARIS}/Volumes", "ec2:DescribeVolumes", "UnauthorizedOperation")
    ]
    paris = _region(model, PARIS)
    assert paris.volumes == () and paris.gap_for(Ec2Part.VOLUMES) is not None
    assert "Gaps" not in yaml.safe_load(result.text)["accounts"][0]  # written in the Region, not the account
    for selector in (
        ResourceSelector.parse("ec2:volume"),
        ResourceSelector.parse("ec2:volume", where={"region": PARIS}),
        ResourceSelector.parse("kms:key", "ec2:volume", where={"region": VIRGINIA}),  # any volume may use it
    ):
        with pytest.raises(CaptureGap, match=rf"Volumes of account {ACCOUNT} in {PARIS}.*DescribeVolumes"):
            select_resources(model, selector)
    assert len(select_resources(model, ResourceSelector.parse("ec2:volume", where={"region": VIRGINIA}))) == 1


def test_refused_instances_are_a_gap_that_volume_selection_depends_on(moto, tmp_path, monkeypatch):
    _instance(moto, PARIS, "web")
    refuse(monkeypatch, "ec2", "DescribeInstances", "UnauthorizedOperation")
    result, model = capture(moto, tmp_path)
    assert [g.section for g in result.gaps] == [f"ec2/{PARIS}/Instances"]
    with pytest.raises(CaptureGap, match="Instances"):
        select_resources(model, ResourceSelector.parse("ec2:volume"))
    assert len(select_resources(model, ResourceSelector.parse("ec2:snapshot"))) == 0


def test_a_refused_default_key_is_left_out_not_guessed(moto, tmp_path, monkeypatch):
    refuse(monkeypatch, "ec2", "GetEbsDefaultKmsKeyId", "UnauthorizedOperation")
    result, model = capture(moto, tmp_path)
    region = yaml.safe_load(result.text)["accounts"][0]["Ec2"][PARIS]
    assert "EbsDefaultKmsKeyId" not in region and region["EbsEncryptionByDefault"] is False
    assert region["Gaps"][0]["Section"] == "EbsDefaultKmsKeyId"
    assert _region(model, PARIS).ebs_default_kms_key_id is None


@pytest.mark.parametrize("services", [(), ("s3",)])
def test_services_without_ec2_leave_it_out_and_selection_says_so(moto, tmp_path, services):
    _instance(moto, PARIS, "web")
    result, model = capture(moto, tmp_path, services=services)
    assert result.log.calls.get("ec2:DescribeVolumes") is None
    assert model.accounts[ACCOUNT].ec2 is None
    with pytest.raises(CaptureGap, match="holds no EC2"):
        select_resources(model, ResourceSelector.parse("ec2:volume"))


def test_the_cli_takes_ec2_by_default_and_none_for_no_optional_service(moto, tmp_path, capsys):
    out = tmp_path / "m.yaml"
    args = ["account", "capture", "-o", str(out), "--endpoint-url", moto.url, "--no-progress"]
    assert main(args) == 0
    assert "Ec2:" in out.read_text()
    assert main([*args, "--services", "none"]) == 0
    assert "Ec2:" not in out.read_text()
    assert main([*args, "--services", "ec2,s3"]) == 0
    assert "ec2" in yaml.safe_load(out.read_text())["capture"]["services"]


# -- AWS's own answers, through botocore's Stubber -----------------------------------------
# moto does not implement GetEbsDefaultKmsKeyId (tests/account/conftest.py answers it from
# moto's state), ignores OwnerIds and answers in one page; these answer as AWS documents.


@pytest.fixture
def stubbed(monkeypatch):
    """ServiceCalls for EC2 in Paris whose client answers from a Stubber, nothing sent."""
    session = open_session(AwsOptions(region=PARIS))
    client = session.client("ec2")
    monkeypatch.setattr(AwsSession, "client", lambda self, service, region=None: client)
    with Stubber(client) as stubber:
        yield stubber, ServiceCalls(session, "ec2", PARIS, CallLog(), max_attempts=1)
        stubber.assert_no_pending_responses()


KEY = f"arn:aws:kms:{PARIS}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _settings(stubber, default_key):
    stubber.add_response("get_ebs_encryption_by_default", {"EbsEncryptionByDefault": True})
    stubber.add_response("get_ebs_default_kms_key_id", {"KmsKeyId": default_key})


def test_every_page_of_volumes_is_read_and_snapshots_are_asked_for_the_accounts_own(stubbed):
    stubber, calls = stubbed
    _settings(stubber, "alias/aws/ebs")
    volume = {"Encrypted": True, "KmsKeyId": KEY, "Attachments": []}
    stubber.add_response(
        "describe_volumes",
        {"Volumes": [{**volume, "VolumeId": "vol-2"}], "NextToken": "t1"},
        {"MaxResults": 500},
    )
    stubber.add_response(
        "describe_volumes",
        {"Volumes": [{**volume, "VolumeId": "vol-1"}]},
        {"MaxResults": 500, "NextToken": "t1"},
    )
    stubber.add_response(
        "describe_snapshots",
        {
            "Snapshots": [
                {
                    "SnapshotId": "snap-1",
                    "OwnerId": ACCOUNT,
                    "VolumeId": "vol-1",
                    "Encrypted": True,
                    "KmsKeyId": KEY,
                },
                {"SnapshotId": "snap-2", "OwnerId": "999999999999", "Encrypted": False},  # not ours
            ]
        },
        {"OwnerIds": ["self"], "MaxResults": 1000},
    )
    section = capture_ec2(calls, ACCOUNT, "aws", {"alias/aws/ebs": KEY})
    assert [v["VolumeId"] for v in section.region["Volumes"]] == ["vol-1", "vol-2"]
    assert [s["SnapshotId"] for s in section.region["Snapshots"]] == ["snap-1"]
    assert section.region["EbsDefaultKmsKeyId"] == KEY  # the alias AWS answers, resolved
    assert section.region["Instances"] == [] and section.gaps == []


def test_instances_are_asked_for_by_the_ids_volumes_are_attached_to(stubbed):
    stubber, calls = stubbed
    _settings(stubber, KEY)
    attached = {"Encrypted": False, "Attachments": [{"InstanceId": "i-1", "Device": "/dev/xvda"}]}
    stubber.add_response(
        "describe_volumes", {"Volumes": [{**attached, "VolumeId": "vol-1"}]}, {"MaxResults": 500}
    )
    stubber.add_response("describe_snapshots", {"Snapshots": []}, {"OwnerIds": ["self"], "MaxResults": 1000})
    instance = {
        "InstanceId": "i-1",
        "State": {"Code": 16, "Name": "running"},
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeId": "vol-1"}}],
        "Tags": [{"Key": "Name", "Value": "web"}],
    }
    stubber.add_response(
        "describe_instances",
        {"Reservations": [{"Instances": [instance]}]},
        {"Filters": [{"Name": "instance-id", "Values": ["i-1"]}], "MaxResults": 1000},
    )
    (entry,) = capture_ec2(calls, ACCOUNT, "aws", {}).region["Instances"]
    assert entry["State"] == {"Name": "running"}
    assert entry["BlockDeviceMappings"] == [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeId": "vol-1"}}]
    assert entry["Tags"] == [{"Key": "Name", "Value": "web"}]


def test_an_attached_instance_aws_does_not_return_is_a_gap_not_a_nameless_instance(stubbed):
    stubber, calls = stubbed
    _settings(stubber, KEY)
    attached = {"Encrypted": False, "Attachments": [{"InstanceId": "i-gone", "Device": "/dev/xvda"}]}
    stubber.add_response(
        "describe_volumes", {"Volumes": [{**attached, "VolumeId": "vol-1"}]}, {"MaxResults": 500}
    )
    stubber.add_response("describe_snapshots", {"Snapshots": []}, {"OwnerIds": ["self"], "MaxResults": 1000})
    stubber.add_response("describe_instances", {"Reservations": []})
    section = capture_ec2(calls, ACCOUNT, "aws", {})
    assert [(g.section, g.code) for g in section.gaps] == [(f"ec2/{PARIS}/Instances", "InstanceNotReturned")]
    assert section.region["Gaps"][0]["Section"] == "Instances"
