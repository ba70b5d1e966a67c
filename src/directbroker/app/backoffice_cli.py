"""``directbroker backoffice ...``: the back office's jobs on a firm's data directory.

- ``trade-file``: fold the broker journal (read-only, a running server may keep writing) and
  write an ended day's trade and money files for the clearing firm;
- ``clearing-run``: the simulated clearing firm processes a day and writes its files back;
- ``fault add|list``: what the simulated clearing firm is to get wrong, and when.

Each job is one entry of :data:`SUBCOMMANDS`; another job adds itself there.
Exit status: 0 done; 2 bad input or a file or journal that cannot be used (nothing written).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeAlias

from directbroker.adapters.clearing.drop import day_name, parse_day, write_trade_files
from directbroker.adapters.clearing.faults import (
    FaultError,
    add_fault,
    format_amount,
    load_faults,
    make_fault,
)
from directbroker.adapters.clearing.run import ClearingRunError, run_clearing_day
from directbroker.app.broker_journal import journal_entries
from directbroker.app.cli_main import run_standalone
from directbroker.app.documents_cli import register_documents
from directbroker.app.dropcopy_check import register_dropcopy_check
from directbroker.app.recon_cli import register_recon
from directbroker.backoffice.books import FirmBooks
from directbroker.backoffice.clearing_files import ClearingFileError
from directbroker.backoffice.clearing_firm import FIRST, ClearingFault, FaultKind
from directbroker.backoffice.trade_file import HandOff
from directbroker.runtime.schedule import BusinessCalendar

EXIT_OK = 0
EXIT_UNUSABLE = 2

Parsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def hand_off(data_dir: Path) -> HandOff:
    """Every ended day's clearing records from a data directory's broker journal."""
    handoff = HandOff()
    books = FirmBooks(on_day_end=handoff.day_ended)
    for message, events, ts_ns in journal_entries(data_dir):
        books.take(message, events, ts_ns)
    return handoff


def clearing_number(config: str | None) -> str:
    """The firm's clearing number: the configuration's, or the default one."""
    from directbroker.app.config import BackOfficeSection, load_config

    if config is None:
        return BackOfficeSection().clearing_number
    return load_config(Path(config)).backoffice.clearing_number


def business_calendar() -> BusinessCalendar:
    """The exchange calendar the clearing firm keeps business days by."""
    from directbroker.adapters.calendar import XnysCalendar

    return XnysCalendar()


def _data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", required=True, type=Path, help="the firm's directory")


def _error(text: str) -> int:
    print(text, file=sys.stderr)
    return EXIT_UNUSABLE


# -- trade-file -------------------------------------------------------------------------------


def register_trade_file(commands: Parsers) -> None:
    """``backoffice trade-file``."""
    parser = commands.add_parser("trade-file", help="write a day's trade and money files")
    _data_dir(parser)
    parser.add_argument("--date", help="YYYY-MM-DD (default: the last day that ended)")
    parser.add_argument("--config", default=None, help="configuration file (TOML)")
    parser.set_defaults(handler=run_trade_file)


def run_trade_file(args: argparse.Namespace) -> int:
    """Fold the journal and write the day's outbound files."""
    try:
        date = parse_day(args.date) if args.date else 0
        number = clearing_number(args.config)
    except Exception as exc:
        return _error(str(exc))
    try:
        handoff = hand_off(args.data_dir)
    except Exception as exc:
        return _error(f"cannot read the journal: {exc}")
    date = date or max(handoff.days, default=0)
    if not date:
        return _error("DAY_NOT_ENDED: no business day has ended in the journal yet")
    if date not in handoff.days:
        return _error(f"DAY_NOT_ENDED: {day_name(date)} has not ended in the journal")
    try:
        day = write_trade_files(args.data_dir, handoff.days[date], number)
    except ClearingFileError as exc:
        return _error(str(exc))
    print(f"{day.folder}")
    print(f"trades {len(day.trades.records)} money {len(day.money.records)}")
    return EXIT_OK


# -- clearing-run -----------------------------------------------------------------------------


