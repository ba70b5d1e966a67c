"""``directbroker backoffice documents``: issue the customer documents of a day or a month
from a firm's data directory, as the end-of-day and end-of-month runs do.

Folds the broker journal read-only (a running server may keep writing) into the back
office's books; ``--date`` issues the trade confirmations of that business day once it has
ended on the books (taken while the fold stands at its close), ``--month`` the statements of
a month once the books have moved past it. Each file written is printed; issuing again
writes the same bytes. A running server lists the new files after its next start.

Exit status: 0 issued (possibly nothing: nobody traded); 2 the journal could not be read, or
the day or month is not valid or has not ended.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from directbroker.app.broker_journal import journal_entries
from directbroker.app.cli_main import run_standalone
from directbroker.app.config import ConfigError, load_config
from directbroker.app.document_files import firm_details, write_documents
from directbroker.backoffice.books import DayClose, FirmBooks
from directbroker.backoffice.customer_documents import (
    IssuedDocument,
    documents_for_day,
    documents_for_month,
)
from directbroker.backoffice.pdf_layout import FirmDetails
from directbroker.backoffice.pdf_layout import day as iso_day
from directbroker.runtime.schedule import from_date

EXIT_OK = 0
EXIT_UNUSABLE = 2
MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


class Refused(Exception):
    """The documents cannot be issued; the message says why."""


def register_documents(
    backoffice: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Add ``documents`` to the ``directbroker backoffice`` commands."""
    parser = backoffice.add_parser(
        "documents", help="issue trade confirmations (a day) or statements (a month) as PDF"
    )
    parser.add_argument("--data-dir", required=True, type=Path, help="the firm's directory")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--date", help="YYYY-MM-DD: that business day's trade confirmations")
    which.add_argument("--month", help="YYYY-MM: that month's account statements")
    parser.add_argument("--config", type=Path, help="the firm's configuration (its details)")
    parser.set_defaults(handler=run_documents)


def confirmations_of(data_dir: Path, day: int, firm: FirmDetails) -> list[IssuedDocument]:
    """The confirmations of business day ``day`` (YYYYMMDD), as its day end issued them."""
    issued: list[list[IssuedDocument]] = []

    def at_close(close: DayClose, books: FirmBooks) -> None:
        if close.date == day:
            issued.append(documents_for_day(books, close, firm))

    books = FirmBooks(on_day_end=at_close)
    for message, events, ts_ns in journal_entries(data_dir):
        books.take(message, events, ts_ns)
    if not issued:
        raise Refused(f"the business day {iso_day(day)} has not ended on the books")
    return issued[-1]


def statements_of(data_dir: Path, year: int, month: int, firm: FirmDetails) -> list[IssuedDocument]:
    """The statements of a month the books have moved past."""
    books = FirmBooks()
    for message, events, ts_ns in journal_entries(data_dir):
        books.take(message, events, ts_ns)
    if books.date // 100 <= year * 100 + month or (year, month) not in books.month_closes:
        raise Refused(f"the month {year:04d}-{month:02d} has not ended on the books")
    return documents_for_month(books, year, month, firm)


def run_documents(args: argparse.Namespace) -> int:
    """Issue and print the files."""
    try:
        firm = firm_details(load_config(args.config))
    except (ConfigError, OSError) as exc:
        print(f"cannot read the configuration: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        if args.date is not None:
            try:
                day = from_date(date.fromisoformat(args.date))
            except ValueError:
                raise Refused(f"--date {args.date!r} is not YYYY-MM-DD") from None
            issued = confirmations_of(args.data_dir, day, firm)
        else:
            matched = MONTH.match(args.month)
            if matched is None:
                raise Refused(f"--month {args.month!r} is not YYYY-MM")
            issued = statements_of(args.data_dir, int(matched[1]), int(matched[2]), firm)
    except Refused as refused:
        print(str(refused), file=sys.stderr)
        return EXIT_UNUSABLE
    except (OSError, ValueError) as exc:
        print(f"cannot read the journal: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    for path in write_documents(args.data_dir, issued):
        print(path)
    if not issued:
        print("no documents to issue")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run on its own: ``python -m directbroker.app.documents_cli backoffice documents ...``."""
    return run_standalone(register_documents, argv, group=("backoffice", "the back office"))


if __name__ == "__main__":
    sys.exit(main())
