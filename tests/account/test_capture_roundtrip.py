"""The KMS pack's example model is what a capture writes: captured from moto, the pack decides the same.

How the round trip is built, and why this way:

1. moto gives keys random ids, and the pack names every key by a variable
   (`${custom_key_id}`, ...). So the test creates the keys first, one per entry of
   scenarios/kms/accounts/example.yaml, in that entry's account and Region, and maps each
   key variable to moto's id.
2. It loads example.yaml with those variables (so every document reads exactly as the pack
   would read it) and puts into moto what the model holds: the roles with their inline
   policies, each key's policy, aliases and tags. moto refuses to create AWS managed keys
   and the `alias/aws/...` names reserved for them; the test plants those two facts in
   moto's own in-process backend, as AWS would have created them. Then the EC2 of each
   Region: instances with their volumes, unattached volumes, snapshots, the EBS encryption
   settings (capture_builders.put_ec2_in_moto).
3. `harness account capture` reads both accounts through `--assume-role`-style sessions
   (moto lets any account's role be assumed: that is how it holds two accounts), Regions
   eu-west-3 and us-east-1.
4. The whole KMS pack runs twice with the same `--iam-var` key ids: once on example.yaml,
   once with `--iam-account` on the capture. Every cell must have the same outcome, decision,
   enforced decision, deciding statements and `covers`. The EC2 sections hold the same
   objects, compared by Name tag, since moto gives volumes, snapshots and instances ids of
   its own.
5. So the cells of a selector over EC2 (10-estate.yaml's volumes) name moto's ids on the
   capture. Each cell is compared by what it asks: file, scenario, principal, action and the
   resource as the model names it, with moto's id put back to the model's id it was made for
   (and so for the ARNs a cell covers). The correspondence is the one the builder recorded
   when it created each object (put_ec2_in_moto), not one read back from the capture: a
   capture that mixed volumes up cannot line two cells up by accident, and step 4's Name tag
   comparison checks separately that each object was read with its own key, tags and
   attachments. A capture object the builder did not make keeps moto's id and so has no
   counterpart: the comparison fails on it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from capture_builders import put_ec2_in_moto

from harness.account import AccountModel, load_account_model
from harness.account.capture import CaptureOptions, capture_account
from harness.run.stream import load_document

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "scenarios" / "kms"
EXAMPLE = PACK / "accounts" / "example.yaml"
KEY_ARN = re.compile(r"^arn:\$\{partition\}:kms:\$\{(\w+)\}:\$\{(\w+)\}:key/\$\{(\w+)\}$")


def _example_keys() -> list[tuple[str, str, str]]:
    """(region variable, account variable, key id variable) of each key in example.yaml."""
    raw = yaml.safe_load(EXAMPLE.read_text())
    out = []
    for account in raw["accounts"]:
        for entry in account.get("ResourcePolicies", []):
            match = KEY_ARN.match(entry["Arn"])
            assert match, f"example.yaml key ARN not in the expected form: {entry['Arn']}"
            out.append((match[1], match[2], match[3]))
    return out


@dataclass(frozen=True)
class BuiltInMoto:
    """What the builder made: the variables naming moto's key ids, and moto id -> model id."""

    variables: dict[str, str]
    model_ids: dict[str, str]  # volume, snapshot and instance ids, as the builder created them


def _build_in_moto(moto: Any) -> BuiltInMoto:
    """The example's accounts in moto."""
    from moto.kms.models import kms_backends

    defaults = yaml.safe_load(EXAMPLE.read_text())["vars"]
    variables: dict[str, str] = {}
    for region_var, account_var, key_var in _example_keys():
        region, account = defaults[region_var], defaults[account_var]
        kms = moto.client("kms", region, account)
        multi = str(defaults[key_var]).startswith("mrk-")
        variables[key_var] = kms.create_key(MultiRegion=multi)["KeyMetadata"]["KeyId"]
    model = load_account_model(EXAMPLE, variables)
    for account_id, account in model.accounts.items():
        iam = moto.client("iam", "us-east-1", account_id)
        for role in account.roles.values():
            trust = role.trust_policy.text if role.trust_policy else json.dumps({"Version": "2012-10-17"})
            iam.create_role(RoleName=role.name, AssumeRolePolicyDocument=trust)
            for policy in role.inline:
                iam.put_role_policy(RoleName=role.name, PolicyName=policy.name, PolicyDocument=policy.text)
        for entry in account.resources.values():
            region, key_id = entry.arn.split(":")[3], entry.arn.rsplit("/", 1)[-1]
            kms = moto.client("kms", region, account_id)
            assert entry.policy is not None
            kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=entry.policy.text)
            if entry.tags:
                kms.tag_resource(
                    KeyId=key_id, Tags=[{"TagKey": k, "TagValue": v} for k, v in entry.tags.items()]
                )
            backend = kms_backends[account_id][region]
            if entry.key_manager == "AWS":
                backend.keys[key_id].key_manager = "AWS"  # moto cannot create AWS managed keys
            for alias in entry.aliases:
                if alias.startswith("alias/aws/"):
                    backend.create_alias(key_id, alias)  # reserved: only AWS creates these
                else:
                    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    made = put_ec2_in_moto(moto, model)
    return BuiltInMoto(variables, {moto_id: model_id for model_id, moto_id in made.items()})


