"""``directbroker demo``: the firm (``serve``) plus a seeded demo firm, live simulated order flow
and the terminal screen.

The first run on a data directory creates the demo firm: two funded customers (DEMO-1 on
margin, DEMO-2 cash) with an API key each, printed. Later runs on the same directory resume
it, orders, positions and cash included; ``--fresh`` starts over.
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console, Group
from rich.live import Live

from directbroker.app.api import ApiKey
from directbroker.app.config import ConfigError, FirmConfig, load_config
from directbroker.app.demo_manager import ensure_demo_manager
from directbroker.app.edge_loop import EdgeLoop
from directbroker.app.firm import DataDirInUse, Firm, ensure_customer_keys, open_firm
from directbroker.app.journal_location import JournalLocationError
from directbroker.app.journals import SqliteJournals
from directbroker.app.platform import DEMO_ACCOUNTS
from directbroker.app.screen import ScreenData, render, take_screen
from directbroker.app.signals import stop_on_signals
from directbroker.app.web_links import one_click_links, read_credential
from directbroker.runtime.schedule import NEW_YORK

DEFAULT_API_PORT = 8470
FOCUS_SECONDS = 5.0
FRAME_TIMEOUT_S = 1.0


class PlatformStopped(Exception):
    """The platform thread failed; the journals hold everything acknowledged before it."""


def run(
    config: FirmConfig,
    data_dir: Path,
    *,
    duration: float | None,
    live: bool,
    console: Console,
    serve_api: bool = True,
    fresh: bool = False,
    wall_ns: Callable[[], int] = time.time_ns,
) -> Firm:
    """Run the demo firm paced to the wall clock until ``duration`` seconds pass or Ctrl-C."""
    if fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    firm = open_firm(data_dir, config, accounts=DEMO_ACCOUNTS, duration=duration, wall_ns=wall_ns)
    edge: EdgeLoop | None = None
    with stop_on_signals():
        try:
            keys = ensure_customer_keys(firm.data, firm.api, DEMO_ACCOUNTS)
            manager = ensure_demo_manager(firm.data, firm.api, DEMO_ACCOUNTS)
            firm.start(serve_api=serve_api, wall_ns=wall_ns)
            if firm.server is None:
                edge = EdgeLoop()
                firm.api.feed.attach(edge.loop)
            else:
                _print_api(firm, console, keys, manager)
            _drive(firm, duration, live, console, wall_ns)
        finally:
            firm.stop()
            if edge is not None:
                edge.stop()
    journals = firm.journals
    check = (
        f"--sqlite {journals.path('broker')}"
        if isinstance(journals, SqliteJournals)
        else f"--data-dir {firm.data.root}"
    )
    console.print(
        f"The firm's data: {firm.data.root} (resume with the same --data-dir)\n"
        f"Check a journal with: directbroker journal verify {check}",
        soft_wrap=True,
    )
    return firm


def _print_api(firm: Firm, console: Console, keys: list[ApiKey], manager: ApiKey) -> None:
    server = firm.server
    assert server is not None
    if firm.port_fallback:
        console.print(f"Port {firm.config.api.port} is taken; using {server.port} instead.")
    console.print(f"Client API (Alpaca-compatible): {server.url}  docs: {server.url}/docs")
    fix = firm.fix_summary()
    if fix is not None:
        console.print(fix, soft_wrap=True)
    console.print(
        f"Staff credential (Broker API, directbroker admin): {firm.data.admin_key}", soft_wrap=True
    )
    for demo, key in zip(DEMO_ACCOUNTS, keys, strict=True):
        console.print(
            f"  APCA-API-KEY-ID={key.key_id}  APCA-API-SECRET-KEY={key.secret}  "
            f"(account {demo.account}, {demo.account_type.value})",
            soft_wrap=True,
        )
    who = [(f"Trader screen, {demo.account}", key.key_id, key.secret, "trader")
           for demo, key in zip(DEMO_ACCOUNTS, keys, strict=True)]  # fmt: skip
    who.append(("Portfolio manager screen", manager.key_id, manager.secret, "pm"))
    staff = read_credential(firm.data.admin_key)
    if staff is not None:
        who.append(("Operations console (staff)", staff[0], staff[1], "ops"))
    console.print(f"Web screens: {server.url}/ui/  one-click sign-in:", soft_wrap=True)
    for line in one_click_links(server, who):
        console.print(line, soft_wrap=True)


def _drive(
    firm: Firm,
    duration: float | None,
    live: bool,
    console: Console,
    wall_ns: Callable[[], int],
) -> None:
    platform = firm.platform
    symbols = [listing.symbol for listing in platform.market.listings]
    accounts = [demo.account for demo in DEMO_ACCOUNTS]
    start_ns = wall_ns()

    def elapsed() -> float:
        return (wall_ns() - start_ns) / 1e9

    def frame() -> ScreenData | None:
        focus = symbols[int(elapsed() // FOCUS_SECONDS) % len(symbols)]
        taken: Future[ScreenData] = Future()
        firm.api.feed.push(
            lambda: taken.set_result(take_screen(firm.api.models, symbols, focus, accounts))
        )
        try:
            return taken.result(FRAME_TIMEOUT_S)
        except FutureTimeout:
            return None  # the loop is busy: keep the last frame

    def status() -> str:
        market = platform.market
        counts = market.counts
        phase = session_text(firm)
        lag = market.lag_ns(platform.now_ns()) / 1e9
        return (
            f"{elapsed():7.1f}s  {phase}  commands {counts.commands:,}  trades "
            f"{counts.trades:,}  shares {counts.shares:,}  rejects {counts.rejects:,}  "
            f"lag {lag:.1f}s   (Ctrl-C to stop)"
        )

    def running() -> bool:
        if platform.failure is not None:
            raise PlatformStopped(platform.failure)
        return duration is None or elapsed() < duration

    last: Group | str = "starting..."
    try:
        if live:
            with Live(last, console=console, refresh_per_second=4, screen=False) as display:
                while running():
                    data = frame()
                    if data is not None:
                        last = render(data, status())
                        display.update(last)
                    time.sleep(0.25)
        else:
            while running():
                time.sleep(0.05)
    except KeyboardInterrupt:
        pass
    data = frame()
    firm.platform.stop()
    if data is not None:
        console.print(render(data, status()))


def session_text(firm: Firm) -> str:
    """The firm's date, time and session phase, from its clock and the calendar (never from
    a core's state: this runs off the platform thread)."""
    platform = firm.platform
    now = platform.now_ns()
    moment = datetime.fromtimestamp(now // 1_000_000_000, UTC).astimezone(NEW_YORK)
    if platform.days is None:
        return f"{moment:%a %Y-%m-%d %H:%M:%S} ET"
    position = platform.days.schedule.position_at(now)
    phase = position.phase.value.replace("_", " ")
    return f"{moment:%a %Y-%m-%d %H:%M:%S} ET {phase}"


def _run_command(args: argparse.Namespace) -> int:
    console = Console()
    try:
        config = load_config(Path(args.config) if args.config else None)
    except ConfigError as error:
        Console(stderr=True).print(f"[red]{error}[/red]")
        return 2
    market = replace(config.market, seed=args.seed, rate=args.rate)
    api = replace(config.api, port=args.api_port)
    clock = replace(config.clock, mode=args.clock, speed=args.speed)
    if args.start is not None:
        clock = replace(clock, start=args.start)
    try:
        run(
            replace(config, market=market, api=api, clock=clock).check(),
            Path(args.data_dir),
            duration=args.duration,
            live=not args.no_live,
            console=console,
            serve_api=not args.no_api,
            fresh=args.fresh,
        )
    except PlatformStopped as stopped:
        Console(stderr=True).print(f"[red]The platform stopped: {stopped.args[0]!r}[/red]")
        return 1
    except DataDirInUse as busy:
        Console(stderr=True).print(f"[red]{busy}[/red]")
        return 1
    except JournalLocationError as misplaced:
        Console(stderr=True).print(f"[red]{misplaced}[/red]")
        return 2
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``directbroker demo``."""
    parser = subparsers.add_parser(
        "demo", help="run the demo firm live in the terminal (serve plus simulated customers)"
    )
    parser.add_argument("--seed", type=int, default=7, help="order-flow seed (same seed, same day)")
    parser.add_argument("--rate", type=float, default=400.0, help="order-flow events per second")
    parser.add_argument(
        "--duration", type=float, default=None, help="seconds to run (default: until Ctrl-C)"
    )
    parser.add_argument("--no-live", action="store_true", help="print a summary, no live screen")
    parser.add_argument(
        "--data-dir", default="var/demo", help="the firm's data (resumed when it exists)"
    )
    parser.add_argument("--fresh", action="store_true", help="delete the data dir and start over")
    parser.add_argument("--config", default=None, help="configuration file (TOML)")
    parser.add_argument(
        "--api-port", type=int, default=DEFAULT_API_PORT, help="client API port (0: any free)"
    )
    parser.add_argument("--no-api", action="store_true", help="do not serve the client API")
    parser.add_argument(
        "--clock",
        choices=("real", "sim"),
        default="sim",
        help="market clock (sim: starts at the next session when the market is closed)",
    )
    parser.add_argument(
        "--speed", type=float, default=1.0, help="simulated seconds per second (--clock sim)"
    )
    parser.add_argument(
        "--start", default=None, help="a new demo's simulated start, ISO 8601 with offset"
    )
    parser.set_defaults(handler=_run_command)
