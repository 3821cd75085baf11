"""Which account, partition and Region a plan's resources land in, and the ARNs they get there.

A Terraform plan does not name its account, and a template's pseudo parameters
are resolved at deploy time; both come from the run's variables `account_id`,
`region` and `partition` (--iam-var), the names the scenario packs use. An
account model with one account needs no `account_id`. ARN forms:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html (IAM: no
Region, `PATH` between type and name), https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN
(`arn:PARTITION:kms:REGION:ACCOUNT:key/KEY_ID`), and S3 bucket ARNs, which hold
neither Region nor account (`arn:PARTITION:s3:::BUCKET`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from harness.account.model import AccountModel
from harness.plans.errors import PlanError


@dataclass(frozen=True)
class PlanTarget:
    account_id: str
    partition: str
    region: str | None

    def iam_arn(self, kind: str, name: str, path: str | None = None) -> str:
        path = path or "/"
        return f"arn:{self.partition}:iam::{self.account_id}:{kind}{path}{name}"

    def bucket_arn(self, bucket: str) -> str:
        return f"arn:{self.partition}:s3:::{bucket}"

    def key_arn(self, key_id: str) -> str | None:
        if self.region is None:
            return None
        return f"arn:{self.partition}:kms:{self.region}:{self.account_id}:key/{key_id}"


def plan_target(model: AccountModel, variables: Mapping[str, str], file: str) -> PlanTarget:
    account_id = variables.get("account_id")
    if account_id is None and len(model.accounts) == 1:
        account_id = next(iter(model.accounts))
    if account_id is None:
        raise PlanError(
            file,
            "account_id",
            f"the account model {model.path} holds {len(model.accounts)} accounts; name the one the plan "
            "changes with --iam-var account_id=ACCOUNT",
        )
    if account_id not in model.accounts:
        raise PlanError(file, "account_id", f"account {account_id} is not in the account model {model.path}")
    return PlanTarget(account_id, variables.get("partition", "aws"), variables.get("region"))
