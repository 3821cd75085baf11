"""The adaptive rate limiter, on a fake clock."""

from __future__ import annotations

import random

import pytest

from harness.backends.aws.ratelimit import AdaptiveRateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _limiter(clock: FakeClock, rate: float = 10.0, **kwargs) -> AdaptiveRateLimiter:
    return AdaptiveRateLimiter(rate, clock=clock, sleep=clock.sleep, rng=random.Random(1), **kwargs)


def test_requests_are_spaced_by_the_rate() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, rate=10.0)
    for _ in range(3):
        limiter.acquire()
    assert clock.slept == pytest.approx([0.1, 0.1])


def test_a_throttle_drops_the_rate_below_what_was_achieved() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, rate=10.0)
    sent = [limiter.acquire() for _ in range(10)]
    limiter.on_throttle(sent[-1])
    assert limiter.ceiling == 10.0
    assert limiter.rate == 8.0


def test_throttles_of_requests_sent_before_the_drop_do_not_lower_it_again() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, rate=10.0)
    sent = [limiter.acquire() for _ in range(10)]
    limiter.on_throttle(sent[-1])
    clock.now += 0.01
    limiter.on_throttle(sent[-2])
    assert limiter.rate == 8.0
    assert limiter.throttles == 2
    assert limiter.decreases == 1


def test_successes_recover_the_rate_to_the_learned_ceiling_quickly() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, rate=10.0)
    sent = [limiter.acquire() for _ in range(10)]
    limiter.on_throttle(sent[-1])
    for _ in range(4):
        limiter.on_success()
    assert limiter.rate == pytest.approx(10.0)


def test_above_the_ceiling_the_rate_probes_slowly() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, rate=10.0)
    sent = [limiter.acquire() for _ in range(10)]
    limiter.on_throttle(sent[-1])
    for _ in range(10):
        limiter.on_success()
    assert 10.0 < limiter.rate < 12.5


def test_before_any_throttle_the_rate_grows_until_the_maximum() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, rate=10.0, max_rate=50.0)
    for _ in range(100):
        limiter.on_success()
    assert limiter.rate == 50.0


def test_the_rate_never_falls_below_the_minimum() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, rate=1.0, min_rate=0.5)
    for _ in range(5):
        clock.now += 5
        limiter.on_throttle(limiter.acquire())
    assert limiter.rate == 0.5


def test_retry_backoff_is_milliseconds_and_capped() -> None:
    limiter = _limiter(FakeClock(), backoff_base=0.02, backoff_cap=2.0)
    first = limiter.backoff(1)
    assert 0.01 <= first <= 0.02
    assert all(limiter.backoff(n) <= 2.0 for n in range(1, 30))
