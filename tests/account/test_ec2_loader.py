# ruff: noqa: E501  (model YAML written inline reads best on one line)
"""The account model's `Ec2:` section: AWS's own field names, checked like every other key."""

from __future__ import annotations

import pytest

from harness.account import load_account_model
from harness.account.ec2 import Ec2Part
from harness.inputs.errors import ScenarioFileErrors

GOOD = """\
vars:
  home: eu-west-3
accounts:
  - AccountId: "111122223333"
    Ec2:
      ${home}:
        EbsEncryptionByDefault: true
        EbsDefaultKmsKeyId: arn:aws:kms:eu-west-3:111122223333:key/k1
        Volumes:
          - VolumeId: vol-1
            Encrypted: true
            KmsKeyId: arn:aws:kms:eu-west-3:111122223333:key/k1
            Attachments: [{InstanceId: i-1, Device: /dev/xvda}]
            Tags: [{Key: Name, Value: root}]
        Snapshots:
          - {SnapshotId: snap-1, VolumeId: vol-1, Encrypted: false}
        Instances:
          - InstanceId: i-1
            State: {Name: running}
            BlockDeviceMappings: [{DeviceName: /dev/xvda, Ebs: {VolumeId: vol-1}}]
            Tags: [{Key: Name, Value: web}]
"""


def _load(tmp_path, text):
    path = tmp_path / "model.yaml"
    path.write_text(text)
    return load_account_model(path)


def _errors(tmp_path, text) -> list[str]:
    with pytest.raises(ScenarioFileErrors) as caught:
        _load(tmp_path, text)
    return [str(e) for e in caught.value.errors]


def test_a_region_loads_with_its_arns_made_from_ids_and_its_region_a_variable(tmp_path):
    region = _load(tmp_path, GOOD).accounts["111122223333"].ec2["eu-west-3"]
    (volume,), (snapshot,), (instance,) = region.volumes, region.snapshots, region.instances
    assert volume.arn == "arn:aws:ec2:eu-west-3:111122223333:volume/vol-1"
    assert snapshot.arn == "arn:aws:ec2:eu-west-3::snapshot/snap-1"
    assert (instance.arn, instance.name, instance.state, instance.volume_ids) == (
        "arn:aws:ec2:eu-west-3:111122223333:instance/i-1",
        "web",
        "running",
        ("vol-1",),
    )
    assert (region.ebs_encryption_by_default, region.gaps) == (True, ())


def test_an_entry_pasted_from_describe_volumes_loads(tmp_path):
    pasted = GOOD.replace(
        "          - VolumeId: vol-1\n",
        "          - VolumeId: vol-1\n            Size: 8\n            AvailabilityZone: eu-west-3a\n"
        "            State: in-use\n            VolumeType: gp3\n            CreateTime: '2024-01-01T00:00:00Z'\n"
        "            VolumeArn: arn:aws:ec2:eu-west-3:111122223333:volume/vol-1\n            OwnerId: '111122223333'\n",
    )
    assert _load(tmp_path, pasted).accounts["111122223333"].ec2["eu-west-3"].volumes[0].volume_id == "vol-1"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("            KmsKeyId: arn", "            KmsKeyID: arn"),
            "model.yaml:12: accounts[0].Ec2.${home}.Volumes[0].KmsKeyID: unknown key 'KmsKeyID'\n    hint: did you mean KmsKeyId?",
        ),
        (("            Encrypted: true\n", ""), "Volumes[0].Encrypted: Encrypted is required: true or false"),
        (
            ("Encrypted: false}", "Encrypted: false, KmsKeyId: k}"),
            "Snapshots[0].KmsKeyId: a KmsKeyId on an unencrypted entry",
        ),
        (
            ("InstanceId: i-1, Device", "InstanceId: i-2, Device"),
            "vol-1 is attached to i-2, not under Instances",
        ),
        (("${home}:", "paris:"), "'paris' is not a Region name"),
        (
            ("        Snapshots:\n          - {SnapshotId: snap-1, VolumeId: vol-1, Encrypted: false}\n", ""),
            "Snapshots: Snapshots is missing\n    hint: write [] when there are none",
        ),
        (
            ("SnapshotId: snap-1,", "SnapshotId: snap-1, OwnerId: '444455556666',"),
            "owned by account 444455556666 but listed under account 111122223333",
        ),
        (
            (
                "          - InstanceId: i-1\n",
                "          - InstanceId: i-1\n            Arn: arn:aws:ec2:us-east-1:111122223333:instance/i-1\n",
            ),
            "is not this entry's\n    hint: expected arn:aws:ec2:eu-west-3:111122223333:instance/i-1",
        ),
        (("State: {Name: running}", "State: {Nme: running}"), "State.Nme: unknown key 'Nme'"),
        (
            ("EbsEncryptionByDefault: true", "EbsEncryptionByDefault: yes please"),
            "EbsEncryptionByDefault: must be true or false",
        ),
        (
            ("          - VolumeId: vol-1\n", "          - VolumeId: volume-1\n"),
            "VolumeId is required (vol-...), got 'volume-1'",
        ),
    ],
)
def test_a_mistake_is_an_error_naming_file_line_and_field(tmp_path, change, expected):
    old, new = change
    assert old in GOOD
    errors = _errors(tmp_path, GOOD.replace(old, new))
    assert any(expected in e for e in errors), errors


def test_a_volume_listed_twice_is_an_error(tmp_path):
    twice = GOOD.replace(
        "        Snapshots:", "          - {VolumeId: vol-1, Encrypted: false}\n        Snapshots:"
    )
    assert any("volume/vol-1 listed twice" in e for e in _errors(tmp_path, twice))


def test_a_part_with_a_gap_needs_no_list_and_keeps_the_gap(tmp_path):
    gapped = GOOD.replace(
        "        Snapshots:\n          - {SnapshotId: snap-1, VolumeId: vol-1, Encrypted: false}\n",
        "        Gaps:\n          - {Section: Snapshots, Operation: ec2:DescribeSnapshots, Code: UnauthorizedOperation, Message: no}\n",
    )
    region = _load(tmp_path, gapped).accounts["111122223333"].ec2["eu-west-3"]
    gap = region.gap_for(Ec2Part.SNAPSHOTS)
    assert (
        gap is not None and gap.describe() == "ec2:DescribeSnapshots was refused (UnauthorizedOperation): no"
    )


def test_a_gap_of_an_unknown_part_is_an_error(tmp_path):
    bad = GOOD.replace(
        "        Instances:",
        "        Gaps: [{Section: Volume, Operation: ec2:DescribeVolumes, Code: X}]\n        Instances:",
    )
    assert any("unknown part 'Volume'" in e for e in _errors(tmp_path, bad))


def test_the_kms_pack_example_loads_with_its_ec2():
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "scenarios" / "kms" / "accounts" / "example.yaml"
    model = load_account_model(example)
    assert all(a.ec2 for a in model.accounts.values())
