"""Fixtures of the CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from newcomer_account import Newcomer, write_newcomer


@pytest.fixture
def newcomer(tmp_path: Path) -> Newcomer:
    """The newcomer's account, captured into tmp_path/accounts/newcomer.yaml."""
    return write_newcomer(tmp_path)
