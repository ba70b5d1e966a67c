"""The client API: Alpaca-compatible REST and WebSocket, with authentication and isolation.

Owns: the Trading API v2 and Market Data API v2 routes in Alpaca's shapes (plus our
extensions: routes, child orders, Level II, time & sales), the trade_updates and market data
streams, API keys (hashed secrets, roles, account access), rate limits, and the uvicorn server
wrapper. It talks to the platform only through the ports in :mod:`.ports`.
May import: ``directbroker.domain``, ``directbroker.adapters`` (history, market data fan-out,
calendar), FastAPI/Starlette, uvicorn, pydantic and msgpack. Never the engines or the runtime:
the composition root binds the ports to them.
"""

from directbroker.adapters.http.app import create_app
from directbroker.adapters.http.auth import ApiKeyStore
from directbroker.adapters.http.history import ThreadedHistory
from directbroker.adapters.http.hub import TradeUpdateHub
from directbroker.adapters.http.ports import (
    AccountDirectory,
    AccountSnapshot,
    Activity,
    ChildOrderView,
    EquityPoint,
    HistoryPort,
    MarketDataPort,
    OrderQuery,
    OrderView,
    PortRejection,
    Ports,
    Principal,
    Role,
    TradeEvent,
    TradeUpdate,
    TradeUpdateSubscription,
    TradingPort,
)
from directbroker.adapters.http.ratelimit import RateLimit
from directbroker.adapters.http.server import ApiServer

__all__ = [
    "AccountDirectory",
    "AccountSnapshot",
    "Activity",
    "ApiKeyStore",
    "ApiServer",
    "ChildOrderView",
    "EquityPoint",
    "HistoryPort",
    "MarketDataPort",
    "OrderQuery",
    "OrderView",
    "PortRejection",
    "Ports",
    "Principal",
    "RateLimit",
    "Role",
    "ThreadedHistory",
    "TradeEvent",
    "TradeUpdate",
    "TradeUpdateHub",
    "TradeUpdateSubscription",
    "TradingPort",
    "create_app",
]
