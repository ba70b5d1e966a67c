"""Journal benchmarks: durable group-commit append throughput and replay speed and memory.

Run: ``python benchmarks/journal_bench.py [--quick] [--no-postgres] [--dsn DSN]``.

Append: entries per second for hash-chaining + one durable commit per batch (SQLite WAL with
``synchronous=FULL``; PostgreSQL with ``synchronous_commit=on``) at batch sizes 1, 10, 100,
1000. Commands and events are pre-encoded cash-engine messages (~60 bytes each), so the number
measures the journal, not the engine.

Replay: start-up from a journal of 1,000,000 entries with no snapshot (verify chain, decode,
apply to the cash engine) in a fresh process, with that process's peak RSS; a 250,000-entry run
beside it shows memory does not grow with the journal's length.

The numbers move with the machine's load (fsync latency above all), so the load average is
printed before and after; ``--repeat N`` measures each append rate N times and prints the
median and the range. ``--profile-replay`` prints where the replay time goes (cProfile, the
largest self times), once per replay run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from directbroker.adapters.storage.postgres import PostgresStorage
from directbroker.adapters.storage.sqlite import SqliteStorage
from directbroker.protocols import codec
from directbroker.runtime import GENESIS_HASH, Journal, JournalEntry, make_entry, recover
from directbroker.testing.cash import CashEngine
from directbroker.testing.workload import cash_command

DEFAULT_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
BATCH_SIZES = (1, 10, 100, 1000)


def _payloads(count: int) -> list[tuple[bytes, bytes]]:
    engine = CashEngine()
    out = []
    for i in range(count):
        command = cash_command(i)
        out.append((codec.encode(command), codec.encode_many(engine.handle(command, i))))
    return out


def _append_rate(
    journal: Journal, batch: int, budget_s: float, payloads: list[tuple[bytes, bytes]]
) -> float:
    """Entries per second, hashing included, until the budget or the payloads run out."""
    tail = journal.tail()
    seq, prev = (0, GENESIS_HASH) if tail is None else (tail.seq, tail.hash)
    done = 0
    started = time.perf_counter()
    deadline = started + budget_s
    index = 0
    while time.perf_counter() < deadline and index + batch <= len(payloads):
        entries: list[JournalEntry] = []
        for command, events in payloads[index : index + batch]:
            seq += 1
            entry = make_entry(prev, seq, seq, f"b{seq}", command, events)
            prev = entry.hash
            entries.append(entry)
        journal.append(entries)
        index += batch
        done += batch
    return done / (time.perf_counter() - started)


def _pg_database(dsn: str, name: str) -> str:
    import psycopg
    from psycopg.conninfo import make_conninfo

    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())
        admin.execute(f'CREATE DATABASE "{name}"'.encode())
    return make_conninfo(dsn, dbname=name)


def _drop_pg(dsn: str, name: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


def bench_append(
    workdir: Path, dsn: str | None, quick: bool, repeat: int = 1
) -> dict[str, dict[int, list[float]]]:
    """Rates per backend and batch size, ``repeat`` runs each (on one journal that grows)."""
    budget = 1.0 if quick else 3.0
    payloads = _payloads(200_000 if quick else 1_000_000)
    results: dict[str, dict[int, list[float]]] = {}
    with SqliteStorage(workdir / "append.db") as lite:
        results["sqlite"] = {
            b: [_append_rate(lite.journal, b, budget, payloads) for _ in range(repeat)]
            for b in BATCH_SIZES
        }
    if dsn is not None:
        pg_dsn = _pg_database(dsn, "dbx_bench_append")
        try:
            with PostgresStorage(pg_dsn) as pg:
                results["postgres"] = {
                    b: [_append_rate(pg.journal, b, budget, payloads) for _ in range(repeat)]
                    for b in BATCH_SIZES
                }
        finally:
            _drop_pg(dsn, "dbx_bench_append")
    return results


def _rate_cell(rates: list[float]) -> str:
    median = f"{statistics.median(rates):>9,.0f}"
    if len(rates) == 1:
        return median
    return f"{median} ({min(rates):,.0f}-{max(rates):,.0f})"


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _build_journal(journal: Journal, count: int) -> None:
    engine = CashEngine()
    prev, batch = GENESIS_HASH, []
    for seq in range(1, count + 1):
        command = cash_command(seq)
        events = codec.encode_many(engine.handle(command, seq))
        entry = make_entry(prev, seq, seq, f"c{seq}", codec.encode(command), events)
        prev = entry.hash
        batch.append(entry)
        if len(batch) == 10_000:
            journal.append(batch)
            batch = []
    if batch:
        journal.append(batch)


def _peak_rss_kb() -> int:
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a child would report the
    # benchmark parent's peak; the high-water mark belongs to this process's own memory map.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def replay_child(backend: str, location: str, profile: bool = False) -> None:
    """In a fresh process: recover from the journal, print seconds, entries and peak RSS.

    ``profile`` runs the recovery a second time under cProfile and writes the functions with
    the largest self time to stderr (the timed run is never the profiled one).
    """
    storage = SqliteStorage(location) if backend == "sqlite" else PostgresStorage(location)
    with storage:
        before = _peak_rss_kb()
        started = time.perf_counter()
        _, recovered = recover(CashEngine, storage.journal, None)
        seconds = time.perf_counter() - started
        peak = _peak_rss_kb()
        if profile:
            profiler = cProfile.Profile()
            profiler.runcall(recover, CashEngine, storage.journal, None)
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(14)
            print(out.getvalue(), file=sys.stderr)
    print(json.dumps({"seconds": seconds, "entries": recovered.replayed,
                      "rss_before_mb": before / 1024, "rss_peak_mb": peak / 1024}))  # fmt: skip


def _replay_in_child(backend: str, location: str, profile: bool = False) -> dict[str, float]:
    extra = ["--profile-replay"] if profile else []
    out = subprocess.run(
        [sys.executable, __file__, "--replay-child", backend, location, *extra],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    if profile:
        print(f"  profile of the {backend} replay of {location}:\n{out.stderr.strip()}\n")
    result: dict[str, float] = json.loads(out.stdout)
    return result


def bench_replay(
    workdir: Path, dsn: str | None, quick: bool, profile: bool = False
) -> dict[str, dict[int, dict[str, float]]]:
    sizes = (50_000, 200_000) if quick else (250_000, 1_000_000)
    results: dict[str, dict[int, dict[str, float]]] = {"sqlite": {}}
    for size in sizes:
        path = workdir / f"replay-{size}.db"
        with SqliteStorage(path) as lite:
            _build_journal(lite.journal, size)
        results["sqlite"][size] = _replay_in_child("sqlite", str(path), profile)
    if dsn is not None:
        results["postgres"] = {}
        for size in sizes:
            name = f"dbx_bench_replay_{size}"
            pg_dsn = _pg_database(dsn, name)
            try:
                with PostgresStorage(pg_dsn) as pg:
                    _build_journal(pg.journal, size)
                results["postgres"][size] = _replay_in_child("postgres", pg_dsn, profile)
            finally:
                _drop_pg(dsn, name)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smaller journals, shorter runs")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--dsn", default=os.environ.get("DIRECTBROKER_PG_DSN", DEFAULT_DSN))
    parser.add_argument("--repeat", type=int, default=1, help="runs per append measurement")
    parser.add_argument("--profile-replay", action="store_true", help="cProfile each replay")
    parser.add_argument("--replay-child", nargs=2, metavar=("BACKEND", "LOCATION"))
    args = parser.parse_args(argv)
    if args.replay_child:
        backend, location = args.replay_child
        replay_child(backend, location, profile=args.profile_replay)
        return 0
    dsn = None if args.no_postgres else args.dsn
    print(_load())
    with tempfile.TemporaryDirectory(prefix="dbx-bench-") as tmp:
        workdir = Path(tmp)
        print("append throughput (entries/s, hash chain + durable commit per batch)")
        for backend, rates in bench_append(workdir, dsn, args.quick, args.repeat).items():
            cells = "  ".join(f"batch {b:>4}: {_rate_cell(r)}" for b, r in rates.items())
            print(f"  {backend:<9} {cells}")
        print("replay from an empty state, no snapshot (fresh process)")
        replays = bench_replay(workdir, dsn, args.quick, args.profile_replay)
        for backend, runs in replays.items():
            for size, run in runs.items():
                print(
                    f"  {backend:<9} {size:>9,} entries: {run['seconds']:6.2f} s "
                    f"({size / run['seconds']:>9,.0f} entries/s), peak RSS "
                    f"{run['rss_peak_mb']:.0f} MB (after start-up {run['rss_before_mb']:.0f} MB)"
                )
    print(_load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