# Unique ids AWS assigns (RoleId, ...) are written by a capture; a hand-kept model may omit them.
_ASSIGNED_IDS = frozenset({"UserId", "GroupId", "RoleId", "PolicyId"})


def _shape(doc: dict[str, Any]) -> list[Any]:
    """Each account's keys in order, and the keys of each entry of its lists, in order."""
    out: list[Any] = []
    for account in doc["accounts"]:
        out.append([k for k in account if k != "AccountId"])
        for key, value in account.items():
            if isinstance(value, list):
                out.append(
                    (key, [[k for k in e if k not in _ASSIGNED_IDS] for e in value if isinstance(e, dict)])
                )
        for region in (account.get("Ec2") or {}).values():
            out.append(list(region))  # the Region's keys, in order
            for key, value in region.items():
                if isinstance(value, list):  # entries sort by moto's ids: their key lists as a set
                    out.append((key, sorted(_nested_keys(e) for e in value)))
    return out


def _nested_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple((k, _nested_keys(v)) for k, v in value.items())
    if isinstance(value, list):
        return tuple(sorted({_nested_keys(v) for v in value}))
    return ()


def _ec2_by_name(model: AccountModel) -> dict[tuple[str, str], Any]:
    """Each account's Regions: the EBS settings, and every volume, snapshot and instance by Name tag."""
    out: dict[tuple[str, str], Any] = {}
    for account_id, account in model.accounts.items():
        for name, region in (account.ec2 or {}).items():
            instance = {i.instance_id: i.name for i in region.instances}
            volume = {v.volume_id: v.tags.get("Name") for v in region.volumes}
            out[(account_id, name)] = {
                "settings": (region.ebs_encryption_by_default, region.ebs_default_kms_key_id, region.gaps),
                "volumes": {
                    v.tags["Name"]: (
                        v.encrypted,
                        v.kms_key_id,
                        sorted((instance[a.instance_id], a.device) for a in v.attachments),
                        dict(v.tags),
                    )
                    for v in region.volumes
                },
                "snapshots": {
                    s.tags["Name"]: (s.encrypted, s.kms_key_id, volume[s.volume_id], dict(s.tags))
                    for s in region.snapshots
                },
                "instances": {
                    i.name: (i.state, sorted(volume[v] for v in i.volume_ids), dict(i.tags))
                    for i in region.instances
                },
            }
    return out


@dataclass(frozen=True)
class CellAsked:
    """A cell by what it asks, its resource named as the model names it."""

    file: str
    scenario: str
    principal: str
    action: str
    resource: str


def _in_model_terms(arn: str, model_ids: dict[str, str]) -> str:
    """An EC2 ARN with moto's id (`.../volume/vol-...`) put back to the model's; others as they are."""
    head, _, last = arn.rpartition("/")
    return f"{head}/{model_ids[last]}" if head and last in model_ids else arn


def _run_pack(
    tmp_path: Path, name: str, variables: dict[str, str], account: Path | None, model_ids: dict[str, str]
) -> dict[CellAsked, Any]:
    report = tmp_path / name
    args = [sys.executable, "-m", "pytest", str(PACK), "-p", "no:cacheprovider", "-q", "-p", "no:xdist"]
    args += ["--iam-report-dir", str(report), "--iam-matrix", "none"]
    for key, value in sorted(variables.items()):
        args += ["--iam-var", f"{key}={value}"]
    if account is not None:
        args += ["--iam-account", str(account)]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    cells = load_document(report / "run.json")["cells"]
    return {
        CellAsked(
            c["file"], c["scenario"], c["principal"], c["action"], _in_model_terms(c["resource"], model_ids)
        ): (
            c["outcome"],
            c["actual"],
            c.get("enforced"),
            [(s["policy_id"], s["sid"], s["effect"]) for s in c.get("deciding_statements") or []],
            sorted(_in_model_terms(a, model_ids) for a in c.get("covers") or []),
        )
        for c in cells
    }


def test_the_kms_pack_decides_the_same_on_a_capture_as_on_example_yaml(moto, tmp_path):
    built = _build_in_moto(moto)
    defaults = yaml.safe_load(EXAMPLE.read_text())["vars"]
    roles = tuple(
        f"arn:aws:iam::{defaults[a]}:role/iam-harness-audit" for a in ("account_id", "target_account_id")
    )
    result = capture_account(
        CaptureOptions(
            regions=(defaults["region"], defaults["workload_region"]),
            assume_roles=roles,
            endpoint_url=moto.url,
            progress=False,
        )
    )
    assert result.gaps == []
    captured = tmp_path / "captured.yaml"
    captured.write_text(result.text)

    on_example = _run_pack(tmp_path, "example", built.variables, None, {})
    on_capture = _run_pack(tmp_path, "capture", built.variables, captured, built.model_ids)

    assert _shape(yaml.safe_load(result.text)) == _shape(yaml.safe_load(EXAMPLE.read_text()))
    assert _ec2_by_name(load_account_model(captured)) == _ec2_by_name(
        load_account_model(EXAMPLE, built.variables)
    )
    assert len(on_example) > 600
    on_volumes = [c for c in on_example if c.action == "ec2:CreateSnapshot"]
    assert len(on_volumes) == 3  # the example's encrypted volumes of the platform account
    differing = {
        cell: (on_example[cell], on_capture.get(cell))
        for cell in on_example
        if on_capture.get(cell) != on_example[cell]
    }
    assert differing == {}
    assert set(on_capture) == set(on_example)
