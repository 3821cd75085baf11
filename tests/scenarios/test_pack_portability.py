"""The KMS pack, unchanged, on somebody else's account: what a new user meets.

The account is built in moto as the user of issue 23 had it: an incident-response role of
another name (`CadoResponseRole`) holding the vendor document's four statements, a key whose
policy names that role ("evidence"), a key whose policy names only an application role
("app"), one encrypted volume on each key, one account, one Region. It is captured with
`harness account capture`, and the whole pack runs on the capture given only the account id,
the Region and the role name, as the pack's README tells a user to:

    pytest scenarios/kms --iam-account CAPTURE --iam-var ir_role=CadoResponseRole \
        --iam-var account_id=123456789012 --iam-var region=us-east-1 [--iam-var workload_region=...]

us-east-1 is also the pack's default `workload_region`: the first run is refused with one
clear error per cross-Region file, the second (another workload Region) has no error cell and
no failed cell; what the capture does not hold (the target account, the vendor's sample
`KeyAdministrator`, the example's key ids) is skipped with the reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.account.capture import CaptureOptions, capture_account
from harness.run.stream import load_document
from harness.testing import sandbox
from tests.account.capture_builders import ACQUISITION_EC2, TRUST_EC2, doc
from tests.account.conftest import Moto, moto_server  # noqa: F401  (the loopback moto server fixture)

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "scenarios" / "kms"
REGION = "us-east-1"  # the pack's default workload_region: the user's Region collides with it
OTHER_REGION = "eu-west-1"
ROLE = "CadoResponseRole"
DIFFER = "workload_region must differ from region: the cross-Region scenarios need another Region"


@dataclass(frozen=True)
class Newcomer:
    """The captured account and what the test needs to name in it."""

    capture: Path
    account: str
    evidence_key: str  # its key policy names the IR role
    app_key: str  # its key policy names only AppRole

    def key_arn(self, key_id: str) -> str:
        return f"arn:aws:kms:{REGION}:{self.account}:key/{key_id}"


@dataclass(frozen=True)
class PackRun:
    returncode: int
    output: str
    cells: list[dict[str, Any]]
    errors: list[dict[str, Any]]

    def outcomes(self, outcome: str) -> list[dict[str, Any]]:
        return [c for c in self.cells if c["outcome"] == outcome]

    def files(self) -> set[str]:
        return {c["file"].rsplit("/", 1)[-1] for c in self.cells}


def _key_policy(account: str, user: str) -> str:
    """Administration for the account, use (and grants for AWS resources) for one role only."""
    user_arn = f"arn:aws:iam::{account}:role/{user}"
    return doc(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "KeyAdministration",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:PutKeyPolicy"],
                    "Resource": "*",
                },
                {
                    "Sid": "Use",
                    "Effect": "Allow",
                    "Principal": {"AWS": user_arn},
                    "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
                    "Resource": "*",
                },
                {
                    "Sid": "GrantsForAwsResources",
                    "Effect": "Allow",
                    "Principal": {"AWS": user_arn},
                    "Action": "kms:CreateGrant",
                    "Resource": "*",
                    "Condition": {"Bool": {"kms:GrantIsForAWSResource": True}},
                },
            ],
        }
    )


def _build(moto: Moto) -> tuple[str, dict[str, str]]:
    """The user's account in moto; returns its id and the key id per key name."""
    iam = moto.client("iam", REGION)
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=doc(TRUST_EC2))
    for statement in sorted((PACK / "policies").glob("RequiredFor*.json")):
        if "-without-" not in statement.name:  # the document's four statements, as published
            iam.put_role_policy(
                RoleName=ROLE, PolicyName=statement.stem, PolicyDocument=statement.read_text()
            )
    # and the EC2 calls 10-estate.yaml asks (not the document's): a role that acquires holds them
    iam.put_role_policy(RoleName=ROLE, PolicyName="AcquisitionEc2", PolicyDocument=doc(ACQUISITION_EC2))
    iam.create_role(RoleName="AppRole", AssumeRolePolicyDocument=doc(TRUST_EC2))
    account = moto.client("sts", REGION).get_caller_identity()["Account"]
    kms, ec2 = moto.client("kms", REGION), moto.client("ec2", REGION)
    keys = {}
    for name, user in (("evidence", ROLE), ("app", "AppRole")):
        key_id = kms.create_key(Policy=_key_policy(account, user))["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=f"alias/{name}", TargetKeyId=key_id)
        ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=8, Encrypted=True, KmsKeyId=key_id)
        keys[name] = key_id
    return account, keys


