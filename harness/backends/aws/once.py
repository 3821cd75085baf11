"""Read each thing once per run: a thread-safe, single-flight cache of account reads.

The first caller for a key does the read; concurrent callers for the same key
wait for that answer. Answers (including refusals, which are answers about the
account) are kept for the backend's lifetime, one entry per key read, so the
size follows the number of distinct keys and roles, not the number of cells.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")


class OncePerRun(Generic[T]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[str, Future[T]] = {}
        self.reads = 0

    def get(self, key: str, read: Callable[[], T]) -> T:
        with self._lock:
            future = self._futures.get(key)
            mine = future is None
            if future is None:
                future = self._futures[key] = Future()
                self.reads += 1
        if mine:
            try:
                future.set_result(read())
            except BaseException as exc:  # the waiting threads must see it too
                future.set_exception(exc)
        return future.result()
