"""Catalog load cost: import + first look-up versus loading every service.

Each figure is taken in a fresh interpreter (so nothing is cached), several
times, and the median is printed. Run: `python bench/bench_catalog_load.py`.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

_LAZY = """
import json, time
t0 = time.perf_counter()
from harness.catalog import Catalog
catalog = Catalog()
t1 = time.perf_counter()
catalog.validate_action("kms:Decrypt")
t2 = time.perf_counter()
catalog.expand("kms:GenerateDataKey*")
catalog.context_key_type("aws:PrincipalTag/Team")
catalog.context_key_type("kms:EncryptionContext:Purpose")
t3 = time.perf_counter()
catalog.validate_action("ec2:RunInstances")  # the largest service file
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first_lookup": t2 - t1, "small_pack": t3 - t0, "ec2": t4 - t3}))
"""

_FULL = """
import json, time
t0 = time.perf_counter()
from harness.catalog import Catalog
catalog = Catalog()
actions = catalog.source.load_everything()
t1 = time.perf_counter()
print(json.dumps({"full_load": t1 - t0, "actions": actions}))
"""


def _run(code: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def _median(runs: list[dict[str, float]], field: str) -> float:
    return statistics.median(r[field] for r in runs)


def main(lazy_runs: int = 7, full_runs: int = 3) -> None:
    lazy = [_run(_LAZY) for _ in range(lazy_runs)]
    full = [_run(_FULL) for _ in range(full_runs)]
    imp = _median(lazy, "import")
    first = _median(lazy, "first_lookup")
    small = _median(lazy, "small_pack")
    whole = _median(full, "full_load")
    print(f"import harness.catalog + Catalog():     {imp * 1000:8.1f} ms")
    print(f"first look-up (kms:Decrypt):             {first * 1000:8.1f} ms")
    print(f"import + first look-up:                  {(imp + first) * 1000:8.1f} ms")
    print(f"import + small pack (expand, 2 keys):    {small * 1000:8.1f} ms")
    print(f"first look-up in ec2 (largest service):  {_median(lazy, 'ec2') * 1000:8.1f} ms")
    print(f"full load ({int(full[0]['actions'])} actions, all services): {whole * 1000:8.1f} ms")
    print(f"ratio full load / (import + first look-up): {whole / (imp + first):6.1f}x")
    print(f"ratio full load / small pack:               {whole / small:6.1f}x")


if __name__ == "__main__":
    main()
