"""The history database schema and its migrations, for SQLite and PostgreSQL.

``schema_version`` holds one row: the number of the last migration applied. Migrations are
append-only (never edit a released one) and each runs in its own transaction with the version
bump, so a crash mid-migration leaves the previous version intact. On PostgreSQL an advisory
lock keeps two processes from migrating at once.

Column choices: prices and sizes are BIGINT price units / shares; notional (price x quantity,
summed) can outgrow 64 bits, so it is NUMERIC on PostgreSQL and decimal TEXT on SQLite.
``rec_seq`` is the store's own recording order across trades and quotes: the tie-breaker for
paging and replay when timestamps are equal.
"""

from __future__ import annotations

from typing import Any

SQLITE = "sqlite"
POSTGRES = "postgres"

_RECORDED_SOURCES = """CREATE TABLE recorded_sources (
    source TEXT PRIMARY KEY, seq BIGINT NOT NULL)"""
"""How far into each source journal (the market data core's) the store has recorded, updated in
the same transaction as the rows, so recording can resume exactly after a crash."""

_MIGRATIONS: dict[str, list[list[str]]] = {
    SQLITE: [
        [
            """CREATE TABLE trades (
                rec_seq INTEGER PRIMARY KEY, symbol TEXT NOT NULL, venue TEXT NOT NULL,
                trade_id INTEGER NOT NULL, price INTEGER NOT NULL, quantity INTEGER NOT NULL,
                aggressor TEXT, condition TEXT NOT NULL, ts_ns INTEGER NOT NULL,
                tape_seq INTEGER NOT NULL)""",
            "CREATE INDEX trades_by_symbol_time ON trades (symbol, ts_ns, rec_seq)",
            "CREATE INDEX trades_by_time ON trades (ts_ns, rec_seq)",
            """CREATE TABLE quotes (
                rec_seq INTEGER PRIMARY KEY, symbol TEXT NOT NULL,
                bid_price INTEGER, bid_size INTEGER NOT NULL, bid_venue TEXT NOT NULL,
                ask_price INTEGER, ask_size INTEGER NOT NULL, ask_venue TEXT NOT NULL,
                ts_ns INTEGER NOT NULL)""",
            "CREATE INDEX quotes_by_symbol_time ON quotes (symbol, ts_ns, rec_seq)",
            "CREATE INDEX quotes_by_time ON quotes (ts_ns, rec_seq)",
            """CREATE TABLE bars (
                symbol TEXT NOT NULL, timeframe TEXT NOT NULL, start_ns INTEGER NOT NULL,
                open INTEGER NOT NULL, high INTEGER NOT NULL, low INTEGER NOT NULL,
                close INTEGER NOT NULL, volume INTEGER NOT NULL, notional TEXT NOT NULL,
                trade_count INTEGER NOT NULL, trading_date TEXT NOT NULL,
                PRIMARY KEY (symbol, timeframe, start_ns))""",
        ],
        [_RECORDED_SOURCES],
    ],
    POSTGRES: [
        [
            """CREATE TABLE trades (
                rec_seq BIGINT PRIMARY KEY, symbol TEXT NOT NULL, venue TEXT NOT NULL,
                trade_id BIGINT NOT NULL, price BIGINT NOT NULL, quantity BIGINT NOT NULL,
                aggressor TEXT, condition TEXT NOT NULL, ts_ns BIGINT NOT NULL,
                tape_seq BIGINT NOT NULL)""",
            "CREATE INDEX trades_by_symbol_time ON trades (symbol, ts_ns, rec_seq)",
            "CREATE INDEX trades_by_time ON trades (ts_ns, rec_seq)",
            """CREATE TABLE quotes (
                rec_seq BIGINT PRIMARY KEY, symbol TEXT NOT NULL,
                bid_price BIGINT, bid_size BIGINT NOT NULL, bid_venue TEXT NOT NULL,
                ask_price BIGINT, ask_size BIGINT NOT NULL, ask_venue TEXT NOT NULL,
                ts_ns BIGINT NOT NULL)""",
            "CREATE INDEX quotes_by_symbol_time ON quotes (symbol, ts_ns, rec_seq)",
            "CREATE INDEX quotes_by_time ON quotes (ts_ns, rec_seq)",
            """CREATE TABLE bars (
                symbol TEXT NOT NULL, timeframe TEXT NOT NULL, start_ns BIGINT NOT NULL,
                open BIGINT NOT NULL, high BIGINT NOT NULL, low BIGINT NOT NULL,
                close BIGINT NOT NULL, volume BIGINT NOT NULL, notional NUMERIC NOT NULL,
                trade_count BIGINT NOT NULL, trading_date TEXT NOT NULL,
                PRIMARY KEY (symbol, timeframe, start_ns))""",
        ],
        [_RECORDED_SOURCES],
    ],
}

LATEST = len(_MIGRATIONS[SQLITE])
assert len(_MIGRATIONS[POSTGRES]) == LATEST, "both dialects must have the same migrations"

_ADVISORY_KEY = 0x4442_4849_5354  # "DBHIST": the history schema's migration lock


def schema_version(conn: Any) -> int:
    """The migration level of the database (0 for an empty one)."""
    cur = conn.cursor()
    try:
        cur.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        cur.execute("SELECT version FROM schema_version")
        row = cur.fetchone()
    finally:
        cur.close()
    return 0 if row is None else int(row[0])


def migrate(conn: Any, dialect: str) -> int:
    """Bring the schema up to date; returns the version now in force."""
    if dialect == POSTGRES:
        conn.execute("SELECT pg_advisory_lock(%s)", (_ADVISORY_KEY,))
    try:
        version = schema_version(conn)
        conn.commit()
        if version > LATEST:
            raise RuntimeError(f"history schema {version} is newer than this code ({LATEST})")
        for number in range(version + 1, LATEST + 1):
            cur = conn.cursor()
            try:
                if dialect == SQLITE:
                    cur.execute("BEGIN")  # the connection is in autocommit mode: DDL included
                for statement in _MIGRATIONS[dialect][number - 1]:
                    cur.execute(statement)
                cur.execute("DELETE FROM schema_version")
                marker = "%s" if dialect == POSTGRES else "?"
                cur.execute(f"INSERT INTO schema_version (version) VALUES ({marker})", (number,))
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            finally:
                cur.close()
        return LATEST
    finally:
        if dialect == POSTGRES:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_ADVISORY_KEY,))
            conn.commit()
