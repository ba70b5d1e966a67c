"""One way to run a command module on its own (``python -m directbroker.app.<module> ...``).

Each command module registers its subcommands on the integrated CLI's parser; for the tests and
for running it alone it also has a ``main(argv)``. That ``main`` is the same everywhere: a
parser named like the CLI, the module's commands (under a group such as ``backoffice`` where
the CLI puts them there), and the handler's exit status.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TypeAlias

Parsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def run_standalone(
    register: Callable[[Parsers], object],
    argv: Sequence[str] | None,
    *,
    group: tuple[str, str] | None = None,
    prog: str = "directbroker",
) -> int:
    """Parse ``argv`` with the commands ``register`` adds and run the chosen handler.

    ``group`` is the (name, help) of the command they sit under in the integrated CLI.
    """
    parser = argparse.ArgumentParser(prog=prog)
    commands = parser.add_subparsers(dest="command", required=True)
    if group is not None:
        name, help_text = group
        commands = commands.add_parser(name, help=help_text).add_subparsers(
            dest=name, required=True
        )
    register(commands)
    args = parser.parse_args(argv)
    status: int = args.handler(args)
    return status
