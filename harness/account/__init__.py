"""The account model: the one boundary between AWS I/O (the capture) and the engine.

- model.py: what the model holds and the principal-mode questions it answers (pure);
- ec2.py: its EBS volumes, snapshots and instances per Region (pure); gaps.py: what a capture
  could not read;
- loader.py, ec2_loader.py: reading and checking an account model file;
- selection.py: selecting identities (`principals: all`); resources.py: selecting resources.
"""

from harness.account.loader import load_account_model
from harness.account.model import (
    Account,
    AccountModel,
    Identity,
    InlinePolicy,
    ManagedPolicy,
    ResourceEntry,
)

__all__ = [
    "Account",
    "AccountModel",
    "Identity",
    "InlinePolicy",
    "ManagedPolicy",
    "ResourceEntry",
    "load_account_model",
]
