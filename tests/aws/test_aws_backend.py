"""The AWS backend against a loopback endpoint: moto's account, the simulator answered by the engine."""

from __future__ import annotations

from aws_builders import (
    BUCKET,
    USER_ARN,
    allow,
    aws_backend,
    cell,
    context,
    custom,
    deny,
    grid,
    identity_policy,
    principal,
)

from harness.cells import Expectation, Outcome, judge
from harness.testing.iam_endpoint import LocalIamEndpoint


def test_principal_mode_answers_from_the_account_in_moto(endpoint: LocalIamEndpoint, alice: str) -> None:
    backend = aws_backend(endpoint.url)
    cells = [
        cell(principal(alice), "s3:GetObject", f"{BUCKET}/key"),
        cell(principal(alice), "s3:PutObject", f"{BUCKET}/key"),
    ]
    results = backend.evaluate(cells)
    assert [r.decision for r in results] == ["allowed", "implicitDeny"]
    assert results[0].deciding_statements[0].policy_id == "read-bucket"
    assert results[0].backend == "aws"


def test_cells_sharing_a_principal_are_answered_by_one_call(endpoint: LocalIamEndpoint, alice: str) -> None:
    backend = aws_backend(endpoint.url)
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]
    resources = [f"{BUCKET}/k{i}" for i in range(10)]
    results = backend.evaluate(grid(principal(alice), actions, resources))
    assert len(results) == 40
    assert endpoint.calls["SimulatePrincipalPolicy"] == 1


