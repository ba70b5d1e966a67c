"""The server's shedding rule, on a fake clock: caps on requests and commands in flight, reads
kept room under an order flood, the bound on waiting, and the loop's lag."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from directbroker.adapters.http.shedding import (
    Shedder,
    ShedLimits,
    busy_body,
    dispatched,
)
from directbroker.domain.rejects import RejectCode


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _shedder(**limits: Any) -> tuple[Shedder, FakeClock]:
    clock = FakeClock()
    return Shedder(ShedLimits(**limits), clock), clock


def test_requests_over_the_cap_are_refused_until_one_is_released() -> None:
    shedder, _ = _shedder(max_in_flight=2, max_commands_in_flight=2)
    assert shedder.admit("GET") is None
    assert shedder.admit("POST") is None
    assert shedder.admit("GET") == "the server has too many requests in flight"
    assert shedder.shed == 1
    shedder.release("POST")
    assert shedder.admit("GET") is None
    assert (shedder.in_flight, shedder.commands_in_flight) == (2, 0)


def test_an_order_flood_leaves_room_for_reads() -> None:
    shedder, _ = _shedder(max_in_flight=4, max_commands_in_flight=2)
    assert shedder.admit("POST") is None
    assert shedder.admit("DELETE") is None
    assert shedder.admit("PATCH") == "the server has too many commands in flight"
    assert shedder.admit("GET") is None
    assert shedder.admit("HEAD") is None
    assert shedder.admit("GET") == "the server has too many requests in flight"
    shedder.release("DELETE")
    assert shedder.admit("POST") is None


def test_a_request_that_waited_too_long_is_late() -> None:
    shedder, clock = _shedder(max_wait_s=0.25)
    arrived = clock.now
    clock.now += 0.25
    assert not shedder.late(arrived)
    clock.now += 0.001
    assert shedder.late(arrived)
    assert shedder.shed == 1


def test_a_lagging_loop_with_requests_in_flight_refuses_commands_but_not_reads() -> None:
    shedder, _ = _shedder(max_wait_s=0.25)
    shedder.note_lag(0.3)
    assert shedder.admit("POST") is None  # nothing was in flight: no backlog to wait behind
    assert shedder.admit("POST") == "the server is behind"
    assert shedder.admit("GET") is None
    shedder.note_lag(0.01)
    assert shedder.admit("POST") is None
    shedder.note_lag(-1.0)  # a timer that fired early is no lag
    assert shedder.lag == 0.0


@pytest.mark.parametrize(
    "limits",
    [
        {"max_in_flight": 0},
        {"max_commands_in_flight": 0},
        {"max_in_flight": 4, "max_commands_in_flight": 5},
        {"max_wait_s": 0.0},
    ],
)
def test_limits_that_make_no_sense_are_refused(limits: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ShedLimits(**limits)


def test_the_busy_answer_is_the_api_error_shape() -> None:
    body = json.loads(busy_body("the server is behind"))
    assert body["code"] == 503 * 100_000 + RejectCode.OVERLOADED.number
    assert body["message"].endswith("the server is behind")


class Recorder:
    """An ASGI app that records what it was asked, and the messages sent."""

    def __init__(self) -> None:
        self.handled = 0
        self.sent: list[dict[str, Any]] = []

    async def app(self, scope: Any, receive: Any, send: Any) -> None:
        self.handled += 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def send(self, message: Any) -> None:
        self.sent.append(message)

    async def receive(self) -> Any:
        return {"type": "http.request", "body": b"", "more_body": False}

    def run(self, app: Any) -> int:
        asyncio.run(app({"type": "http"}, self.receive, self.send))
        status = self.sent[0]["status"]
        assert isinstance(status, int)
        return status


def test_a_dispatched_request_runs_the_app_and_is_released() -> None:
    shedder, clock = _shedder()
    recorder = Recorder()
    assert shedder.admit("POST") is None
    assert recorder.run(dispatched(recorder.app, shedder, "POST", clock.now)) == 200
    assert recorder.handled == 1
    assert (shedder.in_flight, shedder.commands_in_flight) == (0, 0)


def test_a_late_request_is_answered_503_without_running_the_app() -> None:
    shedder, clock = _shedder(max_wait_s=0.25)
    recorder = Recorder()
    assert shedder.admit("POST") is None
    arrived = clock.now
    clock.now += 1.0
    assert recorder.run(dispatched(recorder.app, shedder, "POST", arrived)) == 503
    assert recorder.handled == 0
    assert (b"retry-after", b"1") in recorder.sent[0]["headers"]
    assert (shedder.in_flight, shedder.commands_in_flight) == (0, 0)
