"""Top-level conftest.

The harness's pytest plugin is registered through the `pytest11` entry point
when the package is installed (`pip install -e .`). This file makes a plain
checkout work too: when the entry point is absent, load the plugin by name.
"""

from __future__ import annotations

import importlib.metadata


def _plugin_registered() -> bool:
    for ep in importlib.metadata.entry_points(group="pytest11"):
        if ep.value == "harness.plugin.plugin":
            return True
    return False


if not _plugin_registered():
    pytest_plugins = ["harness.plugin.plugin"]
