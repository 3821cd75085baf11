"""The collector in a command-line process: quieter for one command, paused for a batch."""

from __future__ import annotations

import gc
import io
import json

from harness.cli.batch import run_lines
from harness.cli.collector import QUIET, collections_between_lines, fewer_collections
from harness.engine import Engine
from harness.engine.apishape import input_from_api, output_to_api

_CONDITION = {"StringLike": {"aws:PrincipalTag/team": "ir-*"}, "Bool": {"aws:SecureTransport": "true"}}


def _policy(effect: str, action: object, resource: object, **extra: object) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": effect, "Action": action, "Resource": resource, **extra}],
        }
    )


def _lines() -> list[bytes]:
    """Requests of every shape a batch meets, and lines that fail."""
    identity = _policy(
        "Allow", ["s3:Get*", "kms:Decrypt"], ["arn:aws:s3:::b-${aws:username}/*", "*"], Condition=_CONDITION
    )
    boundary = _policy("Allow", "*", "*")
    scp = _policy("Deny", "s3:PutObject", "*")
    resource = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        }
    )
    requests = [
        {
            "PolicyInputList": [identity],
            "ActionNames": ["s3:GetObject", "kms:Decrypt"],
            "ResourceArns": ["arn:aws:s3:::b-ann/x", "arn:aws:s3:::b-bob/y"],
        },
        {
            "PolicyInputList": [identity],
            "PermissionsBoundaryPolicyInputList": [boundary],
            "ResourcePolicy": resource,
            "CallerArn": "arn:aws:iam::111122223333:user/ann",
            "ActionNames": ["kms:Decrypt"],
            "ResourceArns": ["arn:aws:kms:eu-west-3:444455556666:key/k"],
            "ContextEntries": [
                {
                    "ContextKeyName": "aws:PrincipalTag/team",
                    "ContextKeyValues": ["ir-1"],
                    "ContextKeyType": "string",
                }
            ],
        },
        {"PolicyInputList": [identity, scp], "ActionNames": ["s3:PutObject"]},
        {"PolicyInputList": ["{not json"], "ActionNames": ["s3:GetObject"]},
        {
            "PolicyInputList": ['{"Statement": {"Effect": "Allow", "Effect": "Deny"}}'],
            "ActionNames": ["s3:GetObject"],
        },
    ]
    return [json.dumps(r).encode() for r in requests] + [b"not json"]


def test_answering_batch_lines_builds_no_reference_cycle() -> None:
    engine = Engine()

    def answer(request: object) -> dict:
        return output_to_api(
            engine.simulate(input_from_api(request)), harness=True, max_items=None, marker=None
        )

    lines = _lines() * 20
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        summary = run_lines(lines, "<test>", answer, "SimulateCustomPolicy", io.BytesIO(), io.StringIO())
        gc.disable()  # (run_lines restores the collector it found)
        assert summary.failed == 60
        assert gc.collect() == 0  # nothing unreachable: reference counting freed it all
    finally:
        if was_enabled:
            gc.enable()


def test_a_batch_collects_only_every_so_many_lines_and_restores_the_collector() -> None:
    runs: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            runs.append(info["generation"])

    gc.callbacks.append(count)
    try:
        with collections_between_lines(every=3) as line_answered:
            assert not gc.isenabled()
            for _ in range(7):
                line_answered()
        assert runs == [2, 2]  # full collections, after lines 3 and 6
    finally:
        gc.callbacks.remove(count)
    assert gc.isenabled()


def test_fewer_collections_restores_the_thresholds_it_found() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == QUIET
    assert gc.get_threshold() == before


def test_what_a_batch_still_holds_is_not_scanned_again_when_it_ends() -> None:
    with collections_between_lines():
        held = [[i] for i in range(100_000)]  # e.g. an Engine's caches, filled by the batch
    assert gc.isenabled()
    assert gc.get_count()[0] < 1_000  # no collection over all of `held` is due
    assert len(held) == 100_000
