"""A resource the capture never read (its service not asked, or a sub-resource with its own policy) is a gap.

Its policy is unknown, never "no policy": `resource_gap` names why, and every tool that asks
through it (scenarios, who-can, simulate-principal-policy --account) answers with an error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.account import load_account_model
from harness.account.capture.regional_policies import READ_ACTIONS, SECTIONS
from harness.account.gaps import REGIONAL_POLICY_SERVICES
from harness.account.model import AccountModel, CaptureGap
from harness.account.resources import ResourceSelector, select_resources

ACCOUNT = "111122223333"
QUEUE = f"arn:aws:sqs:eu-west-3:{ACCOUNT}:jobs"
FUNCTION = f"arn:aws:lambda:eu-west-3:{ACCOUNT}:function:worker"
TABLE = f"arn:aws:dynamodb:eu-west-3:{ACCOUNT}:table/orders"
POLICY = '{"Statement": []}'


def _model(tmp_path: Path, capture: str = "") -> AccountModel:
    path = tmp_path / "m.yaml"
    path.write_text(
        f"""{capture}accounts:
  - AccountId: "{ACCOUNT}"
    ResourcePolicies:
      - {{Arn: "{FUNCTION}", Policy: '{POLICY}'}}
      - {{Arn: "{TABLE}", Policy: '{POLICY}'}}
"""
    )
    return load_account_model(path)


CAPTURED_WITHOUT_SQS = "capture: {services: [lambda, dynamodb]}\n"


def test_a_queue_of_a_capture_that_did_not_read_sqs_is_a_gap_naming_the_flag(tmp_path):
    gap = _model(tmp_path, CAPTURED_WITHOUT_SQS).resource_gap(QUEUE)
    assert gap is not None and "did not read sqs" in gap and "--services sqs" in gap


def test_a_bucket_of_a_capture_that_did_not_read_s3_is_a_gap(tmp_path):
    assert "--services s3" in (_model(tmp_path, CAPTURED_WITHOUT_SQS).resource_gap("arn:aws:s3:::logs") or "")


def test_a_service_the_capture_read_has_no_gap_for_a_resource_it_did_not_find(tmp_path):
    model = _model(tmp_path, "capture: {services: [sqs, lambda, dynamodb]}\n")
    assert model.resource_gap(QUEUE) is None


def test_a_hand_written_model_knows_what_it_holds_and_nothing_is_a_gap(tmp_path):
    assert _model(tmp_path).resource_gap(QUEUE) is None


def test_a_service_with_no_optional_capture_is_not_a_gap(tmp_path):
    model = _model(tmp_path, CAPTURED_WITHOUT_SQS)
    assert model.resource_gap(f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/k") is None


def test_listing_buckets_of_a_capture_without_s3_raises_the_same_gap(tmp_path):
    model = _model(tmp_path, CAPTURED_WITHOUT_SQS)
    with pytest.raises(CaptureGap) as raised:
        select_resources(model, ResourceSelector.parse("s3:bucket"))
    assert raised.value.message == model.uncaptured_service("s3")


def test_a_lambda_version_or_alias_of_a_function_in_the_model_is_a_gap(tmp_path):
    model = _model(tmp_path)
    for qualified in (f"{FUNCTION}:3", f"{FUNCTION}:live"):
        assert "Lambda versions and aliases" in (model.resource_gap(qualified) or "")
    assert model.resource_gap(FUNCTION) is None


def test_a_dynamodb_stream_of_a_table_in_the_model_is_a_gap(tmp_path):
    gap = _model(tmp_path).resource_gap(f"{TABLE}/stream/2026-01-01T00:00:00.000")
    assert "DynamoDB stream" in (gap or "")


def test_a_dynamodb_index_takes_its_tables_policy_not_a_gap(tmp_path):
    assert _model(tmp_path).resource_gap(f"{TABLE}/index/by-customer") is None


def test_the_regional_capture_sections_follow_the_one_list_of_services():
    assert tuple(SECTIONS) == tuple(READ_ACTIONS) == REGIONAL_POLICY_SERVICES
