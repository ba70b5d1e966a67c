"""``directbroker history``: a recorded session exported to CSV and Parquet, and external
history (CSV bars, an ITCH 5.0 file) imported, through the real command line."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq  # type: ignore[import-untyped]

from directbroker.adapters.history import open_sqlite
from directbroker.app.journals import MemoryJournals
from directbroker.app.market import EmbeddedMarket
from directbroker.domain.marketdata_messages import Timeframe
from directbroker.protocols.itch import AddOrder, OrderExecuted, SystemEvent, frame
from directbroker.sim.session import DaySchedule
from directbroker.sim.simulation import SimulationConfig
from directbroker.sim.universe import LISTINGS

ALL_TIME = (0, 2**62)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "directbroker.app.cli", "history", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_recorded_session_exports_to_csv_and_parquet(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    store = open_sqlite(str(db))
    config = SimulationConfig(
        seed=5,
        schedule=DaySchedule(pre_open_seconds=1, continuous_seconds=5, closing_window_seconds=1),
        events_per_second=300,
    )
    market = EmbeddedMarket(
        config, 1_780_300_800_000_000_000, "2026-06-01", MemoryJournals(), LISTINGS[:3],
        history=store,
    )  # fmt: skip
    market.run_to_end()
    symbol = LISTINGS[0].symbol
    stored = store.trades(symbol, *ALL_TIME, limit=1_000_000).items
    bars = store.bars(symbol, Timeframe.SECOND, *ALL_TIME, limit=1_000_000).items
    store.close()
    assert stored and bars

    out_csv = tmp_path / "trades.csv"
    done = cli("export", "trades", symbol, "--sqlite", str(db), "--out", str(out_csv))
    assert done.returncode == 0, done.stderr
    with out_csv.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["price"]) for r in rows] == [t.price for t in stored]
    assert [int(r["quantity"]) for r in rows] == [t.quantity for t in stored]

    out_parquet = tmp_path / "bars.parquet"
    done = cli(
        "export", "bars", symbol, "--sqlite", str(db), "--timeframe", "1s",
        "--format", "parquet", "--out", str(out_parquet),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = pq.read_table(out_parquet)
    assert table.num_rows == len(bars)
    assert table.column("volume").to_pylist() == [b.volume for b in bars]


def test_external_history_is_imported(tmp_path: Path) -> None:
    db = tmp_path / "imported.db"
    bars_csv = tmp_path / "bars.csv"
    bars_csv.write_text(
        "symbol,timeframe,start,open,high,low,close,volume\n"
        "ZETA,1d,2025-03-03T14:30:00+00:00,50.00,51.25,49.50,51.00,120000\n",
        encoding="utf-8",
    )
    done = cli("import", "bars-csv", str(bars_csv), "--sqlite", str(db))
    assert done.returncode == 0, done.stderr
    assert "imported 1 bars" in done.stdout

    open_at = 34_200_000_000_000  # 09:30 New York, in nanoseconds since midnight
    itch = tmp_path / "day.itch"
    itch.write_bytes(
        frame(
            [
                SystemEvent(0, 0, 0, 1, "O"),
                AddOrder(0, 1, 0, open_at, 10, "B", 500, "ACME", 500_000),
                AddOrder(0, 1, 0, open_at + 1, 11, "S", 300, "ACME", 500_100),
                OrderExecuted(0, 1, 0, open_at + 2_000_000_000, 11, 100, 77),
            ]
        )
    )
    done = cli(
        "import", "itch", str(itch), "--sqlite", str(db), "--venue", "NSDQ", "--date", "2025-03-03"
    )
    assert done.returncode == 0, done.stderr
    store = open_sqlite(str(db))
    try:
        (day,) = store.bars("ZETA", Timeframe.DAY, *ALL_TIME).items
        assert (day.open, day.close, day.volume) == (500_000, 510_000, 120_000)
        trades = store.trades("ACME", *ALL_TIME).items
        assert [(t.price, t.quantity) for t in trades] == [(500_100, 100)]
        # 09:30:02 New York on 2025-03-03 is 14:30:02 UTC.
        assert trades[0].ts_ns == 1_741_012_202_000_000_000
    finally:
        store.close()

    bad = tmp_path / "bad.csv"
    bad.write_text("symbol,timeframe\nZETA,1d\n", encoding="utf-8")
    refused = cli("import", "bars-csv", str(bad), "--sqlite", str(db))
    assert refused.returncode == 1 and "missing columns" in refused.stderr
