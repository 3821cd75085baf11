"""Known, documented differences between the conformance cases and this engine.

Key: (group, case name) as in devtools/conformance.py. Value: why we read AWS
differently, with the AWS documentation page that supports our reading.
"""

from __future__ import annotations

_PRINCIPAL_IN_IDENTITY = (
    "The case puts a Principal element in an identity policy. IAM rejects such a policy "
    "(MalformedPolicyDocument): 'You cannot use the Principal element in an identity-based policy' "
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
)
_NO_PRINCIPAL = (
    "The case has a resource-based policy statement without Principal. Resource-based policies must "
    "name a principal ('You must use the Principal element in resource-based policies'); we reject the "
    "document instead of skipping the statement. "
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
)
_REQUEST_PATTERN = (
    "The case's request resource is a wildcard pattern ('*' or 'arn:...:bucket/*') and expects pattern "
    "intersection. The simulator evaluates each ResourceArns entry as the resource itself "
    "(ResourceArns: 'Each API in the ActionNames parameter is evaluated for each resource in this list'; "
    "https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html), so a statement "
    "for a specific ARN does not match the request resource '*' (also observed against the live API: "
    "https://github.com/cloud-custodian/cloud-custodian/issues/4612)."
)
_STAR_AND_BOUNDARY = (
    "Resource policy grants to Principal '*' with a permissions boundary that does not allow. The "
    "documented exception covers grants naming the IAM user ARN or the role session ARN; we do not extend "
    "it to '*' (the narrower reading). "
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html"
)
_NOTPRINCIPAL_DENY = (
    "Deny with NotPrincipal naming only the role ARN. AWS: with Deny, NotPrincipal must also name the "
    "principal's account (the request is evaluated as each of them), else the principal is denied. "
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"
)
_SESSION_ARN = (
    "A resource-based policy that names the session ARN is not limited by the session policy: "
    "'If that policy specifically references the federated user session in the Principal element ... "
    "granted in addition to the permissions that are granted by the session policies' "
    "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html and "
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session"
)

_X = "Cross-account Allow Resource wildcard intersection"

DIVERGENCES: dict[tuple[str, str], str] = {
    ("core-engine/blog", "explicit deny without context key"): _PRINCIPAL_IN_IDENTITY,
    ("core-engine/blog", "explicit deny with sensitive value in context key"): _PRINCIPAL_IN_IDENTITY,
    ("core-engine/blog", "Allowed when context key present"): _PRINCIPAL_IN_IDENTITY,
    ("core-engine/sessions", "Deny role when resource policy denies for role"): _PRINCIPAL_IN_IDENTITY,
    ("core-engine/sessions", "Deny session when resource policy denies for role"): _PRINCIPAL_IN_IDENTITY,
    ("core-engine/noPrincipalElement", "Statement without Principal never matches (Allow)"): _NO_PRINCIPAL,
    ("core-engine/noPrincipalElement", "Statement without Principal does not deny when identity allows"): (
        _NO_PRINCIPAL
    ),
    (
        "core-engine/noPrincipalElement",
        "Statement without Principal is skipped; sibling statement still applies",
    ): (_NO_PRINCIPAL),
    (
        "core-engine/boundaryNotPrincipalDenyResource",
        "Same Account: NotPrincipal/Deny in Resource Policy should allow",
    ): (_NOTPRINCIPAL_DENY),
    (
        "core-engine/permissionBoundaries-SameAccount",
        "Permission boundary implicit deny resource policy allows *",
    ): (_STAR_AND_BOUNDARY),
    (
        "core-engine/permissionBoundaries-SameAccount",
        "Permission boundary implicit deny, resource policy allows *, from role",
    ): _STAR_AND_BOUNDARY,
    (
        "core-engine/permissionBoundaries-SameAccount",
        "Permission boundary implicit deny, resource policy allows *, from user",
    ): _STAR_AND_BOUNDARY,
    (
        "core-engine/sessionPolicies",
        "Implicit deny in session policy denies even if session ARN in resource policy",
    ): _SESSION_ARN,
    **{
        ("core-engine/resourceWildcards/crossPatternIntersections", name): _REQUEST_PATTERN
        for name in (
            f"{_X}: AWSLogs prefix overlaps bucket wildcard",
            f"{_X}: nested AWSLogs prefix overlaps bucket wildcard",
            f"{_X}: object extension pattern overlaps bucket wildcard",
            f"{_X}: generated prefix overlaps bucket wildcard",
        )
    },
    **{
        ("core-engine/resourceWildcards/requestWildcards", name): _REQUEST_PATTERN
        for name in (
            "Allow/Resource: specific resource matches request wildcard '*'",
            "Allow/Resource: wildcard resource matches request wildcard '*'",
            "Deny/NotResource: specific resource matches request wildcard '*'",
            "EC2 specific resource matches request wildcard '*'",
            "Multiple resources with one matching request wildcard '*'",
            "Cross-service policies with request wildcard '*'",
        )
    },
}
