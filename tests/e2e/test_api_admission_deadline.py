"""Admission bounded in time, through the real server: ``directbroker demo`` with durable
journals, a short admission deadline and both cores taken by CPU burners, flooded with order
placements all at once. Every placement is answered with its order or a 503 carrying
``Retry-After``, none hangs, and an order answered 503 was never executed: it is not on the
books afterwards.

With a deadline of a microsecond no command can be taken in time, so the flood must be
refused; with 20 ms some are taken and some not, as the machine's load has it (the test then
checks only that every answer keeps the promise)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from tests.e2e.running import RunningFirm, cpu_burners, demo_args, stop_all

MICROSECOND = 0.000_001
HANG_S = 15.0
"""No answer by then is a hang (the promise is the deadline plus one platform step)."""
FLOOD = 300


async def _flood(firm: RunningFirm) -> dict[str, httpx.Response]:
    limits = httpx.Limits(max_connections=FLOOD, max_keepalive_connections=FLOOD)
    async with httpx.AsyncClient(
        base_url=firm.url, headers=firm.headers("DEMO-1"), timeout=HANG_S, limits=limits
    ) as client:

        async def place(n: int) -> tuple[str, httpx.Response]:
            client_id = f"flood-{n}"
            body = {"symbol": "AAPL", "qty": "1", "side": "buy", "type": "limit",
                    "limit_price": f"{50 + n / 100:.2f}", "time_in_force": "day",
                    "client_order_id": client_id}  # fmt: skip
            return client_id, await client.post("/v2/orders", json=body)

        answers = await asyncio.gather(*(place(n) for n in range(FLOOD)))
    return dict(answers)


@pytest.mark.parametrize("deadline_s", [MICROSECOND, 0.02])
def test_a_flood_gets_orders_or_busy_answers_and_busy_orders_never_happen(
    tmp_path: Path, deadline_s: float
) -> None:
    config = tmp_path / "firm.toml"
    config.write_text(
        "[api]\nrate_per_second = 100000\nburst = 100000\n"
        f"admission_deadline_seconds = {deadline_s!r}\n",
        encoding="utf-8",
    )
    burners = cpu_burners(2)
    try:
        with RunningFirm(demo_args(tmp_path / "firm", "--config", str(config)), tmp_path).start(
            wait_for_keys=2
        ) as firm:
            answers = asyncio.run(_flood(firm))
            headers = firm.headers("DEMO-1")
            with httpx.Client(base_url=firm.url, headers=headers, timeout=HANG_S) as client:
                books = {
                    client_id: client.get(
                        "/v2/orders:by_client_order_id", params={"client_order_id": client_id}
                    )
                    for client_id in answers
                }
            assert firm.terminate() == 0, firm.output[-2000:]
    finally:
        stop_all(burners)
    statuses: dict[int, int] = {}
    # Every placement was answered (none timed out): a 503'd one was never executed.
    for client_id, answer in answers.items():
        statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
        found = books[client_id]
        if answer.status_code == 200:
            assert found.status_code == 200, (client_id, found.text)
            assert found.json()["id"] == answer.json()["id"]
        elif answer.status_code != 503:
            # Refused by the broker's own checks: executed, and answered with its reason.
            assert answer.status_code in (403, 422), (client_id, answer.status_code, answer.text)
        else:
            assert int(answer.headers["retry-after"]) >= 1
            assert found.status_code == 404, f"{client_id} was answered 503 but exists"
    print(deadline_s, statuses)
    if deadline_s == MICROSECOND:
        assert statuses.get(503, 0) > 0, f"nothing was refused: {statuses}"
