"""``directbroker report 606|605``: the routing reports from a firm's data directory (and
``report monthly``, the monthly activity report, from :mod:`directbroker.app.monthly_cli`).

Reads the broker core's journal read-only (a running server may keep writing) and folds it
with :mod:`directbroker.backoffice.order_flow`; venue fees are the simulated venues' schedules
(``sim.universe``), the ones ``serve`` runs. Without ``--year``/``--quarter`` (606) or
``--month`` (605) the period is the one holding the journal's last entry.

Exit status: 0 printed; 2 the journal could not be read or the period is not valid.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from directbroker.app import monthly_cli
from directbroker.app.broker_journal import journal_entries
from directbroker.app.cli_main import run_standalone
from directbroker.backoffice import rule605, rule606
from directbroker.backoffice.order_flow import OrderFlow
from directbroker.backoffice.periods import local_month
from directbroker.domain.venue_config import FeeSchedule
from directbroker.sim.universe import default_venues

EXIT_OK = 0
EXIT_UNUSABLE = 2
MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


def venue_fees() -> dict[str, FeeSchedule]:
    """The fee schedule of each venue the firm routes to."""
    return {venue.name: venue.fees for venue in default_venues()}


def load(data_dir: Path) -> tuple[OrderFlow, int]:
    """The order flow of the journal and the time of its last entry (0 when empty)."""
    flow = OrderFlow()
    last = 0
    for message, events, ts_ns in journal_entries(data_dir):
        flow.take(message, events, ts_ns)
        last = ts_ns
    return flow, last


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``directbroker report 606``, ``605`` and ``monthly``."""
    report = subparsers.add_parser(
        "report", help="routing, execution-quality and monthly activity reports"
    )
    kinds = report.add_subparsers(dest="report", required=True)
    for name, text in (
        ("606", "Rule 606(a) order routing: a quarter by month, order type and venue"),
        ("605", "Rule 605-style execution quality: a month by venue and order size"),
    ):
        parser = kinds.add_parser(name, help=text)
        parser.add_argument("--data-dir", required=True, type=Path, help="the firm's directory")
        parser.add_argument("--format", choices=("text", "csv", "json"), default="text")
        if name == "606":
            parser.add_argument("--year", type=int)
            parser.add_argument("--quarter", type=int, choices=(1, 2, 3, 4))
            parser.set_defaults(handler=run_606)
        else:
            parser.add_argument("--month", help="YYYY-MM (default: the journal's last month)")
            parser.set_defaults(handler=run_605)
    monthly_cli.add_parser(kinds)


def render_606(flow: OrderFlow, year: int, quarter: int, fmt: str) -> str:
    """The 606 report in a format."""
    report = rule606.quarterly_report(flow, venue_fees(), year, quarter)
    if fmt == "json":
        return json.dumps(rule606.as_json(report), indent=2) + "\n"
    return rule606.as_csv(report) if fmt == "csv" else rule606.as_text(report)


def render_605(flow: OrderFlow, year: int, month: int, fmt: str) -> str:
    """The 605-style report in a format."""
    rows = rule605.monthly_quality(flow, year, month)
    if fmt == "json":
        return json.dumps(rule605.as_json(rows, year, month), indent=2) + "\n"
    return rule605.as_csv(rows, year, month) if fmt == "csv" else rule605.as_text(rows, year, month)


def run_606(args: argparse.Namespace) -> int:
    """Print the 606 report."""
    try:
        flow, last = load(args.data_dir)
    except Exception as exc:
        print(f"cannot read the journal: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    year, month = local_month(last) if last else (0, 1)
    year = args.year or year
    quarter = args.quarter or (month - 1) // 3 + 1
    if not 1971 <= year <= 2260:
        print("name the period: --year and --quarter", file=sys.stderr)
        return EXIT_UNUSABLE
    sys.stdout.write(render_606(flow, year, quarter, args.format))
    return EXIT_OK


def run_605(args: argparse.Namespace) -> int:
    """Print the 605-style report."""
    try:
        flow, last = load(args.data_dir)
    except Exception as exc:
        print(f"cannot read the journal: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    if args.month:
        matched = MONTH.match(args.month)
        if matched is None:
            print(f"--month {args.month!r} is not YYYY-MM", file=sys.stderr)
            return EXIT_UNUSABLE
        year, month = int(matched[1]), int(matched[2])
    elif last:
        year, month = local_month(last)
    else:
        print("the journal is empty: name the month with --month", file=sys.stderr)
        return EXIT_UNUSABLE
    sys.stdout.write(render_605(flow, year, month, args.format))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run on its own: ``python -m directbroker.app.report_cli report 606 ...``."""
    return run_standalone(register, argv)


if __name__ == "__main__":
    sys.exit(main())
