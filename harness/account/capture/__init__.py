"""`harness account capture`: a real account, read-only, into an account model file.

- calls.py: paced, retried, counted calls (the AWS backend's machinery), refusals named;
- iam.py, kms.py (keys and their grants), organizations.py, ec2.py, s3.py: one section each;
- sqs.py, sns.py, secretsmanager.py, lambda_functions.py, ecr.py, dynamodb.py, events.py:
  resource policies behind `--services` (regional_policies.py lists them, policies.py
  holds their shared gap rules);
- writer.py: the deterministic, scrubbed YAML;
- run.py: sessions, accounts, Regions, the `capture:` block.
"""

from harness.account.capture.calls import CaptureAborted
from harness.account.capture.gaps import Gap
from harness.account.capture.run import CAPTURE_ACTIONS, CaptureOptions, CaptureResult, capture_account

__all__ = ["CAPTURE_ACTIONS", "CaptureAborted", "CaptureOptions", "CaptureResult", "Gap", "capture_account"]
