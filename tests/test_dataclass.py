"""harness.dataclass.dataclass: the methods it shares behave as the standard decorator's compiled ones."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest

from harness import dataclass as shared

OPTIONS = [
    {},
    {"frozen": True},
    {"frozen": True, "compiled_hash": True},
    {"slots": True},
    {"frozen": True, "slots": True},
    {"frozen": True, "eq": False},
    {"repr": False},
    {"unsafe_hash": True},
    {"slots": True, "unsafe_hash": True},
]


def make(decorator: Any, **options: Any) -> type:
    @decorator(**options)
    class Point:
        """A point."""

        x: int
        y: str = "y"
        hidden: list[int] = dataclasses.field(default_factory=list, repr=False, compare=False)

    return Point


@pytest.mark.parametrize("options", OPTIONS)
def test_repr_eq_and_hash_are_the_standard_decorators(options: dict[str, Any]) -> None:
    ours = make(shared.dataclass, **options)
    theirs = make(dataclasses.dataclass, **{k: v for k, v in options.items() if k != "compiled_hash"})
    a, b, c = ours(1, "a", [1]), ours(1, "a", [2]), ours(2)
    ta, tb, tc = theirs(1, "a", [1]), theirs(1, "a", [2]), theirs(2)
    if options.get("repr", True):
        assert repr(a).split(".")[-1] == repr(ta).split(".")[-1] == "Point(x=1, y='a')"
    else:
        assert repr(a).startswith(f"<{ours.__module__}.")
    assert (a == b, a == c, a != b, a == 1) == (ta == tb, ta == tc, ta != tb, ta == 1)
    assert (ours.__hash__ is None) == (theirs.__hash__ is None)
    if theirs.__hash__ not in (None, object.__hash__):
        assert hash(a) == hash(ta)  # (the same values: a set of them iterates in the same order)
    assert [f.name for f in dataclasses.fields(ours)] == [f.name for f in dataclasses.fields(theirs)]
    assert dataclasses.replace(a, x=5).x == 5 and ours.__match_args__ == theirs.__match_args__
    assert hasattr(a, "__dict__") == hasattr(ta, "__dict__")


@pytest.mark.parametrize("options", [o for o in OPTIONS if o.get("frozen")])
def test_a_frozen_class_refuses_assignment_and_deletion(options: dict[str, Any]) -> None:
    point = make(shared.dataclass, **options)(1)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'x'"):
        point.x = 2
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'x'"):
        del point.x


@shared.dataclass(frozen=True, init=False)
class Written:
    """A frozen class that fills its own __dict__ (as harness.engine.types does)."""

    a: int
    b: tuple[int, ...] = ()

    def __init__(self, a: int, b: tuple[int, ...] = ()) -> None:
        self.__dict__.update(a=a, b=b)


def test_a_frozen_class_with_its_own_init_is_frozen_hashable_and_replaceable() -> None:
    one = Written(1, (2,))
    assert one == Written(1, (2,)) and one != Written(1) and hash(one) == hash((1, (2,)))
    assert repr(one) == "Written(a=1, b=(2,))"
    for change in (lambda: setattr(one, "a", 3), lambda: setattr(one, "other", 3), lambda: delattr(one, "a")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            change()
    assert dataclasses.replace(one, a=3) == Written(3, (2,))
    assert pickle.loads(pickle.dumps(one)) == one


def test_a_recursive_repr_stops_as_the_standard_one() -> None:
    @shared.dataclass
    class Node:
        """A node."""

        items: list[Any]

    node = Node([])
    node.items.append(node)
    assert repr(node) == "test_a_recursive_repr_stops_as_the_standard_one.<locals>.Node(items=[...])"


def test_methods_the_class_writes_are_kept() -> None:
    @shared.dataclass(frozen=True)
    class Own:
        """Writes its own repr and hash."""

        a: int

        def __repr__(self) -> str:
            return "own"

        def __hash__(self) -> int:
            return 7

    assert repr(Own(1)) == "own" and hash(Own(1)) == 7 and Own(1) == Own(1)
