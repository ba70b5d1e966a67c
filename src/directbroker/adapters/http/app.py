"""Assembles the client API: one FastAPI app serving Alpaca's trading and data base URLs.

alpaca-py's ``TradingClient`` and ``StockHistoricalDataClient`` take different base URLs, but
their paths never collide, so both point at this one server; so do ``TradingStream``
(``/stream``) and ``StockDataStream`` (``/v2/iex`` or ``/v2/sip``).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from directbroker import __version__
from directbroker.adapters.calendar import SessionCalendar
from directbroker.adapters.http.account_routes import account_router
from directbroker.adapters.http.block_routes import block_router
from directbroker.adapters.http.broker import BrokerPorts, mount_broker_api
from directbroker.adapters.http.context import STREAM_BUFFER, ApiContext
from directbroker.adapters.http.data_stream import data_stream_router
from directbroker.adapters.http.desk_preview_routes import desk_preview_router
from directbroker.adapters.http.errors import install_error_handlers
from directbroker.adapters.http.ids import asset_id
from directbroker.adapters.http.limits import MAX_BODY_BYTES, BodyLimit
from directbroker.adapters.http.marketdata_routes import marketdata_router
from directbroker.adapters.http.openapi import error_responses, exact_openapi
from directbroker.adapters.http.ports import Ports
from directbroker.adapters.http.prefs import InMemoryPreferences, PreferencesStore
from directbroker.adapters.http.ratelimit import RateLimit
from directbroker.adapters.http.reference_routes import reference_router
from directbroker.adapters.http.streams import trade_stream_router
from directbroker.adapters.http.trading_routes import trading_router

DESCRIPTION = """\
An Alpaca-compatible Trading API v2 and Market Data API v2 for DirectBroker.

Authenticate with the `APCA-API-KEY-ID` and `APCA-API-SECRET-KEY` headers. Keys that hold
several accounts choose one with the `DirectBroker-Account` header. Errors are
`{"code": ..., "message": ...}`; `code % 100000` is DirectBroker's stable reject number.
Streams: `/stream` (trade_updates, JSON) and `/v2/iex` or `/v2/sip` (market data, MessagePack).
"""


def create_app(
    ports: Ports,
    *,
    rate_limit: RateLimit | None = None,
    preferences: PreferencesStore | None = None,
    calendar: Callable[[], SessionCalendar] | None = None,
    broker: BrokerPorts | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    stream_buffer: int = STREAM_BUFFER,
) -> FastAPI:
    """The client API over ``ports``. ``calendar`` builds the exchange calendar (XNYS by
    default, built on first use); ``preferences`` keeps watchlists; ``broker`` adds the Broker
    API (``/v1``) for the families it binds; ``max_body_bytes`` bounds request bodies (413
    beyond); ``stream_buffer`` is how many frames a WebSocket client may leave unread before it
    is dropped."""
    context = ApiContext(
        ports,
        limits=rate_limit or RateLimit(),
        prefs=preferences or InMemoryPreferences(),
        calendar_factory=calendar,
        stream_buffer=stream_buffer,
    )
    app = FastAPI(
        title="DirectBroker client API",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        openapi_url="/openapi.json",
        redoc_url=None,
        responses=error_responses(),
    )
    app.add_middleware(BodyLimit, limit=max_body_bytes)
    install_error_handlers(app)
    app.include_router(trading_router(context))
    app.include_router(account_router(context))
    app.include_router(reference_router(context))
    app.include_router(marketdata_router(context))
    app.include_router(trade_stream_router(context))
    app.include_router(data_stream_router(context))
    if ports.blocks is not None:
        app.include_router(block_router(context, ports.blocks))
        app.include_router(desk_preview_router(context, ports.blocks))
    app.state.context = context
    exact_openapi(app, context.instruments, asset_id)
    if broker is not None:
        mount_broker_api(app, broker, limiter=context.limiter)
    return app
