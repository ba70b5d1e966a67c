"""The peers ``api_bench.py`` measures the platform against, each run as its own process.

``python benchmarks/bare_api.py fastapi``: the ceiling of the platform's HTTP stack. A FastAPI
app on uvicorn, configured as the platform's server is, answering ``POST /v2/orders`` and
``DELETE /v2/orders/{id}`` with the same JSON work the platform's edge does (key headers
checked, the body parsed strictly into a pydantic model with exact decimals, an Alpaca order
object rendered and sent) and nothing behind it: no platform, no journal, no queue.

``python benchmarks/bare_api.py canned``: the load generator's own ceiling. A raw asyncio
HTTP/1.1 server that reads each request and writes a fixed answer, doing as little work per
request as a Python server can; whatever rate the client reaches against it is the most the
client can measure on this machine.

Both print ``{"url": ...}`` on one line once they accept connections, and stop when stdin
closes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import FastAPI, Header, HTTPException, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

KEY_ID = "BENCHKEY"
SECRET = "bench-secret"


class OrderBody(BaseModel):
    """An order as the platform's edge parses it: strict, exact decimals."""

    model_config = ConfigDict(extra="forbid")
    symbol: str = Field(min_length=1, max_length=32)
    qty: Decimal
    side: str = Field(pattern="^(buy|sell)$")
    type: str = Field(pattern="^(market|limit)$")
    time_in_force: str = Field(pattern="^(day|gtc|ioc|fok)$")
    limit_price: Decimal | None = None
    client_order_id: str | None = Field(default=None, max_length=48)


def fastapi_app() -> FastAPI:
    """The bare endpoint: parse, authenticate, render, answer."""
    app = FastAPI(title="bare")
    numbers = itertools.count(1)

    def authorise(key: str | None, secret: str | None) -> None:
        if key != KEY_ID or secret != SECRET:
            raise HTTPException(401, "unauthorized")

    @app.post("/v2/orders")
    async def place(
        body: OrderBody,
        key: Annotated[str | None, Header(alias="APCA-API-KEY-ID")] = None,
        secret: Annotated[str | None, Header(alias="APCA-API-SECRET-KEY")] = None,
    ) -> JSONResponse:
        authorise(key, secret)
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        number = next(numbers)
        order = {
            "id": str(uuid.UUID(int=number)),
            "client_order_id": body.client_order_id or f"bench-{number}",
            "created_at": now,
            "updated_at": now,
            "submitted_at": now,
            "filled_at": None,
            "expired_at": None,
            "expires_at": None,
            "canceled_at": None,
            "failed_at": None,
            "replaced_at": None,
            "replaced_by": None,
            "replaces": None,
            "asset_id": str(uuid.uuid5(uuid.NAMESPACE_URL, body.symbol)),
            "symbol": body.symbol,
            "asset_class": "us_equity",
            "notional": None,
            "qty": str(body.qty),
            "filled_qty": "0",
            "filled_avg_price": None,
            "order_class": "simple",
            "order_type": body.type,
            "type": body.type,
            "side": body.side,
            "position_intent": None,
            "time_in_force": body.time_in_force,
            "limit_price": None if body.limit_price is None else str(body.limit_price),
            "stop_price": None,
            "status": "new",
            "extended_hours": False,
            "legs": None,
            "trail_percent": None,
            "trail_price": None,
            "hwm": None,
        }
        return JSONResponse(order)

    @app.delete("/v2/orders/{order_id}", status_code=204, response_model=None)
    async def cancel(
        order_id: str,
        key: Annotated[str | None, Header(alias="APCA-API-KEY-ID")] = None,
        secret: Annotated[str | None, Header(alias="APCA-API-SECRET-KEY")] = None,
    ) -> Response:
        authorise(key, secret)
        uuid.UUID(order_id)
        return Response(status_code=204)

    @app.get("/v2/clock")
    async def clock() -> dict[str, object]:
        return {"timestamp": datetime.now(UTC).isoformat(), "is_open": True}

    return app


def bound_socket() -> socket.socket:
    """A loopback TCP socket on a free port (TCP_NODELAY applies, as the platform's does)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def serve_fastapi() -> None:
    """uvicorn with the platform server's settings, until stdin closes."""
    import uvicorn

    sock = bound_socket()
    config = uvicorn.Config(
        fastapi_app(),
        log_level="warning",
        ws="websockets-sansio",
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])))
    thread.start()
    while not server.started:
        time.sleep(0.01)
    _announce(sock)
    sys.stdin.read()
    server.should_exit = True
    thread.join(10)


_CANNED = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 52\r\n\r\n"
    b'{"id":"00000000-0000-0000-0000-000000000001","ok":1}'
)
_CANNED_DELETE = b"HTTP/1.1 204 No Content\r\n\r\n"


async def _canned_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            writer.write(_CANNED_DELETE if head.startswith(b"DELETE") else _CANNED)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def serve_canned() -> None:
    """The raw asyncio server with a fixed answer, until stdin closes."""

    async def run() -> None:
        sock = bound_socket()
        server = await asyncio.start_server(_canned_connection, sock=sock)
        _announce(sock)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)
        server.close()

    asyncio.run(run())


def _announce(sock: socket.socket) -> None:
    host, port = sock.getsockname()[:2]
    print(json.dumps({"url": f"http://{host}:{port}", "key": KEY_ID, "secret": SECRET}))
    sys.stdout.flush()


if __name__ == "__main__":
    {"fastapi": serve_fastapi, "canned": serve_canned}[sys.argv[1]]()
