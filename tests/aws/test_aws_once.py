"""Account reads happen once per key per run, also when many threads ask at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness.backends.aws.once import OncePerRun


def test_concurrent_askers_share_one_read() -> None:
    cache: OncePerRun[str] = OncePerRun()
    reads = []
    lock = threading.Lock()

    def read() -> str:
        with lock:
            reads.append(1)
        time.sleep(0.05)  # long enough for every thread to arrive while the read is under way
        return "policy"

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: cache.get("key", read), range(64)))
    assert answers == ["policy"] * 64
    assert len(reads) == 1 and cache.reads == 1


def test_each_key_is_read_once() -> None:
    cache: OncePerRun[int] = OncePerRun()
    assert [cache.get(k, lambda k=k: len(k)) for k in ("a", "bb", "a", "bb")] == [1, 2, 1, 2]
    assert cache.reads == 2


def test_a_read_that_raises_raises_for_every_asker() -> None:
    cache: OncePerRun[int] = OncePerRun()

    def broken() -> int:
        raise RuntimeError("boom")

    for _ in range(2):
        with pytest.raises(RuntimeError, match="boom"):
            cache.get("key", broken)
    assert cache.reads == 1
