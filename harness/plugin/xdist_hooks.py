"""pytest-xdist glue, registered only when xdist is installed (its hooks are unknown otherwise).

Workers hand their backends' metadata to the controller through
`workeroutput`; cell records travel with the test reports.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.plugin.session import HARNESS_KEY

WORKER_OUTPUT_KEY = "iam_harness"


class XdistHooks:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl
    def pytest_testnodedown(self, node: Any, error: object | None) -> None:
        output = getattr(node, "workeroutput", None) or {}
        data = output.get(WORKER_OUTPUT_KEY) or {}
        harness = self.config.stash[HARNESS_KEY]
        harness.collector.backend_metadata.extend(data.get("backend_metadata", []))
        harness.selection.merge_worker(data.get("selection", {}))


def export_worker_output(config: pytest.Config) -> None:
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        harness = config.stash[HARNESS_KEY]
        workeroutput[WORKER_OUTPUT_KEY] = {
            "backend_metadata": harness.backend_metadata(),
            "selection": harness.selection.as_dict(),
        }
