"""``directbroker records tickets|blotter|retention``: the books and records of a data directory.

The order tickets (Rule 17a-3(a)(6)) and the trade blotter (17a-3(a)(1)) are folded from the
broker core's journal, read read-only (a running server may keep writing), by
:mod:`directbroker.backoffice.order_tickets` and :mod:`directbroker.backoffice.trade_blotter`;
``--write`` also files the day's tickets and blotter under ``backoffice/records/``, as the
end-of-day run does (:mod:`directbroker.backoffice.records_files`), where the retention policy
(:mod:`directbroker.backoffice.retention`) finds them. ``retention`` shows the policy and the
generated files past it, and deletes them with ``--prune``; the journals are never pruned.

Exit status: 0 done; 2 a bad date, an unknown order, ``--write`` without a date, or a data
directory without a journal.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from directbroker.app.broker_journal import broker_entries
from directbroker.app.cli_main import run_standalone
from directbroker.app.config import ConfigError, load_config
from directbroker.app.journal_location import locate
from directbroker.backoffice import retention, ticket_formats, trade_blotter
from directbroker.backoffice.books import QUIET_INPUTS, FirmBooks
from directbroker.backoffice.order_tickets import OrderTickets
from directbroker.backoffice.records_files import write_day_records
from directbroker.backoffice.ticket_records import OrderTicket
from directbroker.runtime.schedule import NEW_YORK, from_date, to_date

EXIT_OK = 0
EXIT_UNUSABLE = 2
DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
FORMATS = ("text", "csv", "json")


class RecordsError(Exception):
    """A request the records commands cannot answer; the message says why."""


def parse_day(text: str) -> int:
    """``YYYY-MM-DD`` as YYYYMMDD, or :class:`RecordsError`."""
    try:
        if not DAY.match(text):
            raise ValueError(text)
        return from_date(date.fromisoformat(text))
    except ValueError:
        raise RecordsError(f"not a date: {text!r} (give YYYY-MM-DD)") from None


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``directbroker records tickets``, ``blotter`` and ``retention``."""
    records = subparsers.add_parser("records", help="books and records: tickets, blotter")
    kinds = records.add_subparsers(dest="records_command", required=True)
    tickets = kinds.add_parser("tickets", help="the order ticket of every order (17a-3(a)(6))")
    tickets.add_argument("--data-dir", required=True, type=Path, help="the firm's directory")
    tickets.add_argument("--date", help="orders entered for business day YYYY-MM-DD")
    tickets.add_argument("--order", help="one order, by order id or client order id")
    tickets.add_argument("--format", choices=FORMATS, default="text")
    tickets.add_argument(
        "--write", action="store_true", help="also file the day's records under backoffice/"
    )
    tickets.set_defaults(handler=run_tickets)
    blotter = kinds.add_parser("blotter", help="a trade date's purchases and sales (17a-3(a)(1))")
    blotter.add_argument("--data-dir", required=True, type=Path, help="the firm's directory")
    blotter.add_argument("--date", required=True, help="the trade date, YYYY-MM-DD")
    blotter.add_argument("--format", choices=FORMATS, default="text")
    blotter.add_argument(
        "--write", action="store_true", help="also file the day's records under backoffice/"
    )
    blotter.set_defaults(handler=run_blotter)
    keep = kinds.add_parser("retention", help="the retention policy and expired files (17a-4)")
    keep.add_argument("--data-dir", required=True, type=Path, help="the firm's directory")
    keep.add_argument("--config", help="the firm's configuration ([backoffice] retention_years)")
    keep.add_argument("--as-of", help="the day to judge by, YYYY-MM-DD (default: today)")
    keep.add_argument("--prune", action="store_true", help="delete the expired files")
    keep.set_defaults(handler=run_retention)


def _checked_dir(data_dir: Path) -> Path:
    if not data_dir.is_dir():
        raise RecordsError(f"no data directory at {data_dir}")
    return data_dir


def load(data_dir: Path) -> tuple[FirmBooks, OrderTickets]:
    """The books and the order tickets of the journal in ``data_dir``, in one pass."""
    books, tickets = FirmBooks(), OrderTickets()
    try:
        # Entries without events (most of a journal: market data) change no ticket, and the
        # books read only the quiet inputs that set the marks: the rest are not even decoded.
        for _seq, (message, events, ts_ns) in broker_entries(
            _checked_dir(data_dir), 0, QUIET_INPUTS
        ):
            books.take(message, events, ts_ns)
            tickets.take(message, events, ts_ns)
    except FileNotFoundError as exc:
        raise RecordsError(str(exc)) from None
    return books, tickets


