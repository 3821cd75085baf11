"""Does a resource ARN fit the resource types an action accepts?

Each resource type in the Service Authorization Reference carries an ARN
template such as `arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}`.
A variable in the partition, service, region or account field stands for one
field (no colon); a variable in the resource part may hold `/` and `:` (role
paths, S3 object keys). Actions that list no resource type accept only `*`
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
"""

from __future__ import annotations

import functools
import re

from harness.catalog.patterns import has_wildcard

_VAR = re.compile(r"\$\{[^}]*\}")


# A catalog has a few thousand templates; compiled once each, not once per (action, resource) checked.
@functools.lru_cache(maxsize=4096)
def arn_template_regex(template: str) -> re.Pattern[str]:
    head = template.split(":", 5)
    fields: list[str] = []
    for index, field in enumerate(head):
        var = "[^:]+" if index < 5 else ".+"
        pieces = _VAR.split(field)
        fields.append(var.join(re.escape(p) for p in pieces))
    return re.compile(":".join(fields))


def arn_service(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[2] if len(parts) > 2 and parts[0] == "arn" else None


def arn_fits(template: str, arn: str) -> bool:
    """Whether `arn` is an instance of `template`.

    An ARN with IAM wildcards (a policy's `arn:aws:kms:*:*:key/*`) is only held
    to the template's service field: deciding whether a glob overlaps a template
    in general is more than a warning is worth.
    """
    if has_wildcard(arn):
        svc = arn_service(arn)
        tsvc = arn_service(template)
        return svc is None or tsvc is None or has_wildcard(svc) or svc == tsvc
    return arn_template_regex(template).fullmatch(arn) is not None
