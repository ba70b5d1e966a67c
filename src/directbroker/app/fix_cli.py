"""``directbroker fix``: FIX tools; ``fix acceptance-server`` serves the session test acceptor."""

from __future__ import annotations

import argparse
import asyncio
import contextlib


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``fix`` and its subcommands to the top-level parser."""
    parser = subparsers.add_parser("fix", help="FIX 4.2/4.4 tools")
    commands = parser.add_subparsers(dest="fix_command", required=True)
    server = commands.add_parser(
        "acceptance-server",
        help="serve the FIX session acceptance test application (SenderCompID ISLD, "
        "TargetCompID TW, reset on logon)",
    )
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=9878, help="0 picks a free port")
    server.add_argument("--version", choices=["4.2", "4.4"], default="4.2", dest="fix_version")
    server.set_defaults(handler=_acceptance_server)


def _acceptance_server(args: argparse.Namespace) -> int:
    from directbroker.adapters.fix.acceptance import run

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args.host, args.port, f"FIX.{args.fix_version}"))
    return 0
