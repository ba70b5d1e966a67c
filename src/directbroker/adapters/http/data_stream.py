"""The market data stream at ``/v2/iex`` and ``/v2/sip``: Alpaca's stock data protocol.

Frames are MessagePack when the client asks for it (``Content-Type: application/msgpack``,
as alpaca-py does), JSON text otherwise; each frame is a list of messages. Times are
MessagePack Timestamp values (nanoseconds) in MessagePack and RFC 3339 text in JSON.

``[{"T": "success", "msg": "connected"}]`` greets; ``{"action": "auth", "key", "secret"}``
authenticates; ``{"action": "subscribe", "trades": [...], "quotes": [...], "bars": [...],
"dailyBars": [...], "statuses": [...], "orderbooks": [...]}`` (``"*"`` for every symbol)
subscribes and is answered with the full current subscription. ``orderbooks`` is our Level II
channel: Alpaca's orderbook message with each level naming its venue (``x``), sent as a full
montage (``r``: true) whenever a symbol's depth changes. A subscription naming a symbol the
platform does not list is refused whole (``{"T": "error", "code": 400, ...}``). After
authentication frames go through the connection's bounded :class:`.Outbox`: a client that
stops reading is dropped, never waited for.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import msgpack
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from directbroker.adapters.http.context import ApiContext, session_credentials
from directbroker.adapters.http.errors import ApiError
from directbroker.adapters.http.md_shapes import (
    Stamp,
    bar_json,
    montage_json,
    quote_json,
    trade_json,
)
from directbroker.adapters.http.outbox import Frame, Outbox
from directbroker.adapters.http.shapes import iso
from directbroker.adapters.marketdata import AsyncSubscription
from directbroker.domain.marketdata_messages import (
    BarClosed,
    Channel,
    DepthUpdated,
    QuoteUpdated,
    Timeframe,
    TradePrinted,
    TradingStatusChanged,
)
from directbroker.domain.messages import Event

CHANNELS: dict[str, Channel] = {
    "trades": Channel.TRADES,
    "quotes": Channel.QUOTES,
    "bars": Channel.BARS,
    "dailyBars": Channel.BARS,
    "statuses": Channel.STATUS,
    "orderbooks": Channel.DEPTH,
}
IGNORED = ("updatedBars", "lulds", "corrections", "cancelErrors")
MAX_SYMBOLS = 1_000
AUTH_TIMEOUT_S = 10.0


def _ts(ts_ns: int) -> msgpack.Timestamp:
    return msgpack.Timestamp.from_unix_nano(ts_ns)


class _Session:
    def __init__(self, ctx: ApiContext, websocket: WebSocket) -> None:
        self.ctx = ctx
        self.websocket = websocket
        self.binary = "msgpack" in websocket.headers.get("content-type", "")
        self.stamp: Stamp = _ts if self.binary else iso
        self.wanted: dict[str, set[str]] = {name: set() for name in (*CHANNELS, *IGNORED)}
        self.subscription: AsyncSubscription | None = None
        self.pump: asyncio.Task[None] | None = None
        self.authenticated = False
        self.outbox: Outbox | None = None

    def encode(self, messages: list[dict[str, Any]]) -> Frame:
        if self.binary:
            packed: bytes = msgpack.packb(messages, use_bin_type=True)
            return packed
        return json.dumps(messages, separators=(",", ":"))

    async def send(self, messages: list[dict[str, Any]]) -> None:
        """Once authenticated, queued behind what waits (never waiting on the client)."""
        frame = self.encode(messages)
        if self.outbox is not None:
            self.outbox.put(frame)
        elif isinstance(frame, bytes):
            await self.websocket.send_bytes(frame)
        else:
            await self.websocket.send_text(frame)

    async def receive(self, timeout: float | None = None) -> dict[str, Any] | None:
        message = await asyncio.wait_for(self.websocket.receive(), timeout)
        if message.get("type") == "websocket.disconnect":
            raise WebSocketDisconnect(int(message.get("code") or 1000))
        raw = message.get("bytes") or message.get("text") or b""
        if len(raw) > 65_536:
            return None
        try:
            decoded = (msgpack.unpackb(raw, raw=False) if isinstance(raw, bytes)
                       else json.loads(raw))  # fmt: skip
        except (ValueError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError):
            return None
        return decoded if isinstance(decoded, dict) else None

    async def error(self, code: int, text: str) -> None:
        await self.send([{"T": "error", "code": code, "msg": text}])

    async def authenticate(self) -> bool:
        try:
            request = await self.receive(AUTH_TIMEOUT_S)
        except TimeoutError:
            await self.error(404, "auth timeout")
            await self.websocket.close(1008)
            return False
        if not request or request.get("action") != "auth":
            await self.error(401, "not authenticated")
            await self.websocket.close(1008)
            return False
        key, secret = request.get("key"), request.get("secret")
        if key is None and secret is None:
            key, secret = session_credentials(self.websocket.scope)
        peer = self.websocket.client.host if self.websocket.client else "unknown"
        with contextlib.suppress(ApiError):
            self.ctx.authenticate(key if isinstance(key, str) else None,
                                  secret if isinstance(secret, str) else None, peer)  # fmt: skip
            self.authenticated = True
        if not self.authenticated:
            await self.error(402, "auth failed")
            await self.websocket.close(1008)
            return False
        await self.send([{"T": "success", "msg": "authenticated"}])
        self.outbox = Outbox(self.websocket, self.ctx.stream_buffer, self._dropped)
        return True

    def _dropped(self) -> None:
        self.ctx.dropped_streams += 1

    def acknowledgement(self) -> dict[str, Any]:
        ack: dict[str, Any] = {"T": "subscription"}
        for name, symbols in self.wanted.items():
            ack[name] = sorted(symbols)
        return ack

    async def change(self, request: dict[str, Any], adding: bool) -> None:
        for name in (*CHANNELS, *IGNORED):
            symbols = request.get(name)
            if symbols is None:
                continue
            if not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols):
                await self.error(400, "invalid syntax")
                return
        if adding:
            unknown = sorted(
                {s for name in (*CHANNELS, *IGNORED) for s in request.get(name) or ()
                 if s != "*" and self.ctx.instrument(s) is None}
            )  # fmt: skip
            if unknown:
                # Refused whole, before anything changes (Alpaca's 400 shape).
                shown = ", ".join(s[:16] for s in unknown[:10])
                await self.error(400, f"invalid syntax: unknown symbol(s): {shown}")
                return
        wanted = {name: set(symbols) for name, symbols in self.wanted.items()}
        for name in (*CHANNELS, *IGNORED):
            symbols = request.get(name)
            if symbols is None:
                continue
            if adding:
                wanted[name].update(s.upper() if s != "*" else s for s in symbols)
            else:
                wanted[name].difference_update(s.upper() for s in symbols)
        if sum(len(v) for v in wanted.values()) > MAX_SYMBOLS:
            await self.error(405, "symbol limit exceeded")
            return
        self.wanted = wanted
        self.resubscribe()
        await self.send([self.acknowledgement()])

    def resubscribe(self) -> None:
        channels = {CHANNELS[name] for name in CHANNELS if self.wanted[name]}
        everything = any("*" in self.wanted[name] for name in CHANNELS)
        symbols = None if everything else set().union(*(self.wanted[n] for n in CHANNELS))
        old, self.subscription = self.subscription, None
        if channels:
            fanout = self.ctx.ports.market_data.fanout()
            self.subscription = AsyncSubscription(fanout, symbols, channels)
            if self.pump is None or self.pump.done():
                self.pump = asyncio.create_task(self._pump())
        if old is not None:
            self.ctx.ports.market_data.fanout().unsubscribe(old.subscription)

    def _wants(self, channel: str, symbol: str) -> bool:
        wanted = self.wanted[channel]
        return symbol in wanted or "*" in wanted

    def render(self, events: list[Event]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        depth: dict[str, int] = {}
        for event in events:
            if isinstance(event, TradePrinted) and self._wants("trades", event.symbol):
                out.append({"T": "t", "S": event.symbol} | trade_json(event, self.stamp))
            elif isinstance(event, QuoteUpdated) and self._wants("quotes", event.symbol):
                out.append({"T": "q", "S": event.symbol} | quote_json(event, self.stamp))
            elif isinstance(event, BarClosed):
                channel = "dailyBars" if event.timeframe is Timeframe.DAY else "bars"
                if event.timeframe in (Timeframe.MINUTE, Timeframe.DAY) and self._wants(
                    channel, event.symbol
                ):
                    kind = "d" if channel == "dailyBars" else "b"
                    out.append({"T": kind, "S": event.symbol} | bar_json(event, self.stamp))
            elif isinstance(event, TradingStatusChanged) and self._wants("statuses", event.symbol):
                halted = bool(event.halted_venues)
                out.append({"T": "s", "S": event.symbol, "t": self.stamp(event.ts_ns),
                            "sc": "H" if halted else "T", "sm": "Halted" if halted else "Trading",
                            "rc": event.reason, "rm": event.reason, "z": "C",
                            "ssr": event.short_sale_restricted})  # fmt: skip
            elif isinstance(event, DepthUpdated) and self._wants("orderbooks", event.symbol):
                depth[event.symbol] = event.ts_ns
        for symbol, ts_ns in depth.items():
            montage = self.ctx.ports.market_data.montage(symbol, 10)
            if montage is not None:
                out.append({"T": "o", "S": symbol} | montage_json(montage, self.stamp, ts_ns))
        return out

    async def _pump(self) -> None:
        while self.subscription is not None:
            subscription = self.subscription
            batch = await subscription.next_batch()
            if not batch and subscription is self.subscription:
                await self.error(407, "slow client: fell too far behind")
                if self.outbox is not None:
                    self.outbox.drop("slow client: fell too far behind")
                return
            messages = self.render(batch)
            if messages:
                await self.send(messages)

    async def serve(self) -> None:
        await self.send([{"T": "success", "msg": "connected"}])
        if not await self.authenticate():
            return
        while True:
            request = await self.receive()
            action = request.get("action") if request else None
            if action in ("subscribe", "unsubscribe"):
                assert request is not None
                await self.change(request, adding=action == "subscribe")
            else:
                await self.error(400, "invalid syntax")

    async def stop(self) -> None:
        if self.subscription is not None:
            self.ctx.ports.market_data.fanout().unsubscribe(self.subscription.subscription)
            self.subscription = None
        if self.pump is not None:
            self.pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.pump
        if self.outbox is not None:
            await self.outbox.aclose()


def data_stream_router(ctx: ApiContext) -> APIRouter:
    """The ``/v2/{feed}`` market data WebSocket route."""
    router = APIRouter()

    @router.websocket("/v2/{feed}")
    async def market_data(websocket: WebSocket, feed: str) -> None:
        if feed not in ("iex", "sip", "test", "delayed_sip"):
            await websocket.close(1008, "unknown feed")
            return
        await websocket.accept()
        session = _Session(ctx, websocket)
        try:
            await session.serve()
        except (WebSocketDisconnect, RuntimeError):
            pass  # the client went away; only our subscription needs cleaning up
        finally:
            await session.stop()

    return router