@pytest.fixture(scope="module")
def newcomer(moto_server: Moto, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Newcomer]:  # noqa: F811
    folder = tmp_path_factory.mktemp("newcomer")
    with pytest.MonkeyPatch.context() as patch:
        sandbox.fake_aws_environment(patch, folder, REGION)
        sandbox.loopback_only(patch)
        patch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # no public snapshots of other owners
        moto_server.reset()
        account, keys = _build(moto_server)
        result = capture_account(
            CaptureOptions(regions=(REGION,), endpoint_url=moto_server.url, progress=False)
        )
        assert result.gaps == []
        capture = folder / "capture.yaml"
        capture.write_text(result.text)
        yield Newcomer(capture, account, keys["evidence"], keys["app"])
        moto_server.reset()


def run_pack(newcomer: Newcomer, report: Path, **variables: str) -> PackRun:
    given = {"ir_role": ROLE, "account_id": newcomer.account, "region": REGION, **variables}
    args = [sys.executable, "-m", "pytest", str(PACK), "-p", "no:cacheprovider", "-p", "no:xdist", "-rs"]
    args += ["--iam-account", str(newcomer.capture), "--iam-report-dir", str(report), "--iam-matrix", "none"]
    for name, value in given.items():
        args += ["--iam-var", f"{name}={value}"]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    run = load_document(report / "run.json")
    return PackRun(done.returncode, done.stdout + done.stderr, run["cells"], run.get("errors") or [])


@pytest.fixture(scope="module")
def same_region(newcomer: Newcomer, tmp_path_factory: pytest.TempPathFactory) -> PackRun:
    return run_pack(newcomer, tmp_path_factory.mktemp("same-region"))


@pytest.fixture(scope="module")
def other_region(newcomer: Newcomer, tmp_path_factory: pytest.TempPathFactory) -> PackRun:
    return run_pack(newcomer, tmp_path_factory.mktemp("other-region"), workload_region=OTHER_REGION)


def test_the_capture_holds_one_account_the_renamed_role_and_a_key_per_volume(newcomer):
    text = newcomer.capture.read_text()
    assert f"role/{ROLE}" in text and "myCadoResponseRole" not in text
    assert text.count("VolumeId") == 2
    assert newcomer.evidence_key in text and newcomer.app_key in text


def test_workload_region_equal_to_region_is_one_clear_error_per_cross_region_file(same_region):
    refused = [e for e in same_region.errors if DIFFER in e["message"]]
    assert sorted((e["file"], e["field"]) for e in refused) == [
        ("scenarios/kms/01-default-ebs-key.yaml", "vars_differ[0]"),
        ("scenarios/kms/03-cross-region.yaml", "vars_differ[0]"),
    ]
    assert all(e["line"] > 0 and "--iam-var workload_region=" in e["suggestion"] for e in refused)
    assert len(same_region.errors) == 2  # nothing else is refused
    assert same_region.returncode == 2  # red: two files could not be checked


def real_findings_only(run: PackRun, newcomer: Newcomer) -> None:
    """Every failed cell is about the app key, whose policy does not name the IR role: a true finding
    about this account (the role cannot read that volume's key), never the pack misreading it."""
    wrong = [c["id"] for c in run.outcomes("failed") if c["resource"] != newcomer.key_arn(newcomer.app_key)]
    assert wrong == []


