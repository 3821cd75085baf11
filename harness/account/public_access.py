"""S3 Block Public Access as the account model holds it (docs/account-model.md, "S3 Block Public Access").

The four settings of a PublicAccessBlockConfiguration, with AWS's own names
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html),
set on the account (`PublicAccessBlock` beside `AccountId`) or on one bucket (`PublicAccessBlock`
of its `ResourcePolicies` entry). A setting not written is off: S3's own default when no
configuration is set (GetPublicAccessBlock answers NoSuchPublicAccessBlockConfiguration).
What RestrictPublicBuckets changes is applied in harness/account/external.py.
"""

from __future__ import annotations

from dataclasses import dataclass

# The account's section in `Gaps` when GetPublicAccessBlock (s3control) was refused.
ACCOUNT_SECTION = "s3/public-access-block"
SETTINGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


@dataclass(frozen=True)
class PublicAccessBlock:
    block_public_acls: bool = False
    ignore_public_acls: bool = False
    block_public_policy: bool = False
    restrict_public_buckets: bool = False

    @classmethod
    def from_api(cls, config: dict[str, bool]) -> PublicAccessBlock:
        """From AWS's `PublicAccessBlockConfiguration` (a key not given is off)."""
        return cls(*(config.get(name) is True for name in SETTINGS))

    def as_api(self) -> dict[str, bool]:
        return dict(
            zip(
                SETTINGS,
                (
                    self.block_public_acls,
                    self.ignore_public_acls,
                    self.block_public_policy,
                    self.restrict_public_buckets,
                ),
                strict=True,
            )
        )
