"""The operations console, as staff use it against the real demo: an operator approves an
application waiting for review, restricts a symbol (a customer's order in it is refused),
trips the firm's kill switch (the banner shows, a customer's order is refused with the kill
switch's code) and resets it; the phone layout shows the kill switch state and approvals
first. Screenshots at desktop and phone sizes; no console errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from directbroker.testing.kyc import applicant
from tests.e2e.running import RunningFirm, demo_args
from tests.e2e.web.browser import PHONE, WatchedPage, screenshot, tickets

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.timeout(240)

KILL_SWITCH = 40302001
"""The Trading API's code for an order the kill switch stopped (403, reject 2001)."""
RESTRICTED = 40302003
"""The code for an order in a restricted symbol (403, reject 2003)."""


class Demo:
    """The running demo, its staff credential and its customers' keys."""

    def __init__(self, firm: RunningFirm, data_dir: Path) -> None:
        self.firm = firm
        key_id, secret = (data_dir / "admin.key").read_text().strip().split(":", 1)
        self.staff = httpx.Client(base_url=firm.url, auth=(key_id, secret), timeout=10)
        self.console = tickets(firm.output)["Operations console (staff)"]

    def order(self, account: str, symbol: str) -> httpx.Response:
        """A customer's small limit buy far below the market (it would rest, not trade)."""
        return httpx.post(
            f"{self.firm.url}/v2/orders",
            headers=self.firm.headers(account),
            json={"symbol": symbol, "qty": "1", "side": "buy", "type": "limit",
                  "limit_price": "1.00", "time_in_force": "day"},
            timeout=10,
        )  # fmt: skip

    def apply(self, given: str, family: str) -> dict[str, Any]:
        """An application through the Broker API (as alpaca-py's BrokerClient sends it) that
        discloses political exposure, so it waits for a person whatever the policy."""
        body = applicant(
            identity={"given_name": given, "family_name": family},
            contact={"email_address": f"{given.lower()}@example.com"},
            disclosures={"is_politically_exposed": True},
        )
        answer = self.staff.post("/v1/accounts", json=body)
        assert answer.status_code == 200, answer.text
        made: dict[str, Any] = answer.json()
        assert made["status"] == "ACTION_REQUIRED"
        return made


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo at its default rate on durable journals, as a newcomer starts it."""
    data_dir = tmp_path_factory.mktemp("web-ops") / "firm"
    with RunningFirm(demo_args(data_dir), Path.cwd()).start(wait_for_keys=2) as firm:
        running = Demo(firm, data_dir)
        try:
            yield running
        finally:
            running.staff.close()
            firm.terminate()


def confirm(page: Page) -> None:
    """Answer the console's confirm dialog with its action button."""
    page.wait_for_selector("dialog#confirm[open]")
    page.click("#confirm-ok")
    page.wait_for_selector("dialog#confirm:not([open])", state="attached")


