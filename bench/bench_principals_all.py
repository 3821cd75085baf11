"""Benchmark: `principals: all` x 20 actions x 100 keys, offline, over a generated 500-role model.

    python bench/bench_principals_all.py [--roles 500] [--keys 100] [--actions 20] [--keep DIR]

Generates an account model (500 roles with inline policies, 100 KMS keys each with its own
key policy) and a scenario file with one `principals: all` scenario in a temp dir, then, in
one process, side by side:

- load: the scenario loader (account model, selection, expansion into cells);
- evaluate: the offline backend over every cell, then judging each cell;
- the same scenario with the 500 role ARNs listed explicitly instead of `all`
  (what selection costs over naming everyone);
- `harness who-can` for the same question (library call, who_can()).

The generated roles r % 50 == 0 hold kms:* and the keys enable IAM policies, so the assertion
"nobody but role/ir-* uses the keys" fails for them: those `failed` cells are findings, as meant.

Prints wall times, cells per second and the ratios, and the selection's own time. Peak RSS
is the process's, for scale (every cell and result of a run is held, as the plugin does).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import tempfile
import time
from pathlib import Path

from harness.account.selection import select_identities
from harness.backends.offline import OfflineBackend
from harness.cells import judge
from harness.engine.types import ContextEntry
from harness.scenarios import ScenarioLoader
from harness.scenarios.catalog_adapter import ActionCatalog
from harness.who_can import WhoCanQuestion, who_can

ACCOUNT = "111122223333"
REGION = "eu-west-3"
ACTIONS = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:CreateGrant",
    "kms:ListGrants",
    "kms:RevokeGrant",
    "kms:RetireGrant",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:DisableKey",
    "kms:EnableKey",
    "kms:TagResource",
]


def key_arn(k: int) -> str:
    return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{k:08d}-0000-4000-8000-000000000000"


def role_policy(r: int, keys: int) -> dict:
    # A realistic spread: a few broad KMS users, most scoped to one key, some KMS-free.
    if r % 50 == 0:
        statements = [{"Sid": "All", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}]
    elif r % 5 == 0:
        statements = [{"Sid": "None", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]
    else:
        statements = [
            {
                "Sid": "OneKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": key_arn(r % keys),
                "Condition": {"StringEquals": {"kms:ViaService": f"ec2.{REGION}.amazonaws.com"}},
            },
            {"Sid": "NoDelete", "Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"},
        ]
    return {"Version": "2012-10-17", "Statement": statements}


def key_policy(k: int) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "Admin",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/admin-{k:03d}"},
                "Action": ["kms:Describe*", "kms:Put*", "kms:Create*", "kms:ScheduleKeyDeletion"],
                "Resource": "*",
            },
        ],
    }


def model_yaml(roles: int, keys: int) -> str:
    # JSON is YAML: the model is written as JSON for speed and exactness.
    role_list = []
    for r in range(roles):
        name = f"ir-{r:03d}" if r < 2 else f"app-{r:03d}"
        role_list.append(
            {
                "RoleName": name,
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
                "RolePolicyList": [{"PolicyName": "kms", "PolicyDocument": role_policy(r, keys)}],
            }
        )
    resources = [
        {"Arn": key_arn(k), "Policy": key_policy(k), "Aliases": [f"alias/k{k}"]} for k in range(keys)
    ]
    model = {"accounts": [{"AccountId": ACCOUNT, "RoleDetailList": role_list, "ResourcePolicies": resources}]}
    return json.dumps(model, indent=1)


def scenario_yaml(principals: str, actions: list[str], keys: int) -> str:
    resources = ", ".join(f"'{key_arn(k)}'" for k in range(keys))
    return "\n".join(
        [
            "version: 1",
            "account: model.yaml",
            "scenarios:",
            "  - name: nobody but IR uses the keys",
            f"    principals: {principals}",
            f"    actions: [{', '.join(actions)}]",
            f"    resources: [{resources}]",
            f"    context: {{kms:ViaService: ec2.{REGION}.amazonaws.com}}",
            "    enforced: true",
            "    expect: denied",
            "    overrides:",
            "      - {principal: 'role/ir-*', expect: allowed}",
            "",
        ]
    )


def timed_run(path: Path, catalog: ActionCatalog) -> tuple[float, float, int, dict[str, int]]:
    gc.collect()  # the previous run's cells are garbage: do not bill their collection to this one
    started = time.perf_counter()
    loaded = ScenarioLoader(catalog=catalog).load(path)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    backend = OfflineBackend(loaded.account_model)
    counts: dict[str, int] = {}
    results = backend.evaluate(loaded.cells)
    for cell, result in zip(loaded.cells, results, strict=True):
        outcome = str(judge(cell, result))
        counts[outcome] = counts.get(outcome, 0) + 1
    eval_s = time.perf_counter() - started
    return load_s, eval_s, len(loaded.cells), counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roles", type=int, default=500)
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--actions", type=int, default=20, choices=range(1, len(ACTIONS) + 1))
    parser.add_argument("--keep", type=Path, default=None, help="generate here and keep the files")
    args = parser.parse_args()
    actions = ACTIONS[: args.actions]
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        (root / "model.yaml").write_text(model_yaml(args.roles, args.keys))
        (root / "all.yaml").write_text(scenario_yaml("all", actions, args.keys))
        names = [f"ir-{r:03d}" if r < 2 else f"app-{r:03d}" for r in range(args.roles)]
        listed = "[" + ", ".join(f"'arn:aws:iam::{ACCOUNT}:role/{n}'" for n in names) + "]"
        (root / "listed.yaml").write_text(scenario_yaml(listed, actions, args.keys))
        (root / "warmup.yaml").write_text(scenario_yaml("'role/ir-*'", actions, args.keys))
        print(f"{args.roles} roles x {len(actions)} actions x {args.keys} keys ({root})")

        catalog = ActionCatalog()
        catalog.expand("kms:Decrypt")  # load AWS's catalog once, outside the timings
        rows = []
        timed_run(root / "warmup.yaml", catalog)  # first-use costs (catalog regexes) outside the timings
        for label, name in (("principals: all", "all.yaml"), (f"{args.roles} ARNs listed", "listed.yaml")):
            load_s, eval_s, cells, counts = timed_run(root / name, catalog)
            rows.append((label, load_s, eval_s, cells, counts))

        model = ScenarioLoader(catalog=catalog).account_model(root / "model.yaml")
        started = time.perf_counter()
        for _ in range(100):
            selected = select_identities(model, ["all"])
        select_ms = (time.perf_counter() - started) * 1000 / 100
        gc.collect()
        started = time.perf_counter()
        via_ebs = ContextEntry("kms:ViaService", (f"ec2.{REGION}.amazonaws.com",), "string")
        question = WhoCanQuestion(tuple(actions), tuple(key_arn(k) for k in range(args.keys)), (via_ebs,))
        report = who_can(model, question)
        who_s = time.perf_counter() - started

        for label, load_s, eval_s, cells, counts in rows:
            total = load_s + eval_s
            print(
                f"{label:>16}: {cells} cells | load+expand {load_s:6.2f} s | "
                f"evaluate+judge {eval_s:6.2f} s | total {total:6.2f} s | {cells / total:8.0f} cells/s | "
                f"{counts}"
            )
        all_total = rows[0][1] + rows[0][2]
        listed_total = rows[1][1] + rows[1][2]
        answers = len(report.answers)
        print(f"{'who-can':>16}: {answers} answers | {who_s:6.2f} s | {answers / who_s:8.0f} answers/s")
        print(f"selection alone (all over {len(selected)} identities): {select_ms:6.3f} ms")
        print(f"ratio principals: all / listed ARNs: {all_total / listed_total:4.2f}")
        print(f"ratio who-can / principals: all: {who_s / all_total:4.2f}")
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process: {rss_mb:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
