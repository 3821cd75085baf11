"""Benchmark: the estate question on a moto estate, from capture to readiness table.

    python bench/bench_estate.py [--volumes 2000] [--keys 200] [--regions 4] [--instances 500]

Builds in a moto server on 127.0.0.1 (its own process: `python -m harness.testing.moto_ebs`,
moto plus the EBS call it lacks) an account with the incident-response role
`CadoResponseRole`, `--keys` customer managed KMS keys spread over `--regions` Regions (one
in ten with a key policy that does not name the role: the blocked ones), and `--volumes`
encrypted EBS volumes under them, `--instances` of them attached to instances. Then, side by
side in one run:

- the capture (`harness account capture` over those Regions, IAM, KMS and EC2): API calls
  by action, wall time;
- the KMS pack's estate file on that capture, offline, as a user runs it
  (`pytest scenarios/kms/10-estate.yaml --iam-account capture.yaml --iam-var ...`, one
  process): wall time, cells, cells per second, peak memory, and the readiness table's rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_capture  # first: it sets the fake credentials every client of this process uses
import boto3

from harness.account.capture import CaptureOptions, capture_account

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "123456789012"  # moto's default account
PLATFORM_REGION = "eu-west-3"
REGIONS = ("eu-west-3", "us-east-1", "eu-central-1", "ap-southeast-2", "us-west-2", "eu-north-1")
ROLE = "CadoResponseRole"


def _doc(statements: list[dict]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def key_policy(region: str, names_role: bool) -> str:
    """The document's recommended key policy (custom keys), or one that leaves the role out."""
    root = {
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    if not names_role:
        return _doc([{**root, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/KeyAdministrator"}}])
    role = {"AWS": f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"}
    return _doc(
        [
            {
                "Sid": "Allow required KMS permissions",
                "Effect": "Allow",
                "Principal": role,
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
                "Resource": "*",
            },
            {
                "Sid": "Allow attachment of persistent resources",
                "Effect": "Allow",
                "Principal": role,
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ]
    )


def build(url: str, volumes: int, keys: int, regions: tuple[str, ...], instances: int) -> float:
    session = boto3.session.Session(region_name=PLATFORM_REGION)
    started = time.perf_counter()
    iam = session.client("iam", endpoint_url=url)
    trust = _doc(
        [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    )
    for name in (ROLE, "KeyAdministrator"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    iam.put_role_policy(
        RoleName=ROLE,
        PolicyName="RequiredForKmsEncryptedEc2Import",
        PolicyDocument=_doc(
            [
                {
                    "Effect": "Allow",
                    "Action": [
                        "kms:Encrypt",
                        "kms:Decrypt",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:CreateGrant",
                        "ec2:CreateSnapshot",
                        "ec2:DescribeInstances",
                        "ec2:DescribeSnapshots",
                        "ec2:DescribeVolumes",
                    ],
                    "Resource": "*",
                }
            ]
        ),
    )
    key_arns: dict[str, list[str]] = {region: [] for region in regions}
    for i in range(keys):
        region = regions[i % len(regions)]
        kms = session.client("kms", endpoint_url=url, region_name=region)
        meta = kms.create_key(Policy=key_policy(region, names_role=i % 10 != 9))["KeyMetadata"]
        key_arns[region].append(meta["Arn"])
    for i in range(volumes):
        region = regions[i % len(regions)]
        ec2 = session.client("ec2", endpoint_url=url, region_name=region)
        region_keys = key_arns[region]
        volume = ec2.create_volume(
            Size=1,
            AvailabilityZone=f"{region}a",
            Encrypted=True,
            KmsKeyId=region_keys[(i // len(regions)) % len(region_keys)],
            TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "env", "Value": "prod"}]}],
        )
        if i < instances:
            image = _image(ec2, region)
            instance = ec2.run_instances(
                ImageId=image,
                MinCount=1,
                MaxCount=1,
                Placement={"AvailabilityZone": f"{region}a"},
                TagSpecifications=[
                    {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": f"app-{i}"}]}
                ],
            )["Instances"][0]["InstanceId"]
            ec2.attach_volume(VolumeId=volume["VolumeId"], InstanceId=instance, Device="/dev/sdf")
    return time.perf_counter() - started


_IMAGES: dict[str, str] = {}


def _image(ec2, region: str) -> str:
    if region not in _IMAGES:
        _IMAGES[region] = ec2.describe_images(Owners=["amazon"], MaxResults=5)["Images"][0]["ImageId"]
    return _IMAGES[region]


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    # moto plus the EBS call it lacks, in its own process.
    return bench_capture.start_moto("harness.testing.moto_ebs")


# pytest in a process of its own that reports its own peak memory (the moto server, another
# child of this one, must not count).
_PYTEST_WITH_PEAK = (
    "import resource, sys, pytest; rc = pytest.main(sys.argv[1:]); "
    "print('peak_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(rc)"
)


def run_pack(model: Path, outdir: Path) -> tuple[float, str, int]:
    """The estate file on the capture, as a user runs it: wall seconds, pytest's last line, peak KB."""
    command = [
        sys.executable, "-c", _PYTEST_WITH_PEAK, "-q", "-p", "no:cacheprovider",
        str(ROOT / "scenarios/kms/10-estate.yaml"), "--iam-account", str(model),
        "--iam-var", f"account_id={ACCOUNT}", "--iam-var", f"region={PLATFORM_REGION}",
        "--iam-var", f"ir_role={ROLE}", "--iam-report-dir", str(outdir), "--rootdir", str(ROOT),
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    peak = [int(line.split()[1]) for line in lines if line.startswith("peak_kb ")]
    summary = [line for line in lines if not line.startswith("peak_kb ")]
    return wall, (summary[-1] if summary else done.stderr[-500:]), (peak[0] if peak else 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volumes", type=int, default=2000)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--regions", type=int, default=4, choices=range(1, len(REGIONS) + 1))
    parser.add_argument("--instances", type=int, default=500)
    args = parser.parse_args()
    regions = REGIONS[: args.regions]

    server, url = start_moto()
    try:
        setup = build(url, args.volumes, args.keys, regions, args.instances)
        started = time.perf_counter()
        result = capture_account(CaptureOptions(regions=regions, endpoint_url=url, progress=False))
        capture_wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    calls = result.log.as_dict()
    print(
        f"estate: {args.volumes} volumes under {args.keys} keys in {len(regions)} Regions, "
        f"{args.instances} attached (built in {setup:.1f} s)"
    )
    print(
        f"capture: {capture_wall:.2f} s, {calls['total']} API calls ({calls['retries']} retries), "
        f"{len(result.text) / 1e6:.2f} MB, {len(result.gaps)} gaps"
    )
    for action, count in calls["by_action"].items():
        print(f"  {action}: {count}")
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "capture.yaml"
        model.write_text(result.text)
        wall, summary, peak_kb = run_pack(model, Path(tmp) / "reports")
        counts = re.findall(r"(\d+) (passed|failed|error|skipped)", summary)
        cells_line = summary
        readiness = Path(tmp) / "reports" / "readiness.csv"
        verdicts: dict[str, int] = {}
        if readiness.exists():
            with readiness.open(newline="") as handle:
                for row in csv.DictReader(handle):
                    verdicts[row.get("verdict", "?")] = verdicts.get(row.get("verdict", "?"), 0) + 1
        run_json = Path(tmp) / "reports" / "run.json"
        cells = _cells(run_json) if run_json.exists() else 0
    print(
        f"estate file offline: {wall:.2f} s wall, {cells} cells, {cells / wall:.0f} cells/s (whole process), "
        f"peak RSS {peak_kb / 1024:.0f} MB"
    )
    print(f"  pytest: {cells_line}  {dict((k, int(v)) for v, k in counts)}")
    print(f"  readiness.csv: {sum(verdicts.values())} volumes, {verdicts}")


def _cells(run_json: Path) -> int:
    from harness.run.stream import read_tail

    counts = read_tail(run_json).get("metadata", {}).get("counts", {})
    return sum(int(v) for v in counts.values())


if __name__ == "__main__":
    main()
