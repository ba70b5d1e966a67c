"""Fixtures for the history store: every store test runs on SQLite and on a real PostgreSQL.

Each PostgreSQL test gets its own uniquely named database from the shared ``postgres_dsn``
fixture (tests/conftest.py), which skips or fails as that fixture says when no server answers.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from directbroker.adapters.history import SqlHistoryStore, open_postgres, open_sqlite
from directbroker.domain.marketdata_messages import EndTradingDay, StartTradingDay
from directbroker.domain.messages import Event
from directbroker.domain.orders import BookSide
from directbroker.domain.venue_messages import BookOrderAdded, BookOrderDeleted, TradeReported
from directbroker.engines.marketdata import MarketDataEngine

DAY_START = 1_741_012_200_000_000_000  # 2025-03-03 14:30 UTC (09:30 New York)


StoreFactory = Callable[[], SqlHistoryStore]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens (and reopens) one database of the parametrised dialect; closes what it opened."""
    opened: list[SqlHistoryStore] = []
    if request.param == "sqlite":
        path = str(tmp_path / "history.db")

        def factory() -> SqlHistoryStore:
            opened.append(open_sqlite(path))
            return opened[-1]
    else:
        dsn = request.getfixturevalue("postgres_dsn")

        def factory() -> SqlHistoryStore:
            opened.append(open_postgres(dsn))
            return opened[-1]

    yield factory
    for store in opened:
        store.close()


def simulated_day(seed: int, steps: int = 400) -> list[Event]:
    """The consolidated events of a small random market across three venues and two symbols,
    with timestamps that never go backwards."""
    rng = random.Random(seed)
    engine = MarketDataEngine(tape_depth=10_000)
    out = list(engine.handle(StartTradingDay("2025-03-03"), DAY_START))
    live: dict[tuple[str, str], list[int]] = {}
    ts, ref, trade_id = DAY_START, 0, 0
    for _ in range(steps):
        ts += rng.randrange(1, 3_000_000_000)
        venue, symbol = rng.choice(("ARCA", "BATS", "NSDQ")), rng.choice(("ACME", "ZETA"))
        refs = live.setdefault((venue, symbol), [])
        roll = rng.random()
        if roll < 0.45 or not refs:
            ref += 1
            refs.append(ref)
            side = rng.choice((BookSide.BID, BookSide.ASK))
            price = 500_000 + (-1 if side is BookSide.BID else 1) * rng.randrange(1, 6) * 100
            event: Event = BookOrderAdded(venue, symbol, ref, side, price, 100, ts)
        elif roll < 0.7:
            event = BookOrderDeleted(venue, symbol, refs.pop(rng.randrange(len(refs))), ts)
        else:
            trade_id += 1
            price = 500_000 + rng.randrange(-500, 500)
            event = TradeReported(venue, symbol, trade_id, price, rng.randrange(1, 500), None, "",
                                  ts)  # fmt: skip
        out.extend(engine.handle(event, ts))
    out.extend(engine.handle(EndTradingDay("2025-03-03"), ts))
    return out


@pytest.fixture(scope="session")
def market_day() -> list[Event]:
    """One simulated day's consolidated events (the same for every test)."""
    return simulated_day(7)
