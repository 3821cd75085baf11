"""What a capture could not read, and the shapes it writes for documents."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Gap:
    """A section (`resource` empty) or one object the capture could not read.

    `section` is `iam`, `organizations`, `s3`, `kms/REGION` or `ec2/REGION/PART` (PART one
    of harness.account.ec2.Ec2Part); `action` the refused IAM action; `code` AWS's error code.
    """

    account: str
    section: str
    action: str
    code: str
    message: str
    resource: str = ""

    def describe(self) -> str:
        return f"{self.action} was refused ({self.code}): {self.message}".rstrip(": ")

    def as_dict(self) -> dict[str, str]:
        out = {"account": self.account, "section": self.section, "action": self.action, "code": self.code}
        if self.resource:
            out["resource"] = self.resource
        out["message"] = self.message
        return out

    def as_section(self) -> dict[str, str]:
        """The account model's `Gaps` entry (docs/account-model.md)."""
        return {"Section": self.section, "Operation": self.action, "Code": self.code, "Message": self.message}


class Document(str):
    """A policy document as pretty JSON text; written as a YAML block so a diff shows lines."""


def document(value: Any) -> Document:
    """A policy document from an API answer (mapping, JSON text or URL-encoded JSON)."""
    if isinstance(value, str):
        text = urllib.parse.unquote(value) if value.lstrip().startswith("%") else value
        value = json.loads(text)
    return Document(json.dumps(value, indent=2, ensure_ascii=False))


def tags(raw: list[dict[str, Any]] | None, key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    """Tags sorted by key, in the model's `{Key, Value}` shape (KMS says TagKey/TagValue)."""
    return sorted(({"Key": t[key], "Value": t.get(value, "")} for t in raw or []), key=lambda t: t["Key"])
