"""Hostile plans and templates (--iam-plan): each is one PlanError naming the file and the resource
address or line, read in bounded time and memory; never a traceback, never a partly applied plan."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.plans import PlanError, load_plan

POLICY = json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


def tf(*changes: dict) -> str:
    return json.dumps({"format_version": "1.2", "resource_changes": list(changes)})


def role_policy(address: str = "aws_iam_role_policy.p", policy: object = POLICY) -> dict:
    after = {"role": "app", "name": "p", "policy": policy}
    return {
        "address": address,
        "type": "aws_iam_role_policy",
        "change": {"actions": ["create"], "after": after},
    }


# (case id, file text, pattern the error matches)
CASES = [
    (
        "malformed-json",
        '{"format_version": "1.2", "resource_changes": [',
        r"plan\.json: line 1: not valid JSON",
    ),
    ("nested-thousands-deep", "[" * 5000 + "]" * 5000, r"plan\.json: line 1: nested deeper than 100 levels"),
    ("not-an-object", "[1, 2]", r"plan\.json: neither a Terraform plan"),
    ("format-2", json.dumps({"format_version": "2.0"}), r"format_version: '2\.0': only format 1\.x"),
    (
        "policy-not-json",
        tf(role_policy(policy="{Statement: nope")),
        r"aws_iam_role_policy\.p\.policy: the policy is not JSON",
    ),
    (
        "policy-json-string-of-a-string",
        tf(role_policy(policy=json.dumps(POLICY))),
        r"aws_iam_role_policy\.p\.policy: the policy is a JSON string holding a string",
    ),
    (
        "policy-json-list",
        tf(role_policy(policy="[]")),
        r"aws_iam_role_policy\.p\.policy: the policy must be a JSON object",
    ),
    (
        "address-with-control-characters",
        tf(role_policy(address="aws_iam_role_policy.p\x1b[2J\nFAKE")),
        r"plan\.json: aws_iam_role_policy\.p\\x1b\[2J\\x0aFAKE: a resource address with control characters",
    ),
    ("unknown-action", tf({**role_policy(), "change": {"actions": ["explode"]}}), r"unknown change\.actions"),
    ("resource-change-not-an-object", tf("x"), r"resource_changes\[0\]: must be an object"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("text", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_hostile_plan_is_one_error_naming_the_file_and_where(tmp_path: Path, text: str, pattern: str):
    path = tmp_path / "plan.json"
    path.write_text(text)
    with pytest.raises(PlanError, match=pattern):
        load_plan(path)


def test_a_plan_of_hundreds_of_megabytes_is_refused_before_it_is_read(tmp_path: Path):
    path = tmp_path / "plan.json"
    with path.open("wb") as f:  # sparse: no disk or memory used
        f.truncate(300 * 1024 * 1024)
    started = time.monotonic()
    with pytest.raises(PlanError, match=r"plan\.json: the file has 314,572,800 bytes, more than"):
        load_plan(path)
    assert time.monotonic() - started < 1


def test_a_plan_nested_thousands_deep_is_refused_quickly(tmp_path: Path):
    path = tmp_path / "plan.json"
    path.write_text('{"format_version": "1.2", "x": ' + "[" * 200_000 + "]" * 200_000 + "}")
    started = time.monotonic()
    with pytest.raises(PlanError, match="nested deeper"):
        load_plan(path)
    assert time.monotonic() - started < 2


ALIAS_BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    + "Resources: {}\n"
)
L5 = r"t\.yaml: line 5: "
BUCKET = "Resources:\n  P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: {bucket}\n"

# (case id, template text, pattern the error matches)
TEMPLATE_CASES = [
    ("yaml-alias-bomb", ALIAS_BOMB, r"t\.yaml: line 2: YAML aliases are not read"),
    ("malformed-yaml", "Resources:\n  P: [\n", r"t\.yaml: line 3: not valid YAML"),
    ("unknown-short-form", BUCKET.format(bucket="!Explode x"), L5 + "unknown intrinsic function !Explode"),
    (
        "unknown-long-form",
        BUCKET.format(bucket="{'Fn::Explode': x}"),
        L5 + "unknown intrinsic function 'Fn::Explode'",
    ),
    ("python-object-tag", BUCKET.format(bucket="!!python/object/apply:os.system [id]"), L5 + "YAML tag"),
    ("ref-to-nothing", BUCKET.format(bucket="!Ref Nowhere"), L5 + "Ref to 'Nowhere': neither a parameter"),
    (
        "logical-id-with-control-characters",
        'Resources:\n  "P\\e[2J":\n    Type: AWS::IAM::Role\n',
        r"t\.yaml: line 2: logical id 'P\\x1b\[2J' is not alphanumeric",
    ),
    (
        "nested-thousands-deep",
        "Resources: " + "[" * 3000 + "]" * 3000 + "\n",
        r"t\.yaml: line 1: nested deeper than 100",
    ),
    (
        "policy-string-of-a-string",
        BUCKET.format(bucket="b") + "      PolicyDocument: '\"{}\"'\n",
        r"t\.yaml: line 6: P: the policy is a JSON string holding a string",
    ),
]


@pytest.mark.parametrize(
    ("text", "pattern"), [c[1:] for c in TEMPLATE_CASES], ids=[c[0] for c in TEMPLATE_CASES]
)
def test_a_hostile_template_is_one_error_naming_the_file_and_line(tmp_path: Path, text: str, pattern: str):
    path = tmp_path / "t.yaml"
    path.write_text(text)
    started = time.monotonic()
    with pytest.raises(PlanError, match=pattern):
        load_plan(path)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    ("name", "text", "shown"),
    [
        ("t.yaml", ALIAS_BOMB, "t.yaml: line 2: YAML aliases are not read"),
        (
            "plan.json",
            tf(role_policy(address="p\x1b]0;x\x07")),
            "plan.json: p\\x1b]0;x\\x07: a resource address",
        ),
    ],
    ids=["alias-bomb", "address-escape-sequence"],
)
def test_pytest_with_a_hostile_plan_exits_2_before_any_cell(tmp_path: Path, name: str, text: str, shown: str):
    (tmp_path / name).write_text(text)
    (tmp_path / "s.yaml").write_text(
        "version: 1\nprincipals: {p: {policies: []}}\nscenarios:\n"
        "  - {name: s, principal: p, actions: [s3:GetObject], expect: denied}\n"
    )
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "s.yaml"]
    argv += ["--iam-plan", name, "--iam-report-dir", "r"]
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert shown in done.stdout + done.stderr and "\x1b" not in done.stdout + done.stderr
    assert not (tmp_path / "r" / "run.json").exists()
