"""S3 Control requests to an endpoint given by its IP address (`--endpoint-url http://127.0.0.1:PORT`).

S3 Control puts the account id in front of the host (`123456789012.s3-control.REGION.amazonaws.com`;
botocore does it to a given endpoint too,
https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_ListAccessPoints.html, "Syntax").
An IP address cannot take a label in front of it (`123456789012.127.0.0.1` resolves nowhere),
so for such an endpoint the label is taken off again before the request is signed; the
account id still travels in the `x-amz-account-id` header, which the server reads. A named
host (AWS's own endpoints, a VPC endpoint) is left as botocore makes it.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def keep_ip_endpoint(client: Any) -> None:
    """Register, on an s3control client, the rewrite of `ACCOUNT.IP` hosts back to `IP`."""
    client.meta.events.register("before-sign.s3-control", _drop_account_label)


def _drop_account_label(request: Any, **_: Any) -> None:
    parts = urlsplit(request.url)
    host = parts.hostname or ""
    label, _, rest = host.partition(".")
    if not label.isdigit() or not _is_ip(rest):
        return
    netloc = f"[{rest}]" if ":" in rest else rest
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    request.url = urlunsplit(parts._replace(netloc=netloc))


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
