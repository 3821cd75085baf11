"""Service rules as authorizers, asked in order (base.py says what one declares).

KMS decides key requests (its key policy is the primary control); STS trust
decides role assumption and sts:GetCallerIdentity; protected resources refuse
writes to what AWS owns; the default lets the evaluation stand. The
service-linked-role authorizer decides nothing: it drops SCPs from the
enforced evaluation. An adjustment's note is placed in this order too (the
KMS alias stand-in wraps the deciding note; the service-linked-role note is
shown only when nothing else explains the change).
"""

from __future__ import annotations

from harness.engine.authorizers.base import (
    Adjustment,
    Authorizer,
    Facts,
    FactTests,
    Registry,
    RequestFact,
    ResourceFact,
    Rule,
)
from harness.engine.authorizers.default import DefaultAuthorizer
from harness.engine.authorizers.kms import KmsAuthorizer
from harness.engine.authorizers.protected import ProtectedResourceAuthorizer
from harness.engine.authorizers.service_linked import ServiceLinkedRoleAuthorizer
from harness.engine.authorizers.sts_trust import StsTrustAuthorizer

REGISTRY = Registry(
    (
        KmsAuthorizer(),
        ServiceLinkedRoleAuthorizer(),
        StsTrustAuthorizer(),
        ProtectedResourceAuthorizer(),
        DefaultAuthorizer(),
    )
)

__all__ = [
    "REGISTRY",
    "Adjustment",
    "Authorizer",
    "FactTests",
    "Facts",
    "Registry",
    "RequestFact",
    "ResourceFact",
    "Rule",
]
