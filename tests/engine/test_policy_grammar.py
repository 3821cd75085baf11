"""Policy grammar: what parses, what is rejected, and where the fault is reported."""

from __future__ import annotations

import json

import pytest
from engine_builders import allow, policy

from harness.engine import MalformedPolicyDocument, PolicyKind, PolicySource, compile_policy


def _compile(doc: object, kind: PolicyKind = PolicyKind.IDENTITY) -> object:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    return compile_policy(PolicySource(text, "PolicyInputList.1", "IAM Policy", kind))


def test_statement_as_single_object_is_accepted() -> None:
    compiled = _compile({"Version": "2012-10-17", "Statement": allow("s3:GetObject")})
    assert len(compiled.statements) == 1


def test_statement_list_keeps_document_order_and_sids() -> None:
    compiled = _compile(policy(allow("s3:A", Sid="one"), allow("s3:B", Sid="two")))
    assert [s.sid for s in compiled.statements] == ["one", "two"]


def test_version_2008_and_absent_are_accepted() -> None:
    assert _compile(policy(allow("s3:A"), version="2008-10-17")).version == "2008-10-17"
    assert _compile(policy(allow("s3:A"), version=None)).version is None


def test_unknown_version_is_rejected_naming_version() -> None:
    with pytest.raises(MalformedPolicyDocument) as exc:
        _compile(policy(allow("s3:A"), version="2020-01-01"))
    assert exc.value.element == "Version"


def test_invalid_json_is_rejected() -> None:
    with pytest.raises(MalformedPolicyDocument, match="not valid JSON"):
        _compile('{"Statement": [')


def test_missing_statement_is_rejected() -> None:
    with pytest.raises(MalformedPolicyDocument) as exc:
        _compile({"Version": "2012-10-17"})
    assert exc.value.element == "Statement"


def test_bad_effect_names_statement_index_and_element() -> None:
    with pytest.raises(MalformedPolicyDocument) as exc:
        _compile(policy(allow("s3:A"), {"Effect": "Permit", "Action": "s3:A", "Resource": "*"}))
    assert exc.value.statement == 1
    assert exc.value.element == "Effect"
    assert "Statement[1] Effect" in str(exc.value)


def test_action_and_notaction_together_are_rejected() -> None:
    with pytest.raises(MalformedPolicyDocument) as exc:
        _compile(policy({"Effect": "Allow", "Action": "s3:A", "NotAction": "s3:B", "Resource": "*"}))
    assert exc.value.element == "Action"


def test_missing_action_is_rejected() -> None:
    with pytest.raises(MalformedPolicyDocument, match="neither Action nor NotAction"):
        _compile(policy({"Effect": "Allow", "Resource": "*"}))


def test_missing_resource_in_identity_policy_is_rejected() -> None:
    with pytest.raises(MalformedPolicyDocument) as exc:
        _compile(policy({"Effect": "Allow", "Action": "s3:A"}))
    assert exc.value.element == "Resource"


def test_action_without_service_prefix_is_rejected() -> None:
    with pytest.raises(MalformedPolicyDocument) as exc:
        _compile(policy(allow("GetObject")))
    assert exc.value.element == "Action"


def test_resource_that_is_not_an_arn_is_rejected() -> None:
    with pytest.raises(MalformedPolicyDocument) as exc:
        _compile(policy(allow("s3:A", "my-bucket")))
    assert exc.value.element == "Resource"


def test_principal_in_identity_policy_is_rejected() -> None:
    with pytest.raises(MalformedPolicyDocument) as exc:
        _compile(policy(allow("s3:A", Principal="*")))
    assert exc.value.element == "Principal"


def test_resource_policy_requires_a_principal() -> None:
    with pytest.raises(MalformedPolicyDocument) as exc:
        _compile(policy(allow("s3:A")), PolicyKind.RESOURCE)
    assert exc.value.element == "Principal"


def test_wildcard_inside_principal_arn_is_rejected() -> None:
    doc = policy(allow("s3:A", Principal={"AWS": "arn:aws:iam::111122223333:role/*"}))
    with pytest.raises(MalformedPolicyDocument, match="invalid principal"):
        _compile(doc, PolicyKind.RESOURCE)


def test_unknown_statement_element_is_rejected() -> None:
    with pytest.raises(MalformedPolicyDocument) as exc:
        _compile(policy(allow("s3:A", Effects="Allow")))
    assert exc.value.element == "Effects"


