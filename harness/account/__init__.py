"""The account model: the one boundary between AWS I/O (the capture) and the engine.

- model.py: what the model holds and the principal-mode questions it answers (pure);
- loader.py: reading and checking an account model file.
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
