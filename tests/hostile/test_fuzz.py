"""Property-based fuzzing (hypothesis) of the scenario loader and of `harness simulate-*` input.

The property: whatever the input, the loader returns a file or raises ScenarioFileErrors, and the
engine's request parsing returns an input or raises SimulationError; the CLI answers 0 or 2 with no
traceback. Bounded (modest max_examples, no deadline) so CI stays fast.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hostile_builders import BLOCKS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.account import load_account_model
from harness.cli.main import main
from harness.engine import Engine, SimulationError
from harness.engine.apishape import CUSTOM_FIELDS, PRINCIPAL_FIELDS, input_from_api
from harness.scenarios import ScenarioFileErrors, ScenarioLoader
from harness.scenarios.loader import TOP_KEYS

# IAM_HARNESS_FUZZ_EXAMPLES=5000 for a longer hunt on a developer machine.
FUZZ = settings(
    max_examples=int(os.environ.get("IAM_HARNESS_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

VALID = "version: 1\n" + "".join(
    BLOCKS[k].strip("\n") + "\n" for k in ("POLICIES", "PRINCIPALS", "SCENARIOS")
)

# Keys the format knows, so generated documents reach past the first "unknown key" check.
KEYS = [
    *TOP_KEYS,
    "name",
    "principal",
    "actions",
    "resources",
    "expect",
    "context",
    "overrides",
    "matrix",
    "enforced",
    "resource_policy",
    "scps",
    "type",
    "value",
    "values",
    "arn",
    "caller",
    "Version",
    "Statement",
    "Effect",
    "Action",
    "Resource",
    "Principal",
    "Condition",
    "Sid",
    "kms:ViaService",
    "aws:SourceIp",
    "aws:CurrentTime",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["allowed", "denied", "kms:Decrypt", "kms:*", "*", "arn:aws:kms", "${x}", "p", "a", "1"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=25,
)

_CATALOG = ScenarioLoader().catalog


def load_text(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.yaml"
        path.write_bytes(data)
        try:
            ScenarioLoader(catalog=_CATALOG).load(path, "s.yaml")
        except ScenarioFileErrors as exc:
            assert all(
                e.file == "s.yaml" for e in exc.errors if e.file.endswith(".yaml") and "/" not in e.file
            )


@FUZZ
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8))
def test_loader_never_raises_on_generated_documents(doc: dict[str, Any]):
    load_text(yaml.safe_dump({"version": 1, **doc}, allow_unicode=True).encode("utf-8"))


@FUZZ
@given(st.binary(max_size=400))
def test_loader_never_raises_on_random_bytes(data: bytes):
    load_text(data)


@FUZZ
@given(st.integers(0, len(VALID)), st.binary(min_size=1, max_size=12), st.integers(0, 8))
def test_loader_never_raises_on_a_mutated_valid_file(at: int, insert: bytes, cut: int):
    raw = VALID.encode()
    load_text(raw[:at] + insert + raw[at + cut :])


POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
)
REQUEST_VALUES = st.recursive(
    SCALARS | st.just(POLICY) | st.just("kms:Decrypt"),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["ContextKeyName", "ContextKeyValues", "ContextKeyType", "PolicyInputList"])
            | st.text(max_size=6),
            inner,
            max_size=4,
        )
    ),
    max_leaves=15,
)
REQUESTS = st.dictionaries(st.sampled_from(sorted(CUSTOM_FIELDS)), REQUEST_VALUES, max_size=6)


@FUZZ
@given(REQUESTS)
def test_request_parsing_raises_only_simulation_errors(request: dict[str, Any]):
    with contextlib.suppress(SimulationError):
        Engine().simulate(
            input_from_api({"PolicyInputList": [POLICY], "ActionNames": ["kms:Decrypt"], **request})
        )


@FUZZ
@given(st.one_of(REQUESTS.map(json.dumps), st.text(max_size=200)))
def test_simulate_custom_policy_answers_or_exits_2_without_a_traceback(text: str):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["simulate-custom-policy", f"--cli-input-json={text}"])
    assert code in (0, 2)
    assert "Traceback" not in err.getvalue() and "bug in iam-harness" not in err.getvalue(), err.getvalue()


_MODEL = load_account_model(
    Path(__file__).parents[2] / "scenarios" / "examples" / "accounts" / "example-account.yaml"
)
PRINCIPAL_REQUESTS = st.dictionaries(
    st.sampled_from(sorted(PRINCIPAL_FIELDS)),
    REQUEST_VALUES
    | st.sampled_from(["arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:user/alice"]),
    max_size=6,
)


@FUZZ
@given(PRINCIPAL_REQUESTS)
def test_principal_request_parsing_raises_only_simulation_errors(request: dict[str, Any]):
    base = {"PolicySourceArn": "arn:aws:iam::111122223333:role/app", "ActionNames": ["kms:Decrypt"]}
    with contextlib.suppress(SimulationError):
        Engine().simulate(_MODEL.simulation_input_from_api({**base, **request}))