def test_custom_mode_sends_exactly_the_documented_parameters(endpoint: LocalIamEndpoint) -> None:
    doc = identity_policy(allow("s3:GetObject"))
    subject = custom(doc, caller=USER_ARN)
    c = cell(
        subject, "s3:GetObject", f"{BUCKET}/k", context=(context("aws:SourceIp", "10.0.0.1", type="ip"),)
    )
    aws_backend(endpoint.url, max_items=50).evaluate([c])
    [(action, params)] = endpoint.simulate_requests()
    assert action == "SimulateCustomPolicy"
    assert params == {
        "PolicyInputList": [doc.text],
        "ActionNames": ["s3:GetObject"],
        "ResourceArns": [f"{BUCKET}/k"],
        "CallerArn": USER_ARN,
        "ContextEntries": [
            {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.0.0.1"], "ContextKeyType": "ip"}
        ],
        "MaxItems": 50,
    }


def test_pagination_reads_every_page_with_a_small_max_items(endpoint: LocalIamEndpoint) -> None:
    actions = [f"s3:{a}" for a in ("GetObject", "PutObject", "DeleteObject", "ListBucket", "GetBucketAcl")]
    subject = custom(identity_policy(allow("s3:Get*")))
    results = aws_backend(endpoint.url, max_items=2).evaluate(grid(subject, actions, ["*"]))
    assert [r.decision for r in results] == [
        "allowed",
        "implicitDeny",
        "implicitDeny",
        "implicitDeny",
        "allowed",
    ]
    requests = endpoint.simulate_requests()
    assert len(requests) == 3
    assert [p.get("Marker") for _, p in requests] == [None, "2", "4"]


def test_pagination_covers_more_than_one_hundred_results(endpoint: LocalIamEndpoint) -> None:
    # A peer tool that reads one page loses everything past the default page of 100.
    subject = custom(identity_policy(allow("s3:GetObject")))
    resources = [f"{BUCKET}/k{i}" for i in range(3)]
    actions = [f"s3:GetObject{'' if i == 0 else 'Acl'}" for i in range(1)] + [
        f"ec2:Describe{n}" for n in ("Instances", "Images", "Volumes", "Snapshots", "Vpcs")
    ]
    cells = grid(subject, actions, resources)
    results = aws_backend(endpoint.url, max_items=1, max_resources=3).evaluate(cells)
    assert sum(r.decision == "allowed" for r in results) == 3
    assert all(not r.is_error for r in results)
    assert len(endpoint.simulate_requests()) == len(actions)


def test_explicit_deny_statement_is_reported_as_deny(endpoint: LocalIamEndpoint) -> None:
    subject = custom(identity_policy(allow("s3:*"), deny("s3:DeleteObject")))
    [result] = aws_backend(endpoint.url).evaluate([cell(subject, "s3:DeleteObject", f"{BUCKET}/k")])
    assert result.decision == "explicitDeny"
    assert [s.effect for s in result.deciding_statements] == ["Deny"]
    assert result.deciding_statements[0].policy_id == "PolicyInputList.1"
    assert result.deciding_statements[0].origin == "policies/doc.json"


def test_identical_requests_across_scenario_files_are_sent_once(
    endpoint: LocalIamEndpoint, alice: str
) -> None:
    backend = aws_backend(endpoint.url)
    first = backend.evaluate([cell(principal(alice), "s3:GetObject", f"{BUCKET}/k", cell_id="a")])
    second = backend.evaluate([cell(principal(alice), "s3:GetObject", f"{BUCKET}/k", cell_id="b")])
    assert first[0].decision == second[0].decision == "allowed"
    assert second[0].cell_id == "b"
    assert endpoint.calls["SimulatePrincipalPolicy"] == 1
    assert backend.metadata()["requests_reused"] == 1


def test_wildcard_action_is_expanded_before_the_call(endpoint: LocalIamEndpoint) -> None:
    subject = custom(identity_policy(allow("s3:GetObject")))
    expand = {"s3:GetObject*": ["s3:GetObject", "s3:GetObjectAcl"]}
    backend = aws_backend(endpoint.url)
    backend._expand_action = lambda pattern: expand[pattern]
    [result] = backend.evaluate([cell(subject, "s3:GetObject*", f"{BUCKET}/k")])
    [(_, params)] = endpoint.simulate_requests()
    assert params["ActionNames"] == ["s3:GetObject", "s3:GetObjectAcl"]
    # The cell expects allowed, and s3:GetObjectAcl is not: the cell fails on that action.
    assert result.decision == "implicitDeny"
    assert "s3:GetObjectAcl" in result.explanation[0]
    assert judge(cell(subject, "s3:GetObject*", f"{BUCKET}/k"), result) is Outcome.FAILED


def test_wildcard_action_expands_from_the_catalog(endpoint: LocalIamEndpoint) -> None:
    subject = custom(identity_policy(allow("kms:Decrypt")))
    [result] = aws_backend(endpoint.url).evaluate(
        [cell(subject, "kms:Decrypt*", "*", expected=Expectation.ALLOWED)]
    )
    [(_, params)] = endpoint.simulate_requests()
    assert params["ActionNames"] == ["kms:Decrypt"]
    assert result.decision == "allowed"


def test_metadata_names_account_caller_region_and_counts(endpoint: LocalIamEndpoint, alice: str) -> None:
    backend = aws_backend(endpoint.url)
    backend.evaluate([cell(principal(alice), "s3:GetObject", f"{BUCKET}/k")])
    meta = backend.metadata()
    assert meta["account"] == "123456789012"
    assert str(meta["caller_arn"]).startswith("arn:aws:sts::123456789012:")
    assert meta["api_region"] == "us-east-1"
    assert meta["partition"] == "aws"
    assert meta["api_calls"] == 2  # GetCallerIdentity + one simulate call
    assert meta["retries"] == meta["throttles"] == 0
    assert meta["started"] and meta["finished"]


def test_rcp_levels_are_noted_as_a_simulator_gap(endpoint: LocalIamEndpoint) -> None:
    subject = custom(identity_policy(allow("s3:GetObject")))
    rcp = identity_policy(deny("s3:GetObject"), name="rcp")
    backend = aws_backend(endpoint.url)
    [result] = backend.evaluate([cell(subject, "s3:GetObject", f"{BUCKET}/k", rcp_levels=((rcp,),))])
    assert result.decision == "allowed"
    assert any("resource control policies" in w for w in result.warnings)
    assert backend.metadata()["simulator_gaps"]


def test_kms_key_policy_from_moto_is_sent_as_the_resource_policy(endpoint: LocalIamEndpoint) -> None:
    from harness.engine.types import PolicyKind, PolicySource

    kms = endpoint.client("kms")
    key = kms.create_key()["KeyMetadata"]
    text = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
    key_policy = PolicySource(text, "ResourcePolicy", "Resource Policy", PolicyKind.RESOURCE, origin="moto")
    subject = custom(identity_policy(allow("kms:Decrypt")), caller=USER_ARN)
    [result] = aws_backend(endpoint.url).evaluate(
        [cell(subject, "kms:Decrypt", key["Arn"], resource_policy=key_policy, resource_owner="123456789012")]
    )
    [(_, params)] = endpoint.simulate_requests()
    assert params["ResourcePolicy"] == text
    assert params["ResourceOwner"] == "arn:aws:iam::123456789012:root"
    assert result.decision == "allowed"


def test_principal_mode_sends_exclusions_and_boundaries(endpoint: LocalIamEndpoint, alice: str) -> None:
    from harness.cells import Subject

    boundary = identity_policy(allow("s3:ListBucket"), name="boundary")
    subject = Subject(principal_arn=alice, permissions_boundaries=(boundary,))
    c = cell(subject, "s3:GetObject", f"{BUCKET}/k", policy_exclusions=("read-bucket",))
    [result] = aws_backend(endpoint.url).evaluate([c])
    assert result.error is None
    [(action, params)] = endpoint.simulate_requests()
    assert action == "SimulatePrincipalPolicy"
    assert params["PolicySourceArn"] == alice
    assert params["PermissionsBoundaryPolicyInputList"] == [boundary.text]
    assert params["PolicyExclusionList"] == [
        {
            "InlinePolicyIdentifier": {
                "PolicyName": "read-bucket",
                "AttachmentType": "user",
                "AttachmentName": "alice",
            }
        }
    ]
    assert result.decision == "implicitDeny"  # its only policy is excluded


def test_scp_levels_reach_the_simulator(endpoint: LocalIamEndpoint) -> None:
    root = identity_policy(allow("*"), name="root")
    ou = identity_policy(allow("ec2:*"), name="ou")
    subject = custom(identity_policy(allow("s3:GetObject")))
    c = cell(subject, "s3:GetObject", "*", scp_levels=((root,), (ou,)))
    [result] = aws_backend(endpoint.url).evaluate([c])
    [(_, params)] = endpoint.simulate_requests()
    assert params["OrderedOrganizationPolicyInputList"] == [
        {"ServiceControlPolicyInputList": [root.text]},
        {"ServiceControlPolicyInputList": [ou.text]},
    ]
    assert result.decision == "implicitDeny"


def test_many_requests_in_flight_each_get_their_own_answer(endpoint: LocalIamEndpoint) -> None:
    endpoint.faults.latency = 0.02
    cells = []
    for i in range(12):
        subject = custom(identity_policy(allow("s3:GetObject", f"arn:aws:s3:::b{i}/*")))
        cells.append(cell(subject, "s3:GetObject", f"arn:aws:s3:::b{i}/k"))
        cells.append(cell(subject, "s3:GetObject", f"arn:aws:s3:::b{i + 1}/k"))
    results = aws_backend(endpoint.url, max_concurrency=4).evaluate(cells)
    assert [r.decision for r in results] == ["allowed", "implicitDeny"] * 12
    assert [r.cell_id for r in results] == [c.id for c in cells]


def test_a_run_near_the_request_rate_slows_down_instead_of_failing(endpoint: LocalIamEndpoint) -> None:
    endpoint.faults.rate_limit, endpoint.faults.burst = 40.0, 2.0
    subjects = [custom(identity_policy(allow("s3:GetObject", f"arn:aws:s3:::b{i}/*"))) for i in range(30)]
    cells = [cell(s, "s3:GetObject") for s in subjects]
    backend = aws_backend(endpoint.url, initial_rate=200.0, min_rate=1.0, max_concurrency=4, max_attempts=8)
    results = backend.evaluate(cells)
    assert not any(r.is_error for r in results)
    assert backend.metadata()["throttles"] > 0