def select_tickets(folded: OrderTickets, day: int | None, order: str | None) -> list[OrderTicket]:
    """All the tickets, one day's, or one order's (by order id or client order id)."""
    chosen = list(folded.tickets.values()) if day is None else folded.of_date(day)
    if order is not None:
        # The API's ids map back to the core's (a bracket leg's UUID names ``<id>.tp``, say);
        # imported here, as the HTTP adapter takes seconds to import.
        from directbroker.adapters.http.ids import core_order_id

        wanted = {order, core_order_id(order)}
        chosen = [t for t in chosen if t.order_id in wanted] or [
            t for t in chosen if t.client_order_id == order
        ]
        if not chosen:
            raise RecordsError(f"no order {order!r} in the journal")
    return chosen


def render_tickets(tickets: Sequence[OrderTicket], fmt: str) -> str:
    """Tickets in a format."""
    if fmt == "json":
        return ticket_formats.as_json(tickets)
    return ticket_formats.as_csv(tickets) if fmt == "csv" else ticket_formats.as_text(tickets)


def render_blotter(books: FirmBooks, day: int, fmt: str) -> str:
    """The blotter of ``day`` in a format."""
    lines = trade_blotter.blotter(books, day)
    if fmt == "json":
        return trade_blotter.as_json(day, lines)
    return trade_blotter.as_csv(lines) if fmt == "csv" else trade_blotter.as_text(day, lines)


def _write(data_dir: Path, day: int, books: FirmBooks, tickets: OrderTickets) -> None:
    for path in write_day_records(data_dir, day, books, tickets):
        print(f"written {path}", file=sys.stderr)


def run_tickets(args: argparse.Namespace) -> int:
    """The ``records tickets`` handler."""
    try:
        day = None if args.date is None else parse_day(args.date)
        if args.write and day is None:
            raise RecordsError("--write files one day's records: give --date")
        books, folded = load(args.data_dir)
        text = render_tickets(select_tickets(folded, day, args.order), args.format)
    except RecordsError as exc:
        print(f"records tickets: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    sys.stdout.write(text)
    if args.write and day is not None:
        _write(args.data_dir, day, books, folded)
    return EXIT_OK


def run_blotter(args: argparse.Namespace) -> int:
    """The ``records blotter`` handler."""
    try:
        day = parse_day(args.date)
        books, folded = load(args.data_dir)
        text = render_blotter(books, day, args.format)
    except RecordsError as exc:
        print(f"records blotter: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    sys.stdout.write(text)
    if args.write:
        _write(args.data_dir, day, books, folded)
    return EXIT_OK


def run_retention(args: argparse.Namespace) -> int:
    """The ``records retention`` handler: the policy, then the expired files (pruned with
    ``--prune``)."""
    try:
        _checked_dir(args.data_dir)
        config = load_config(Path(args.config) if args.config else None)
        today = (
            datetime.now(UTC).astimezone(NEW_YORK).date()
            if args.as_of is None
            else to_date(parse_day(args.as_of))
        )
    except (RecordsError, ConfigError) as exc:
        print(f"records retention: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    years = config.backoffice.retention_years
    print(f"Retention policy ([backoffice] retention_years = {years})")
    journals = "PostgreSQL journal_*" if locate(args.data_dir).on_postgres else "journals/"
    for record, kept in retention.policy(years):
        period = "for ever" if kept is None else f"{kept} years"
        folder = f"backoffice/{record.folder}/{record.prefix}*" if record.folder else journals
        print(f"  {record.name:<24} {period:<9} {folder:<42} {record.rule}")
    for short in retention.short_classes(years):
        print(f"warning: {short.name} are kept less than 17a-4's {short.years} years")
    found = retention.expired(args.data_dir, today, years)
    print(f"Expired on {today.isoformat()}: {len(found)} file(s)")
    for item in found:
        print(f"  {item.path}  ({item.record.name}, dated {item.dated}, kept until "
              f"{item.expired_on})")  # fmt: skip
    if args.prune and found:
        print(f"deleted {retention.prune(found)} file(s)")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run on its own: ``python -m directbroker.app.records_cli records ...``."""
    return run_standalone(register, argv)


if __name__ == "__main__":
    sys.exit(main())
