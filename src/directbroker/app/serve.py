"""``directbroker serve``: the firm, long-running, on a data directory.

The first start creates the firm from the configuration (or the built-in defaults) and writes
a staff credential holding every staff role to ``DIR/admin.key``; every later start resumes
the firm exactly as it was. SIGINT or SIGTERM stops it cleanly; on a simulated clock, SIGUSR1
holds simulated time still and SIGUSR2 lets it run again.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from rich.console import Console

from directbroker.app.config import ConfigError, FirmConfig, defaults_toml, load_config
from directbroker.app.firm import DataDirInUse, Firm, open_firm
from directbroker.app.signals import stop_on_signals
from directbroker.app.web_links import sign_in_line
from directbroker.runtime.clocks import SimClock

WATCH_INTERVAL_S = 0.5


def hold_on_signals(firm: Firm) -> None:
    """On a simulated clock, SIGUSR1 holds simulated time still and SIGUSR2 lets it run again
    (a program simulating the firm's customers holds the market while it does a day's work;
    an operator may look at a moment at leisure). Main thread only; a wall clock ignores them."""
    days = firm.platform.days
    clock = days.clock if days is not None else None
    if not isinstance(clock, SimClock) or threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGUSR1, lambda number, frame: clock.hold())
    signal.signal(signal.SIGUSR2, lambda number, frame: clock.release())


def serve(firm: Firm, console: Console, duration: float | None = None) -> int:
    """Run an opened firm until a signal (or ``duration`` seconds); 1 if the platform failed."""
    hold_on_signals(firm)
    with stop_on_signals():
        try:
            firm.start()
            server = firm.server
            assert server is not None
            if firm.port_fallback:
                console.print(f"Port {firm.config.api.port} is taken; using {server.port}.")
            if firm.admin_key_written:
                console.print(
                    f"Created the staff credential (every staff role): {firm.data.admin_key} "
                    "(KEY_ID:SECRET, readable by you only). Use it with directbroker admin "
                    "or as HTTP Basic credentials on the Broker API (/v1).",
                    soft_wrap=True,
                )
            else:
                console.print(f"Staff credential: {firm.data.admin_key}", soft_wrap=True)
            console.print(
                f"DirectBroker is serving {firm.data.root} at {server.url} "
                f"(API docs: {server.url}/docs). Stop with Ctrl-C or SIGTERM.",
                soft_wrap=True,
            )
            console.print(sign_in_line(server), soft_wrap=True)
            fix = firm.fix_summary()
            if fix is not None:
                console.print(fix, soft_wrap=True)
            started = time.monotonic()
            while duration is None or time.monotonic() - started < duration:
                if firm.platform.failure is not None:
                    break
                time.sleep(WATCH_INTERVAL_S)
        except KeyboardInterrupt:
            pass
        finally:
            firm.stop()
    failure = firm.platform.failure
    if failure is not None:
        Console(stderr=True).print(
            f"[red]The platform stopped: {failure!r}. Everything acknowledged is in the "
            f"journals; start again to resume.[/red]"
        )
        return 1
    console.print("Stopped cleanly.")
    return 0


def _configured(args: argparse.Namespace) -> FirmConfig:
    config = load_config(Path(args.config) if args.config else None)
    api = config.api
    if args.api_port is not None:
        api = replace(api, port=args.api_port)
    if args.host is not None:
        api = replace(api, host=args.host)
    clock = config.clock
    if args.clock is not None:
        clock = replace(clock, mode=args.clock)
    if args.speed is not None:
        clock = replace(clock, speed=args.speed)
    if args.start is not None:
        clock = replace(clock, start=args.start)
    return replace(config, api=api, clock=clock).check()


def _run_command(args: argparse.Namespace) -> int:
    console = Console()
    errors = Console(stderr=True)
    if args.print_config:
        sys.stdout.write(defaults_toml())
        return 0
    try:
        config = _configured(args)
        firm = open_firm(Path(args.data_dir), config)
    except (ConfigError, ValueError) as error:
        errors.print(f"[red]{error}[/red]")
        return 2
    except DataDirInUse as busy:
        errors.print(f"[red]{busy}[/red]")
        return 1
    return serve(firm, console, args.duration)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``directbroker serve``."""
    parser = subparsers.add_parser(
        "serve",
        help="run the firm on a data directory (created on first start, resumed after)",
        description=(
            "Run the firm: the broker core, the simulated venues, market data and the APIs. "
            "The first start on a data directory creates the firm and writes a staff "
            "credential to DIR/admin.key; later starts resume it exactly."
        ),
    )
    parser.add_argument("--data-dir", default="var/firm", help="the firm's data directory")
    parser.add_argument("--config", default=None, help="configuration file (TOML)")
    parser.add_argument("--api-port", type=int, default=None, help="API port (0: any free)")
    parser.add_argument("--host", default=None, help="address to serve the API on")
    parser.add_argument("--clock", choices=("real", "sim"), default=None, help="market clock")
    parser.add_argument(
        "--speed", type=float, default=None, help="simulated seconds per second (--clock sim)"
    )
    parser.add_argument(
        "--start", default=None, help="a new firm's simulated start, ISO 8601 with offset"
    )
    parser.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    parser.add_argument(
        "--print-config", action="store_true", help="print every setting with its default"
    )
    parser.set_defaults(handler=_run_command)
