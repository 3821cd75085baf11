"""The capture's IAM section: GetAccountAuthorizationDetails, every page, into the model's shape."""

from __future__ import annotations

from capture_builders import ALLOW_DECRYPT, TRUST_EC2, capture, doc, paginate_authorization_details, refuse

from harness.engine.errors import SimulationError

ACCOUNT = "123456789012"


def _roles(moto, n):
    iam = moto.client("iam")
    for i in range(n):
        iam.create_role(RoleName=f"role-{i:02d}", AssumeRolePolicyDocument=doc(TRUST_EC2))
    return iam


def test_every_page_of_get_account_authorization_details_is_read(moto, tmp_path, monkeypatch):
    _roles(moto, 7)
    requests = paginate_authorization_details(monkeypatch, moto)
    result, model = capture(moto, tmp_path, page_size=2)
    assert result.log.pages["iam:GetAccountAuthorizationDetails"] == 4
    assert [r["Marker"] for r in requests] == [None, "2", "4", "6"]
    assert {r["MaxItems"] for r in requests} == {2}
    assert sorted(model.accounts[ACCOUNT].roles) == [f"role-{i:02d}" for i in range(7)]


def test_a_role_keeps_its_inline_policies_trust_policy_boundary_and_tags(moto, tmp_path):
    iam = moto.client("iam")
    boundary = iam.create_policy(PolicyName="Boundary", PolicyDocument=doc(ALLOW_DECRYPT))["Policy"]["Arn"]
    iam.create_role(
        RoleName="app",
        AssumeRolePolicyDocument=doc(TRUST_EC2),
        PermissionsBoundary=boundary,
        Tags=[{"Key": "team", "Value": "red"}],
    )
    iam.put_role_policy(RoleName="app", PolicyName="decrypt", PolicyDocument=doc(ALLOW_DECRYPT))
    _, model = capture(moto, tmp_path)
    role = model.accounts[ACCOUNT].roles["app"]
    assert [p.name for p in role.inline] == ["decrypt"]
    assert role.boundary_arn == boundary
    assert role.tags == {"team": "red"}
    assert role.trust_policy is not None and "ec2.amazonaws.com" in role.trust_policy.text


def test_the_trust_policy_is_the_role_arns_resource_policy(moto, tmp_path):
    _roles(moto, 1)
    _, model = capture(moto, tmp_path)
    policy = model.resource_policy_for(f"arn:aws:iam::{ACCOUNT}:role/role-00")
    assert policy is not None and "sts:AssumeRole" in policy.text


def test_a_customer_managed_policy_keeps_only_its_default_version(moto, tmp_path):
    iam = moto.client("iam")
    arn = iam.create_policy(
        PolicyName="P",
        PolicyDocument=doc(TRUST_EC2 | {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}),
    )
    arn = arn["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(ALLOW_DECRYPT), SetAsDefault=True)
    iam.create_user(UserName="alice")
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    result, model = capture(moto, tmp_path)
    assert "kms:Decrypt" in model.accounts[ACCOUNT].policies[arn].text
    assert result.text.count("- VersionId: v") == 1


def test_an_attached_aws_managed_policy_is_read_with_its_default_version(moto, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")  # moto then holds AWS's policies
    moto.reset()
    iam = _roles(moto, 1)
    iam.attach_role_policy(RoleName="role-00", PolicyArn="arn:aws:iam::aws:policy/AWSLambdaExecute")
    result, model = capture(moto, tmp_path)
    managed = model.accounts[ACCOUNT].policies["arn:aws:iam::aws:policy/AWSLambdaExecute"]
    assert managed.source_type == "aws-managed" and "logs:*" in managed.text
    assert result.log.calls["iam:GetPolicyVersion"] == 1


def test_users_keep_their_groups(moto, tmp_path):
    iam = moto.client("iam")
    iam.create_group(GroupName="auditors")
    iam.put_group_policy(GroupName="auditors", PolicyName="g", PolicyDocument=doc(ALLOW_DECRYPT))
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="auditors", UserName="alice")
    _, model = capture(moto, tmp_path)
    inp = model.simulation_input_for(f"arn:aws:iam::{ACCOUNT}:user/alice", ["kms:Decrypt"], ["*"], context=())
    assert [p.source_id for p in inp.identity_policies] == ["g"]


def test_service_linked_roles_are_captured(moto, tmp_path):
    moto.client("iam").create_service_linked_role(AWSServiceName="mrk.kms.amazonaws.com")
    _, model = capture(moto, tmp_path)
    assert any(
        r.arn.endswith("/AWSServiceRoleForKeyManagementServiceMultiRegionKeys") or "aws-service-role" in r.arn
        for r in model.accounts[ACCOUNT].roles.values()
    )


def test_refused_authorization_details_is_a_gap_and_its_principals_are_error_cells(
    moto, tmp_path, monkeypatch
):
    _roles(moto, 1)
    refuse(monkeypatch, "iam", "GetAccountAuthorizationDetails", "AccessDenied")
    result, model = capture(moto, tmp_path)
    assert [(g.section, g.action, g.code) for g in result.gaps] == [
        ("iam", "iam:GetAccountAuthorizationDetails", "AccessDenied")
    ]
    try:
        model.find_identity(f"arn:aws:iam::{ACCOUNT}:role/role-00")
    except SimulationError as exc:
        assert exc.code == "CaptureGap"
        assert "iam:GetAccountAuthorizationDetails" in exc.message and "AccessDenied" in exc.message
    else:
        raise AssertionError("a principal of an account whose IAM could not be read must be an error")


def test_a_refused_aws_managed_policy_leaves_its_identities_out_as_gaps(moto, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    moto.reset()
    iam = _roles(moto, 2)
    iam.attach_role_policy(RoleName="role-00", PolicyArn="arn:aws:iam::aws:policy/AWSLambdaExecute")
    refuse(monkeypatch, "iam", "GetPolicy", "AccessDenied")
    result, model = capture(moto, tmp_path)
    assert "role-01" in model.accounts[ACCOUNT].roles
    assert "role-00" not in model.accounts[ACCOUNT].roles
    assert any(g.resource == "arn:aws:iam::aws:policy/AWSLambdaExecute" for g in result.gaps)
    try:
        model.find_identity(f"arn:aws:iam::{ACCOUNT}:role/role-00")
    except SimulationError as exc:
        assert exc.code == "CaptureGap" and "iam:GetPolicy" in exc.message
    else:
        raise AssertionError("the left-out role must be an error, not absent")
