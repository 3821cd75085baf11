"""Plan and send a call's batches so each account's simulator is asked about a role caller once.

On the direct path (callers.py) a role is sent as CallerArn. Whether an
account's simulator takes that is learnt from the first such request: while
it is unknown, one request per (partition, account) goes out (the probe) and
the account's other direct requests wait for its answer. Taken: the rest go
out as planned. Refused (`InvalidInput`, "Caller must be an IAM user"): the
account is remembered as refusing for the rest of the run (RoleCallerMemory)
and its batches are planned again, through the stand-in. Any other failure of
the probe is that request's answer (its cells are errors), and the next
direct request of the account becomes the probe. With `caller_mode` pinned,
nothing is probed: a refusal on `direct` is an error cell.

Each round sends at least one request or waits for another thread's probe,
so the loop ends; an answer is sent once per call (`answered`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.backends.aws.callers import CallerAccount, RoleCallerMemory, Via
from harness.backends.aws.requests import PlannedRequest
from harness.backends.aws.results import Generation
from harness.backends.batching import Batch


@dataclass
class Answer:
    """A request's outcome: its indexed results, or why it failed."""

    index: dict[tuple[str, str], Any] | None = None
    error: str | None = None
    refused_caller: bool = False  # the simulator refused the role as CallerArn
    generation: Generation | None = None


@dataclass
class Planned:
    """A batch's requests under the path chosen for it, or why it cannot be sent."""

    batch: Batch
    requests: list[PlannedRequest] = field(default_factory=list)
    refused: str | None = None


@dataclass
class Settled:
    """The batches done, and every answer they need."""

    planned: list[Planned]
    answers: dict[str, Answer]


class Rounds:
    def __init__(
        self,
        plan: Callable[[Batch], Planned],
        send: Callable[[list[PlannedRequest]], dict[str, Answer]],
        memory: RoleCallerMemory,
        *,
        learn: bool,
    ) -> None:
        self._plan = plan
        self._send = send
        self._memory = memory
        self._learn = learn  # caller_mode=auto: probe, remember, fall back

    def run(self, batches: Sequence[Batch]) -> Settled:
        # Each batch is planned once, and again only when its account turns out to refuse.
        pending = [self._plan(b) for b in batches]
        answered: dict[str, Answer] = {}
        done: list[Planned] = []
        while pending:
            claimed: dict[CallerAccount, PlannedRequest] = {}
            try:
                to_send, waiting = self._choose(pending, answered, claimed)
                answers = self._send(to_send) if to_send else {}
                answered.update(answers)
                self._learn_from(to_send, answers, claimed)
            finally:
                for account in claimed:  # a probe that never got an answer leaves the account unknown
                    self._memory.release(account)
            still: list[Planned] = []
            for p in pending:
                following = self._next(p, answered)
                if following is None:
                    done.append(p)
                else:
                    still.append(following)
            pending = still
            if waiting and not to_send:
                self._memory.wait(waiting)
        return Settled(done, answered)

    def _next(self, p: Planned, answered: dict[str, Answer]) -> Planned | None:
        """None once the batch is answered; else the plan to go on with (planned again after a refusal)."""
        if p.refused is not None:
            return None
        if self._learn and any(self._refused_here(r, answered) for r in p.requests):
            return self._plan(p.batch)  # the account refuses: this plan is the stand-in's
        return p if any(r.key not in answered for r in p.requests) else None

    def _refused_here(self, request: PlannedRequest, answered: dict[str, Answer]) -> bool:
        """A direct request, unanswered or refused, of an account now known to refuse role callers."""
        account = _direct_account(request)
        if account is None or self._memory.path(account) is not Via.STAND_IN:
            return False
        answer = answered.get(request.key)
        return answer is None or answer.refused_caller

    def _choose(
        self,
        planned: list[Planned],
        answered: dict[str, Answer],
        claimed: dict[CallerAccount, PlannedRequest],
    ) -> tuple[list[PlannedRequest], set[CallerAccount]]:
        """Requests to send now (at most one per unknown account), and accounts waiting on others."""
        chosen: dict[str, PlannedRequest] = {}
        waiting: set[CallerAccount] = set()
        for p in planned:
            for request in p.requests:
                if request.key in answered or request.key in chosen:
                    continue
                account = _direct_account(request) if self._learn else None
                if account is None:
                    chosen[request.key] = request
                    continue
                known = self._memory.path(account)
                if known is Via.DIRECT:
                    chosen[request.key] = request
                elif known is None and account not in claimed and self._memory.claim(account):
                    claimed[account] = request
                    chosen[request.key] = request
                elif known is None and account not in claimed:
                    waiting.add(account)
                # known STAND_IN: planned before the refusal was learnt; planned again next round
        return list(chosen.values()), waiting

    def _learn_from(
        self,
        sent: list[PlannedRequest],
        answers: dict[str, Answer],
        claimed: dict[CallerAccount, PlannedRequest],
    ) -> None:
        if not self._learn:
            return
        for request in sent:
            account = _direct_account(request)
            answer = answers.get(request.key)
            if account is None or answer is None:
                continue
            if answer.refused_caller:
                self._memory.settle(account, Via.STAND_IN, refused=True)
                claimed.pop(account, None)
            elif answer.error is None:
                self._memory.settle(account, Via.DIRECT)
                claimed.pop(account, None)


def _direct_account(request: PlannedRequest) -> CallerAccount | None:
    return CallerAccount.of(request.direct_caller) if request.direct_caller else None
