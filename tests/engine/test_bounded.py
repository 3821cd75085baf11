"""bounded.py: tables an Engine fills from requests stay bounded."""

from __future__ import annotations

from harness.engine.bounded import LIMIT, SeenBefore, drop_oldest, kept


def test_seen_before_is_false_the_first_time_and_true_after() -> None:
    seen = SeenBefore()
    assert seen.check(hash("policy text")) is False
    assert seen.check(hash("policy text")) is True


def test_seen_before_remembers_at_least_its_limit_of_latest_hashes() -> None:
    seen = SeenBefore(limit=3)
    for digest in range(10):
        seen.check(digest)
    assert all(seen.check(digest) for digest in range(7, 10))


def test_seen_before_forgets_what_came_two_generations_ago() -> None:
    seen = SeenBefore(limit=3)
    seen.check(100)
    for digest in range(6):  # two full generations after it
        seen.check(digest)
    assert seen.check(100) is False


def test_kept_starts_a_full_table_over() -> None:
    table = {str(i): i for i in range(LIMIT + 1)}
    assert kept(table, "new", 1) == 1
    assert table == {"new": 1}


def test_drop_oldest_keeps_a_table_bounded_in_insertion_order() -> None:
    limit = 64
    table: dict[int, int] = {}
    for key in range(1000):
        if len(table) >= limit:
            drop_oldest(table, limit)
        table[key] = key
        assert len(table) <= limit
    assert list(table) == list(range(1000 - len(table), 1000))  # the newest, in order
    assert len(table) >= limit - limit // 16
    small: dict[str, int] = {"a": 1, "b": 2}
    drop_oldest(small, 2)  # a tiny table still drops one
    assert list(small) == ["b"]
