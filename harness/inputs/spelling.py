"""How close a written name is to a known one: spotting a misspelt key without guessing wildly.

`difflib` ratios (used for "did you mean" hints) are generous on purpose; deciding that a key
IS a misspelling needs a stricter measure, because that decision turns a file nobody asked
about into an error. Edit distance counts the single-letter changes (insert, delete, replace,
swap two neighbours) between two names, case ignored.
"""

from __future__ import annotations

from collections.abc import Iterable

# A name of up to this many letters may be one edit away from a known one; longer, two.
SHORT_NAME = 8


def edit_distance(a: str, b: str) -> int:
    """Single-letter inserts, deletes, replacements and neighbour swaps from `a` to `b`, case ignored."""
    a, b = a.lower(), b.lower()
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        before, previous = previous, current
    return previous[-1]


def misspelling_of(name: str, known: Iterable[str]) -> str | None:
    """The known name `name` is a misspelling of, or None.

    A misspelling differs from a known name only in case, or by at most one edit (two for
    names longer than SHORT_NAME letters). A known name itself is no misspelling.
    """
    candidates = list(known)
    if name in candidates:
        return None
    best: tuple[int, str] | None = None
    for target in candidates:
        allowed = 1 if len(target) <= SHORT_NAME else 2
        if abs(len(name) - len(target)) > allowed:
            continue  # cannot be that close: no need to compare (a long key costs nothing)
        distance = edit_distance(name, target)
        if distance <= allowed and (best is None or distance < best[0]):
            best = (distance, target)
    return best[1] if best else None
