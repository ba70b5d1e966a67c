"""The client API wired to the embedded platform: ports, the trade update hub, the market data
fan-out, API keys, and the HTTP server."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from directbroker.adapters.history import SqlHistoryStore
from directbroker.adapters.http import create_app
from directbroker.adapters.http.auth import ApiKeyStore
from directbroker.adapters.http.hub import TradeUpdateHub
from directbroker.adapters.http.ports import Ports, Role
from directbroker.adapters.http.server import ApiServer
from directbroker.adapters.marketdata import MarketDataFanout
from directbroker.app.api_ports import PlatformMarketData, PlatformTrading, StoreHistory
from directbroker.app.equity import EquityRecorder
from directbroker.app.order_views import OrderViews
from directbroker.app.platform import Platform
from directbroker.domain.messages import Event


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An API key as handed to its user (the secret is shown once, stored only hashed)."""

    user_id: str
    key_id: str
    secret: str
    accounts: tuple[str, ...]


class PlatformApi:
    """Everything the client API needs, attached to a platform (call before it starts)."""

    def __init__(self, platform: Platform, history: SqlHistoryStore) -> None:
        self.platform = platform
        ledger = platform.broker.ledger

        def position_of(account: str, symbol: str) -> int:
            position = ledger.position(account, symbol)
            return 0 if position is None else position.quantity

        self.views = OrderViews(position_of, lambda: platform.trading_date)
        self.hub = TradeUpdateHub()
        self.fanout = MarketDataFanout()
        self.equity = EquityRecorder(
            ledger.accounts, lambda account: ledger.account_values(account).equity
        )
        self.keys = ApiKeyStore()
        platform.on_customer_events(self._on_broker_events)
        platform.on_market_data(self._on_market_data)
        self.ports = Ports(
            trading=PlatformTrading(platform, self.views, self.hub, self.equity),
            market_data=PlatformMarketData(platform, self.fanout),
            history=StoreHistory(history),
            directory=self.keys,
            now_ns=platform.now_ns,
        )

    def _on_broker_events(self, events: Sequence[Event]) -> None:
        for update in self.views.apply(events):
            self.hub.publish(update)

    def _on_market_data(self, events: Sequence[Event], ts_ns: int) -> None:
        self.fanout.publish(events)
        self.equity.sample(ts_ns)

    def issue_key(
        self, user_id: str, accounts: Sequence[str], key_id: str | None = None,
        secret: str | None = None,
    ) -> ApiKey:  # fmt: skip
        """A customer key for ``accounts`` (the first is the default)."""
        role = Role.CUSTOMER if len(accounts) == 1 else Role.TRADER
        key, shown = self.keys.issue(user_id, role, accounts, key_id=key_id, secret=secret)
        return ApiKey(user_id, key, shown, tuple(accounts))

    def server(self, host: str = "127.0.0.1", port: int = 0) -> ApiServer:
        """An HTTP server for the API (not started)."""
        return ApiServer(create_app(self.ports), host, port)
