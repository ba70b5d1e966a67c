"""``directbroker journal verify``: walk a journal end to end and name the first bad entry.

Exit status: 0 the chain is intact; 1 an entry is corrupt (the message names it); 2 the journal
could not be opened. Verification opens storage read-only: it never creates or migrates.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

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


def run_verify(args: argparse.Namespace) -> int:
    """The ``journal verify`` handler: print the verdict, return the exit status."""
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
    parser = argparse.ArgumentParser(prog="directbroker")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    status: int = args.handler(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
