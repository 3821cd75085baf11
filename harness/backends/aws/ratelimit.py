"""Client-side rate limiting that learns IAM's request rate from throttles.

IAM publishes no quota for SimulatePrincipalPolicy/SimulateCustomPolicy, and
throttling starts after a few hundred calls, so the limit is learned rather
than configured. The limiter paces requests (one every 1/rate seconds across
all threads) and adjusts the rate:

- until the first throttle, the rate grows multiplicatively (slow start);
- on a throttle, the rate actually achieved in the last second becomes the
  learned ceiling and the rate drops to `decrease` x ceiling; throttles of
  requests sent before that drop are old news and do not lower it again;
- each success below the ceiling recovers quickly (5% of the ceiling); above
  it the rate grows by 2% per success, so a limit that was raised, or learned
  while other clients shared the account's quota, is found again.

Retries wait a millisecond-scale exponential backoff with jitter on top of
the pacing; nothing ever sleeps for minutes.

Progress is bounded too (`ProgressWatch`, `max_stall` seconds, default 120):
once calls have been attempted for that long without one succeeding (every
call throttled, say), the backend gives up: the call in hand and every later
one fail at once as "throttled: no successful call for N s", so the
remaining cells become error cells and the run ends instead of crawling on
at the floor rate. Time when no call is being attempted (between files,
while the offline part of compare mode runs) does not count.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable

# A call starting after this long with no call in flight starts a fresh stall clock: nobody was trying.
IDLE_RESET_SECONDS = 5.0


class ProgressWatch:
    """How long calls have been attempted without one succeeding; shared by the backend's threads."""

    def __init__(self, max_stall: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_stall = max_stall
        self._clock = clock
        self._lock = threading.Lock()
        self._failing_since: float | None = None
        self._in_flight = 0
        self._last_activity = float("-inf")
        self.gave_up_after: float | None = None  # once set, every later call fails at once

    def begin(self) -> None:
        with self._lock:
            now = self._clock()
            if self._in_flight == 0 and now - self._last_activity > IDLE_RESET_SECONDS:
                self._failing_since = None
            self._in_flight += 1
            self._last_activity = now

    def end(self) -> None:
        with self._lock:
            self._in_flight -= 1
            self._last_activity = self._clock()

    def on_success(self) -> None:
        with self._lock:
            self._failing_since = None

    def on_failure(self) -> None:
        with self._lock:
            if self._failing_since is None:
                self._failing_since = self._clock()

    def stalled(self) -> float | None:
        """Seconds without a success once that reaches `max_stall` (for good), else None."""
        with self._lock:
            if self.gave_up_after is None and self._failing_since is not None:
                waited = self._clock() - self._failing_since
                if waited >= self.max_stall:
                    self.gave_up_after = waited
            return self.gave_up_after


class AdaptiveRateLimiter:
    def __init__(
        self,
        initial_rate: float = 20.0,
        *,
        max_stall: float = 120.0,
        min_rate: float = 0.5,
        max_rate: float = 1000.0,
        decrease: float = 0.8,
        backoff_base: float = 0.02,
        backoff_cap: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.rate = min(max(initial_rate, min_rate), max_rate)
        self.min_rate = min_rate
        self.max_rate = max_rate
        self.decrease = decrease
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.ceiling: float | None = None
        self.throttles = 0
        self.decreases = 0
        self.waited = 0.0
        self._clock = clock
        self._sleep = sleep
        self.watch = ProgressWatch(max_stall, clock)
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._next_slot = clock()
        self._last_decrease = float("-inf")
        self._sent: deque[float] = deque()

    # -- pacing ---------------------------------------------------------

    def acquire(self) -> float:
        """Wait for this request's slot; return the time it was sent (for `on_throttle`)."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + 1.0 / self.rate
            wait = slot - now
            self.waited += wait
        if wait > 0:
            self._sleep(wait)
        sent = self._clock()
        with self._lock:
            self._sent.append(sent)
            while self._sent and self._sent[0] < sent - 1.0:
                self._sent.popleft()
        return sent

    def on_success(self) -> None:
        with self._lock:
            if self.ceiling is None:
                self.rate = min(self.max_rate, self.rate * 1.1)
            elif self.rate < self.ceiling:
                self.rate = min(self.ceiling, self.rate + self.ceiling * 0.05)
            else:
                # Probe gently above what we learned: the limit may have been raised, or learned
                # from a moment when other clients were using the account's share.
                self.rate = min(self.max_rate, self.rate * 1.02)

    def on_throttle(self, sent_at: float) -> None:
        with self._lock:
            self.throttles += 1
            if sent_at < self._last_decrease:
                return  # sent at the old rate; the drop already accounts for it
            self.ceiling = max(self.min_rate, min(self.rate, self._achieved_rate()))
            self.rate = max(self.min_rate, self.ceiling * self.decrease)
            self.decreases += 1
            self._last_decrease = self._clock()
            # Requests already queued at the old spacing move to the new one.
            self._next_slot = max(self._next_slot, self._last_decrease + 1.0 / self.rate)

    def _achieved_rate(self) -> float:
        """Requests per second actually sent over the last second (a short window early in a run)."""
        sent = self._sent
        if len(sent) < 2 or sent[-1] <= sent[0]:
            return self.rate
        return (len(sent) - 1) / (sent[-1] - sent[0])

    # -- retries --------------------------------------------------------

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before retry `attempt` (1-based): capped exponential, equal jitter."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** (attempt - 1)))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def sleep_backoff(self, attempt: int) -> None:
        delay = self.backoff(attempt)
        with self._lock:
            self.waited += delay
        self._sleep(delay)

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {
                "rate": round(self.rate, 3),
                "learned_ceiling": round(self.ceiling, 3) if self.ceiling is not None else None,
                "throttles": self.throttles,
                "decreases": self.decreases,
                "gave_up_after_stall": self.watch.gave_up_after is not None,
            }
