"""Fixtures for engine tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from engine_builders import build_input, first

from harness.engine import Engine, SimulationOutput


@pytest.fixture
def engine() -> Engine:
    return Engine()


@pytest.fixture
def simulate(engine: Engine) -> Callable[..., SimulationOutput]:
    def run(actions: Any, **kwargs: Any) -> SimulationOutput:
        return engine.simulate(build_input(actions, **kwargs))

    return run


@pytest.fixture
def decide(simulate: Callable[..., SimulationOutput]) -> Callable[..., str]:
    """The simulator's decision for a single action x resource."""

    def run(action: str, **kwargs: Any) -> str:
        out = simulate(action, **kwargs)
        return first(out).decision.value

    return run


@pytest.fixture
def enforced(simulate: Callable[..., SimulationOutput]) -> Callable[..., str]:
    """The enforced decision for a single action x resource."""

    def run(action: str, **kwargs: Any) -> str:
        out = simulate(action, **kwargs)
        res = first(out)
        assert res.enforced_decision is not None
        return res.enforced_decision.value

    return run
