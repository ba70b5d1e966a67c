"""Fixtures for the matching engine unit tests: every engine test runs on both engines."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from directbroker.domain.venue_config import VenueConfig
from directbroker.engines.matching import ReferenceVenueEngine, VenueEngine
from tests.unit.matching.matching_helpers import CONFIG, Engine


@pytest.fixture(params=[VenueEngine, ReferenceVenueEngine], ids=["fast", "reference"])
def engine_class(request: pytest.FixtureRequest) -> Callable[[VenueConfig], Engine]:
    factory: Callable[[VenueConfig], Engine] = request.param
    return factory


@pytest.fixture
def engine(engine_class: Callable[[VenueConfig], Engine]) -> Engine:
    return engine_class(CONFIG)
