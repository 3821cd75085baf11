"""Matching IAM wildcards and `${Variable}` templates.

IAM action names are case-insensitive and an Action element may use `*`
(any run of characters) and `?` (one character)
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
Condition key names are case-insensitive too; AWS's service data writes the
variable part of a key as a template (`aws:RequestTag/${TagKey}`,
`kms:EncryptionContext:${EncryptionContextKey}`).
"""

from __future__ import annotations

import re

_TEMPLATE_VAR = re.compile(r"\$\{[^}]*\}")


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def glob_regex(pattern: str) -> re.Pattern[str]:
    """IAM `*`/`?` wildcard -> case-insensitive regex matching the whole name."""
    parts = [".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def is_template(key: str) -> bool:
    return "${" in key


def template_regex(template: str) -> re.Pattern[str]:
    """`aws:PrincipalTag/${TagKey}` -> regex accepting `aws:PrincipalTag/<anything>`."""
    pieces = _TEMPLATE_VAR.split(template)
    return re.compile(".+".join(re.escape(p) for p in pieces), re.IGNORECASE | re.DOTALL)


def template_matches(template: str, key: str) -> bool:
    if is_template(template):
        return template_regex(template).fullmatch(key) is not None
    return template.lower() == key.lower()
