"""Read and check an account's or a bucket's `PublicAccessBlock` (docs/account-model.md).

The mapping has AWS's PublicAccessBlockConfiguration names, so the output of
`aws s3control get-public-access-block` or `aws s3api get-public-access-block` pastes in.
Checks, each a load error naming file, line and field: a key other than the four settings
(a misspelt RestrictPublicBuckets read as "off" would flag a blocked bucket public, and the
other way round would hide a public one); a value that is not true or false; a bucket's
`PublicAccessBlock` or `PublicAccessBlockGap` on a resource that is not an S3 bucket.
"""

from __future__ import annotations

import re

from harness.account.ec2_loader import Reading
from harness.account.public_access import SETTINGS, PublicAccessBlock
from harness.inputs.yamlsource import LDict

_KEYS = frozenset(SETTINGS)
_BUCKET = re.compile(r"^arn:[^:]+:s3:::[^/]+$")


def read_public_access_block(reading: Reading, node: LDict, where: str) -> PublicAccessBlock | None:
    """`node`'s `PublicAccessBlock`, checked; None when it has none (none set)."""
    value = node.get("PublicAccessBlock")
    if value is None:
        return None
    pw = f"{where}.PublicAccessBlock"
    if not isinstance(value, LDict):
        reading.error(node.line_of("PublicAccessBlock"), pw, "must be a mapping of the four settings")
        return None
    reading.known_keys(value, _KEYS, pw)
    for name, setting in value.items():
        if name in _KEYS and not isinstance(setting, bool):
            reading.error(
                value.line_of(name),
                f"{pw}.{name}",
                f"must be true or false, got {setting!r}",
                "write it unquoted: true or false",
            )
    return PublicAccessBlock.from_api({str(k): v for k, v in value.items()})


def read_bucket_public_access(
    reading: Reading, entry: LDict, where: str, arn: str
) -> tuple[PublicAccessBlock | None, str | None]:
    """A `ResourcePolicies` entry's bucket settings and the gap that hides them, if any."""
    present = [k for k in ("PublicAccessBlock", "PublicAccessBlockGap") if k in entry]
    if not present:
        return None, None
    if not _BUCKET.match(arn):
        for key in present:
            message = "only an S3 bucket has its own Block Public Access"
            reading.error(entry.line_of(key), f"{where}.{key}", message)
        return None, None
    gap = reading.text_of(entry, "PublicAccessBlockGap", where) if "PublicAccessBlockGap" in entry else None
    return read_public_access_block(reading, entry, where), gap or None
