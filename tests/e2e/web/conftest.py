"""Fixtures of the web screens' tests: one browser per module, the demo as a user runs it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.e2e.web.browser import launch

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """The system Chromium, headless, for the module's tests."""
    manager, launched = launch()
    try:
        yield launched
    finally:
        launched.close()
        manager.stop()
