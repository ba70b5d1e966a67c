"""The ``directbroker`` command: one entry point, one subcommand per job."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from directbroker import __version__


def build_parser() -> argparse.ArgumentParser:
    """The full command-line grammar (kept in one place so ``--help`` shows everything)."""
    from directbroker.app import (
        admin_cli,
        backoffice_cli,
        demo,
        fix_cli,
        history_cli,
        journal_cli,
        records_cli,
        report_cli,
        serve,
        simulate_firm,
        venue_cli,
    )

    parser = argparse.ArgumentParser(
        prog="directbroker",
        description="DirectBroker: a direct-access brokerage platform.",
    )
    parser.add_argument("--version", action="version", version=f"directbroker {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    serve.register(subparsers)
    demo.register(subparsers)
    journal_cli.register(subparsers)
    history_cli.register(subparsers)
    admin_cli.register(subparsers)
    fix_cli.register(subparsers)
    report_cli.register(subparsers)
    records_cli.register(subparsers)
    venue_cli.register(subparsers)
    backoffice_cli.register(subparsers)
    simulate_firm.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen subcommand; the return value is the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = args.handler
    status: int = handler(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
