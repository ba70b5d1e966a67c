"""``directbroker backoffice dropcopy-check``: a day's drop copy against the books.

Folds the broker journal of a data directory read-only (a running server may keep writing)
into the books and compares the clearing firm's drop copy file of the date with the books'
executions of that trade date (:func:`~directbroker.backoffice.drop_copy_check.check_drop_copy`),
printing one line per problem.

Exit status: 0 the drop copy agrees with the books; 1 problems were found; 2 the journal
could not be read or the date is not valid.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from directbroker.app.broker_journal import journal_entries
from directbroker.app.cli_main import run_standalone
from directbroker.backoffice.books import FirmBooks
from directbroker.backoffice.drop_copy_check import check_drop_copy, drop_copied

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_UNUSABLE = 2
DATE = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")


def register_dropcopy_check(
    backoffice_subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Add ``dropcopy-check`` to ``directbroker backoffice``'s subcommands."""
    parser = backoffice_subparsers.add_parser(
        "dropcopy-check", help="compare a day's drop copy to the clearing firm with the books"
    )
    parser.add_argument("--data-dir", required=True, type=Path, help="the firm's directory")
    parser.add_argument("--date", required=True, help="the trade date, YYYY-MM-DD")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the problems of the day's drop copy (none: a line saying it agrees)."""
    matched = DATE.match(args.date)
    if matched is None:
        print(f"--date {args.date!r} is not YYYY-MM-DD", file=sys.stderr)
        return EXIT_UNUSABLE
    date = int(matched[1]) * 10_000 + int(matched[2]) * 100 + int(matched[3])
    books = FirmBooks()
    try:
        for message, events, ts_ns in journal_entries(args.data_dir):
            books.take(message, events, ts_ns)
    except Exception as exc:
        print(f"cannot read the journal: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    executions = books.executions.get(date, [])
    problems = check_drop_copy(args.data_dir, date, executions)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in the drop copy of {args.date}")
        return EXIT_PROBLEMS
    copied = sum(1 for execution in executions if drop_copied(execution))
    print(f"the drop copy of {args.date} agrees with the books ({copied} executions)")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """``dropcopy-check`` on its own: ``main(["--data-dir", D, "--date", "YYYY-MM-DD"])``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] != "dropcopy-check":
        argv = ["dropcopy-check", *argv]
    return run_standalone(register_dropcopy_check, argv, prog="directbroker backoffice")


if __name__ == "__main__":
    sys.exit(main())
