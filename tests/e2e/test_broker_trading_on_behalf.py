"""Trading on behalf of an onboarded account through alpaca-py's ``BrokerClient``, on the real
embedded firm (in this process, so the test can fund the account with a ledger deposit: the
funding routes are another family's): the order fills and the position, the order list and the
activities show it; another account's order is not found."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from directbroker.app.config import ClockSection, FirmConfig
from directbroker.app.firm import open_firm
from directbroker.domain.ledger_messages import Deposit
from directbroker.domain.numbers import PRICE_SCALE
from tests.e2e.running import SESSION_START, until
from tests.e2e.test_broker_accounts import request  # imports alpaca quietly

from alpaca.broker.client import BrokerClient  # isort: skip
from alpaca.trading.enums import OrderSide, TimeInForce  # isort: skip
from alpaca.trading.requests import LimitOrderRequest  # isort: skip


def test_an_order_on_behalf_fills_and_shows_as_a_position(tmp_path: Path) -> None:
    config = FirmConfig()
    # A simulated clock starts at the next session, so the order trades whatever the wall says.
    clock = ClockSection(mode="sim", speed=1.0, start=SESSION_START)
    config = replace(config, api=replace(config.api, port=0), clock=clock)
    with open_firm(tmp_path / "firm", config) as firm:
        firm.start()
        assert firm.server is not None
        key_id, secret = (tmp_path / "firm" / "admin.key").read_text().strip().split(":", 1)
        broker: Any = BrokerClient(key_id, secret, sandbox=False, url_override=firm.server.url)
        account = str(broker.create_account(request()).id)
        other = str(broker.create_account(request()).id)
        funded = firm.platform.submit(Deposit(account, str(uuid.uuid4()), 50_000 * PRICE_SCALE))
        funded.result(timeout=30)

        def ask() -> int | None:
            snapshot = firm.api.ports.market_data.snapshot("AAPL")
            quote = snapshot.quote if snapshot is not None else None
            return quote.ask_price if quote is not None else None

        price = Decimal(until(ask, "a quote for AAPL")) / PRICE_SCALE * Decimal("1.05")
        order = broker.submit_order_for_account(
            account,
            LimitOrderRequest(
                symbol="AAPL", qty=2, side=OrderSide.BUY, time_in_force=TimeInForce.DAY,
                limit_price=float(price.quantize(Decimal("0.01"))),
            ),
        )  # fmt: skip
        positions = until(
            lambda: broker.get_all_positions_for_account(account), "the AAPL position"
        )
        assert [(p.symbol, p.qty) for p in positions] == [("AAPL", "2")]
        assert str(broker.get_order_for_account_by_id(account, order.id).id) == str(order.id)
        assert broker.get_all_positions_for_account(other) == []
        try:
            broker.get_order_for_account_by_id(other, order.id)
            raise AssertionError("another account's order was visible")
        except Exception as exc:  # alpaca-py raises APIError with our 404 body
            assert "40401011" in str(exc)
