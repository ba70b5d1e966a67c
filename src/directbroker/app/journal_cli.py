"""``directbroker journal verify``: walk a journal end to end and name the first bad entry.

One journal (``--sqlite``, ``--postgres``) or every core's journal of a data directory
(``--data-dir``: ``journals/*.journal.db``, or every ``journal_<core>`` schema of the database
``journals/postgres.dsn`` names; one line per core).

Exit status: 0 every chain is intact; 1 an entry is corrupt (the message names it); 2 a journal
could not be opened (or the directory holds none). Verification opens storage read-only: it
never creates or migrates.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from directbroker.app.cli_main import run_standalone
from directbroker.app.journal_location import locate
from directbroker.runtime import VerifyReport, verify_journal

EXIT_OK = 0
EXIT_CORRUPT = 1
EXIT_UNUSABLE = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``directbroker journal verify``."""
    journal = subparsers.add_parser("journal", help="inspect a core's journal")
    commands = journal.add_subparsers(dest="journal_command", required=True)
    verify = commands.add_parser(
        "verify", help="check every entry's hash chain; name the first bad entry"
    )
    where = verify.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", metavar="PATH", help="an SQLite journal file")
    where.add_argument("--postgres", metavar="DSN", help="a PostgreSQL connection string")
    where.add_argument(
        "--data-dir", type=Path, metavar="DIR", help="every core's journal in a data directory"
    )
    verify.add_argument("--schema", help="PostgreSQL schema holding the journal (default: public)")
    verify.set_defaults(handler=run_verify)


def verify_storage(
    sqlite: str | None = None, postgres: str | None = None, schema: str | None = None
) -> VerifyReport:
    """Open the named journal read-only and verify it (raises if it cannot be opened)."""
    if sqlite is not None:
        from directbroker.adapters.storage.sqlite import SqliteStorage

        with SqliteStorage(sqlite, readonly=True) as lite:
            return verify_journal(lite.journal)
    if postgres is None:
        raise ValueError("name a journal: sqlite path or postgres DSN")
    from directbroker.adapters.storage.postgres import PostgresStorage

    with PostgresStorage(postgres, schema=schema, readonly=True) as pg:
        return verify_journal(pg.journal)


def core_journals(data_dir: Path) -> list[tuple[str, Path]]:
    """Every core's journal in a data directory, by core name (``<core>.journal.db``)."""
    folder = data_dir / "journals"
    suffix = ".journal.db"
    found = sorted(folder.glob(f"*{suffix}")) if folder.is_dir() else []
    return [(path.name[: -len(suffix)], path) for path in found]


def verify_data_dir(data_dir: Path) -> list[tuple[str, VerifyReport | str]]:
    """Verify every core's journal in ``data_dir`` (its files, or its PostgreSQL schemas): per
    core, its report or why it could not be opened."""
    where = locate(data_dir)
    results: list[tuple[str, VerifyReport | str]] = []
    if where.dsn is not None:
        from directbroker.adapters.storage.postgres_cores import core_schemas

        try:
            schemas = core_schemas(where.dsn)
        except Exception as exc:
            return [("*", f"cannot reach the journals' database: {exc}")]
        for core, schema in schemas:
            try:
                results.append((core, verify_storage(postgres=where.dsn, schema=schema)))
            except Exception as exc:
                results.append((core, f"cannot open the journal: {exc}"))
        return results
    for core, path in core_journals(data_dir):
        try:
            results.append((core, verify_storage(sqlite=str(path))))
        except Exception as exc:
            results.append((core, f"cannot open the journal: {exc}"))
    return results


def _run_data_dir(data_dir: Path) -> int:
    results = verify_data_dir(data_dir)
    if not results:
        print(f"no journals in {data_dir / 'journals'}", file=sys.stderr)
        return EXIT_UNUSABLE
    corrupt = unusable = False
    width = max(len(core) for core, _ in results)
    for core, report in results:
        if isinstance(report, str):
            print(f"{core.ljust(width)}  {report}", file=sys.stderr)
            unusable = True
        elif report.ok:
            print(f"{core.ljust(width)}  OK: {report.entries} entries, last seq {report.last_seq}")
        else:
            print(
                f"{core.ljust(width)}  CORRUPT at entry {report.bad_seq}: {report.reason} "
                f"({report.entries} good entries before it)"
            )
            corrupt = True
    if corrupt:
        return EXIT_CORRUPT
    return EXIT_UNUSABLE if unusable else EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    """The ``journal verify`` handler: print the verdict, return the exit status."""
    if args.data_dir is not None:
        return _run_data_dir(args.data_dir)
    try:
        report = verify_storage(args.sqlite, args.postgres, args.schema)
    except Exception as exc:
        print(f"cannot open the journal: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    if report.ok:
        print(report.describe())
        return EXIT_OK
    print(report.describe(), file=sys.stderr)
    return EXIT_CORRUPT


def main(argv: Sequence[str] | None = None) -> int:
    """Run on its own: ``python -m directbroker.app.journal_cli journal verify ...``."""
    return run_standalone(register, argv)


if __name__ == "__main__":
    sys.exit(main())
