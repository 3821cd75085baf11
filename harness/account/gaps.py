"""What a capture could not read, as the account model holds it (docs/account-model.md, "Gaps")."""

from __future__ import annotations

from dataclasses import dataclass


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
