"""History in and out of files: CSV and Parquet export, CSV bar import, ITCH 5.0 import."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from directbroker.adapters.history import (
    HistoryImportError,
    SqlHistoryStore,
    export_csv,
    export_parquet,
    import_bars_csv,
    import_itch,
)
from directbroker.domain.marketdata_messages import Bar, QuoteUpdated, Timeframe, TradePrinted
from directbroker.domain.messages import Event
from directbroker.protocols.itch import (
    AddOrder,
    ItchFormatError,
    OrderDelete,
    OrderExecuted,
    SystemEvent,
    frame,
)

StoreFactory = Callable[[], SqlHistoryStore]
ALL_TIME = (0, 2**62)


def test_csv_and_parquet_exports_hold_every_row(tmp_path: Path, market_day: list[Event]) -> None:
    trades = [e for e in market_day if isinstance(e, TradePrinted)]
    quotes = [e for e in market_day if isinstance(e, QuoteUpdated)]
    text = io.StringIO()
    assert export_csv(iter(trades), text, TradePrinted) == len(trades)
    rows = list(csv.DictReader(io.StringIO(text.getvalue())))
    assert [int(r["price"]) for r in rows] == [t.price for t in trades]
    assert rows[0]["aggressor"] == "" and rows[0]["symbol"] == trades[0].symbol

    path = tmp_path / "quotes.parquet"
    assert export_parquet(iter(quotes), path, QuoteUpdated, batch=64) == len(quotes)
    table = pq.read_table(path)
    assert table.num_rows == len(quotes)
    assert table.column("bid_price").to_pylist() == [q.bid_price for q in quotes]

    bars = [Bar("ACME", Timeframe.MINUTE, 60_000_000_000, 10, 12, 9, 11, 2**40, 2**70, 2, "")]
    export_parquet(bars, tmp_path / "bars.parquet", Bar)
    read = pq.read_table(tmp_path / "bars.parquet").to_pylist()
    assert read[0]["notional"] == Decimal(2**70) and read[0]["timeframe"] == "1m"
    assert export_parquet([], tmp_path / "empty.parquet", Bar) == 0
    assert pq.read_table(tmp_path / "empty.parquet").num_rows == 0


BARS_CSV = """symbol,timeframe,start,open,high,low,close,volume,vwap,trade_count
ACME,1d,2025-03-03T14:30:00+00:00,50.00,51.25,49.50,51.00,120000,50.5,812
ACME,1m,1741012200000000000,50.00,50.10,49.99,50.05,3000,,
"""


def test_csv_bars_are_imported(open_store: StoreFactory) -> None:
    store = open_store()
    assert import_bars_csv(store, io.StringIO(BARS_CSV)) == 2
    (day,) = store.bars("ACME", Timeframe.DAY, *ALL_TIME).items
    assert day.start_ns == 1_741_012_200_000_000_000
    assert (day.open, day.high, day.low, day.close, day.volume) == (
        500_000, 512_500, 495_000, 510_000, 120_000)  # fmt: skip
    assert day.vwap == 505_000 and day.trade_count == 812
    (minute,) = store.bars("ACME", Timeframe.MINUTE, *ALL_TIME).items
    assert minute.vwap == minute.close  # no VWAP given: the close stands in


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("symbol,open\nACME,1\n", "missing columns"),
        (BARS_CSV.replace("51.25", "48.00"), "line 2"),
        (BARS_CSV.replace(",1m,", ",7m,"), "line 3"),
        (BARS_CSV.replace("50.05", "50.00001"), "line 3"),
    ],
    ids=["columns", "high-below-close", "timeframe", "price-precision"],
)
def test_bad_csv_names_the_line_and_stores_nothing(
    open_store: StoreFactory, text: str, words: str
) -> None:
    store = open_store()
    with pytest.raises(HistoryImportError, match=words):
        import_bars_csv(store, io.StringIO(text))
    assert store.bars("ACME", Timeframe.DAY, *ALL_TIME).items == []


def test_an_itch_file_becomes_consolidated_history(open_store: StoreFactory) -> None:
    midnight = 1_740_978_000_000_000_000  # 2025-03-03 00:00 New York
    open_at = 34_200_000_000_000  # 09:30:00
    data = frame([
        SystemEvent(0, 0, 0, 1, "O"),
        AddOrder(0, 1, 0, open_at, 10, "B", 500, "ACME", 500_000),
        AddOrder(0, 1, 0, open_at + 1, 11, "S", 300, "ACME", 500_100),
        OrderExecuted(0, 1, 0, open_at + 2_000_000_000, 11, 100, 77),
        OrderExecuted(0, 1, 0, open_at + 61_000_000_000, 10, 200, 78),
        OrderDelete(0, 1, 0, open_at + 62_000_000_000, 11),
    ])  # fmt: skip
    store = open_store()
    chunks = [data[i : i + 50] for i in range(0, len(data), 50)]
    summary = import_itch(store, chunks, venue="NSDQ", trading_date="2025-03-03",
                          midnight_ns=midnight)  # fmt: skip
    assert (summary.messages, summary.trades, summary.rejected) == (6, 2, 0)
    trades = store.trades("ACME", *ALL_TIME).items
    assert [(t.trade_id, t.price, t.quantity) for t in trades] == [
        (77, 500_100, 100), (78, 500_000, 200)]  # fmt: skip
    assert trades[0].ts_ns == midnight + open_at + 2_000_000_000
    last = store.quotes("ACME", *ALL_TIME).items[-1]
    assert (last.bid_price, last.bid_size, last.ask_price) == (500_000, 300, None)
    minutes = store.bars("ACME", Timeframe.MINUTE, *ALL_TIME).items
    assert [(b.open, b.volume) for b in minutes] == [(500_100, 100), (500_000, 200)]

    with pytest.raises(ItchFormatError, match="is 36 bytes, got 5 at byte offset 14"):
        import_itch(store, [data[:14] + b"\x00\x05ABCDE"], venue="NSDQ",
                    trading_date="2025-03-04", midnight_ns=midnight)  # fmt: skip
