"""What a capture could not read, as the account model holds it (docs/account-model.md, "Gaps")."""

from __future__ import annotations

from dataclasses import dataclass

# The optional resource-policy services a capture reads Region by Region, by their `--services`
# names (capture/regional_policies.py captures each; model.py names their gaps `SERVICE/REGION`).
REGIONAL_POLICY_SERVICES = ("sqs", "sns", "secretsmanager", "lambda", "ecr", "dynamodb", "events")
# Sections a capture records per Region in an account's `Gaps`: KMS (always read) and the above.
REGIONAL_SECTIONS = ("kms", *REGIONAL_POLICY_SERVICES)
# Services whose resource policies a capture reads only when `--services` names them: a model
# captured without one does not know those resources' policies (model.AccountModel.service_gap).
OPTIONAL_POLICY_SERVICES = ("s3", *REGIONAL_POLICY_SERVICES)


@dataclass(frozen=True)
class SectionGap:
    """A whole section of an account the capture could not read.

    `section` is `iam`, `organizations`, `s3` or `kms/REGION` in an account's `Gaps`, and the
    part (`Volumes`, `Snapshots`, ...) in an EC2 Region's; `operation` the refused call
    (`organizations:ListParents`); `code` AWS's error code.
    """

    section: str
    operation: str
    code: str
    message: str = ""

    def describe(self) -> str:
        text = f"{self.operation} was refused ({self.code})"
        return f"{text}: {self.message}" if self.message else text
