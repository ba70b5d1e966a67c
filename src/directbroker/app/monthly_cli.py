"""``directbroker report monthly``: the monthly activity report from a firm's data directory.

Reads the broker core's journal read-only (a running server may keep writing), folds it with
:class:`~directbroker.backoffice.monthly_activity.ActivityBooks` and prints the report for
``--month`` (default: the month of the journal's last entry) as text, CSV, JSON or the HTML
page with charts, to standard output or to ``--output FILE``. Sessions are the XNYS calendar's.

Exit status: 0 written; 2 the journal could not be read, the month is not valid or the output
file could not be written.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from directbroker.adapters.calendar import XnysCalendar
from directbroker.app.broker_journal import broker_entries
from directbroker.backoffice.books import QUIET_INPUTS
from directbroker.backoffice.monthly_activity import ActivityBooks, Sessions, monthly_activity
from directbroker.backoffice.monthly_html import as_html
from directbroker.backoffice.monthly_render import as_csv, as_json, as_text
from directbroker.backoffice.periods import local_month

EXIT_OK = 0
EXIT_UNUSABLE = 2
MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
FORMATS = ("text", "csv", "json", "html")


def load_activity(data_dir: Path) -> ActivityBooks:
    """The books and activity fold of a data directory's broker journal."""
    activity = ActivityBooks()
    for _seq, (message, events, ts_ns) in broker_entries(data_dir, 0, QUIET_INPUTS):
        activity.take(message, events, ts_ns)
    return activity


def render(activity: ActivityBooks, year: int, month: int, fmt: str, sessions: Sessions) -> str:
    """The report for a month in one of :data:`FORMATS`."""
    report = monthly_activity(activity, year, month, sessions)
    if fmt == "json":
        return json.dumps(as_json(report), indent=2) + "\n"
    if fmt == "csv":
        return as_csv(report)
    return as_html(report) if fmt == "html" else as_text(report)


def parse_month(text: str) -> tuple[int, int] | None:
    """``YYYY-MM`` (1971..2260) as ``(year, month)``, or None."""
    matched = MONTH.match(text)
    if matched is None or not 1971 <= int(matched[1]) <= 2260:
        return None
    return int(matched[1]), int(matched[2])


def add_parser(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``monthly`` to ``directbroker report``."""
    parser = kinds.add_parser(
        "monthly", help="monthly activity: accounts, trades, shares, customer assets, changes"
    )
    parser.add_argument("--data-dir", required=True, type=Path, help="the firm's directory")
    parser.add_argument("--month", help="YYYY-MM (default: the journal's last month)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--output", type=Path, help="write to this file instead of printing")
    parser.set_defaults(handler=run_monthly)


def run_monthly(args: argparse.Namespace) -> int:
    """Write the monthly activity report."""
    wanted = None
    if args.month:
        wanted = parse_month(args.month)
        if wanted is None:
            print(f"--month {args.month!r} is not YYYY-MM", file=sys.stderr)
            return EXIT_UNUSABLE
    try:
        activity = load_activity(args.data_dir)
    except Exception as exc:
        print(f"cannot read the journal: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    if wanted is None:
        if not activity.books.last_ts:
            print("the journal is empty: name the month with --month", file=sys.stderr)
            return EXIT_UNUSABLE
        wanted = local_month(activity.books.last_ts)
    text = render(activity, wanted[0], wanted[1], args.format, XnysCalendar())
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"cannot write {args.output}: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    return EXIT_OK
