"""The trade_updates stream at ``/stream``: Alpaca's JSON authenticate/listen protocol.

1. The client sends ``{"action": "authenticate", "data": {"key_id": ..., "secret_key": ...}}``
   (or the newer ``{"action": "auth", "key": ..., "secret": ...}``) within ten seconds.
2. The server answers ``{"stream": "authorization", "data": {"status": "authorized", ...}}``;
   on failure it answers ``"unauthorized"`` and closes the connection (policy violation).
3. ``{"action": "listen", "data": {"streams": ["trade_updates"]}}`` starts (an empty list
   stops) delivery; the server acknowledges with ``{"stream": "listening", ...}``.
4. Updates arrive as ``{"stream": "trade_updates", "data": {...}}`` for every account the key
   may access, in binary frames as Alpaca's paper endpoint sends them.

After authentication every frame goes through the connection's bounded :class:`.Outbox`: a
client that stops reading is dropped, never waited for.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import MutableMapping
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from directbroker.adapters.http.context import ApiContext, session_credentials
from directbroker.adapters.http.errors import ApiError
from directbroker.adapters.http.outbox import Outbox
from directbroker.adapters.http.ports import Principal, TradeUpdateSubscription
from directbroker.adapters.http.shapes import render_trade_update

AUTH_TIMEOUT_S = 10.0
MAX_MESSAGE_BYTES = 16_384
POLICY_VIOLATION = 1008


def _decode(message: MutableMapping[str, Any]) -> dict[str, Any] | None:
    raw = message.get("bytes") or message.get("text") or ""
    if len(raw) > MAX_MESSAGE_BYTES:
        return None
    try:
        decoded = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return decoded if isinstance(decoded, dict) else None


def _credentials(request: dict[str, Any]) -> tuple[str | None, str | None]:
    data = request.get("data")
    if isinstance(data, dict):
        key, secret = data.get("key_id"), data.get("secret_key")
    else:
        key, secret = request.get("key"), request.get("secret")
    return (key if isinstance(key, str) else None, secret if isinstance(secret, str) else None)


def _frame(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


async def _send(websocket: WebSocket, payload: dict[str, Any]) -> None:
    await websocket.send_bytes(_frame(payload))


class _Session:
    """One trade_updates connection: authenticated, then listening or not."""

    def __init__(self, ctx: ApiContext, websocket: WebSocket) -> None:
        self.ctx = ctx
        self.websocket = websocket
        self.principal: Principal | None = None
        self.subscription: TradeUpdateSubscription | None = None
        self.pump: asyncio.Task[None] | None = None
        self.outbox: Outbox | None = None

    async def authenticate(self) -> bool:
        try:
            message = await asyncio.wait_for(self.websocket.receive(), AUTH_TIMEOUT_S)
        except TimeoutError:
            await self.websocket.close(POLICY_VIOLATION, "authentication timeout")
            return False
        if message.get("type") == "websocket.disconnect":
            return False
        request = _decode(message) or {}
        action = request.get("action")
        if action in ("authenticate", "auth"):
            key, secret = _credentials(request)
            if key is None and secret is None:
                key, secret = session_credentials(self.websocket.scope)
            peer = self.websocket.client.host if self.websocket.client else "unknown"
            with contextlib.suppress(ApiError):
                self.principal = self.ctx.authenticate(key, secret, peer)
        status = "authorized" if self.principal is not None else "unauthorized"
        reply = {"stream": "authorization", "data": {"action": "authenticate", "status": status}}
        await _send(self.websocket, reply)
        if self.principal is None:
            await self.websocket.close(POLICY_VIOLATION, "unauthorized")
            return False
        self.outbox = Outbox(self.websocket, self.ctx.stream_buffer, self._dropped)
        return True

    def _dropped(self) -> None:
        self.ctx.dropped_streams += 1

    def reply(self, payload: dict[str, Any]) -> None:
        """Queue a frame behind what is already waiting (never waits on the client)."""
        assert self.outbox is not None
        self.outbox.put(_frame(payload))

    async def listen(self, streams: list[str]) -> None:
        wanted = "trade_updates" in streams
        if wanted and self.subscription is None:
            assert self.principal is not None
            accounts = None if self.principal.all_accounts else self.principal.accounts
            self.subscription = self.ctx.ports.trading.subscribe_trade_updates(accounts)
            self.ctx.trade_listeners += 1
            self.pump = asyncio.create_task(self._pump(self.subscription))
        elif not wanted:
            await self.stop()
        listening = ["trade_updates"] if wanted else []
        self.reply({"stream": "listening", "data": {"streams": listening}})

    async def _pump(self, subscription: TradeUpdateSubscription) -> None:
        while True:
            update = await subscription.get()
            if update is None:
                if self.subscription is subscription and self.outbox is not None:
                    self.outbox.drop("fell too far behind; reconnect")
                return
            self.reply(render_trade_update(update))

    async def stop(self) -> None:
        if self.subscription is not None:
            self.subscription.close()
            self.subscription = None
            self.ctx.trade_listeners -= 1
        if self.pump is not None:
            self.pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.pump
            self.pump = None

    async def end(self) -> None:
        """The connection is over: stop delivery and the writer."""
        await self.stop()
        if self.outbox is not None:
            await self.outbox.aclose()

    async def serve(self) -> None:
        if not await self.authenticate():
            return
        while True:
            message = await self.websocket.receive()
            if message.get("type") == "websocket.disconnect":
                return
            request = _decode(message)
            data = request.get("data") if request else None
            streams = data.get("streams") if isinstance(data, dict) else None
            if (
                request is None
                or request.get("action") != "listen"
                or not isinstance(streams, list)
            ):
                self.reply({"stream": "error", "data": {
                    "error_message": "expected {\"action\": \"listen\", \"data\": "
                                     "{\"streams\": [...]}}"}})  # fmt: skip
                continue
            await self.listen([s for s in streams if isinstance(s, str)])


def trade_stream_router(ctx: ApiContext) -> APIRouter:
    """The ``/stream`` WebSocket route."""
    router = APIRouter()

    @router.websocket("/stream")
    async def trade_updates(websocket: WebSocket) -> None:
        await websocket.accept()
        session = _Session(ctx, websocket)
        try:
            await session.serve()
        except (WebSocketDisconnect, RuntimeError):
            pass  # the client went away mid-send; nothing to clean but our own state
        finally:
            await session.end()

    return router
