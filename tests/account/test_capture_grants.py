"""The capture's KMS grants: every key's ListGrants, written, loaded back and evaluated."""

from __future__ import annotations

import json

from capture_builders import MOTO_ACCOUNT, ROOT_KEY_POLICY, TRUST_EC2, capture, doc, refuse

from harness.account.capture.calls import ServiceCalls
from harness.backends.offline import OfflineBackend
from harness.cells import Cell, CellResult, Expectation, SourceRef, Subject
from harness.engine.types import ContextEntry

ACCOUNT = MOTO_ACCOUNT
READER = f"arn:aws:iam::{ACCOUNT}:role/reader"
# The key policy (ROOT_KEY_POLICY) enables IAM for the account; the reader has no IAM policy.


def _key_with_grant(moto, **grant):
    moto.client("iam").create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    kms = moto.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=doc(ROOT_KEY_POLICY))
    grant_id = kms.create_grant(KeyId=key_id, GranteePrincipal=READER, Operations=["Decrypt"], **grant)[
        "GrantId"
    ]
    return kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"], grant_id


def _decrypt(model, key_arn, context=()) -> CellResult:
    cell = Cell(
        id="f::decrypt",
        source=SourceRef("f.yaml", 1, "s"),
        subject=Subject(principal_arn=READER),
        action="kms:Decrypt",
        resource=key_arn,
        expected=Expectation.ALLOWED,
        context=tuple(ContextEntry(k, (v,)) for k, v in context),
    )
    (result,) = OfflineBackend(model).evaluate([cell])
    return result


def test_a_keys_grants_are_captured_with_their_grantee_and_operations(moto, tmp_path):
    key_arn, grant_id = _key_with_grant(moto)
    result, model = capture(moto, tmp_path)
    (grant,) = model.accounts[ACCOUNT].resources[key_arn].grants
    assert (grant.grant_id, grant.grantee, grant.operations) == (grant_id, READER, ("Decrypt",))
    assert "kms:ListGrants" in result.log.calls


def test_a_grant_allows_a_role_the_key_policy_does_not_name(moto, tmp_path):
    key_arn, grant_id = _key_with_grant(moto)
    _, model = capture(moto, tmp_path)
    result = _decrypt(model, key_arn)
    assert (result.decision, result.enforced_decision) == ("implicitDeny", "allowed")
    assert [s.policy_id for s in result.deciding_statements] == [f"grant {grant_id}"]


def test_a_grant_constrained_to_an_encryption_context_allows_only_with_it(moto, tmp_path):
    constraint = {"EncryptionContextEquals": {"Project": "evidence"}}
    key_arn, _ = _key_with_grant(moto, Constraints=constraint)
    _, model = capture(moto, tmp_path)
    (grant,) = model.accounts[ACCOUNT].resources[key_arn].grants
    assert grant.context_equals == (("Project", "evidence"),)
    with_it = _decrypt(model, key_arn, [("kms:EncryptionContext:Project", "evidence")])
    assert with_it.enforced_decision == "allowed"
    assert _decrypt(model, key_arn).enforced_decision == "implicitDeny"
    other = _decrypt(model, key_arn, [("kms:EncryptionContext:Project", "other")])
    assert other.enforced_decision == "implicitDeny"


def test_a_refused_list_grants_is_a_gap_and_the_key_answers_errors(moto, tmp_path, monkeypatch):
    key_arn, _ = _key_with_grant(moto)
    refuse(monkeypatch, "kms", "ListGrants")
    result, model = capture(moto, tmp_path)
    entry = model.accounts[ACCOUNT].resources[key_arn]
    assert entry.gap is not None and "kms:ListGrants" in entry.gap
    assert [(g.action, g.resource) for g in result.gaps] == [("kms:ListGrants", key_arn)]
    answer = _decrypt(model, key_arn)
    assert answer.decision == "error" and "kms:ListGrants" in (answer.error or "")


def test_every_page_of_grants_is_read(moto, tmp_path, monkeypatch):
    """moto answers one page: the answer is split in two, linked by a marker, as AWS pages."""
    key_arn, first = _key_with_grant(moto)
    second = moto.client("kms").create_grant(KeyId=key_arn, GranteePrincipal=READER, Operations=["Encrypt"])
    real_call = ServiceCalls.call

    def two_pages(self, operation, **params):
        if operation != "ListGrants":
            return real_call(self, operation, **params)
        grants = real_call(self, operation, KeyId=params["KeyId"])["Grants"]
        if "Marker" not in params:
            return {"Grants": grants[:1], "Truncated": True, "NextMarker": "page-2"}
        return {"Grants": grants[1:], "Truncated": False}

    monkeypatch.setattr(ServiceCalls, "call", two_pages)
    _, model = capture(moto, tmp_path)
    grants = model.accounts[ACCOUNT].resources[key_arn].grants
    assert sorted(g.grant_id for g in grants) == sorted([first, second["GrantId"]])
