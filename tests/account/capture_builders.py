"""Helpers for the capture's tests: run a capture against moto, make AWS refuse a call."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.awsrequest
import pytest

from harness.account import AccountModel, load_account_model
from harness.account.capture import CaptureOptions, CaptureResult, capture_account
from harness.backends.aws.session import AwsSession

ALLOW_DECRYPT = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Decrypt", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}],
}
TRUST_EC2 = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def doc(value: dict[str, Any]) -> str:
    return json.dumps(value)


def capture(moto: Any, tmp_path: Path, **options: Any) -> tuple[CaptureResult, AccountModel]:
    """Capture moto's account(s), write the file, load it back with the account model loader."""
    options.setdefault("progress", False)
    result = capture_account(CaptureOptions(endpoint_url=moto.url, **options))
    path = tmp_path / "captured.yaml"
    path.write_text(result.text)
    return result, load_account_model(path)


def refuse(
    monkeypatch: pytest.MonkeyPatch,
    service: str,
    operation: str,
    code: str = "AccessDeniedException",
    *,
    only: dict[str, Any] | None = None,
    times: int | None = None,
) -> None:
    """Every `service` client the capture builds answers `operation` with an AWS error.

    moto does not refuse anything, so the refusal is made on the client: a botocore
    `before-call` handler that returns an error response, exactly as AWS would send it.
    `only` restricts it to calls whose parameters include these values; `times` to the
    first so many calls (then AWS answers).
    """
    real_client = AwsSession.client
    left = [times]

    def client(self: AwsSession, name: str) -> Any:
        made = real_client(self, name)
        if name == service:

            def answer(params: dict[str, Any], **_: Any) -> Any:
                sent = params.get("body") or {}
                if only and isinstance(sent, dict) and not all(sent.get(k) == v for k, v in only.items()):
                    return None
                if only and not isinstance(sent, dict):
                    text = sent.decode() if isinstance(sent, bytes) else str(sent)
                    if not all(str(v) in text for v in only.values()):
                        return None
                if left[0] is not None:
                    if left[0] <= 0:
                        return None
                    left[0] -= 1
                response = botocore.awsrequest.AWSResponse("https://refused.invalid", 400, {}, None)
                return response, {"Error": {"Code": code, "Message": f"not allowed to {operation}"}}

            event = f"before-call.{made.meta.service_model.service_id.hyphenize()}.{operation}"
            made.meta.events.register(event, answer)
        return made

    monkeypatch.setattr(AwsSession, "client", client)


def paginate_authorization_details(monkeypatch: pytest.MonkeyPatch, moto: Any) -> list[dict[str, Any]]:
    """GetAccountAuthorizationDetails answered in pages of MaxItems, as AWS does (moto sends one page).

    The full answer comes from moto through a client of its own; each request gets the
    next MaxItems entries (users, then groups, roles, policies) with IsTruncated and a
    Marker. Returns the list of requests seen (their MaxItems and Marker).
    """
    lists = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
    seen: list[dict[str, Any]] = []
    real_client = AwsSession.client

    def client(self: AwsSession, name: str) -> Any:
        made = real_client(self, name)
        if name != "iam":
            return made
        full_client = real_client(self, name)

        def answer(params: dict[str, Any], **_: Any) -> Any:
            body = params.get("body") or {}
            size = int(body.get("MaxItems") or 100)
            start = int(body.get("Marker") or 0)
            seen.append({"MaxItems": size, "Marker": body.get("Marker")})
            filters = [v for k, v in sorted(body.items()) if k.startswith("Filter.member.")]
            full = full_client.get_account_authorization_details(Filter=filters)
            items = [(key, entry) for key in lists for entry in full.get(key, [])]
            page: dict[str, Any] = {key: [] for key in lists}
            for key, entry in items[start : start + size]:
                page[key].append(_as_sent(entry))
            page["IsTruncated"] = start + size < len(items)
            if page["IsTruncated"]:
                page["Marker"] = str(start + size)
            return botocore.awsrequest.AWSResponse("https://paged.invalid", 200, {}, None), page

        made.meta.events.register("before-call.iam.GetAccountAuthorizationDetails", answer)
        return made

    monkeypatch.setattr(AwsSession, "client", client)
    return seen


def _as_sent(value: Any) -> Any:
    """Documents back to the JSON text AWS sends (botocore decodes them after the call)."""
    if isinstance(value, dict):
        return {
            k: json.dumps(v)
            if k in ("AssumeRolePolicyDocument", "PolicyDocument", "Document")
            else _as_sent(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_as_sent(v) for v in value]
    return value
