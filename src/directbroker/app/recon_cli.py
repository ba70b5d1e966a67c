"""``directbroker backoffice recon``: a day's reconciliation with the clearing firm, on demand.

Folds the broker journal of a data directory read-only (a running server may keep writing) up
to the end of the day, reads the clearing firm's files of that day, and writes and prints the
day's break report (:mod:`directbroker.app.recon_job` does the day's work, the same as the
end-of-day job). Without ``--date`` the day is the last one the journal closed.

Exit status: 0 no open break; 1 breaks found; 2 unusable input (no journal, no such day, the
clearing firm's files missing or bad: the message names the file and line).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from directbroker.app.broker_journal import broker_entries
from directbroker.app.cli_main import run_standalone
from directbroker.app.recon_job import InboundError, ReconResult, run_recon_for_books
from directbroker.backoffice import break_report
from directbroker.backoffice.books import QUIET_INPUTS, DayClose, FirmBooks
from directbroker.backoffice.trade_file import HandOff, HandOffDay

EXIT_CLEAN = 0
EXIT_BREAKS = 1
EXIT_UNUSABLE = 2


class UnusableInput(Exception):
    """The run cannot start: the message says why."""


def register_recon(
    backoffice: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Add ``recon`` to the ``backoffice`` command's subcommands."""
    parser = backoffice.add_parser(
        "recon", help="reconcile a day's books against the clearing firm's files"
    )
    parser.add_argument("--data-dir", required=True, type=Path, help="the firm's directory")
    parser.add_argument("--date", help="YYYY-MM-DD (default: the last day the books closed)")
    parser.add_argument("--format", choices=("text", "csv", "json"), default="text")
    parser.set_defaults(handler=run)
    return parser


def _day(text: str) -> int:
    try:
        return break_report.parse_iso(text)
    except ValueError as exc:
        raise UnusableInput(f"--date {text!r} is not a date (YYYY-MM-DD)") from exc


def books_at_close(data_dir: Path, day: int | None) -> tuple[HandOffDay, DayClose]:
    """What the books handed to the clearing firm for ``day`` (the last day ended when None)
    and that day's close, folded from the journal to the day's end."""
    closes: dict[int, DayClose] = {}
    handoff = HandOff()

    def ended(close: DayClose, books: FirmBooks) -> None:
        closes[close.date] = close
        handoff.day_ended(close, books)

    books = FirmBooks(on_day_end=ended)
    try:
        for _seq, (message, events, ts_ns) in broker_entries(data_dir, 0, QUIET_INPUTS):
            books.take(message, events, ts_ns)
            if day is not None and day in closes:
                return handoff.days[day], closes[day]
    except FileNotFoundError as exc:
        raise UnusableInput(str(exc)) from exc
    if day is None and books.days_ended:
        last = books.days_ended[-1]
        return handoff.days[last], closes[last]
    wanted = "any day" if day is None else break_report.iso(day)
    raise UnusableInput(f"the books in {data_dir} have no end of {wanted}")


def reconcile_day(data_dir: Path, day: int | None) -> ReconResult:
    """Fold the journal to the day's end and run the day's reconciliation."""
    from directbroker.adapters.calendar import XnysCalendar

    handed, close = books_at_close(data_dir, day)
    return run_recon_for_books(data_dir, close, handed, XnysCalendar())


def render(result: ReconResult, fmt: str) -> str:
    """The day's report in a format."""
    if fmt == "json":
        return break_report.as_json_text(result.ageing)
    if fmt == "csv":
        return break_report.as_csv(result.ageing)
    return break_report.as_text(result.ageing)


def run(args: argparse.Namespace) -> int:
    """The ``recon`` command."""
    try:
        day = _day(args.date) if args.date else None
        result = reconcile_day(args.data_dir, day)
    except (UnusableInput, InboundError, break_report.ReportError) as exc:
        print(f"directbroker backoffice recon: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    sys.stdout.write(render(result, args.format))
    return EXIT_CLEAN if result.clean else EXIT_BREAKS


def main(argv: Sequence[str] | None = None) -> int:
    """``backoffice recon`` on its own (the integrated CLI registers it under ``backoffice``)."""
    return run_standalone(register_recon, argv, group=("backoffice", "back-office runs"))


if __name__ == "__main__":
    sys.exit(main())
