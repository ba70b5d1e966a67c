"""The trader screen against the real demo at its default rate: the Level II montage moves
across venues, a limit order directed to a venue is placed by mouse and cancelled inline, the
ticket and a hotkey work from the keyboard alone, a market buy fills and the position, its
P&L and the account follow, and the screen holds together at desk and phone sizes."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.running import RunningFirm, demo_args
from tests.e2e.web.browser import DESKTOP, PHONE, WatchedPage, screenshot, tickets

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.timeout(240)

LINK = "Trader screen, DEMO-1"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningFirm]:
    """The demo at its default rate on durable journals, as a newcomer starts it."""
    data_dir = tmp_path_factory.mktemp("web-trader")
    with RunningFirm(demo_args(data_dir / "firm"), Path.cwd()).start(wait_for_keys=2) as firm:
        yield firm
        firm.terminate()


@pytest.fixture(scope="module")
def trader(demo: RunningFirm, browser: Browser) -> Iterator[WatchedPage]:
    """One signed-in desk-sized trader screen shared by the module's tests (as a trader keeps
    one open all day)."""
    watched = WatchedPage.open(browser, DESKTOP)
    page = watched.page
    page.goto(tickets(demo.output)[LINK])
    page.wait_for_selector("#stream-state.live", timeout=20_000)
    page.wait_for_selector("#montage-bids tbody tr[class^='band-']", timeout=20_000)
    yield watched
    watched.close()


def select_symbol(page: Page, symbol: str) -> None:
    page.click(f"#watchlist tr[data-symbol='{symbol}']")
    page.wait_for_function("s => document.querySelector('#ticket-symbol').value === s", arg=symbol)
    page.wait_for_selector("#montage-bids tbody tr[class^='band-']")


def touch(page: Page) -> tuple[Decimal, Decimal]:
    """The NBBO the ticket shows (bid, ask)."""
    page.wait_for_function("() => /\\d/.test(document.querySelector('#ticket-ask').textContent)")
    bid = page.text_content("#ticket-bid") or ""
    ask = page.text_content("#ticket-ask") or ""
    first = re.compile(r"[\d,]+\.\d+")  # "231.03 x 700": the price before the size
    return (
        Decimal(first.findall(bid)[0].replace(",", "")),
        Decimal(first.findall(ask)[0].replace(",", "")),
    )


def test_montage_updates_across_venues_and_tape_rows_carry_trade_ids(
    trader: WatchedPage,
) -> None:
    page = trader.page
    select_symbol(page, "AAPL")
    read = (
        "() => [...document.querySelectorAll('#montage tbody tr')]"
        ".map(r => r.textContent).join('|')"
    )
    first = page.evaluate(read)
    page.wait_for_function(f"first => ({read})() !== first", arg=first, timeout=20_000)
    venues = page.evaluate(
        "() => new Set([...document.querySelectorAll('#montage td.venue')]"
        ".map(c => c.textContent).filter(Boolean)).size"
    )
    assert venues >= 3
    # Rows at the same price share a band; the best price is band 1 on both sides.
    bands = page.evaluate(
        """() => ['#montage-bids', '#montage-asks'].map(id =>
             [...document.querySelectorAll(id + ' tbody tr[class^="band-"]')]
               .map(r => [r.className, r.cells[1].textContent]))"""
    )
    for side in bands:
        assert side[0][0] == "band-1"
        by_price: dict[str, set[str]] = {}
        for band, price in side:
            by_price.setdefault(price, set()).add(band)
        assert all(len(found) == 1 for found in by_price.values())
    page.wait_for_selector("#time-sales tbody tr[data-i][data-t]", timeout=20_000)
    rows = page.locator("#time-sales tbody tr").count()
    assert 0 < rows <= 200
    screenshot(page, "trader-desktop")
    assert trader.errors == []


def test_limit_order_to_a_chosen_venue_by_mouse_then_cancelled_inline(
    trader: WatchedPage,
) -> None:
    page = trader.page
    select_symbol(page, "MSFT")
    bid, _ = touch(page)
    passive = (bid * Decimal("0.95")).quantize(Decimal("0.01"))
    page.select_option("#ticket-side", "buy")
    page.select_option("#ticket-type", "limit")
    page.click("#ticket-qty")
    page.fill("#ticket-qty", "25")
    page.click("#ticket-limit")
    page.fill("#ticket-limit", str(passive))
    page.select_option("#ticket-route", "ARCA")
    page.click("#ticket-submit")
    row = page.locator("#blotter tr.order.open[data-symbol='MSFT']").filter(has_text="ARCA")
    row.first.wait_for(timeout=10_000)
    assert f"{passive:,}" in (row.first.text_content() or "")
    order_id = row.first.get_attribute("data-id")
    # Its route: one child order, directed to ARCA.
    row.first.locator("button.expand").click()
    child = page.locator(f"#blotter tr.child[data-parent='{order_id}']")
    child.first.wait_for()
    assert "ARCA" in (child.first.text_content() or "")
    page.locator(f"#blotter tr.order[data-id='{order_id}'] button.cancel").click()
    page.wait_for_selector(
        f"#blotter tr.order[data-id='{order_id}'] td.status.canceled", timeout=10_000
    )
    assert trader.errors == []


def test_an_open_order_replaced_inline_becomes_a_new_order_that_replaces_it(
    trader: WatchedPage,
) -> None:
    page = trader.page
    select_symbol(page, "MSFT")
    bid, _ = touch(page)
    passive = (bid * Decimal("0.94")).quantize(Decimal("0.01"))
    page.select_option("#ticket-side", "buy")
    page.select_option("#ticket-type", "limit")
    page.fill("#ticket-qty", "20")
    page.fill("#ticket-limit", str(passive))
    page.select_option("#ticket-route", "SMART")
    page.click("#ticket-submit")
    row = page.locator("#blotter tr.order.open[data-symbol='MSFT']").filter(has_text=f"{passive:,}")
    row.first.wait_for(timeout=10_000)
    original = row.first.get_attribute("data-id")
    row.first.locator("button.replace").click()
    lower = passive - Decimal("0.05")
    quantity_box = page.locator(f"#blotter tr.order[data-id='{original}'] input.inline-edit").first
    quantity_box.fill("30")
    limit_box = page.locator(f"#blotter tr.order[data-id='{original}'] input.inline-edit").nth(1)
    limit_box.fill(str(lower))
    limit_box.press("Enter")
    page.wait_for_selector(
        f"#blotter tr.order[data-id='{original}'] td.status.replaced", timeout=10_000
    )
    replacement = page.locator("#blotter tr.order.open[data-symbol='MSFT']").filter(
        has_text=f"{lower:,}"
    )
    replacement.first.wait_for(timeout=10_000)
    new_id = replacement.first.get_attribute("data-id")
    assert new_id and new_id != original
    assert "30" in (replacement.first.text_content() or "")
    order = page.evaluate(f"async () => (await fetch('/v2/orders/{new_id}')).json()")
    assert order["replaces"] == original and order["qty"] == "30"
    assert order["limit_price"] == str(lower)
    page.locator(f"#blotter tr.order[data-id='{new_id}'] button.cancel").click()
    page.wait_for_selector(
        f"#blotter tr.order[data-id='{new_id}'] td.status.canceled", timeout=10_000
    )
    assert trader.errors == []


def test_keyboard_only_ticket_and_the_buy_at_the_ask_hotkey(trader: WatchedPage) -> None:
    page = trader.page
    select_symbol(page, "NVDA")
    bid, _ = touch(page)
    passive = (bid * Decimal("0.9")).quantize(Decimal("0.01"))
    page.locator("#watchlist tr[data-symbol='NVDA']").focus()
    page.keyboard.press("F2")  # the ticket, quantity selected
    assert page.evaluate("document.activeElement.id") == "ticket-qty"
    page.keyboard.type("41")
    page.keyboard.press("Tab")  # order type: limit
    assert page.evaluate("document.activeElement.id") == "ticket-type"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "ticket-limit"
    page.keyboard.type(str(passive))
    page.keyboard.press("Enter")
    typed = page.locator("#blotter tr.order.open[data-symbol='NVDA']")
    typed = typed.filter(has_text=f"{passive:,}")
    typed.first.wait_for(timeout=10_000)
    assert "41" in (typed.first.text_content() or "")
    row = page.locator(f"#blotter tr.order[data-id='{typed.first.get_attribute('data-id')}']")
    # Escape clears the ticket back to its defaults.
    page.focus("#ticket-limit")
    page.keyboard.type("1.23")
    page.keyboard.press("Escape")
    assert page.input_value("#ticket-limit") == ""
    # Typing the hotkey's letter in a field places nothing.
    before = page.locator("#blotter tr.order").count()
    page.focus("#watch-add")
    page.keyboard.press("Shift+B")
    page.fill("#watch-add", "")
    # Shift+B from the watchlist: buy the default size at the ask, SMART.
    page.locator("#watchlist tr[data-symbol='NVDA']").focus()
    _, ask = touch(page)
    known = set(
        page.locator("#blotter tr.order").evaluate_all("rows => rows.map(r => r.dataset.id)")
    )
    page.keyboard.press("Shift+B")
    page.wait_for_function(
        "n => document.querySelectorAll('#blotter tr.order').length > n", arg=before
    )
    assert page.locator("#blotter tr.order").count() == before + 1
    ids = "rows => rows.map(row => row.dataset.id)"
    newest = set(page.locator("#blotter tr.order").evaluate_all(ids)) - known
    assert len(newest) == 1
    text = page.locator(f"#blotter tr.order[data-id='{newest.pop()}']").text_content() or ""
    assert "NVDA" in text and "SMART" in text and "LMT" in text and "100" in text
    # Shift+C cancels everything still open.
    page.keyboard.press("Shift+C")
    page.wait_for_function(
        "() => !document.querySelector('#blotter tr.order.open')", timeout=10_000
    )
    assert "canceled" in (row.text_content() or "")
    assert ask > 0 and trader.errors == []


def test_a_short_sale_without_a_locate_shows_the_borrow_status_and_the_refusal(
    trader: WatchedPage,
) -> None:
    """A hard-to-borrow symbol says so on the ticket before the order, and the server's
    refusal is shown in its own words; the browser logs the refused request, nothing else."""
    page = trader.page
    hard = next(
        asset["symbol"]
        for asset in page.evaluate("async () => (await fetch('/v2/assets')).json()")
        if not asset["easy_to_borrow"]
    )
    page.fill("#ticket-symbol", hard)
    page.keyboard.press("Tab")  # the change selects the symbol
    page.wait_for_selector("#ticket-borrow.htb")
    assert "needs a locate" in (page.text_content("#ticket-borrow") or "")
    page.select_option("#ticket-side", "sell_short")
    page.select_option("#ticket-type", "limit")
    page.fill("#ticket-qty", "100")
    page.fill("#ticket-limit", "999.00")
    errors_before = len(trader.errors)
    page.click("#ticket-submit")
    page.wait_for_selector("#ticket-error:has-text('not easy to borrow')")
    assert "locate" in (page.text_content("#ticket-error") or "")
    refused = trader.errors[errors_before:]
    assert all("status of 403" in e and "/v2/orders" in e for e in refused), refused
    del trader.errors[errors_before:]
    page.select_option("#ticket-side", "buy")
    assert trader.errors == []


def account_value(page: Page, field: str) -> Decimal:
    text = page.text_content(f"#account-summary dd[data-field='{field}']") or "0"
    return Decimal(re.sub(r"[^0-9.\-]", "", text) or "0")


def test_a_market_buy_fills_and_the_position_pnl_and_account_follow(
    trader: WatchedPage,
) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = trader.page
    select_symbol(page, "AAPL")
    cash_before = account_value(page, "cash")
    page.select_option("#ticket-type", "market")
    page.select_option("#ticket-route", "SMART")
    position = page.locator("#positions tr[data-symbol='AAPL']")
    deadline = time.monotonic() + 40
    quantity = 10
    # Right after the open the book is thin: send again (a new size each time, as an
    # identical order within a second is refused as a duplicate) until one fills.
    while position.count() == 0:
        assert time.monotonic() < deadline, page.text_content("#blotter")
        page.fill("#ticket-qty", str(quantity))
        page.click("#ticket-submit")
        quantity += 1
        try:
            position.wait_for(timeout=4_000)
        except PlaywrightTimeout:  # not filled yet: try again
            continue
    filled = page.locator("#blotter tr.order.done[data-symbol='AAPL']").filter(has_text="filled")
    filled.first.wait_for(timeout=10_000)
    assert "@" in (filled.first.text_content() or "")
    pnl = position.locator("td.pnl")
    assert re.match(r"^[+-]?\$[\d,]+\.\d\d$", (pnl.text_content() or "").strip())
    page.wait_for_function(
        "() => document.querySelector(\"#account-summary dd[data-field='long_market_value']\")"
        ".textContent !== '$0.00'",
        timeout=15_000,
    )
    assert account_value(page, "long_market_value") > 0
    assert account_value(page, "cash") < cash_before
    assert page.text_content("#positions-pnl")
    screenshot(page, "trader-desktop-filled")
    assert trader.errors == []


def test_the_phone_layout_is_one_monitoring_column(demo: RunningFirm, browser: Browser) -> None:
    watched = WatchedPage.open(browser, PHONE)
    try:
        page = watched.page
        page.goto(tickets(demo.output)[LINK])
        page.wait_for_selector("#watchlist tbody tr")
        page.wait_for_selector("#positions tr[data-symbol]", timeout=15_000)
        page.wait_for_selector("#blotter tr.order")
        tops = page.evaluate(
            """() => ['watchlist', 'positions', 'blotter', 'account', 'ticket', 'montage']
                 .map(n => document.getElementById(n + '-panel').getBoundingClientRect().top)"""
        )
        assert tops == sorted(tops)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "trader-phone")
        assert watched.errors == []
    finally:
        watched.close()
