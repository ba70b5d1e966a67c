"""``directbroker serve`` with its journals on PostgreSQL (``[storage] backend = "postgres"``):
open and fund an account through alpaca-py's ``BrokerClient``, trade on its behalf from two
threads, SIGKILL the server mid-stream, restart it on the same data directory and database, and
every acknowledged order is there, once; the cash is the deposit less the fills exactly. Then
``journal verify --data-dir`` walks every core's chain in the database, and the data directory
holds no journal file (only the record of which database holds them)."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.lifecycle import (
    DEPOSIT,
    Submitted,
    account_orders,
    fills_of,
    fund,
    issue_customer_key,
    open_approved_account,
    quotes,
    serve,
    staff_client,
)
from tests.e2e.running import SESSION_START, until

from alpaca.trading.enums import OrderSide, TimeInForce  # isort: skip
from alpaca.trading.requests import LimitOrderRequest  # isort: skip

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]

SYMBOLS = ("AAPL", "MSFT")
THREADS = 2
PER_THREAD = 30
KILL_AFTER = 12


def _config(root: Path, dsn: str) -> Path:
    path = root / "firm.toml"
    path.write_text(
        f'[market]\nsimulate = true\nrate = 100.0\nsymbols = ["AAPL", "MSFT"]\n'
        f'[clock]\nmode = "sim"\nspeed = 1.0\n'
        f'start = "{SESSION_START}"\n[backoffice]\ndrop_copy = false\n'
        f'[storage]\nbackend = "postgres"\ndsn = "{dsn}"\n'
    )
    return path


def _submitter(
    broker: Any, account: str, worker: int, prices: dict[str, tuple[Decimal, Decimal]],
    acknowledged: list[Submitted], failed: list[BaseException],
) -> None:  # fmt: skip
    """Submit until the server is gone: odd orders rest below the bid, even ones cross."""
    for n in range(PER_THREAD):
        symbol = SYMBOLS[(worker + n) % len(SYMBOLS)]
        bid, ask = prices[symbol]
        cents = Decimal(n) / 100
        price = ask * Decimal("1.05") + cents if n % 2 == 0 else bid * Decimal("0.8") - cents
        client_id = f"pg-{worker}-{n}-{uuid.uuid4().hex[:8]}"
        order = LimitOrderRequest(
            symbol=symbol, qty=1 + worker, side=OrderSide.BUY, time_in_force=TimeInForce.DAY,
            limit_price=float(price.quantize(Decimal("0.01"))), client_order_id=client_id,
        )  # fmt: skip
        try:
            placed = broker.submit_order_for_account(account, order)
        except Exception as error:  # the server died: this one was never acknowledged
            failed.append(error)
            return
        acknowledged.append(Submitted(str(placed.id), client_id, symbol))


def test_serve_on_postgres_survives_a_kill(tmp_path: Path, postgres_dsn: str) -> None:
    data, config = tmp_path / "firm", _config(tmp_path, postgres_dsn)
    with serve(data, config, tmp_path) as firm:
        broker = staff_client(firm, data)
        account = open_approved_account(firm, data, broker)
        fund(broker, account, DEPOSIT)
        key_id, secret = issue_customer_key(firm, data, account)
        prices = quotes(firm, key_id, secret, SYMBOLS)
        acknowledged: list[Submitted] = []
        failed: list[BaseException] = []
        workers = [
            threading.Thread(
                target=_submitter,
                args=(broker, account, worker, prices, acknowledged, failed),
                daemon=True,
            )
            for worker in range(THREADS)
        ]
        for worker in workers:
            worker.start()
        until(lambda: len(acknowledged) >= KILL_AFTER or failed, "acknowledgements", 60)
        assert not failed, failed
        firm.kill()
        for worker in workers:
            worker.join(60)
    assert not list((data / "journals").glob("*.journal.db"))
    assert (data / "journals" / "postgres.dsn").read_text().strip() == postgres_dsn

    with serve(data, config, tmp_path) as firm:
        broker = staff_client(firm, data)
        orders = account_orders(broker, account)
        ids = [str(o.id) for o in orders]
        client_ids = [o.client_order_id for o in orders]
        assert len(ids) == len(set(ids)) and len(client_ids) == len(set(client_ids))
        by_id = {str(o.id): o for o in orders}
        for sent in acknowledged:
            assert sent.order_id in by_id, f"acknowledged order {sent} lost"
            assert by_id[sent.order_id].client_order_id == sent.client_order_id
        fills = until(lambda: _settled(broker, account), "fills to settle", 60)
        cost = sum((qty * price for _, _, qty, price in fills), Decimal(0))
        cash = Decimal(str(broker.get_trade_account_by_id(account).cash))
        assert cash == DEPOSIT - cost, (cash, DEPOSIT, cost)
        assert firm.terminate() == 0

    command = ["journal", "verify", "--data-dir", str(data)]
    verified = subprocess.run(
        [sys.executable, "-m", "directbroker.app.cli", *command],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr
    lines = verified.stdout.splitlines()
    assert any(line.startswith("broker") and " OK: " in line for line in lines), lines
    assert len(lines) > 1  # the venues and market data too


def _settled(broker: Any, account: str) -> list[tuple[str, str, Decimal, Decimal]] | None:
    """The fills, once every order's filled quantity equals its fills' (else ``None``)."""
    fills = fills_of(broker, account)
    per_order: Counter[str] = Counter()
    for order_id, _, qty, _ in fills:
        per_order[order_id] += int(qty)
    for order in account_orders(broker, account):
        if int(Decimal(str(order.filled_qty or 0))) != per_order[str(order.id)]:
            return None
    return fills
