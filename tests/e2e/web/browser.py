"""A real browser for the web screens' end-to-end tests: the system's Chromium under Playwright.

Playwright cannot download its own browser here, so it launches the Chromium the machine has
(Debian's ``chromium`` package, which ``.ci/run`` installs) by its executable path. Without it
the tests skip with the reason, and fail instead when ``DIRECTBROKER_REQUIRE_SERVICES=1``.

:class:`WatchedPage` records every console error, failed request and uncaught page error, so a
test can say "no console errors" and mean it. :func:`screenshot` saves into ``artifacts/screens``
(or ``DIRECTBROKER_ARTIFACTS``), the test run's artifacts.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        ConsoleMessage,
        Page,
        Playwright,
        Request,
        ViewportSize,
    )

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
"""Flags for a closed network (no background connections) and a root user (no sandbox)."""

DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
TICKET = re.compile(r"  (?P<label>[^:]+): (?P<url>http://\S+/ui/ticket/\S+)")


def chromium_path() -> str:
    """The system Chromium's path; skips (or fails in CI) when there is none."""
    configured = os.environ.get("DIRECTBROKER_CHROMIUM")
    for candidate in (configured, *CHROMIUM_CANDIDATES, shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    reason = "no Chromium at /usr/bin/chromium (apt-get install chromium)"
    if os.environ.get("DIRECTBROKER_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (DIRECTBROKER_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def launch() -> tuple[Playwright, Browser]:
    """Start Playwright and the system Chromium; returns (playwright, browser) to close."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    manager = sync_playwright().start()
    browser = manager.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    return manager, browser


@dataclass
class WatchedPage:
    """A page with everything that went wrong in it recorded."""

    page: Page
    errors: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, browser: Browser, viewport: ViewportSize | None = None) -> WatchedPage:
        """A new page in its own context (its own cookies) at ``viewport``."""
        context = browser.new_context(viewport=viewport or DESKTOP)
        watched = cls(context.new_page())
        watched.page.on("console", watched._console)
        watched.page.on("pageerror", lambda error: watched.errors.append(f"page error: {error}"))
        watched.page.on("requestfailed", watched._failed)
        return watched

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} at {message.location}")

    def _failed(self, request: Request) -> None:
        failure = request.failure or ""
        # A page left while its streams or requests were open aborts them; that is no error.
        if "ERR_ABORTED" not in failure:
            self.errors.append(f"request failed: {request.url} {failure}")

    def close(self) -> None:
        """Close the page's context."""
        self.page.context.close()


def tickets(output: str) -> dict[str, str]:
    """The one-click sign-in links the demo printed, by label (e.g. ``Trader screen, DEMO-1``)."""
    return {m.group("label").strip(): m.group("url") for m in TICKET.finditer(output)}


def artifacts_dir() -> Path:
    """Where screenshots go (created on demand)."""
    root = Path(os.environ.get("DIRECTBROKER_ARTIFACTS", Path.cwd() / "artifacts"))
    target = root / "screens"
    target.mkdir(parents=True, exist_ok=True)
    return target


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as a test artifact; returns its path."""
    path = artifacts_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
