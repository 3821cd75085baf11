"""Turning scenario values into ContextEntries values of a key's type.

The simulator takes every context value as a string plus a ContextKeyType
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_ContextEntry.html).
What each type accepts follows the condition operators that compare it
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
Bool compares "true"/"false"; Numeric compares integers or decimals; Date
compares ISO 8601 date-times or epoch seconds; IPAddress compares IPv4/IPv6
addresses (RFC 4632); ARN operators compare ARNs. A value that cannot be of the
key's type is rejected here, so it never reaches the engine as a silent
non-match.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import ipaddress
import math
import re

from harness.catalog.types import InvalidContextValue, KeyType

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_EPOCH = re.compile(r"[+-]?\d+")


def _scalar_text(key: str, raw: object) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, dt.datetime | dt.date):
        return raw.isoformat()
    if isinstance(raw, str | int | float):
        return str(raw)
    raise InvalidContextValue(f"{key}: value {raw!r} is a {type(raw).__name__}, not a scalar")


def _bool(key: str, raw: object) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower()
    raise InvalidContextValue(f"{key} is a Bool key: value {raw!r} must be true or false")


def _numeric(key: str, raw: object) -> str:
    # YAML's .nan and .inf are floats, but no Numeric condition can compare them.
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, float) and math.isfinite(raw):
        return str(raw)
    if isinstance(raw, str) and _NUMBER.fullmatch(raw.strip()):
        return raw.strip()
    raise InvalidContextValue(f"{key} is a Numeric key: value {raw!r} is not a number")


def _date(key: str, raw: object) -> str:
    if isinstance(raw, dt.datetime):
        if raw.tzinfo is None:
            raw = raw.replace(tzinfo=dt.UTC)
        return raw.isoformat().replace("+00:00", "Z")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)  # epoch seconds
    if isinstance(raw, str):
        text = raw.strip()
        if _EPOCH.fullmatch(text):
            return text
        try:
            dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return text
    raise InvalidContextValue(
        f"{key} is a Date key: value {raw!r} is neither an ISO 8601 date-time "
        "(2026-01-31T12:00:00Z) nor epoch seconds"
    )


def _ip(key: str, raw: object) -> str:
    text = raw.strip() if isinstance(raw, str) else None
    if text:
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            pass
        if "/" in text:
            raise InvalidContextValue(
                f"{key} is an IPAddress key: value {raw!r} is a range; a request comes from one address"
            )
    raise InvalidContextValue(f"{key} is an IPAddress key: value {raw!r} is not an IPv4 or IPv6 address")


def _arn(key: str, raw: object) -> str:
    # arn:partition:service:region:account:resource (region and account may be empty).
    if isinstance(raw, str) and raw.startswith("arn:") and raw.count(":") >= 5:
        return raw
    raise InvalidContextValue(
        f"{key} is an ARN key: value {raw!r} is not an ARN (arn:partition:service:region:account:resource)"
    )


def _binary(key: str, raw: object) -> str:
    if isinstance(raw, str):
        try:
            base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            pass
        else:
            return raw
    raise InvalidContextValue(f"{key} is a Binary key: value {raw!r} is not base64")


def _string(key: str, raw: object) -> str:
    return _scalar_text(key, raw)


_PARSERS = {
    "string": _string,
    "arn": _arn,
    "bool": _bool,
    "numeric": _numeric,
    "date": _date,
    "ipaddress": _ip,
    "binary": _binary,
}


def parse_values(key: str, key_type: KeyType, raw: object) -> tuple[str, ...]:
    """Values as API strings; raises InvalidContextValue when one cannot be of the type.

    A single value for a multivalued key becomes a one-item list; several
    values for a single-valued key are refused, since a request carries at
    most one value for such a key.
    """
    items = list(raw) if isinstance(raw, list | tuple | set | frozenset) else [raw]
    if not key_type.multivalued and len(items) != 1:
        raise InvalidContextValue(
            f"{key} is single-valued ({key_type.iam_type}): got {len(items)} values {items!r}"
        )
    parse = _PARSERS.get(key_type.base_type.lower(), _string)
    out = []
    for item in items:
        if item is None:
            raise InvalidContextValue(
                f"{key}: empty value (null); omit the key to leave it out of the request"
            )
        out.append(parse(key, item))
    return tuple(out)


# ContextKeyType (the API's names, without "List") -> the Service Authorization Reference base type
# whose parser checks a value of it.
_API_BASE_TYPES = {
    "string": "String",
    "numeric": "Numeric",
    "boolean": "Bool",
    "date": "Date",
    "ip": "IPAddress",
    "binary": "Binary",
}


def parse_typed_values(key: str, context_key_type: str, raw: object) -> tuple[str, ...]:
    """Values of an entry whose type the scenario states (`{type: numeric, value: ...}`).

    Checked exactly like a catalog-typed value: `{type: numeric, value: abc}` or
    `{type: date, value: yesterday}` is refused, never sent as a value that
    silently matches nothing.
    """
    multivalued = context_key_type.endswith("List")
    base = _API_BASE_TYPES.get(context_key_type.removesuffix("List").lower(), "String")
    key_type = KeyType(key, ("ArrayOf" if multivalued else "") + base, "explicit")
    return parse_values(key, key_type, raw)
