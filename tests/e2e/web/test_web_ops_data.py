"""The operations console's clearing breaks and monthly activity report, as staff meet them.

``directbroker demo`` runs as a subprocess (durable journals, the default order-flow rate) on a
simulated clock started late on 30 April 2026, the last session of a month: within seconds
the day ends, the simulated clearing firm answers, the back office reconciles the day and
closes the month. The clearing firm was told beforehand (``directbroker backoffice fault
add``) to book DEMO-2 a $12.34 cash adjustment our books do not have, so the reconciliation
finds a break that stays open, a day older each day. Staff sign in with the sign-in form and
the key the first start wrote (``admin.key``) and open the console's two sections: clearing
breaks must show the break, with its kind filter and day picker, and the monthly report
April's figures as the Broker API gives them, charts and the report to download; at a desktop
and a phone's size, with no console error.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from directbroker.app.cli import main as cli
from tests.e2e.lifecycle import admin_credential
from tests.e2e.running import RunningFirm, until
from tests.e2e.web.browser import DESKTOP, PHONE, WatchedPage, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

pytestmark = pytest.mark.timeout(240)

START = "2026-04-30T15:50:00-04:00"
"""Ten minutes before the close of April's last session."""
FAULT_DAY = "2026-04-30"


@pytest.fixture(scope="module")
def firm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningFirm, Path]]:
    """The demo with the clearing fault on file before it starts, once the faulty day is
    reconciled."""
    data = tmp_path_factory.mktemp("web-ops-data") / "firm"
    fault = ["backoffice", "fault", "add", "--data-dir", str(data), "--date", FAULT_DAY,
             "--kind", "cash_difference", "--target", "DEMO-2", "--amount", "12.34"]  # fmt: skip
    assert cli(fault) == 0
    args = ["demo", "--no-live", "--data-dir", str(data), "--api-port", "0", "--clock", "sim",
            "--speed", "2000", "--start", START]  # fmt: skip
    with RunningFirm(args, Path.cwd()).start(wait_for_keys=2) as running:
        report = data / "backoffice" / "recon" / f"{FAULT_DAY}.json"
        until(report.exists, "the faulty day's reconciliation", 90)
        yield running, data
        running.terminate()


def _sign_in(browser: Browser, firm: RunningFirm, data: Path, size: ViewportSize) -> WatchedPage:
    """The console, signed in as staff through the sign-in form."""
    key_id, secret = admin_credential(data)
    watched = WatchedPage.open(browser, size)
    page = watched.page
    page.goto(f"{firm.url}/ui/ops")
    page.wait_for_url("**/ui/login**")
    page.fill("#key-id", key_id)
    page.fill("#secret", secret)
    page.keyboard.press("Enter")
    page.wait_for_url("**/ui/ops")
    return watched


def _monthly(firm: RunningFirm, data: Path, month: str) -> dict[str, Any]:
    answer = httpx.get(
        f"{firm.url}/v1/reports/monthly",
        params={"month": month},
        auth=admin_credential(data),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    report: dict[str, Any] = answer.json()
    return report


def _check_breaks(page: Page) -> None:
    cash = page.wait_for_selector("#breaks-table tbody tr[data-code='CASH_BREAK']", timeout=30_000)
    assert cash is not None
    text = cash.inner_text()
    assert "DEMO-2" in text and "$12.3400" in text and FAULT_DAY in text
    assert page.locator("#breaks-totals [data-code='CASH_BREAK']").inner_text().endswith("1")
    # The day the fault was made: the break is new there.
    page.select_option("#breaks-day", FAULT_DAY)
    page.wait_for_selector("#breaks-summary:has-text('2026-04-30: 2 open')")
    row = page.locator("#breaks-table tbody tr[data-code='CASH_BREAK']")
    assert row.get_attribute("data-age") == "0"
    # A kind with no break says so plainly, and shows no empty table.
    page.select_option("#breaks-kind", "PRICE_MISMATCH")
    page.wait_for_selector(
        "#breaks-summary:has-text('No open price mismatch breaks on 2026-04-30')"
    )
    assert page.locator("#breaks-table").is_hidden()
    page.select_option("#breaks-kind", "")
    page.wait_for_selector("#breaks-table tbody tr[data-code='UNKNOWN_AT_CLEARING']")


def _check_monthly(page: Page, april: dict[str, Any]) -> None:
    page.wait_for_selector("#monthly-figures caption:has-text('Apr 2026')", timeout=30_000)
    assert page.input_value("#monthly-month") == "2026-04"
    months = page.eval_on_selector_all("#monthly-month option", "os => os.map(o => o.value)")
    assert months[-1] == "2026-04" and all(m >= "2026-04" for m in months)
    figures = april["figures"]
    for name in ("customer_accounts", "trades", "shares"):
        cell = page.locator(f"#monthly-figures tr[data-figure='{name}'] td").first
        assert cell.inner_text() == f"{figures[name]:,}"
    assets = page.locator("#monthly-figures tr[data-figure='customer_assets'] td").first
    cents = Decimal(figures["customer_assets"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert assets.inner_text() == f"${cents:,}"
    page.wait_for_selector("#monthly-chart canvas")
    assert page.locator("#monthly-chart figure").count() == 4
    csv = page.get_attribute("#monthly-downloads a[download$='.csv']", "href")
    assert csv == "/v1/reports/monthly?month=2026-04&format=csv"
    body = page.evaluate("async (url) => (await fetch(url)).text()", csv)
    assert body.startswith("period,figure,value") and "2026-04,trades," in body


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_breaks_and_monthly_report_panels(
    firm: tuple[RunningFirm, Path], browser: Browser, size: ViewportSize
) -> None:
    running, data = firm
    april = _monthly(running, data, "2026-04")
    watched = _sign_in(browser, running, data, size)
    try:
        page = watched.page
        name = "phone" if size == PHONE else "desktop"
        page.click("#tab-breaks")
        _check_breaks(page)
        screenshot(page, f"ops-breaks-{name}")
        page.click("#tab-monthly")
        _check_monthly(page, april)
        assert page.locator("#panel-breaks").is_hidden()
        screenshot(page, f"ops-monthly-{name}")
        assert watched.errors == []
    finally:
        watched.close()
