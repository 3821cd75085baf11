"""The request context: the condition keys and values one request carries.

IAM treats condition key names case-insensitively and values as given
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).
A key is single-valued or multivalued; the `ForAllValues:` / `ForAnyValue:`
qualifiers only make sense on multivalued keys, which is why the type travels
with the values (ContextKeyType: string, stringList, numeric, numericList,
boolean, booleanList, ip, ipList, binary, binaryList, date, dateList).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from harness.dataclass import dataclass
from harness.engine.types import ContextEntry

# ContextKeyType values the IAM API accepts, spelled as the API spells them.
CONTEXT_KEY_TYPES = (
    "string",
    "stringList",
    "numeric",
    "numericList",
    "boolean",
    "booleanList",
    "ip",
    "ipList",
    "binary",
    "binaryList",
    "date",
    "dateList",
)

LIST_TYPES = frozenset(
    {"stringlist", "numericlist", "booleanlist", "iplist", "binarylist", "datelist", "arnlist"}
)


# Not frozen: one is built for every context entry of every request, and a frozen dataclass
# sets each field through object.__setattr__, several times slower. Nothing changes one
# once built (see evaluate.Request).
@dataclass(slots=True)
class ContextValue:
    """One context key's values in a request, with its ContextKeyType."""

    key: str  # as first spelled
    values: tuple[str, ...]
    type: str = "string"  # ContextKeyType, as the API spells it

    @property
    def multivalued(self) -> bool:
        return self.type.lower() in LIST_TYPES

    @property
    def base_type(self) -> str:
        """`stringList` -> `string`."""
        t = self.type.lower()
        return t[:-4] if t.endswith("list") else t


class RequestContext:
    """Immutable case-insensitive mapping of condition key -> ContextValue."""

    __slots__ = ("_items",)

    def __init__(self, values: Iterable[ContextValue] = ()) -> None:
        self._items: dict[str, ContextValue] = {}
        for v in values:
            self._items[v.key.lower()] = v

    @classmethod
    def from_entries(cls, entries: Iterable[ContextEntry]) -> RequestContext:
        # Built for every request: the values straight into the mapping (a plain loop
        # measures faster than a generator or a comprehension here; no __init__ call).
        ctx = cls.__new__(cls)
        ctx._items = items = {}
        for e in entries:
            key = e.key
            items[key.lower()] = ContextValue(key, tuple(e.values), e.type)
        return ctx

    def get(self, key: str) -> ContextValue | None:
        return self._items.get(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._items

    def __iter__(self) -> Iterator[ContextValue]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def with_values(self, extra: Iterable[ContextValue]) -> RequestContext:
        """A new context with `extra` added; keys already present win (the caller's values are kept)."""
        merged = RequestContext()
        merged._items = dict(self._items)  # (keys already lower-cased)
        for v in extra:
            merged._items.setdefault(v.key.lower(), v)
        return merged
