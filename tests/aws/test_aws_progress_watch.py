"""The stall bound: time spent attempting calls without one succeeding, and only that time."""

from __future__ import annotations

from harness.backends.aws.ratelimit import IDLE_RESET_SECONDS, ProgressWatch


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_failures_for_max_stall_seconds_give_up_for_good() -> None:
    clock = Clock()
    watch = ProgressWatch(120, clock)
    watch.begin()
    watch.on_failure()
    clock.now = 119
    assert watch.stalled() is None
    clock.now = 121
    assert watch.stalled() == 121
    watch.on_success()
    assert watch.stalled() == 121  # giving up is final: the run ends


def test_a_success_restarts_the_clock() -> None:
    clock = Clock()
    watch = ProgressWatch(10, clock)
    watch.begin()
    watch.on_failure()
    clock.now = 9
    watch.on_success()
    watch.on_failure()
    clock.now = 18
    assert watch.stalled() is None


def test_time_with_no_call_in_flight_does_not_count() -> None:
    clock = Clock()
    watch = ProgressWatch(10, clock)
    watch.begin()
    watch.on_failure()
    watch.end()
    clock.now = 600  # another file's offline work, say
    watch.begin()
    assert watch.stalled() is None
    watch.on_failure()
    clock.now = 600 + IDLE_RESET_SECONDS
    assert watch.stalled() is None
