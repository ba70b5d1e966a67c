"""The historical data store follows the market data journal exactly: a crash between the two
commits, or a lost history file, is repaired at start-up from the journal's stored events."""

from __future__ import annotations

from pathlib import Path

from directbroker.adapters.history import SqlHistoryStore, open_sqlite
from directbroker.app.journals import SqliteJournals
from directbroker.app.market import MARKET_DATA, EmbeddedMarket
from directbroker.domain.marketdata_messages import Timeframe
from directbroker.domain.messages import Event
from directbroker.protocols.codec import decode_many
from directbroker.runtime.journal import reading
from directbroker.sim.session import DaySchedule
from directbroker.sim.simulation import SimulationConfig
from directbroker.sim.universe import LISTINGS

START_NS = 1_780_300_800_000_000_000
LISTED = LISTINGS[:3]
ALL_TIME = (0, 2**62)
CONFIG = SimulationConfig(
    seed=8,
    schedule=DaySchedule(pre_open_seconds=1, continuous_seconds=4, closing_window_seconds=1),
    events_per_second=300,
)


def _contents(store: SqlHistoryStore) -> tuple[object, ...]:
    symbol = LISTED[0].symbol
    trades = store.trades(symbol, *ALL_TIME, limit=1_000_000).items
    quotes = store.quotes(symbol, *ALL_TIME, limit=1_000_000).items
    bars = store.bars(symbol, Timeframe.SECOND, *ALL_TIME, limit=1_000_000).items
    return tuple(trades), tuple(quotes), tuple(bars)


def _run_day(directory: Path) -> tuple[tuple[object, ...], int]:
    journals = SqliteJournals(directory / "journals")
    history = open_sqlite(str(directory / "history.db"))
    try:
        market = EmbeddedMarket(CONFIG, START_NS, "2026-06-01", journals, LISTED, history=history)
        market.run_to_end()
        recorded = history.recorded_seq(MARKET_DATA)
        assert recorded is not None and recorded > 0
        return _contents(history), recorded
    finally:
        history.close()
        journals.close()


def _restart(directory: Path, history_file: Path) -> tuple[tuple[object, ...], int]:
    journals = SqliteJournals(directory / "journals")
    history = open_sqlite(str(history_file))
    try:
        market = EmbeddedMarket(
            CONFIG, START_NS + 10**12, "2026-06-01", journals, LISTED, history=history
        )
        return _contents(history), market.history_caught_up
    finally:
        history.close()
        journals.close()


def test_a_lost_history_file_is_rebuilt_from_the_journal(tmp_path: Path) -> None:
    live, recorded = _run_day(tmp_path)
    assert live[0] and live[1] and live[2]
    rebuilt, caught_up = _restart(tmp_path, tmp_path / "fresh-history.db")
    assert caught_up == recorded
    assert rebuilt == live


def test_a_crash_between_the_commits_is_repaired_exactly_once(tmp_path: Path) -> None:
    live, recorded = _run_day(tmp_path)
    # What a crash leaves: history knows only the first half of the journal's entries.
    half = recorded // 2
    partial = tmp_path / "partial-history.db"
    store = open_sqlite(str(partial))
    try:
        journals = SqliteJournals(tmp_path / "journals")
        try:
            market_data_journal, _ = journals(MARKET_DATA)
            first: list[Event] = []
            with reading(market_data_journal, until_seq=half) as entries:
                for entry in entries:
                    first.extend(e for e in decode_many(entry.events) if isinstance(e, Event))
            store.record(first, (MARKET_DATA, half))
        finally:
            journals.close()
    finally:
        store.close()
    repaired, caught_up = _restart(tmp_path, partial)
    assert caught_up == recorded - half
    assert repaired == live
    again, caught_up = _restart(tmp_path, partial)
    assert caught_up == 0 and again == live
