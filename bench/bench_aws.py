"""Benchmark: the AWS backend against a loopback endpoint that is slow and throttles.

    python bench/bench_aws.py [--cells 10000] [--latency 0.05] [--rate 50] [--naive-sample 200]

The endpoint (harness.testing.iam_endpoint) adds `--latency` seconds to each
simulate call and answers `Throttling` above `--rate` requests per second
(token bucket, burst 5). Two workloads of `--cells` cells each:

- shared: one principal (a moto user) x 100 actions x N/100 resources.
  Target: at most one API call per 500 cells.
- spread: N/20 distinct custom-mode subjects x 20 cells, so the number of
  calls is large and the throttle sets the pace. Target: wall time within
  1.3x of the bound the throttle sets (calls / rate).

The naive loop (one call per cell, sequential, botocore's default retries)
is timed on `--naive-sample` cells and extrapolated linearly: running it on
10,000 cells would take about ten minutes per workload.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_CONFIG_FILE=os.devnull,
    AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    AWS_EC2_METADATA_DISABLED="true",
)

import boto3

from harness.backends.aws import AwsBackend, AwsOptions
from harness.catalog import Catalog
from harness.cells import Cell, Expectation, SourceRef, Subject
from harness.engine.types import PolicySource
from harness.testing.iam_endpoint import Faults, LocalIamEndpoint

BURST = 5.0


def policy(statements: list[dict]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)


def shared_cells(n: int, actions: list[str], user_arn: str) -> list[Cell]:
    resources = [f"arn:aws:s3:::bench-bucket/key-{i}" for i in range(max(1, n // len(actions)))]
    subject = Subject(principal_arn=user_arn)
    return [
        Cell(f"shared-{a}-{r}", SourceRef("bench.yaml", 1, "shared"), subject, a, r, Expectation.ALLOWED)
        for r in resources
        for a in actions
    ][:n]


def spread_cells(n: int, actions: list[str]) -> list[Cell]:
    out: list[Cell] = []
    per = 20
    for s in range(max(1, n // per)):
        doc = PolicySource(
            policy(
                [{"Effect": "Allow", "Action": actions[s % len(actions)], "Resource": f"arn:aws:s3:::b{s}/*"}]
            ),
            f"doc{s}",
            "IAM Policy",
        )
        subject = Subject(identity_policies=(doc,))
        for i in range(per):
            action = actions[(s + i) % len(actions)]
            out.append(
                Cell(
                    f"spread-{s}-{i}",
                    SourceRef("bench.yaml", 1, "spread"),
                    subject,
                    action,
                    f"arn:aws:s3:::b{s}/k",
                    Expectation.ALLOWED,
                )
            )
    return out[:n]


def run_ours(url: str, cells: list[Cell], concurrency: int) -> dict:
    backend = AwsBackend(AwsOptions(endpoint_url=url, region="us-east-1", max_concurrency=concurrency))
    started = time.perf_counter()
    results = backend.evaluate(cells)
    wall = time.perf_counter() - started
    meta = backend.metadata()
    return {
        "wall_s": round(wall, 2),
        "simulate_calls": int(meta["api_calls"]) - 1,  # minus sts:GetCallerIdentity
        "retries": meta["retries"],
        "throttles": meta["throttles"],
        "errors": sum(r.is_error for r in results),
        "learned_rate": meta["learned_rate_per_second"],
    }


def run_naive(url: str, cells: list[Cell], sample: int) -> dict:
    """One simulate call per cell, sequential: what a simple script does."""
    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1")
    part = cells[:sample]
    started = time.perf_counter()
    for c in part:
        if c.subject.principal_arn:
            iam.simulate_principal_policy(
                PolicySourceArn=c.subject.principal_arn, ActionNames=[c.action], ResourceArns=[c.resource]
            )
        else:
            iam.simulate_custom_policy(
                PolicyInputList=[p.text for p in c.subject.identity_policies],
                ActionNames=[c.action],
                ResourceArns=[c.resource],
            )
    wall = time.perf_counter() - started
    return {
        "measured_cells": len(part),
        "measured_wall_s": round(wall, 2),
        "wall_s_extrapolated": round(wall * len(cells) / len(part), 1),
        "simulate_calls": len(cells),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--naive-sample", type=int, default=200)
    args = parser.parse_args()

    actions = [a.full_name for a in Catalog().expand("s3:*")][:100]
    faults = Faults(latency=args.latency, rate_limit=args.rate, burst=BURST)
    report: dict[str, dict] = {}
    with LocalIamEndpoint(faults) as endpoint:
        iam = endpoint.client("iam")
        user = iam.create_user(UserName="bench")["User"]["Arn"]
        iam.put_user_policy(
            UserName="bench",
            PolicyName="bench",
            PolicyDocument=policy([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
        )
        for name, cells in (
            ("shared", shared_cells(args.cells, actions, user)),
            ("spread", spread_cells(args.cells, actions)),
        ):
            endpoint.faults = Faults(latency=args.latency, rate_limit=args.rate, burst=BURST)
            ours = run_ours(endpoint.url, cells, args.concurrency)
            bound = max(0.0, ours["simulate_calls"] - ours["throttles"] - BURST) / args.rate
            ours["throttle_bound_s"] = round(bound, 2)
            ours["wall_over_bound"] = round(ours["wall_s"] / bound, 2) if bound > 0 else None
            ours["cells_per_call"] = round(len(cells) / max(1, ours["simulate_calls"]), 1)
            endpoint.faults = Faults(latency=args.latency, rate_limit=args.rate, burst=BURST)
            naive = run_naive(endpoint.url, cells, args.naive_sample)
            report[name] = {"cells": len(cells), "ours": ours, "naive": naive}
    print(json.dumps({"latency_s": args.latency, "rate_limit_per_s": args.rate, **report}, indent=2))


if __name__ == "__main__":
    main()
