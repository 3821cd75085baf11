"""Rounds: one request per unknown account tries the role as caller; the rest wait for its answer."""

from __future__ import annotations

import threading

from aws_builders import ACCOUNT, allow, cell, custom, identity_policy

from harness.backends.aws.callers import CallerAccount, RoleCallerMemory, Via
from harness.backends.aws.requests import PlannedRequest
from harness.backends.aws.rounds import Answer, Planned, Rounds
from harness.backends.batching import Batch, group_cells

ROLE = f"arn:aws:iam::{ACCOUNT}:role/reader"
HERE = CallerAccount("aws", ACCOUNT)


def _batches(n: int) -> list[Batch]:
    """`n` batches (each its own policy), one request each."""
    subjects = [custom(identity_policy(allow(f"s3:Get{i}"), name=f"p{i}"), caller=ROLE) for i in range(n)]
    return group_cells([cell(subject, "s3:GetObject") for subject in subjects])


class Simulator:
    """Answers each request as scripted: refuse role callers, fail some, or answer; records the rounds."""

    def __init__(self, *, refuse: bool = False, fail_first: int = 0) -> None:
        self.refuse, self.fail_first = refuse, fail_first
        self.rounds: list[list[str | None]] = []

    def plan(self, memory: RoleCallerMemory):
        def plan(batch: Batch) -> Planned:
            stand_in = memory.path(HERE) is Via.STAND_IN
            caller = None if stand_in else ROLE
            request = PlannedRequest(
                "SimulateCustomPolicy",
                {"P": batch.key.subject.identity_policies[0].source_id, "via": str(stand_in)},
                batch.cells,
            )
            request.direct_caller = caller
            return Planned(batch, [request])

        return plan

    def send(self, requests: list[PlannedRequest]) -> dict[str, Answer]:
        self.rounds.append([r.direct_caller for r in requests])
        out = {}
        for r in requests:
            if r.direct_caller and self.refuse:
                out[r.key] = Answer(error="InvalidInput", refused_caller=True)
            elif self.fail_first:
                self.fail_first -= 1
                out[r.key] = Answer(error="no such entity")
            else:
                out[r.key] = Answer(index={})
        return out


def _run(simulator: Simulator, n: int, *, learn: bool = True, memory: RoleCallerMemory | None = None):
    memory = memory or RoleCallerMemory()
    return Rounds(simulator.plan(memory), simulator.send, memory, learn=learn).run(_batches(n)), memory


def test_one_probe_goes_first_and_the_rest_follow_once_the_role_is_taken() -> None:
    simulator = Simulator()
    settled, memory = _run(simulator, 5)
    assert [len(r) for r in simulator.rounds] == [1, 4]
    assert memory.path(HERE) is Via.DIRECT and len(settled.planned) == 5


def test_a_refusal_turns_every_batch_of_the_account_to_the_stand_in() -> None:
    simulator = Simulator(refuse=True)
    settled, memory = _run(simulator, 5)
    assert simulator.rounds == [[ROLE], [None] * 5]
    assert memory.refusals[HERE] == 1
    assert all(r.direct_caller is None for p in settled.planned for r in p.requests)


def test_a_probe_failing_otherwise_leaves_the_account_unknown_and_the_next_request_probes() -> None:
    simulator = Simulator(fail_first=2)
    settled, memory = _run(simulator, 4)
    assert [len(r) for r in simulator.rounds] == [1, 1, 1, 1]  # two failed probes, one taken, the last
    errors = [settled.answers[r.key].error for p in settled.planned for r in p.requests]
    assert errors.count("no such entity") == 2 and memory.path(HERE) is Via.DIRECT


def test_with_the_path_pinned_nothing_is_probed() -> None:
    simulator = Simulator(refuse=True)
    settled, memory = _run(simulator, 3, learn=False)
    assert [len(r) for r in simulator.rounds] == [3]
    assert memory.path(HERE) is None
    assert all(settled.answers[r.key].refused_caller for p in settled.planned for r in p.requests)


def test_a_call_waits_for_another_threads_probe_of_the_same_account() -> None:
    memory = RoleCallerMemory()
    assert memory.claim(HERE)  # another thread's probe, in flight
    simulator = Simulator()
    threading.Timer(0.2, lambda: memory.settle(HERE, Via.DIRECT)).start()
    _run(simulator, 3, memory=memory)
    assert [len(r) for r in simulator.rounds] == [3]  # nothing sent before the other probe's answer
