"""The historical market data store: trades, quotes and bars as they happen, queried by symbol
and time range with keyset paging, recomputed and replayed.

One SQL implementation serves SQLite (the default; ``":memory:"`` is the in-memory store for
tests) and PostgreSQL (production, psycopg 3): the dialects differ only in placeholders, the
notional column type and how a transaction starts. The store is single-writer, as every
recorder of a journaled stream is: it numbers what it records (``rec_seq``) itself.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from directbroker.adapters.history.schema import POSTGRES, SQLITE, migrate
from directbroker.domain.marketdata_messages import (
    Bar,
    BarClosed,
    QuoteUpdated,
    Timeframe,
    TradePrinted,
)
from directbroker.domain.messages import Event
from directbroker.domain.orders import BookSide

T = TypeVar("T")
Tick = TradePrinted | QuoteUpdated


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a query; pass ``next_cursor`` back to get the next (None: no more)."""

    items: list[T]
    next_cursor: str | None


class HistoryStore(Protocol):
    """The port the rest of the platform sees."""

    def record(self, events: Iterable[Event], position: tuple[str, int] | None = None) -> int:
        """Store the trades, quotes and closed bars among ``events`` (one transaction), and
        how far into their source journal they reach."""
        ...

    def recorded_seq(self, source: str) -> int | None:
        """The last entry of ``source`` recorded (None: never recorded from it)."""
        ...

    def add_bars(self, bars: Iterable[Bar]) -> int:
        """Store bars from elsewhere (imports); a bar with the same key is replaced."""
        ...

    def trades(
        self, symbol: str, start_ns: int, end_ns: int, limit: int = 1000, cursor: str | None = None
    ) -> Page[TradePrinted]:
        """Prints in [start_ns, end_ns), in time then recording order."""
        ...

    def quotes(
        self, symbol: str, start_ns: int, end_ns: int, limit: int = 1000, cursor: str | None = None
    ) -> Page[QuoteUpdated]:
        """NBBO changes in [start_ns, end_ns), in time then recording order."""
        ...

    def bars(
        self,
        symbol: str,
        timeframe: Timeframe,
        start_ns: int,
        end_ns: int,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> Page[Bar]:
        """Bars starting in [start_ns, end_ns), oldest first."""
        ...

    def bars_from_trades(
        self, symbol: str, timeframe: Timeframe, start_ns: int, end_ns: int
    ) -> list[Bar]:
        """Intraday bars recomputed in SQL from the stored prints (a check on stored bars)."""
        ...

    def replay(
        self, start_ns: int, end_ns: int, symbols: Iterable[str] | None = None, batch: int = 1000
    ) -> Iterator[Tick]:
        """Trades and quotes of a time range merged back into one stream, in recorded order."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


def _int64(text: str) -> int:
    """An integer SQL can bind: larger ones would raise OverflowError deep in the driver."""
    value = int(text)
    if not -(2**63) <= value < 2**63:
        raise ValueError(f"{text!r} is out of range")
    return value


def _clamped(start: int, end: int) -> tuple[int, int]:
    """A time window SQL can bind (int64 nanoseconds; nothing is stored outside it)."""
    return max(start, -(2**63)), min(end, 2**63 - 1)


def _cursor(text: str | None) -> tuple[int, int]:
    if text is None:
        return (-(2**63), -1)
    try:
        ts, seq = text.split(":")
        return _int64(ts), _int64(seq)
    except ValueError:
        raise ValueError(f"not a history cursor: {text!r}") from None


def _bar_cursor(text: str | None) -> int:
    if text is None:
        return -(2**63)
    try:
        return _int64(text)
    except ValueError:
        raise ValueError(f"not a bar cursor: {text!r}") from None


def _aggressor(value: str | None) -> BookSide | None:
    return None if value is None else BookSide(value)


def _trade(row: Any) -> TradePrinted:
    tape_seq, symbol, venue, trade_id, price, qty, aggressor, condition, ts = row
    return TradePrinted(
        tape_seq, symbol, venue, trade_id, price, qty, _aggressor(aggressor), condition, ts
    )


def _bar(row: Any, timeframe: Timeframe, symbol: str) -> Bar:
    start, open_, high, low, close, volume, notional, count, date = row
    return Bar(symbol, timeframe, start, open_, high, low, close, volume, int(notional),
               int(count), date)  # fmt: skip


_TRADE_COLUMNS = "tape_seq, symbol, venue, trade_id, price, quantity, aggressor, condition, ts_ns"
_QUOTE_COLUMNS = "symbol, bid_price, bid_size, bid_venue, ask_price, ask_size, ask_venue, ts_ns"
_BAR_COLUMNS = "start_ns, open, high, low, close, volume, notional, trade_count, trading_date"


class SqlHistoryStore:
    """:class:`HistoryStore` over a DB-API connection of either dialect."""

    def __init__(self, conn: Any, dialect: str) -> None:
        self._conn = conn
        self._dialect = dialect
        # One connection serves the recording thread and the threads answering queries.
        self._lock = threading.RLock()
        migrate(conn, dialect)
        row = self._one(
            "SELECT COALESCE(MAX(m), 0) FROM (SELECT MAX(rec_seq) AS m FROM trades "
            "UNION ALL SELECT MAX(rec_seq) FROM quotes) AS both_tables"
        )
        self._next_seq = int(row[0]) + 1

    # --- plumbing -------------------------------------------------------------------------

    def _sql(self, text: str) -> str:
        if self._dialect == POSTGRES:
            return text.replace("%", "%%").replace("?", "%s")
        return text

    def _rows(self, text: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            cur = self._conn.cursor()
            try:
                cur.execute(self._sql(text), params)
                rows: list[Any] = cur.fetchall()
            finally:
                cur.close()
            if self._dialect == POSTGRES:
                self._conn.commit()  # end the read transaction: no idle-in-transaction sessions
            return rows

    def _one(self, text: str, params: tuple[Any, ...] = ()) -> Any:
        return self._rows(text, params)[0]

    def _notional(self, value: int) -> int | str:
        return str(value) if self._dialect == SQLITE else value

    def _write(self, statements: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
        with self._lock:
            cur = self._conn.cursor()
            try:
                if self._dialect == SQLITE:
                    cur.execute("BEGIN")
                for text, rows in statements:
                    if rows:
                        cur.executemany(self._sql(text), rows)
                self._conn.commit()
            except BaseException:
                self._conn.rollback()
                raise
            finally:
                cur.close()

    def _bar_upsert(self) -> str:
        return (
            "INSERT INTO bars (symbol, timeframe, " + _BAR_COLUMNS + ") "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (symbol, timeframe, start_ns) DO UPDATE SET open = excluded.open, "
            "high = excluded.high, low = excluded.low, close = excluded.close, "
            "volume = excluded.volume, notional = excluded.notional, "
            "trade_count = excluded.trade_count, trading_date = excluded.trading_date"
        )

    def _bar_row(self, b: Bar | BarClosed) -> tuple[Any, ...]:
        return (b.symbol, b.timeframe.value, b.start_ns, b.open, b.high, b.low, b.close,
                b.volume, self._notional(b.notional), b.trade_count, b.trading_date)  # fmt: skip

    # --- writing --------------------------------------------------------------------------

    def record(self, events: Iterable[Event], position: tuple[str, int] | None = None) -> int:
        """Store the trades, quotes and closed bars among ``events`` in one transaction.

        ``position`` is (source journal, entry seq) of the last entry these events came from;
        it is stored in the same transaction, so :meth:`recorded_seq` says exactly where to
        resume after a crash.
        """
        trades, quotes, bars = [], [], []
        seq = self._next_seq
        for e in events:
            if isinstance(e, TradePrinted):
                aggressor = None if e.aggressor is None else e.aggressor.value
                trades.append((seq, e.tape_seq, e.symbol, e.venue, e.trade_id, e.price,
                               e.quantity, aggressor, e.condition, e.ts_ns))  # fmt: skip
                seq += 1
            elif isinstance(e, QuoteUpdated):
                quotes.append((seq, e.symbol, e.bid_price, e.bid_size, e.bid_venue,
                               e.ask_price, e.ask_size, e.ask_venue, e.ts_ns))  # fmt: skip
                seq += 1
            elif isinstance(e, BarClosed):
                bars.append(self._bar_row(e))
        self._write([
            ("INSERT INTO trades (rec_seq, " + _TRADE_COLUMNS + ") "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", trades),
            ("INSERT INTO quotes (rec_seq, " + _QUOTE_COLUMNS + ") "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", quotes),
            (self._bar_upsert(), bars),
            (
                "INSERT INTO recorded_sources (source, seq) VALUES (?, ?) "
                "ON CONFLICT (source) DO UPDATE SET seq = excluded.seq",
                [] if position is None else [position],
            ),
        ])  # fmt: skip
        self._next_seq = seq
        return len(trades) + len(quotes) + len(bars)

    def recorded_seq(self, source: str) -> int | None:
        """The last entry of ``source`` recorded (None: this store never recorded from it)."""
        rows = self._rows("SELECT seq FROM recorded_sources WHERE source = ?", (source,))
        return int(rows[0][0]) if rows else None

    def is_empty(self) -> bool:
        """Whether no trade or quote was ever recorded."""
        row = self._one("SELECT (SELECT COUNT(*) FROM trades) + (SELECT COUNT(*) FROM quotes)")
        return int(row[0]) == 0

    def add_bars(self, bars: Iterable[Bar]) -> int:
        """Store imported bars; a bar with the same (symbol, timeframe, start) is replaced."""
        rows = [self._bar_row(b) for b in bars]
        self._write([(self._bar_upsert(), rows)])
        return len(rows)

    # --- reading --------------------------------------------------------------------------

    def _range(
        self, table: str, columns: str, symbol: str, start: int, end: int, limit: int,
        cursor: str | None,
    ) -> tuple[list[Any], str | None]:  # fmt: skip
        if limit <= 0:
            raise ValueError("limit must be positive")
        after_ts, after_seq = _cursor(cursor)
        start, end = _clamped(start, end)
        rows = self._rows(
            f"SELECT {columns}, rec_seq FROM {table} WHERE symbol = ? AND ts_ns >= ? "
            "AND ts_ns < ? AND (ts_ns > ? OR (ts_ns = ? AND rec_seq > ?)) "
            "ORDER BY ts_ns, rec_seq LIMIT ?",
            (symbol, start, end, after_ts, after_ts, after_seq, limit + 1),
        )
        more = len(rows) > limit
        rows = rows[:limit]
        following = f"{rows[-1][-2]}:{rows[-1][-1]}" if more else None
        return [row[:-1] for row in rows], following

    def trades(
        self, symbol: str, start_ns: int, end_ns: int, limit: int = 1000, cursor: str | None = None
    ) -> Page[TradePrinted]:
        """Prints in [start_ns, end_ns), in time then recording order."""
        rows, following = self._range(
            "trades", _TRADE_COLUMNS, symbol, start_ns, end_ns, limit, cursor
        )
        return Page([_trade(r) for r in rows], following)

    def quotes(
        self, symbol: str, start_ns: int, end_ns: int, limit: int = 1000, cursor: str | None = None
    ) -> Page[QuoteUpdated]:
        """NBBO changes in [start_ns, end_ns), in time then recording order."""
        rows, following = self._range(
            "quotes", _QUOTE_COLUMNS, symbol, start_ns, end_ns, limit, cursor
        )
        return Page([QuoteUpdated(*r) for r in rows], following)

    def bars(
        self,
        symbol: str,
        timeframe: Timeframe,
        start_ns: int,
        end_ns: int,
        limit: int = 1000,
        cursor: str | None = None,
    ) -> Page[Bar]:
        """Bars starting in [start_ns, end_ns), oldest first; the cursor is a start time."""
        if limit <= 0:
            raise ValueError("limit must be positive")
        after = _bar_cursor(cursor)
        start_ns, end_ns = _clamped(start_ns, end_ns)
        rows = self._rows(
            f"SELECT {_BAR_COLUMNS} FROM bars WHERE symbol = ? AND timeframe = ? "
            "AND start_ns >= ? AND start_ns < ? AND start_ns > ? ORDER BY start_ns LIMIT ?",
            (symbol, timeframe.value, start_ns, end_ns, after, limit + 1),
        )
        more = len(rows) > limit
        bars = [_bar(r, timeframe, symbol) for r in rows[:limit]]
        return Page(bars, str(bars[-1].start_ns) if more else None)

    def bars_from_trades(
        self, symbol: str, timeframe: Timeframe, start_ns: int, end_ns: int
    ) -> list[Bar]:
        """Intraday bars recomputed in SQL from the stored prints: first and last by
        recording order give open and close."""
        if timeframe is Timeframe.DAY:
            raise ValueError("day bars follow the trading calendar; recompute intraday only")
        width = timeframe.nanoseconds
        rows = self._rows(
            "SELECT g.bucket, f.price, g.high, g.low, l.price, g.volume, g.notional, g.n, '' "
            "FROM (SELECT bucket, MAX(price) AS high, MIN(price) AS low, "
            "SUM(quantity) AS volume, SUM(CAST(price AS NUMERIC) * quantity) AS notional, "
            "COUNT(*) AS n, MIN(rec_seq) AS first_seq, MAX(rec_seq) AS last_seq "
            "FROM (SELECT ts_ns - (ts_ns % ?) AS bucket, price, quantity, rec_seq FROM trades "
            "WHERE symbol = ? AND ts_ns >= ? AND ts_ns < ?) AS t GROUP BY bucket) AS g "
            "JOIN trades f ON f.rec_seq = g.first_seq JOIN trades l ON l.rec_seq = g.last_seq "
            "ORDER BY g.bucket",
            (width, symbol, start_ns, end_ns),
        )
        return [_bar(r, timeframe, symbol) for r in rows]

    def replay(
        self, start_ns: int, end_ns: int, symbols: Iterable[str] | None = None, batch: int = 1000
    ) -> Iterator[Tick]:
        """Trades and quotes of a time range as one stream, in (time, recording) order, read
        in batches so a whole day never sits in memory."""
        wanted = None if symbols is None else set(symbols)
        after_ts, after_seq = _cursor(None)
        # Both halves line up column by column with matching types (PostgreSQL insists).
        trade_cols = (
            "rec_seq, 'T', symbol, venue, aggressor, condition, tape_seq, trade_id, price, "
            "quantity, ts_ns"
        )
        quote_cols = (
            "rec_seq, 'Q', symbol, bid_venue, ask_venue, NULL, bid_price, bid_size, ask_price, "
            "ask_size, ts_ns"
        )
        window = "ts_ns >= ? AND ts_ns < ? AND (ts_ns > ? OR (ts_ns = ? AND rec_seq > ?))"
        while True:
            params = (start_ns, end_ns, after_ts, after_ts, after_seq)
            rows = self._rows(
                f"SELECT * FROM (SELECT {trade_cols} FROM trades WHERE {window} "
                f"UNION ALL SELECT {quote_cols} FROM quotes WHERE {window}) AS ticks "
                "ORDER BY 11, 1 LIMIT ?",
                (*params, *params, batch),
            )
            for row in rows:
                tick = _tick(row)
                if wanted is None or tick.symbol in wanted:
                    yield tick
            if len(rows) < batch:
                return
            after_ts, after_seq = rows[-1][10], rows[-1][0]

    def close(self) -> None:
        """Release the connection."""
        self._conn.close()


def _tick(row: Any) -> Tick:
    _, kind, symbol, venue_a, text_b, text_c, int_a, int_b, int_c, int_d, ts = row
    if kind == "T":
        return TradePrinted(int_a, symbol, venue_a, int_b, int_c, int_d, _aggressor(text_b),
                            text_c, ts)  # fmt: skip
    return QuoteUpdated(symbol, int_a, int_b, venue_a, int_c, int_d, text_b, ts)


def open_sqlite(path: str = ":memory:") -> SqlHistoryStore:
    """A SQLite history store (``":memory:"`` for a throwaway one)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        return SqlHistoryStore(conn, SQLITE)
    except BaseException:
        conn.close()
        raise


def open_postgres(dsn: str) -> SqlHistoryStore:
    """A PostgreSQL history store (psycopg 3)."""
    import psycopg

    conn = psycopg.connect(dsn)
    try:
        return SqlHistoryStore(conn, POSTGRES)
    except BaseException:
        conn.close()
        raise