def test_bad_condition_reports_statement_and_condition_element() -> None:
    with pytest.raises(MalformedPolicyDocument) as exc:
        _compile(policy(allow("s3:A"), allow("s3:B", Condition={"StringEqualsish": {"aws:x": "y"}})))
    assert (exc.value.statement, exc.value.element) == (1, "Condition")


def test_empty_action_list_is_rejected() -> None:
    with pytest.raises(MalformedPolicyDocument):
        _compile(policy(allow([])))


def test_duplicate_keys_are_rejected() -> None:
    with pytest.raises(MalformedPolicyDocument, match="duplicate"):
        _compile(
            '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Effect":"Deny","Action":"s3:A","Resource":"*"}}'
        )


def test_statements_are_indexed_by_service_prefix() -> None:
    compiled = _compile(policy(allow("s3:GetObject"), allow("kms:Decrypt"), allow("*")))
    assert [s.index for s in compiled.statements_for("kms:decrypt")] == [1, 2]
    assert [s.index for s in compiled.statements_for("s3:getobject")] == [0, 2]


def test_misspelled_condition_operator_names_the_place_once_and_suggests_the_operator() -> None:
    from harness.engine import MalformedPolicyDocument, PolicySource, compile_policy

    doc = (
        '{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",'
        ' "Condition": {"StringEqual": {"a:b": "c"}}}]}'
    )
    try:
        compile_policy(PolicySource(doc, "PolicyInputList.1", "IAM Policy"))
    except MalformedPolicyDocument as exc:
        assert str(exc).count("Condition:") == 1
        assert "did you mean StringEquals?" in str(exc)
    else:
        raise AssertionError("a misspelled operator must be malformed")


# -- Resource must be a full ARN; a Sid is unique within a policy


def _identity(statements: list[dict]) -> PolicySource:
    return PolicySource(
        text=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        source_id="PolicyInputList.1",
        source_type="IAM Policy",
    )


@pytest.mark.parametrize("resource", ["arn:aws:kms", "arn:aws", "arn:", "arn:aws::r:a:k", "not-an-arn"])
def test_resource_that_is_not_a_full_arn_is_refused(resource):
    statement = {"Effect": "Allow", "Action": "kms:*", "Resource": resource}
    with pytest.raises(MalformedPolicyDocument, match="must be an ARN"):
        compile_policy(_identity([statement]))


@pytest.mark.parametrize(
    "resource", ["arn:aws:kms:*", "arn:*", "arn:aws:s3:::b/*", "arn:aws:iam::1:role/${aws:username}"]
)
def test_full_arns_and_short_arns_ending_in_a_wildcard_are_accepted(resource):
    compile_policy(_identity([{"Effect": "Allow", "Action": "kms:*", "Resource": resource}]))


def test_duplicate_sid_is_refused_at_the_second_statement():
    same = {"Sid": "Same", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}
    with pytest.raises(MalformedPolicyDocument) as info:
        compile_policy(_identity([same, same]))
    assert info.value.statement == 1 and info.value.element == "Sid"


@pytest.mark.parametrize(
    "condition",
    [
        {"NumericLessThan": {"s3:max-keys": "ten"}},
        {"DateGreaterThan": {"aws:CurrentTime": "yesterday"}},
        {"IpAddress": {"aws:SourceIp": "10.0.0.300/8"}},
        {"Bool": {"aws:SecureTransport": "yes"}},
        {"BinaryEquals": {"aws:UserAgent": "not base64!"}},
        {"Null": {"aws:TokenIssueTime": "maybe"}},
        {"StringEquals": {"aws:PrincipalTag/team": {"nested": "object"}}},
    ],
)
def test_a_bad_condition_value_is_refused_in_a_statement_no_request_reaches(condition) -> None:
    # Matchers are compiled lazily, but a policy is still checked whole when read.
    doc = policy(allow("s3:GetObject"), allow("ec2:RunInstances", Condition=condition))
    with pytest.raises(MalformedPolicyDocument) as exc:
        _compile(doc)
    assert (exc.value.statement, exc.value.element) == (1, "Condition")


def test_a_policy_asked_about_endless_made_up_services_keeps_its_tables_bounded() -> None:
    compiled = _compile(
        policy(allow("s3:GetObject"), {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"})
    )
    for n in range(5000):
        compiled.statements_for(f"svc{n}:act")
        compiled.elsewhere(f"svc{n}")
    assert (
        compiled._by_action is not None
        and compiled._by_service is not None
        and compiled._elsewhere is not None
    )
    assert max(len(compiled._by_action), len(compiled._by_service), len(compiled._elsewhere)) <= 4097