def test_operator_approves_restricts_and_trips_the_kill_switch(
    demo: Demo, browser: Browser
) -> None:
    waiting = demo.apply("Grace", "Hopper")
    watched = WatchedPage.open(browser)
    try:
        page = watched.page
        page.goto(demo.console)
        page.wait_for_url("**/ui/ops**")
        page.wait_for_selector("#ks-state:has-text('no kill switch engaged')")

        # Approvals: the waiting application, its KYC outcome, the decision.
        row = page.locator(f"#panel-approvals tr[data-id='{waiting['id']}']")
        row.wait_for()
        assert page.locator("#count-approvals").inner_text() == "1"
        row.click()
        page.wait_for_selector("#acct-detail .kyc-line:has-text('Politically exposed person')")
        screenshot(page, "ops-approvals-desktop")
        page.fill("#acct-reason", "PEP screening cleared by compliance")
        page.click("#acct-approve")
        page.wait_for_selector("#acct-status:has-text('active')")
        page.wait_for_selector(f"#panel-approvals tr[data-id='{waiting['id']}']", state="detached")
        page.wait_for_selector("#panel-approvals tr.empty")
        assert demo.staff.get(f"/v1/accounts/{waiting['id']}").json()["status"] == "ACTIVE"

        # The restricted list, reached by keyboard (Alt+5 is the fifth section, Lists).
        page.keyboard.press("Alt+5")
        page.wait_for_selector("#panel-lists:not([hidden]) #restrict-form")
        page.fill("#restrict-symbol", "amd")
        page.fill("#restrict-reason", "pending corporate action")
        page.press("#restrict-reason", "Enter")
        page.wait_for_selector("#panel-lists tr[data-symbol='AMD']")
        refused = demo.order("DEMO-1", "AMD")
        assert (refused.status_code, refused.json()["code"]) == (403, RESTRICTED), refused.text
        page.click("#panel-lists tr[data-symbol='AMD'] button")
        confirm(page)
        page.wait_for_selector("#panel-lists tr[data-symbol='AMD']", state="detached")

        # The kill switch: confirm, the banner, a customer refused, then reset.
        page.click("#tab-killswitch")
        page.fill("#ks-reason", "runaway algorithm suspected")
        page.click("#ks-trip")
        page.wait_for_selector("dialog#confirm[open]:has-text('ALL customer trading')")
        confirm(page)
        banner = page.locator("#ks-banner")
        banner.wait_for()
        assert "FIRM-WIDE" in banner.inner_text()
        stopped = demo.order("DEMO-2", "AAPL")
        assert (stopped.status_code, stopped.json()["code"]) == (403, KILL_SWITCH), stopped.text
        screenshot(page, "ops-kill-switch-desktop")
        page.click(".ks-reset")
        confirm(page)
        page.wait_for_selector("#ks-state:has-text('no kill switch engaged')")
        assert demo.staff.get("/v1/firm/kill-switches").json() == []
        resumed = demo.order("DEMO-2", "AAPL")
        assert resumed.status_code == 200, resumed.text
        assert watched.errors == []
    finally:
        watched.close()


def test_phone_shows_the_kill_switch_state_and_approvals_first(
    demo: Demo, browser: Browser
) -> None:
    demo.apply("Alan", "Turing")
    engaged = demo.staff.put(
        "/v1/firm/kill-switch",
        json={"scope": "account", "target": "DEMO-2", "reason": "margin call unmet"},
    )
    assert engaged.status_code == 200, engaged.text
    watched = WatchedPage.open(browser, PHONE)
    try:
        page = watched.page
        page.goto(demo.console)
        banner = page.locator("#ks-banner")
        banner.wait_for()
        assert "Account DEMO-2" in banner.inner_text()
        page.wait_for_selector("#panel-approvals tr:has-text('Alan Turing')")
        banner_box, tabs_box = banner.bounding_box(), page.locator("#tabs").bounding_box()
        assert banner_box is not None and tabs_box is not None
        assert banner_box["y"] < tabs_box["y"] < PHONE["height"]
        screenshot(page, "ops-monitor-phone")
        assert watched.errors == []
    finally:
        watched.close()
        demo.staff.put(
            "/v1/firm/kill-switch", json={"scope": "account", "target": "DEMO-2", "engaged": False}
        )


def test_a_compliance_key_sees_the_lists_not_the_limits(demo: Demo, browser: Browser) -> None:
    issued = demo.staff.post("/v1/firm/keys", json={"user_id": "carol", "roles": ["compliance"]})
    assert issued.status_code == 201, issued.text
    key = issued.json()
    watched = WatchedPage.open(browser)
    try:
        page = watched.page
        page.goto(f"{demo.firm.url}/ui/login")
        page.fill("#key-id", key["key_id"])
        page.fill("#secret", key["secret"])
        page.press("#secret", "Enter")
        page.wait_for_url("**/ui/ops**")
        page.wait_for_selector("#tab-lists")
        shown = page.locator("[role='tab']").all_inner_texts()
        assert not any("Risk limits" in tab or "Funding" in tab for tab in shown), shown
        page.click("#tab-killswitch")
        page.wait_for_selector("#panel-killswitch .role-note")
        assert page.locator("#ks-form").count() == 0
        page.click("#tab-lists")
        page.fill("#restrict-symbol", "NOT A SYMBOL")
        page.click("#restrict-add")
        error = page.locator("#panel-lists .form-error:has-text('not a symbol')")
        error.wait_for()
        assert page.get_attribute("#restrict-symbol", "aria-invalid") == "true"
        # The browser logs the refused request itself; nothing else went wrong.
        refused = "/v1/firm/restricted/NOT%20A%20SYMBOL"
        assert [e for e in watched.errors if refused not in e] == []
    finally:
        watched.close()
