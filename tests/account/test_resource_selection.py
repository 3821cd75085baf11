"""Selecting resources from the account model: keys by what they encrypt, volumes, snapshots, instances."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.account import load_account_model
from harness.account.model import CaptureGap
from harness.account.resources import Covered, ResourceKind, ResourceSelector, select_resources
from harness.account.selection import SelectionError

ONE, TWO, ELSEWHERE = "111122223333", "444455556666", "999988887777"
PARIS, VIRGINIA = "eu-west-3", "us-east-1"
EXAMPLE = Path(__file__).resolve().parents[2] / "scenarios" / "kms" / "accounts" / "example.yaml"


def key(region: str, n: int, account: str = ONE) -> str:
    return f"arn:aws:kms:{region}:{account}:key/{n:08d}-0000-4000-8000-000000000000"


APP, EBS, DATA, UNUSED = key(PARIS, 1), key(PARIS, 2), key(VIRGINIA, 3), key(PARIS, 4)
FOREIGN = key(PARIS, 9, ELSEWHERE)  # a key of an account the model does not hold


def _tags(**tags: str) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def _key_entry(arn: str, *aliases: str, **tags: str) -> dict[str, Any]:
    return {"Arn": arn, "Aliases": list(aliases), "Tags": _tags(**tags)}


def _volume(volume_id: str, kms: str | None, *attached: tuple[str, str], **tags: str) -> dict[str, Any]:
    out: dict[str, Any] = {"VolumeId": volume_id, "Encrypted": kms is not None}
    if kms:
        out["KmsKeyId"] = kms
    out["Attachments"] = [{"InstanceId": i, "Device": d} for i, d in attached]
    out["Tags"] = _tags(**tags)
    return out


def _instance(instance_id: str, name: str, *volume_ids: str) -> dict[str, Any]:
    return {
        "InstanceId": instance_id,
        "State": {"Name": "running"},
        "BlockDeviceMappings": [
            {"DeviceName": f"/dev/sd{i}", "Ebs": {"VolumeId": v}} for i, v in enumerate(volume_ids)
        ],
        "Tags": _tags(Name=name),
    }


def _snapshot(snapshot_id: str, volume_id: str, kms: str, **tags: str) -> dict[str, Any]:
    return {
        "SnapshotId": snapshot_id,
        "VolumeId": volume_id,
        "Encrypted": True,
        "KmsKeyId": kms,
        "Tags": _tags(**tags),
    }


def _region(volumes=(), snapshots=(), instances=()) -> dict[str, Any]:
    return {"Volumes": list(volumes), "Snapshots": list(snapshots), "Instances": list(instances)}


# Two accounts, two Regions, four keys of account ONE (UNUSED encrypts nothing); volumes name
# their keys the ways AWS allows: alias name, key id, alias ARN, key ARN (another account's too).
ESTATE: dict[str, Any] = {
    "accounts": [
        {
            "AccountId": ONE,
            "ResourcePolicies": [
                _key_entry(APP, "alias/app", team="ir"),
                _key_entry(EBS, "alias/aws/ebs"),
                _key_entry(DATA, team="data"),
                _key_entry(UNUSED, team="ir"),
            ],
            "Ec2": {
                PARIS: _region(
                    volumes=[
                        _volume("vol-a", "alias/app", ("i-web", "/dev/xvda"), Name="web-root", env="prod"),
                        _volume(
                            "vol-b",
                            EBS.rsplit("/", 1)[1],
                            ("i-web", "/dev/sdf"),
                            Name="web-data",
                            env="prod-eu",
                        ),
                        _volume("vol-c", None, ("i-batch", "/dev/xvda"), Name="batch-root", env="dev"),
                    ],
                    snapshots=[
                        _snapshot("snap-a", "vol-a", APP, Name="web-root-backup"),
                        _snapshot("snap-b", "vol-gone", f"arn:aws:kms:{PARIS}:{ONE}:alias/aws/ebs"),
                    ],
                    instances=[
                        _instance("i-batch", "batch", "vol-c"),
                        _instance("i-web", "web", "vol-a", "vol-b"),
                    ],
                ),
                VIRGINIA: _region(volumes=[_volume("vol-d", DATA, Name="archive", env="prod")]),
            },
        },
        {
            "AccountId": TWO,
            "Ec2": {
                PARIS: _region(
                    volumes=[
                        _volume("vol-e", APP, ("i-app", "/dev/xvda"), Name="app-root"),
                        _volume("vol-f", FOREIGN, Name="foreign"),
                    ],
                    instances=[_instance("i-app", "app", "vol-e")],
                ),
                VIRGINIA: _region(),
            },
        },
    ]
}


def _model(tmp_path: Path, change=None):
    doc = copy.deepcopy(ESTATE)
    if change is not None:
        change(doc)
    path = tmp_path / "estate.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return load_account_model(path)


def _select(model, kind, encrypts=None, **where):
    return select_resources(model, ResourceSelector.parse(kind, encrypts, where))


def _ids(selected) -> list[str]:
    return [r.arn.rsplit("/", 1)[-1] for r in selected]


def vol(account: str, region: str, volume_id: str) -> str:
    return f"arn:aws:ec2:{region}:{account}:volume/{volume_id}"


def inst(account: str, region: str, instance_id: str) -> str:
    return f"arn:aws:ec2:{region}:{account}:instance/{instance_id}"


# -- keys by what they encrypt -----------------------------------------------------------------


def test_keys_that_encrypt_volumes_are_selected_and_a_key_that_encrypts_nothing_is_not(tmp_path):
    selected = _select(_model(tmp_path), "kms:key", "ec2:volume")
    assert [r.arn for r in selected] == [APP, EBS, DATA, FOREIGN]
    assert UNUSED not in [r.arn for r in selected]
    assert [(r.account, r.region) for r in selected] == [
        (ONE, PARIS),
        (ONE, PARIS),
        (ONE, VIRGINIA),
        (ELSEWHERE, PARIS),
    ]


def test_a_key_covers_its_volumes_their_instances_and_its_snapshots_in_every_account(tmp_path):
    (app,) = [r for r in _select(_model(tmp_path), "kms:key", "ec2:volume") if r.arn == APP]
    assert app.covers == (
        Covered(vol(ONE, PARIS, "vol-a"), ResourceKind.EC2_VOLUME, ONE, PARIS, "i-web", "web", APP),
        Covered(vol(TWO, PARIS, "vol-e"), ResourceKind.EC2_VOLUME, TWO, PARIS, "i-app", "app", APP),
        Covered(f"arn:aws:ec2:{PARIS}::snapshot/snap-a", ResourceKind.EC2_SNAPSHOT, ONE, PARIS, key_arn=APP),
        Covered(inst(ONE, PARIS, "i-web"), ResourceKind.EC2_INSTANCE, ONE, PARIS, "i-web", "web"),
        Covered(inst(TWO, PARIS, "i-app"), ResourceKind.EC2_INSTANCE, TWO, PARIS, "i-app", "app"),
    )


def test_key_ids_and_alias_arns_name_the_key_of_the_volumes_account_and_region(tmp_path):
    (ebs,) = [r for r in _select(_model(tmp_path), "kms:key", "ec2:volume") if r.arn == EBS]
    assert [c.resource_id for c in ebs.covers] == ["vol-b", "snap-b", "i-web"]


def test_keys_that_encrypt_snapshots_cover_only_the_snapshots(tmp_path):
    selected = _select(_model(tmp_path), "kms:key", "ec2:snapshot")
    assert [r.arn for r in selected] == [APP, EBS]
    assert [[c.resource_id for c in r.covers] for r in selected] == [["snap-a"], ["snap-b"]]


def test_key_tags_filter_with_string_like_and_an_unknown_keys_tags_are_an_error(tmp_path):
    model = _model(tmp_path)
    with pytest.raises(CaptureGap, match=f"tags of key {FOREIGN}"):
        _select(model, "kms:key", "ec2:volume", **{"tag:team": "i?"})
    selected = _select(model, "kms:key", "ec2:volume", account=ONE, **{"tag:team": "i?"})
    assert [r.arn for r in selected] == [APP]


def test_every_key_of_the_model_without_encrypts(tmp_path):
    assert [r.arn for r in _select(_model(tmp_path), "kms:key", region="eu-*")] == [APP, EBS, UNUSED]


# -- volumes, snapshots, instances ------------------------------------------------------------


def test_a_volume_covers_itself_per_instance_and_its_instance_with_what_a_report_needs(tmp_path):
    selected = _select(_model(tmp_path), "ec2:volume", account=ONE, region=PARIS)
    assert _ids(selected) == ["vol-a", "vol-b", "vol-c"]
    volume = selected[0].covers[0]
    assert (volume.account, volume.region, volume.resource_id) == (ONE, PARIS, "vol-a")
    assert (volume.instance_id, volume.instance_name, volume.key_arn) == ("i-web", "web", APP)
    assert [c.kind for c in selected[0].covers] == [ResourceKind.EC2_VOLUME, ResourceKind.EC2_INSTANCE]


def test_an_unencrypted_volume_has_no_key_and_where_encrypted_false_finds_it(tmp_path):
    (plain,) = _select(_model(tmp_path), "ec2:volume", encrypted=False)
    assert _ids([plain]) == ["vol-c"] and plain.covers[0].key_arn == ""


def test_an_unattached_volume_covers_itself_only(tmp_path):
    (archive,) = _select(_model(tmp_path), "ec2:volume", region="us-*")
    assert archive.covers == (
        Covered(vol(ONE, VIRGINIA, "vol-d"), ResourceKind.EC2_VOLUME, ONE, VIRGINIA, key_arn=DATA),
    )


def test_a_snapshot_covers_itself(tmp_path):
    selected = _select(_model(tmp_path), "ec2:snapshot")
    assert [[c.resource_id for c in r.covers] for r in selected] == [["snap-a"], ["snap-b"]]
    assert selected[1].covers[0].key_arn == EBS


def test_an_instance_covers_itself_and_its_volumes(tmp_path):
    (web,) = _select(_model(tmp_path), "ec2:instance", **{"tag:Name": "web"})
    assert [(c.kind, c.resource_id, c.key_arn) for c in web.covers] == [
        (ResourceKind.EC2_VOLUME, "vol-a", APP),
        (ResourceKind.EC2_VOLUME, "vol-b", EBS),
        (ResourceKind.EC2_INSTANCE, "i-web", ""),
    ]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"tag:env": "prod*"}, ["vol-a", "vol-b", "vol-d"]),
        ({"tag:env": "prod"}, ["vol-a", "vol-d"]),
        ({"tag:env": "PROD*"}, []),  # case-sensitive, as StringLike
        ({"tag:env": "pro?"}, ["vol-a", "vol-d"]),
        ({"tag:env": ["dev", "prod-??"]}, ["vol-b", "vol-c"]),  # a list: any of them
        ({"tag:owner": "*"}, []),  # no such tag: no match
        ({"tag:env": "prod*", "region": PARIS}, ["vol-a", "vol-b"]),
        ({"account": "4444*"}, ["vol-e", "vol-f"]),
        ({"encrypted": True, "account": ONE}, ["vol-a", "vol-b", "vol-d"]),
    ],
)
def test_where_conditions_all_hold_and_patterns_match_like_iams_string_like(tmp_path, where, expected):
    assert _ids(_select(_model(tmp_path), "ec2:volume", **where)) == expected


def test_roles_and_buckets_are_selected_from_the_model(tmp_path):
    def add(doc):
        doc["accounts"][0]["RoleDetailList"] = [{"RoleName": "responder", "Tags": _tags(team="ir")}]
        doc["accounts"][0]["ResourcePolicies"].append({"Arn": "arn:aws:s3:::evidence"})

    model = _model(tmp_path, add)
    (role,) = _select(model, "iam:role", **{"tag:team": "ir"})
    assert (role.arn, role.account, role.region) == (f"arn:aws:iam::{ONE}:role/responder", ONE, "")
    assert [r.arn for r in _select(model, "s3:bucket")] == ["arn:aws:s3:::evidence"]


# -- what the model could not read ------------------------------------------------------------


def test_a_region_whose_volumes_were_not_read_is_an_error_not_no_volumes(tmp_path):
    def refuse(doc):
        paris = doc["accounts"][1]["Ec2"][PARIS]
        paris["Volumes"], paris["Instances"] = [], []
        paris["Gaps"] = [
            {"Section": "Volumes", "Operation": "ec2:DescribeVolumes", "Code": "UnauthorizedOperation"}
        ]

    model = _model(tmp_path, refuse)
    for kind, encrypts, where in (
        ("ec2:volume", None, {}),
        ("ec2:instance", None, {"account": TWO}),
        ("kms:key", "ec2:volume", {"account": ONE}),  # account TWO's volumes may use ONE's keys
    ):
        with pytest.raises(CaptureGap, match=f"Volumes of account {TWO} in {PARIS}: ec2:DescribeVolumes"):
            _select(model, kind, encrypts, **where)
    assert _ids(_select(model, "ec2:volume", account=ONE, region=PARIS)) == ["vol-a", "vol-b", "vol-c"]
    assert _select(model, "ec2:snapshot", account=TWO) == []  # snapshots were read


def test_a_region_named_but_not_captured_is_an_error(tmp_path):
    with pytest.raises(CaptureGap, match=f"Region ap-south-1 of account {ONE} was not captured"):
        _select(_model(tmp_path), "ec2:volume", region=["ap-south-1", PARIS])


def test_an_account_without_ec2_in_the_model_is_an_error(tmp_path):
    model = _model(tmp_path, lambda doc: doc["accounts"][1].pop("Ec2"))
    with pytest.raises(CaptureGap, match=f"no EC2 for account {TWO}"):
        _select(model, "ec2:snapshot")
    assert _ids(_select(model, "ec2:snapshot", account=ONE)) == ["snap-a", "snap-b"]


def test_a_key_list_that_could_not_be_read_is_an_error_for_key_selection(tmp_path):
    def refuse(doc):
        doc["accounts"][0]["Gaps"] = [
            {"Section": f"kms/{VIRGINIA}", "Operation": "kms:ListKeys", "Code": "AccessDeniedException"}
        ]

    model = _model(tmp_path, refuse)
    with pytest.raises(CaptureGap, match=f"keys of account {ONE} in {VIRGINIA}: kms:ListKeys"):
        _select(model, "kms:key")
    assert [r.arn for r in _select(model, "kms:key", region=PARIS)] == [APP, EBS, UNUSED]


def test_an_alias_the_model_lacks_is_an_error_naming_the_volume(tmp_path):
    def unknown(doc):
        doc["accounts"][0]["Ec2"][VIRGINIA]["Volumes"][0]["KmsKeyId"] = "alias/missing"

    with pytest.raises(CaptureGap, match="'alias/missing' of volume vol-d"):
        _select(_model(tmp_path, unknown), "kms:key", "ec2:volume")


def test_s3_not_captured_is_an_error_for_bucket_selection(tmp_path):
    model = _model(
        tmp_path, lambda doc: doc.update(capture={"services": ["iam", "kms", "organizations", "ec2"]})
    )
    with pytest.raises(CaptureGap, match="did not read S3"):
        _select(model, "s3:bucket")


# -- the selector -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "encrypts", "where", "message"),
    [
        ("ec2:disk", None, {}, "unknown resource kind 'ec2:disk'"),
        ("ec2:volume", "ec2:snapshot", {}, "encrypts is for kind kms:key"),
        ("kms:key", "s3:bucket", {}, "encrypts is for kind kms:key"),
        ("ec2:volume", None, {"colour": "red"}, "unknown condition 'colour'"),
        ("ec2:volume", None, {"tag:": "x"}, "unknown condition 'tag:'"),
        ("kms:key", "ec2:volume", {"encrypted": True}, "where.encrypted is for ec2:volume"),
        ("ec2:volume", None, {"encrypted": "yes"}, "not true or false"),
        ("iam:role", None, {"region": PARIS}, "holds no Region for iam:role"),
        ("ec2:volume", None, {"region": ""}, "give a pattern"),
    ],
)
def test_a_selector_that_cannot_mean_anything_is_refused(kind, encrypts, where, message):
    with pytest.raises(SelectionError, match=message):
        ResourceSelector.parse(kind, encrypts, where)


# -- the question the model is for ------------------------------------------------------------


def _short(key_arn: str) -> str:
    key_id = key_arn.rsplit("/", 1)[-1]
    return f"{key_id[:8]}-...-{key_id[-12:]}"


def test_every_kms_encrypted_volume_of_the_kms_pack_example_with_its_instance_and_key():
    model = load_account_model(EXAMPLE)
    rows = {
        (c.account, c.region, c.resource_id, c.instance_id, c.instance_name, _short(c.key_arn))
        for r in select_resources(model, ResourceSelector.parse("kms:key", "ec2:volume"))
        for c in r.covers
        if c.kind is ResourceKind.EC2_VOLUME
    }
    platform, target, web, app = "012345678910", "210987654321", "i-0b21000000000000a", "i-0a11000000000000a"
    assert rows == {
        (platform, PARIS, "vol-0a11000000000000a", app, "cado-platform", "1e5b0000-...-000000000001"),
        (platform, PARIS, "vol-0a11000000000000b", app, "cado-platform", "c0570000-...-000000000002"),
        (
            platform,
            VIRGINIA,
            "vol-0a12000000000000a",
            "i-0a12000000000000a",
            "workload-app",
            "c4055000-...-000000000004",
        ),
        (target, PARIS, "vol-0b21000000000000a", web, "web-server", "1e5b0000-...-000000000011"),
        (target, PARIS, "vol-0b21000000000000b", web, "web-server", "c0570000-...-000000000012"),
    }
    (plain,) = select_resources(model, ResourceSelector.parse("ec2:volume", where={"encrypted": False}))
    assert plain.covers[0].instance_name == "legacy-batch"
