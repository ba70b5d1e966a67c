"""Group commits across cores: the platform's journal stores side by side.

Run: ``python benchmarks/journal_stores_bench.py [--dsn DSN] [--commits N] [--batch N]``.

Each commit appends ``batch`` entries to each of three venue cores and to the broker, then
commits them as the platform does (the venues together, then the broker): the SQLite store
makes one fsync per file, the PostgreSQL store one transaction (one WAL flush) for all four.
Prints commits per second and entries per second for each; the numbers move with the machine's
load (printed before and after). ``--dsn`` names a database to use (its ``journal_*`` schemas
are dropped first); without it only SQLite runs.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from directbroker.app.journals import JournalStore, SqliteJournals
from directbroker.runtime import GENESIS_HASH, JournalEntry, make_entry

VENUES = ("arca", "nsdq", "bats")
CORES = (*VENUES, "broker")
ORDER: list[str | tuple[str, ...]] = [VENUES, "broker"]


def run(store: JournalStore, commits: int, batch: int) -> float:
    """Seconds for ``commits`` group commits of ``batch`` entries per core."""
    journals = {core: store(core)[0] for core in CORES}
    chain = dict.fromkeys(CORES, (0, GENESIS_HASH))
    store.defer(True)
    started = time.perf_counter()
    for _ in range(commits):
        for core, journal in journals.items():
            seq, prev = chain[core]
            entries: list[JournalEntry] = []
            for _ in range(batch):
                seq += 1
                entry = make_entry(prev, seq, seq, None, b"\x92\xa3Cmd\x01", b"\x90")
                prev = entry.hash
                entries.append(entry)
            journal.append(entries)
            chain[core] = (seq, prev)
        store.commit(ORDER)
    return time.perf_counter() - started


def _report(name: str, seconds: float, commits: int, batch: int) -> None:
    entries = commits * batch * len(CORES)
    print(f"{name:<10} {commits / seconds:>8,.0f} commits/s  {entries / seconds:>10,.0f} entries/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=None, help="a PostgreSQL database to use")
    parser.add_argument("--commits", type=int, default=500)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}; {args.batch} entries per core")
    with tempfile.TemporaryDirectory() as directory:
        lite = SqliteJournals(Path(directory))
        try:
            _report("sqlite", run(lite, args.commits, args.batch), args.commits, args.batch)
        finally:
            lite.close()
    if args.dsn is not None:
        import psycopg

        from directbroker.adapters.storage.postgres_cores import PostgresCores, core_schema

        with psycopg.connect(args.dsn, autocommit=True) as conn:
            for core in CORES:
                conn.execute(f'DROP SCHEMA IF EXISTS "{core_schema(core)}" CASCADE'.encode())
        pg = PostgresCores(args.dsn)
        try:
            _report("postgres", run(pg, args.commits, args.batch), args.commits, args.batch)
        finally:
            pg.close()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
