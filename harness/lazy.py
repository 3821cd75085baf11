"""Package exports resolved on first use.

A package that re-exports names from its modules would import all of them on
`import package`; for the pytest plugin (loaded on every pytest run) that means
jinja2, YAML and the catalog before any scenario is seen. `lazy_exports`
returns a module-level `__getattr__` (PEP 562) that imports a name's module
only when the name is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """`exports` maps an exported name to the module that defines it."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return __getattr__