def register_clearing_run(commands: Parsers) -> None:
    """``backoffice clearing-run``."""
    parser = commands.add_parser(
        "clearing-run", help="the simulated clearing firm processes a day's files"
    )
    _data_dir(parser)
    parser.add_argument("--date", required=True, help="YYYY-MM-DD")
    parser.add_argument("--force", action="store_true", help="process a processed day again")
    parser.set_defaults(handler=run_clearing)


def run_clearing(args: argparse.Namespace) -> int:
    """Run the simulated clearing firm over a day."""
    try:
        date = parse_day(args.date)
        run = run_clearing_day(args.data_dir, date, force=args.force)
    except (ValueError, FaultError, ClearingRunError, ClearingFileError) as exc:
        return _error(str(exc))
    inbound = run.inbound
    print(f"{inbound.folder}")
    print(
        f"{'booked' if run.booked else 'already processed'}: "
        f"activity {len(inbound.activity.records)} positions {len(inbound.positions.records)} "
        f"balances {len(inbound.balances.records)}"
    )
    for note in run.notes if run.booked else ():
        print(f"  {note}")
    return EXIT_OK


# -- fault ------------------------------------------------------------------------------------


def register_fault(commands: Parsers) -> None:
    """``backoffice fault add|list``."""
    fault = commands.add_parser("fault", help="faults the simulated clearing firm makes")
    actions = fault.add_subparsers(dest="fault_action", required=True)
    add = actions.add_parser("add", help="make the clearing firm misbook an item on a day")
    _data_dir(add)
    add.add_argument("--date", required=True, help="YYYY-MM-DD")
    add.add_argument("--kind", required=True, choices=[k.value for k in FaultKind])
    add.add_argument("--target", default=FIRST, help="execution id or account, or 'first'")
    add.add_argument("--amount", default="", help="dollars (price, cash) or shares (quantity)")
    add.add_argument("--to-account", default="", help="where a wrong_account trade goes")
    add.add_argument("--fix-after-days", type=int, default=0, help="business days to a fix")
    add.set_defaults(handler=run_fault_add)
    listing = actions.add_parser("list", help="the faults on file")
    _data_dir(listing)
    listing.set_defaults(handler=run_fault_list)


def run_fault_add(args: argparse.Namespace) -> int:
    """Add a fault to the data directory's faults file."""
    try:
        fault = make_fault(
            args.date, args.kind, args.target, args.amount, args.fix_after_days, args.to_account
        )
        if not business_calendar().is_business_day(fault.date):
            raise FaultError("BAD_FAULT", f"{args.date} is not a business day")
        faults = add_fault(args.data_dir, fault)
    except FaultError as exc:
        return _error(str(exc))
    print(f"fault {len(faults)} added: {_describe(fault)}")
    return EXIT_OK


def run_fault_list(args: argparse.Namespace) -> int:
    """Print the faults on file, one a line."""
    try:
        faults = load_faults(args.data_dir)
    except FaultError as exc:
        return _error(str(exc))
    for number, fault in enumerate(faults, start=1):
        print(f"{number}. {_describe(fault)}")
    if not faults:
        print("no faults")
    return EXIT_OK


def _describe(fault: ClearingFault) -> str:
    parts = [day_name(fault.date), fault.kind.value, fault.target]
    if fault.amount:
        parts.append(f"amount {format_amount(fault)}")
    if fault.to_account:
        parts.append(f"to {fault.to_account}")
    if fault.fix_after_days:
        parts.append(f"fixed after {fault.fix_after_days} business days")
    return " ".join(parts)


SUBCOMMANDS: list[Callable[[Parsers], object]] = [
    register_trade_file,
    register_clearing_run,
    register_fault,
    register_recon,
    register_documents,
    register_dropcopy_check,
]
"""Each back-office job registers its own subcommand here."""


def register(subparsers: Parsers) -> None:
    """Add ``directbroker backoffice`` and its subcommands."""
    backoffice = subparsers.add_parser("backoffice", help="clearing hand-off and back office")
    commands = backoffice.add_subparsers(dest="backoffice", required=True)
    for register_one in SUBCOMMANDS:
        register_one(commands)


def main(argv: Sequence[str] | None = None) -> int:
    """Run on its own: ``python -m directbroker.app.backoffice_cli backoffice ...``."""
    return run_standalone(register, argv)


if __name__ == "__main__":
    sys.exit(main())
