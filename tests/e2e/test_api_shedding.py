"""The real server under a flood from many concurrent connections: every request is answered,
with its result or 503 + ``Retry-After`` in the API's error shape, none hangs, and nothing
answered 503 was executed.

Two ways to overwhelm it: a handler that is slow but lets the loop run (the in-flight caps
shed the rest), and a handler that holds the event loop (requests wait in the server and are
answered 503 unhandled once they waited longer than the bound). The server's caps are tiny so
a few hundred requests overwhelm it; the assertions count outcomes, they time nothing (the
client's generous timeout only tells a hang from an answer).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI, Request

from directbroker.adapters.http import ApiServer
from directbroker.adapters.http.shedding import BEHIND, LATE, ShedLimits
from directbroker.domain.rejects import RejectCode
from tests.e2e.conftest import wait_for

pytestmark = pytest.mark.timeout(180)

HANG_S = 60.0
"""A request unanswered after this long hangs (the bound is a fraction of a second)."""
BUSY_CODE = 503 * 100_000 + RejectCode.OVERLOADED.number


@dataclass
class Work:
    """What the application executed, and the most it ran at once."""

    executed: set[str] = field(default_factory=set)
    running: int = 0
    most_running: int = 0


def flood_app(work: Work) -> FastAPI:
    app = FastAPI()

    @app.post("/slow/{ident}")
    async def slow(ident: str) -> dict[str, str]:
        work.running += 1
        work.most_running = max(work.most_running, work.running)
        try:
            await asyncio.sleep(0.05)  # waits without holding the loop
            work.executed.add(ident)
            return {"id": ident}
        finally:
            work.running -= 1

    @app.post("/hog/{ident}")
    async def hog(ident: str, request: Request) -> dict[str, str]:
        await request.body()
        time.sleep(0.12)  # holds the event loop: everything behind it waits
        work.executed.add(ident)
        return {"id": ident}

    @app.get("/v2/clock")
    async def clock() -> dict[str, bool]:
        return {"is_open": True}

    return app


@pytest.fixture
def work() -> Work:
    return Work()


@pytest.fixture
def server(work: Work) -> Iterator[ApiServer]:
    limits = ShedLimits(max_in_flight=8, max_commands_in_flight=4, max_wait_s=0.1)
    with ApiServer(flood_app(work), shedding=limits) as running:
        yield running


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


async def request(port: int, method: str, path: str, body: bytes = b"") -> Answer | None:
    """One request on its own connection; ``None`` if it hangs."""

    async def exchange() -> Answer:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            head = (
                f"{method} {path} HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\n"
                f"content-length: {len(body)}\r\n\r\n"
            )
            writer.write(head.encode() + body)
            raw = await reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name:
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            return Answer(int(lines[0][9:12]), headers, await reader.readexactly(length))
        finally:
            writer.close()

    try:
        return await asyncio.wait_for(exchange(), HANG_S)
    except TimeoutError:
        return None


async def flood(port: int, kind: str, count: int) -> dict[str, Answer | None]:
    """``count`` commands at once, each on its own connection, with reads among them."""
    idents = [f"{kind}-{number}" for number in range(count)]
    commands = [request(port, "POST", f"/{kind}/{ident}", b"{}") for ident in idents]
    reads = [request(port, "GET", "/v2/clock") for _ in range(count // 10)]
    answers = await asyncio.gather(*commands, *reads)
    named = dict(zip(idents, answers[:count], strict=True))
    named.update({f"read-{n}": answer for n, answer in enumerate(answers[count:])})
    return named


def check(answers: dict[str, Answer | None], work: Work) -> tuple[int, int]:
    """Every request answered 200 or 503 in the error shape; nothing 503'd executed.
    Returns (handled, shed)."""
    handled = shed = 0
    for ident, answer in answers.items():
        assert answer is not None, f"{ident} hung"
        assert answer.status in (200, 503), (ident, answer)
        if answer.status == 503:
            shed += 1
            assert answer.headers["retry-after"] == "1"
            assert answer.headers["content-type"] == "application/json"
            error = json.loads(answer.body)
            assert error["code"] == BUSY_CODE
            assert ident not in work.executed
        else:
            handled += 1
            if not ident.startswith("read-"):
                assert ident in work.executed
    return handled, shed


def test_a_flood_past_the_in_flight_cap_is_answered_and_the_rest_503_unexecuted(
    server: ApiServer, work: Work
) -> None:
    answers = asyncio.run(flood(server.port, "slow", 300))
    handled, shed = check(answers, work)
    assert handled > 0
    assert shed > 0
    assert work.most_running <= 4  # the commands' cap, whatever the flood
    executed = {ident for ident, answer in answers.items() if answer and answer.status == 200}
    assert work.executed == executed - {i for i in executed if i.startswith("read-")}
    # The server is itself again: nothing is left counted in flight.
    wait_for(lambda: (server.shedder.in_flight, server.shedder.commands_in_flight) == (0, 0))


def test_requests_that_wait_behind_a_held_loop_are_answered_503_unhandled(
    server: ApiServer, work: Work
) -> None:
    answers = asyncio.run(flood(server.port, "hog", 300))
    handled, shed = check(answers, work)
    assert handled > 0
    assert shed > 0
    # Some were refused for the loop's lag: as they were parsed (the heartbeat saw the lag) or
    # once dispatched, having waited too long (which of the two depends on the timing).
    messages = {json.loads(a.body)["message"] for a in answers.values() if a and a.status == 503}
    assert any(message.endswith((LATE, BEHIND)) for message in messages), messages
    wait_for(lambda: server.shedder.in_flight == 0)


def test_reads_are_answered_while_commands_fill_their_cap(server: ApiServer, work: Work) -> None:
    async def scenario() -> tuple[list[Answer | None], list[Answer | None]]:
        commands = [
            asyncio.create_task(request(server.port, "POST", f"/slow/c{n}", b"{}"))
            for n in range(4)
        ]
        while server.shedder.commands_in_flight < 4:  # the commands' cap is full
            await asyncio.sleep(0.001)
        refused = await request(server.port, "POST", "/slow/extra", b"{}")
        read = await request(server.port, "GET", "/v2/clock")
        return [refused, read], list(await asyncio.gather(*commands))

    (refused, read), commands = asyncio.run(scenario())
    assert refused is not None and refused.status == 503
    assert "extra" not in work.executed
    assert read is not None and read.status == 200
    assert all(answer is not None and answer.status == 200 for answer in commands)


def test_a_connection_refused_a_request_serves_its_next_one(server: ApiServer, work: Work) -> None:
    """The 503 is written before the request's body is read; the body is read and dropped
    and the same keep-alive connection serves the next request."""

    async def scenario() -> tuple[bytes, list[Answer | None]]:
        commands = [
            asyncio.create_task(request(server.port, "POST", f"/slow/k{n}", b"{}"))
            for n in range(4)
        ]
        while server.shedder.commands_in_flight < 4:
            await asyncio.sleep(0.001)
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        body = b'{"pad": "' + b"x" * 50_000 + b'"}'
        writer.write(
            b"POST /slow/refused HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\n\r\n" % len(body) + body
        )
        writer.write(b"GET /v2/clock HTTP/1.1\r\nhost: t\r\n\r\n")
        await writer.drain()
        seen = b""
        while seen.count(b"HTTP/1.1 ") < 2 or not seen.endswith(b"}"):
            chunk = await asyncio.wait_for(reader.read(65_536), HANG_S)
            assert chunk, seen
            seen += chunk
        writer.close()
        return seen, list(await asyncio.gather(*commands))

    seen, commands = asyncio.run(scenario())
    first, _, second = seen.partition(b"\r\n\r\n")[2].partition(b"HTTP/1.1 ")
    assert seen.startswith(b"HTTP/1.1 503 ")
    assert json.loads(first)["code"] == BUSY_CODE
    assert second.startswith(b"200 ")
    assert "refused" not in work.executed
    assert all(answer is not None and answer.status == 200 for answer in commands)
