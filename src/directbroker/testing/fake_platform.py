"""An in-memory platform behind the client API's ports: a tiny broker for API tests.

It accepts orders, fills market orders (and marketable limits) at each symbol's fixed price,
holds bracket legs until their entry fills, cancels, replaces, keeps positions and cash, and
publishes trade updates; market data is whatever the test publishes. Good enough to drive the
real alpaca-py SDK end to end; the real platform binds the same ports in the composition root.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from directbroker.adapters.http import (
    ApiKeyStore,
    Ports,
    Role,
    ThreadedHistory,
)
from directbroker.domain.marketdata_messages import (
    Bar,
)
from directbroker.sim.universe import LISTINGS, instruments
from directbroker.testing.fake_blocks import FakeBlocks
from directbroker.testing.fake_market_data import FakeMarketData, minute_bars, seeded_history
from directbroker.testing.fake_trading import FakeTrading

__all__ = [
    "FakeMarketData",
    "FakePlatform",
    "FakeTrading",
    "fake_platform",
    "minute_bars",
    "seeded_history",
]


@dataclass
class FakePlatform:
    """The fakes wired together, with API keys for two customers, a trader, a portfolio
    manager and an operations user (``keys[name] == (key_id, secret)``)."""

    trading: FakeTrading
    market_data: FakeMarketData
    history: ThreadedHistory
    directory: ApiKeyStore
    keys: dict[str, tuple[str, str]]
    blocks: FakeBlocks | None = None
    now_ns: Callable[[], int] = time.time_ns

    def ports(self) -> Ports:
        """The ports for :func:`directbroker.adapters.http.create_app`."""
        return Ports(
            self.trading, self.market_data, self.history, self.directory, self.now_ns,
            blocks=self.blocks,
        )  # fmt: skip

    def close(self) -> None:
        """Close the history worker."""
        self.history.close()


def fake_platform(history_bars: Iterable[Bar] = ()) -> FakePlatform:
    """A fresh fake platform. Accounts: A1 (customer A), B1 (customer B), T1 and T2 (the
    trader), G1 and G2 (group G, the portfolio manager's)."""
    prices = {item.symbol: item.reference_price for item in LISTINGS}
    trading = FakeTrading(prices, time.time_ns)
    for number in ("A1", "B1", "T1", "T2", "G1", "G2"):
        trading.open_account(number)
    directory = ApiKeyStore()
    blocks = FakeBlocks(trading, time.time_ns, directory.set_group)
    blocks.seed_group("G", "Group G", ("G1", "G2"))
    keys = {
        "alice": directory.issue("alice", Role.CUSTOMER, ["A1"]),
        "bob": directory.issue("bob", Role.CUSTOMER, ["B1"]),
        "trader": directory.issue("tess", Role.TRADER, ["T1", "T2"]),
        "pm": directory.issue("pat", Role.PORTFOLIO_MANAGER, groups=["G"]),
        "ops": directory.issue("olga", Role.OPERATIONS),
    }
    history = ThreadedHistory(seeded_history(history_bars))
    return FakePlatform(trading, FakeMarketData(instruments()), history, directory, keys, blocks)
