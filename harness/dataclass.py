"""`dataclass`: the standard decorator, with the methods other than `__init__` shared.

On Python 3.11 `dataclasses.dataclass` writes each method it adds (`__init__`,
`__repr__`, `__eq__`, `__hash__`, a frozen class's `__setattr__` and `__delattr__`)
as source text and compiles it with `exec`, class by class: about half a million
instructions a method, some 60 M for the fifty classes a simulate command imports,
in every process. This `dataclass` has the standard one write `__init__` (it runs for
every object made, so it stays compiled for its class; a frozen class's comes with the
standard `__setattr__` and `__delattr__`) and gives the class `__repr__`, `__eq__` and
`__hash__` made of closures over its field names, which return what the generated ones
would: the same text, the same equality, the same hash values. A frozen class that
writes its own `__init__` (filling `__dict__`, see harness/engine/types.py) gets its
`__setattr__` and `__delattr__` that way too. A class hashed for every request (a memo
key) asks for `compiled_hash`: the standard `__hash__` reads the fields with the
interpreter's specialised attribute reads, several times cheaper than a shared getter.
Anything else (fields, defaults, `field()`, slots, `dataclasses.replace`) is the
standard decorator's own work.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

C = TypeVar("C", bound=type)


@overload
def dataclass(cls: C, /) -> C: ...


@overload
def dataclass(
    *,
    init: bool = True,
    repr: bool = True,
    eq: bool = True,
    frozen: bool = False,
    slots: bool = False,
    unsafe_hash: bool = False,
    compiled_hash: bool = False,
) -> Callable[[C], C]: ...


@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def dataclass(
    cls: C | None = None,
    /,
    *,
    init: bool = True,
    repr: bool = True,
    eq: bool = True,
    frozen: bool = False,
    slots: bool = False,
    unsafe_hash: bool = False,
    compiled_hash: bool = False,
) -> C | Callable[[C], C]:
    """`dataclasses.dataclass` with these parameters, its methods but `__init__` shared (module
    doc); `compiled_hash`: a frozen class's `__hash__` too is the standard decorator's."""

    def wrap(cls: C) -> C:
        return _process(cls, init, repr, eq, frozen, slots, unsafe_hash, compiled_hash)

    return wrap if cls is None else wrap(cls)


def _process(
    cls: C,
    init: bool,
    repr: bool,
    eq: bool,
    frozen: bool,
    slots: bool,
    unsafe_hash: bool,
    compiled_hash: bool,
) -> C:
    # What the class as written defines itself is kept, as the standard decorator keeps it.
    own = cls.__dict__
    add_repr = repr and "__repr__" not in own
    add_eq = eq and "__eq__" not in own
    class_hash = own.get("__hash__", dataclasses.MISSING)
    explicit_hash = not (class_hash is dataclasses.MISSING or (class_hash is None and "__eq__" in own))
    if unsafe_hash and explicit_hash:
        raise TypeError(f"Cannot overwrite attribute __hash__ in class {cls.__name__}")
    add_hash = unsafe_hash or (eq and frozen and not explicit_hash)  # (the standard decorator's rule)
    # A frozen class with its own __init__ and a __dict__ needs no frozen __init__ from the
    # standard decorator, so its frozen methods can be shared too.
    shared_frozen = frozen and not init and not slots
    made = dataclasses.dataclass(
        cls,
        init=init,
        repr=False,
        eq=False,
        unsafe_hash=add_hash and compiled_hash,  # (with eq=False: the __hash__ eq=True would write)
        frozen=frozen and not shared_frozen,
        slots=slots,
    )
    fields = dataclasses.fields(made)
    if add_repr:
        _set(made, "__repr__", _repr_method(tuple(f.name for f in fields if f.repr)))
    if add_eq:
        _set(made, "__eq__", _eq_method(_getter(tuple(f.name for f in fields if f.compare))))
    if shared_frozen:
        names = frozenset(f.name for f in fields)
        _set(made, "__setattr__", _frozen_setattr(made, names))
        _set(made, "__delattr__", _frozen_delattr(made, names))
    if add_hash and not compiled_hash:
        hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
        _set(made, "__hash__", _hash_method(_getter(hashed)))
    if eq and not frozen and not explicit_hash and not unsafe_hash:
        made.__hash__ = None  # type: ignore[assignment]  # mutable and compared: unhashable
    return made


def _set(cls: type, name: str, method: Callable[..., Any]) -> None:
    method.__qualname__ = f"{cls.__qualname__}.{name}"
    setattr(cls, name, method)


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The fields' values as one tuple, as the generated methods build `(self.a, self.b,)`."""
    if len(names) == 1:
        get_one = attrgetter(names[0])
        return lambda obj: (get_one(obj),)
    if not names:
        return lambda obj: ()
    return attrgetter(*names)


def _repr_method(names: tuple[str, ...]) -> Callable[[Any], str]:
    @reprlib.recursive_repr()  # "..." for an object inside itself, as the standard repr
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _eq_method(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash_method(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def _frozen_setattr(cls: type, names: frozenset[str]) -> Callable[[Any, str, Any], None]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    return __setattr__


def _frozen_delattr(cls: type, names: frozenset[str]) -> Callable[[Any, str], None]:
    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __delattr__
