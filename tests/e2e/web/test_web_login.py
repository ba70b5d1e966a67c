"""Signing in to the screens, as a user does: the demo's one-click link, the sign-in form,
wrong secrets, sign-out, and changes without the session's CSRF token refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.e2e.running import RunningFirm, demo_args
from tests.e2e.web.browser import WatchedPage, tickets

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningFirm]:
    """The demo at its default rate on durable journals, as a newcomer starts it."""
    data_dir = tmp_path_factory.mktemp("web-login")
    with RunningFirm(demo_args(data_dir / "firm"), Path.cwd()).start(wait_for_keys=2) as firm:
        yield firm
        firm.terminate()


def test_demo_prints_one_click_links_that_sign_in(demo: RunningFirm, browser: Browser) -> None:
    links = tickets(demo.output)
    assert set(links) >= {"Trader screen, DEMO-1", "Operations console (staff)"}
    watched = WatchedPage.open(browser)
    try:
        page = watched.page
        page.goto(links["Trader screen, DEMO-1"])
        assert page.url.endswith("/ui/trader")
        page.wait_for_selector("#user-name")
        cookie = next(c for c in page.context.cookies() if c["name"] == "directbroker_session")
        assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
        session = page.evaluate("async () => (await fetch('/ui/session')).json()")
        assert session["accounts"] == ["DEMO-1"] and session["csrf"]
        assert watched.errors == []
    finally:
        watched.close()


def test_sign_in_form_wrong_secret_then_right_then_sign_out(
    demo: RunningFirm, browser: Browser
) -> None:
    key_id, secret = demo.keys["DEMO-2"]
    watched = WatchedPage.open(browser)
    try:
        page = watched.page
        page.goto(f"{demo.url}/ui/trader")
        assert "/ui/login" in page.url
        page.fill("#key-id", key_id)
        page.fill("#secret", "not-the-secret")
        page.keyboard.press("Enter")
        page.wait_for_selector("#login-error:has-text('Wrong key id or secret')")
        page.fill("#secret", secret)
        page.click("#sign-in")
        page.wait_for_url("**/ui/trader")
        page.wait_for_selector("#user-name")
        account = page.evaluate("async () => (await fetch('/v2/account')).json()")
        assert account["account_number"] == "DEMO-2"
        page.click("#logout")
        page.wait_for_url("**/ui/login")
        status = page.evaluate("async () => (await fetch('/v2/account')).status")
        assert status == 401
    finally:
        watched.close()


def test_a_change_without_the_csrf_token_is_refused_and_changes_nothing(
    demo: RunningFirm, browser: Browser
) -> None:
    watched = WatchedPage.open(browser)
    try:
        page = watched.page
        page.goto(tickets(demo.output)["Trader screen, DEMO-1"])
        page.wait_for_selector("#user-name")
        before = page.evaluate(
            "async () => (await (await fetch('/v2/orders?status=all')).json()).length"
        )
        refused = page.evaluate(
            """async () => {
              const r = await fetch('/v2/orders', {method: 'POST',
                headers: {'Content-Type': 'application/json', 'X-CSRF-Token': 'wrong'},
                body: JSON.stringify({symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit',
                                      limit_price: '1.00', time_in_force: 'day'})});
              return [r.status, (await r.json()).code];
            }"""
        )
        assert refused == [403, 40310100]
        after = page.evaluate(
            "async () => (await (await fetch('/v2/orders?status=all')).json()).length"
        )
        assert after == before
    finally:
        watched.close()


def test_a_session_cookie_from_another_origin_is_refused(
    demo: RunningFirm, browser: Browser
) -> None:
    """A forged cross-site request carries the cookie (in a browser that sent it) and the right
    token name but another Origin: refused."""
    watched = WatchedPage.open(browser)
    try:
        page = watched.page
        page.goto(tickets(demo.output)["Trader screen, DEMO-1"])
        page.wait_for_selector("#user-name")
        cookie = next(c for c in page.context.cookies() if c["name"] == "directbroker_session")
        csrf = page.evaluate("async () => (await (await fetch('/ui/session')).json()).csrf")
    finally:
        watched.close()
    answer = httpx.post(
        f"{demo.url}/v2/orders",
        cookies={"directbroker_session": cookie["value"]},
        headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"},
        json={
            "symbol": "AAPL",
            "qty": "1",
            "side": "buy",
            "type": "limit",
            "limit_price": "1.00",
            "time_in_force": "day",
        },
        timeout=10,
    )
    assert answer.status_code == 403
    same_site = httpx.get(
        f"{demo.url}/v2/account", cookies={"directbroker_session": cookie["value"]}, timeout=10
    )
    assert same_site.status_code == 200
