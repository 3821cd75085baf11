"""bench/workload_language.py: the benchmark's second workload, the whole policy language.

What it promises: the same seed gives the same requests, every request is its own, every
condition operator the engine knows (Null included) appears in 4,000 requests, and so do
the qualifiers, NotAction, NotResource, NotPrincipal and policy variables; context entries
carry the type AWS's service reference gives their key and apply to every action of their
request; and the engine answers every request without an error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.catalog.catalog import Catalog
from harness.cli.main import main
from harness.engine.conditions import known_operators

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import workload_language  # noqa: E402  (a script folder, not a package)
from managed_frequencies import Frequencies  # noqa: E402

COUNT = 4000
SEED = 7


@pytest.fixture(scope="module")
def requests() -> list[dict[str, Any]]:
    return workload_language.generate_requests(COUNT, SEED)


@pytest.fixture(scope="module")
def coverage(requests: list[dict[str, Any]]) -> Frequencies:
    return workload_language.coverage(requests)


def test_the_same_seed_gives_the_same_requests() -> None:
    first = workload_language.generate_requests(50, 3)
    assert first == workload_language.generate_requests(50, 3)
    assert first != workload_language.generate_requests(50, 4)


def test_every_request_is_distinct(requests: list[dict[str, Any]]) -> None:
    assert len({json.dumps(r, sort_keys=True) for r in requests}) == COUNT


def test_the_generator_draws_from_the_engines_operator_list() -> None:
    assert set(workload_language.OPERATORS) == known_operators()


def test_every_operator_of_the_engine_appears(coverage: Frequencies) -> None:
    assert known_operators() <= set(coverage.operators)


def test_qualifiers_and_if_exists_appear(coverage: Frequencies) -> None:
    assert {"ForAllValues", "ForAnyValue", "IfExists"} <= set(coverage.qualifiers)
    if_exists_bases = {form.split(":")[-1].removesuffix("IfExists") for form in coverage.qualified_forms}
    assert {"StringEquals", "NumericLessThan", "DateGreaterThan", "IpAddress", "ArnLike"} <= if_exists_bases


def test_set_qualifiers_test_list_typed_context_keys(requests: list[dict[str, Any]]) -> None:
    qualified_on_lists = 0
    for req in requests:
        entries = req.get("ContextEntries", [])
        lists = {e["ContextKeyName"] for e in entries if e["ContextKeyType"] == "stringList"}
        for text in req["PolicyInputList"]:
            for st in json.loads(text)["Statement"]:
                for operator, keys in st.get("Condition", {}).items():
                    if operator.startswith(("ForAllValues:", "ForAnyValue:")):
                        qualified_on_lists += len(lists & set(keys))
    assert qualified_on_lists > 100


def test_negated_elements_principals_and_variables_appear(coverage: Frequencies) -> None:
    assert {"NotAction", "NotResource", "Principal", "NotPrincipal"} <= set(coverage.elements)
    forms = {'"*"', 'AWS "*"', "AWS account ID", "AWS account root ARN", "AWS user", "AWS role", "Service"}
    assert forms <= set(coverage.principal_forms)
    assert coverage.resources["with ${...} variable"] > 0
    assert coverage.condition_values["with ${...} variable"] > 0
    variables = {"aws:username", "aws:userid", "aws:PrincipalAccount", "aws:PrincipalTag/"}
    assert variables <= set(coverage.variables)


def test_every_policy_kind_and_context_type_appears(coverage: Frequencies) -> None:
    assert set(coverage.kinds) == {"identity", "boundary", "scp", "resource"}
    types = {"string", "stringList", "numeric", "boolean", "ip", "date", "binary"}
    assert set(coverage.context_types) == types


def test_context_entries_have_their_keys_type_and_apply_to_every_requested_action(
    requests: list[dict[str, Any]],
) -> None:
    catalog = Catalog()
    seen: set[tuple[str, str, str]] = set()
    for req in requests:
        for entry in req.get("ContextEntries", []):
            for action in req["ActionNames"]:
                seen.add((entry["ContextKeyName"], entry["ContextKeyType"], action))
    for key, given, action in sorted(seen):
        known = catalog.context_key_type(key, action)
        assert known is not None, key
        # No AWS key is binary: BinaryEquals tests two tag keys that carry base64 values.
        assert given == known.context_key_type or given == "binary", (key, given, known)
        assert catalog.context_key_applies(key, [action]), (key, action)


def test_the_engine_answers_every_request_of_a_sample_without_an_error(
    requests: list[dict[str, Any]], tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in requests[:300]), encoding="utf-8")
    code = main(["simulate-custom-policy", "--cli-input-jsonl", str(path)])
    lines = capsysbinary.readouterr().out.splitlines()
    assert code == 0
    assert len(lines) == 300
    assert not [line for line in lines if b'"Error"' in line]
