"""``directbroker history``: export stored trades, quotes and bars to CSV or Parquet, and import
external history (CSV bars, NASDAQ TotalView-ITCH 5.0 files) into a history database."""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from directbroker.adapters.history import (
    HistoryImportError,
    Page,
    SqlHistoryStore,
    export_csv,
    export_parquet,
    import_bars_csv,
    import_itch,
    open_postgres,
    open_sqlite,
)
from directbroker.domain.marketdata_messages import Bar, QuoteUpdated, Timeframe, TradePrinted
from directbroker.protocols.itch import ItchFormatError

NEW_YORK = ZoneInfo("America/New_York")
PAGE = 10_000


def _open(args: argparse.Namespace) -> SqlHistoryStore:
    if args.postgres:
        return open_postgres(args.postgres)
    return open_sqlite(args.sqlite)


def _ns(text: str | None, default: int) -> int:
    if text is None:
        return default
    if text.isdigit():
        return int(text)
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return int(moment.timestamp() * 1_000_000_000)


Row = TypeVar("Row", TradePrinted, QuoteUpdated, Bar)


def _paged(fetch: Callable[[str | None], Page[Row]]) -> Iterator[Row]:
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        yield from page.items
        cursor = page.next_cursor
        if cursor is None:
            return


def _write(rows: Iterator[Row], row_type: type[Row], out: Path, fmt: str) -> int:
    if fmt == "parquet":
        return export_parquet(rows, out, row_type)
    return export_csv(rows, out, row_type)


def run_export(args: argparse.Namespace) -> int:
    """Stream one symbol's stored rows of one kind into a CSV or Parquet file."""
    store = _open(args)
    start, end, symbol, out = _ns(args.start, 0), _ns(args.end, 2**62), args.symbol, Path(args.out)
    try:
        if args.kind == "trades":
            trades = _paged(lambda c: store.trades(symbol, start, end, PAGE, c))
            count = _write(trades, TradePrinted, out, args.format)
        elif args.kind == "quotes":
            quotes = _paged(lambda c: store.quotes(symbol, start, end, PAGE, c))
            count = _write(quotes, QuoteUpdated, out, args.format)
        else:
            frame = Timeframe(args.timeframe)
            bars = _paged(lambda c: store.bars(symbol, frame, start, end, PAGE, c))
            count = _write(bars, Bar, out, args.format)
    finally:
        store.close()
    print(f"exported {count} {args.kind} of {symbol} to {out}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Import CSV bars or an ITCH 5.0 file; nothing of a refused CSV is stored."""
    store = _open(args)
    try:
        path = Path(args.file)
        if args.kind == "bars-csv":
            with path.open(encoding="utf-8", newline="") as handle:
                count = import_bars_csv(store, handle)
            print(f"imported {count} bars from {path}")
            return 0
        date = datetime.date.fromisoformat(args.date)
        midnight = datetime.datetime.combine(date, datetime.time(), NEW_YORK)
        with path.open("rb") as handle:
            chunks = iter(lambda: handle.read(1 << 20), b"")
            summary = import_itch(
                store,
                chunks,
                venue=args.venue,
                trading_date=date.isoformat(),
                midnight_ns=int(midnight.timestamp()) * 1_000_000_000,
            )
        print(
            f"imported {path}: {summary.messages} messages, {summary.trades} trades, "
            f"{summary.quotes} quotes, {summary.bars} bars"
        )
        return 0
    except (HistoryImportError, ItchFormatError, ValueError) as exc:
        print(f"import refused: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``directbroker history export`` and ``directbroker history import``."""
    history = subparsers.add_parser("history", help="export or import historical market data")
    commands = history.add_subparsers(dest="history_command", required=True)

    def database(parser: argparse.ArgumentParser) -> None:
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--sqlite", metavar="PATH", help="a history database file")
        where.add_argument("--postgres", metavar="DSN", help="a PostgreSQL connection string")

    export = commands.add_parser("export", help="write stored rows to CSV or Parquet")
    database(export)
    export.add_argument("kind", choices=("bars", "quotes", "trades"))
    export.add_argument("symbol")
    export.add_argument("--timeframe", default="1m", choices=[t.value for t in Timeframe])
    export.add_argument("--start", help="ISO 8601 time or epoch nanoseconds (default: all)")
    export.add_argument("--end", help="ISO 8601 time or epoch nanoseconds (default: all)")
    export.add_argument("--format", choices=("csv", "parquet"), default="csv")
    export.add_argument("--out", required=True, help="the file to write")
    export.set_defaults(handler=run_export)

    imported = commands.add_parser("import", help="store external history")
    database(imported)
    imported.add_argument("kind", choices=("bars-csv", "itch"))
    imported.add_argument("file")
    imported.add_argument("--venue", default="NSDQ", help="ITCH: the venue the file is from")
    imported.add_argument("--date", help="ITCH: the file's trading date (YYYY-MM-DD)")
    imported.set_defaults(handler=run_import)