def test_with_the_same_region_no_cell_errors_or_fails_for_it(same_region, newcomer):
    assert same_region.outcomes("error") == []
    real_findings_only(same_region, newcomer)
    ran = {name[:2] for name in same_region.files()}
    assert {"02", "04", "05", "06", "07", "08", "09"} <= ran  # the other files still ran
    assert not {"01", "03"} & ran


def test_with_another_workload_region_no_cell_errors_and_every_failure_is_a_real_finding(
    other_region, newcomer
):
    assert other_region.errors == []
    assert other_region.outcomes("error") == []
    real_findings_only(other_region, newcomer)
    assert {name[:2] for name in other_region.files()} >= {f"0{n}" for n in range(1, 10)}
    # 01-09 check the vendor's sample policies and the role's own statements: all hold here.
    assert [c["id"] for c in other_region.outcomes("failed") if c["file"].rsplit("/", 1)[-1] < "10"] == []


def test_every_scenario_about_the_ir_role_runs(other_region):
    on_role = [c for c in other_region.cells if c["principal"] == "cado-role"]
    evaluated = [c for c in on_role if c["outcome"] != "skipped"]
    assert len(evaluated) > 0.9 * len(on_role)
    # The role is never skipped; a cell is only where it names one of the example's own key ids
    # (the pack's defaults for `custom_key_id`, ...), which this account lacks, and it says which
    # variable names the key.
    for cell in on_role:
        if cell["outcome"] == "skipped":
            assert cell["skip_reason"].startswith(f"KMS key {cell['resource']} is not in the account model")
            assert "--iam-var" in cell["skip_reason"]


def test_cells_of_the_uncaptured_target_account_are_skips_naming_the_capture_command(other_region):
    skipped = [c for c in other_region.outcomes("skipped") if c["principal"] == "cross-account-role"]
    assert skipped
    for cell in skipped:
        assert cell["actual"] == "skipped"
        assert "account 210987654321" in cell["skip_reason"]
        assert "harness account capture" in cell["skip_reason"]
        assert "--assume-role arn:aws:iam::210987654321:role/" in cell["skip_reason"]


def test_the_vendors_sample_key_administrator_is_skipped_with_the_reason(other_region):
    skipped = [c for c in other_region.outcomes("skipped") if c["principal"] == "key-administrator"]
    assert skipped and all("`optional`" in c["skip_reason"] for c in skipped)
    assert "KeyAdministrator" not in " ".join(e["message"] for e in other_region.errors)


def test_the_only_ir_decrypts_file_warns_about_its_key_administrator_exception(other_region):
    assert "'KeyAdministrator' names no principal of the account model" in other_region.output
    assert any(c["file"].endswith("09-only-ir-decrypts.yaml") for c in other_region.cells)


def test_pointing_the_compliance_check_at_a_key_that_does_not_name_the_ir_role_finds_it(newcomer, tmp_path):
    run = run_pack(newcomer, tmp_path, workload_region=OTHER_REGION, custom_key_id=newcomer.app_key)
    in_09 = [c for c in run.outcomes("failed") if c["file"].endswith("09-only-ir-decrypts.yaml")]
    found = sorted((c["principal"].rsplit("/", 1)[-1], c["action"], c["expected"]) for c in in_09)
    assert found == [
        ("AppRole", "kms:CreateGrant", "denied"),
        ("AppRole", "kms:Decrypt", "denied"),
        (ROLE, "kms:CreateGrant", "allowed"),
        (ROLE, "kms:Decrypt", "allowed"),
    ]
    real_findings_only(run, newcomer)
    assert run.outcomes("error") == []
    assert run.returncode == 1


def test_a_skipped_cell_reads_back_from_run_json_as_skipped(other_region):
    cell = other_region.outcomes("skipped")[0]
    assert cell["enforced"] is None
    assert json.dumps(cell)  # plain JSON all the way
