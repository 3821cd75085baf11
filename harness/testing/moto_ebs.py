"""moto with the one EBS call it lacks, for tests and benchmarks of the EC2 capture.

moto (5.2) implements ModifyEbsDefaultKmsKeyId but not GetEbsDefaultKmsKeyId (it answers HTTP
500). AWS answers the key set by ModifyEbsDefaultKmsKeyId, else its managed key for EBS, which it
names `alias/aws/ebs` until that key exists
(https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetEbsDefaultKmsKeyId.html;
docs/account-model.md, "EC2"). `add_default_key_call` adds that answer to moto's EC2 responses,
from moto's own state; it must run in the process that serves (an in-process ThreadedMotoServer,
or `python -m harness.testing.moto_ebs -H 127.0.0.1 -p PORT` for a server of its own).
"""

from __future__ import annotations

import sys
from typing import Any


def _ebs_default_kms_key_id(self: Any) -> Any:
    from moto.core.responses import ActionResult

    return ActionResult({"KmsKeyId": self.ec2_backend.default_kms_key_id or "alias/aws/ebs"})


def add_default_key_call() -> None:
    """Give moto's EC2 responses GetEbsDefaultKmsKeyId (idempotent)."""
    from moto.ec2.responses import EC2Response

    EC2Response.get_ebs_default_kms_key_id = _ebs_default_kms_key_id  # type: ignore[attr-defined]


def main(argv: list[str]) -> None:
    """moto's own server (its command-line arguments), with the call added."""
    from moto.server import main as moto_main

    add_default_key_call()
    moto_main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
