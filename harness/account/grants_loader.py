"""Read and check a KMS key's `Grants:` list (docs/account-model.md, "KMS grants").

Each grant has ListGrants' own field names (GrantListEntry,
https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantListEntry.html), so an entry
pasted from `aws kms list-grants` loads. Checks, each a load error naming file, line and
field: a key other than GrantListEntry's; a missing GrantId, GranteePrincipal or
Operations; an operation that is not a grant operation (CreateGrant's GrantOperations);
a constraint other than EncryptionContextEquals / EncryptionContextSubset, or one that is
not a mapping of text to text; `Grants` on a resource that is not a KMS key. An unknown
constraint is refused rather than ignored: a grant read as less constrained than it is
would be a false "allowed".
"""

from __future__ import annotations

import difflib
from typing import Any

from harness.account.ec2_loader import Reading
from harness.engine.types import KmsGrant
from harness.inputs.yamlsource import LDict

_GRANT_KEYS = frozenset(
    {
        "KeyId",
        "GrantId",
        "Name",
        "CreationDate",
        "GranteePrincipal",
        "RetiringPrincipal",
        "IssuingAccount",
        "Operations",
        "Constraints",
    }
)
_CONSTRAINT_KEYS = frozenset({"EncryptionContextEquals", "EncryptionContextSubset"})
# CreateGrant's Operations values,
# https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html#KMS-CreateGrant-request-Operations
GRANT_OPERATIONS = frozenset(
    {
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "ReEncryptFrom",
        "ReEncryptTo",
        "Sign",
        "Verify",
        "GetPublicKey",
        "CreateGrant",
        "RetireGrant",
        "DescribeKey",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "GenerateMac",
        "VerifyMac",
        "DeriveSharedSecret",
    }
)


def read_grants(reading: Reading, entry: LDict, where: str, arn: str) -> tuple[KmsGrant, ...]:
    """The resource entry's `Grants`, checked; every mistake reported to `reading`."""
    if "Grants" not in entry:
        return ()
    if ":kms:" not in arn or ":key/" not in arn:
        reading.error(entry.line_of("Grants"), f"{where}.Grants", "only a KMS key has grants")
        return ()
    out: list[KmsGrant] = []
    for g_i, raw in enumerate(reading.list_of(entry, "Grants", where)):
        gw = f"{where}.Grants[{g_i}]"
        if not isinstance(raw, LDict):
            reading.error(entry["Grants"].line_of(g_i), gw, "a grant is a mapping (GrantListEntry)")
            continue
        grant = _grant(reading, raw, gw, arn)
        if grant is not None:
            out.append(grant)
    return tuple(out)


def _grant(reading: Reading, raw: LDict, where: str, arn: str) -> KmsGrant | None:
    reading.known_keys(raw, _GRANT_KEYS, where)
    grant_id = reading.text_of(raw, "GrantId", where)
    grantee = reading.text_of(raw, "GranteePrincipal", where)
    for name, value in (("GrantId", grant_id), ("GranteePrincipal", grantee)):
        if not value:
            reading.error(raw.line, f"{where}.{name}", f"{name} is required")
    operations = _operations(reading, raw, where)
    equals, subset = _constraints(reading, raw, where)
    if not grant_id or not grantee or operations is None:
        return None
    return KmsGrant(
        grant_id=grant_id,
        resource=arn,
        grantee=grantee,
        operations=operations,
        retiring_principal=reading.text_of(raw, "RetiringPrincipal", where) or None,
        issuing_account=reading.text_of(raw, "IssuingAccount", where) or None,
        name=reading.text_of(raw, "Name", where) or None,
        context_equals=equals,
        context_subset=subset,
    )


def _operations(reading: Reading, raw: LDict, where: str) -> tuple[str, ...] | None:
    values = reading.list_of(raw, "Operations", where)
    if not values:
        reading.error(raw.line, f"{where}.Operations", "Operations is required (a list of KMS operations)")
        return None
    ok = True
    for o_i, value in enumerate(values):
        if str(value) not in GRANT_OPERATIONS:
            close = difflib.get_close_matches(str(value), sorted(GRANT_OPERATIONS), n=1)
            reading.error(
                raw["Operations"].line_of(o_i),
                f"{where}.Operations[{o_i}]",
                f"{value!r} is not a grant operation",
                f"did you mean {close[0]}?" if close else "see CreateGrant's Operations",
            )
            ok = False
    return tuple(str(v) for v in values) if ok else None


_Pairs = tuple[tuple[str, str], ...]


def _constraints(reading: Reading, raw: LDict, where: str) -> tuple[_Pairs | None, _Pairs | None]:
    node = raw.get("Constraints")
    if node is None:
        return None, None
    cw = f"{where}.Constraints"
    if not isinstance(node, LDict):
        reading.error(raw.line_of("Constraints"), cw, "must be a mapping")
        return None, None
    reading.known_keys(node, _CONSTRAINT_KEYS, cw)
    return _pairs(reading, node, "EncryptionContextEquals", cw), _pairs(
        reading, node, "EncryptionContextSubset", cw
    )


def _pairs(reading: Reading, node: LDict, key: str, where: str) -> _Pairs | None:
    value: Any = node.get(key)
    if value is None:
        return None
    if not isinstance(value, LDict) or any(isinstance(v, (dict, list)) for v in value.values()):
        reading.error(node.line_of(key), f"{where}.{key}", "must map encryption-context keys to text values")
        return None
    return tuple(sorted((str(k), str(v)) for k, v in value.items()))
