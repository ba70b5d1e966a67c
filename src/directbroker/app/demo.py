"""``directbroker demo``: the embedded platform running live, shown in the terminal.

The broker core, every venue's matching engine and the market data engine run behind their
journals; seeded order flow keeps the venues' books moving; the screen shows the national best
bid and offer, a Level II montage by venue for one symbol at a time, the consolidated tape and
the demo customers' accounts.
"""

from __future__ import annotations

import argparse
import datetime
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from directbroker.adapters.calendar import XnysCalendar
from directbroker.adapters.history import SqlHistoryStore, open_sqlite
from directbroker.adapters.http.server import ApiServer
from directbroker.app.api import PlatformApi
from directbroker.app.journals import SqliteJournals
from directbroker.app.market import EmbeddedMarket, OpenJournal
from directbroker.app.platform import DEMO_ACCOUNTS, Platform
from directbroker.domain.accounts import format_money
from directbroker.domain.numbers import format_price
from directbroker.sim.session import DaySchedule
from directbroker.sim.simulation import SimulationConfig

FULL_DAY_SECONDS = 23_400.0
DEFAULT_API_PORT = 8470
FOCUS_SECONDS = 5.0


def _price(price: int | None) -> str:
    return "-" if price is None else format_price(price)


def _nbbo_table(market: EmbeddedMarket) -> Table:
    table = Table(title="National best bid and offer", expand=True)
    for column in ("Symbol", "Bid venue", "Bid size", "Bid", "Ask", "Ask size", "Ask venue"):
        table.add_column(column, justify="left" if column == "Symbol" else "right")
    table.add_column("Last", justify="right")
    table.add_column("Volume", justify="right")
    for listing in market.listings:
        quote = market.market_data.nbbo(listing.symbol)
        snapshot = market.market_data.snapshot_of(listing.symbol)
        last = snapshot.last_trade if snapshot else None
        volume = snapshot.today.volume if snapshot and snapshot.today else 0
        if quote is None:
            table.add_row(listing.symbol, "", "", "-", "-", "", "", "-", "0")
            continue
        table.add_row(
            listing.symbol,
            quote.bid_venue,
            f"{quote.bid_size:,}" if quote.bid_price is not None else "",
            _price(quote.bid_price),
            _price(quote.ask_price),
            f"{quote.ask_size:,}" if quote.ask_price is not None else "",
            quote.ask_venue,
            _price(last.price) if last else "-",
            f"{volume:,}",
        )
    return table


def _level2_table(market: EmbeddedMarket, symbol: str) -> Table:
    montage = market.market_data.montage(symbol, 3)
    bids = sorted(
        ((level.price, level.quantity, row.venue) for row in montage.venues for level in row.bids),
        key=lambda item: (-item[0], -item[1], item[2]),
    )
    asks = sorted(
        ((level.price, level.quantity, row.venue) for row in montage.venues for level in row.asks),
        key=lambda item: (item[0], -item[1], item[2]),
    )
    table = Table(title=f"Level II: {symbol}", expand=True)
    for column in ("Venue", "Bid size", "Bid", "Ask", "Ask size", "Venue "):
        table.add_column(column, justify="right")
    for row in range(min(10, max(len(bids), len(asks)))):
        bid = bids[row] if row < len(bids) else None
        ask = asks[row] if row < len(asks) else None
        table.add_row(
            bid[2] if bid else "",
            f"{bid[1]:,}" if bid else "",
            _price(bid[0]) if bid else "",
            _price(ask[0]) if ask else "",
            f"{ask[1]:,}" if ask else "",
            ask[2] if ask else "",
        )
    return table


def _tape_table(market: EmbeddedMarket) -> Table:
    table = Table(title="Time and sales", expand=True)
    for column in ("Time", "Symbol", "Venue", "Price", "Size", "Cond"):
        table.add_column(column, justify="right")
    for trade in list(market.tape)[-12:][::-1]:
        stamp = datetime.datetime.fromtimestamp(trade.ts_ns / 1e9, datetime.UTC)
        table.add_row(
            stamp.strftime("%H:%M:%S.%f")[:-3],
            trade.symbol,
            trade.venue,
            format_price(trade.price),
            f"{trade.quantity:,}",
            trade.condition,
        )
    return table


def _accounts_line(platform: Platform) -> str:
    ledger = platform.broker.ledger
    parts = []
    for demo in DEMO_ACCOUNTS:
        values = ledger.account_values(demo.account)
        parts.append(
            f"{demo.account} equity {format_money(values.equity)} "
            f"buying power {format_money(values.buying_power)}"
        )
    return "   ".join(parts)


def render(platform: Platform, focus: str, elapsed: float) -> Group:
    """The screen: NBBO for every symbol, Level II for ``focus``, the tape, and the accounts."""
    market = platform.market
    counts = market.counts
    phase = market.simulation.phase().value.replace("_", " ")
    summary = (
        f"{elapsed:7.1f}s  {phase}  commands {counts.commands:,}  trades {counts.trades:,}  "
        f"shares {counts.shares:,}  rejects {counts.rejects:,}   (Ctrl-C to stop)"
    )
    return Group(
        _nbbo_table(market),
        _level2_table(market, focus),
        _tape_table(market),
        _accounts_line(platform),
        summary,
    )


def build_platform(
    seed: int,
    rate: float,
    duration: float | None,
    start_ns: int,
    journals: OpenJournal,
    history: SqlHistoryStore | None,
    calendar: XnysCalendar | None = None,
) -> Platform:
    """The demo platform: a day that fits ``duration`` (both crosses included) or a full day."""
    pre_open = 3.0
    continuous = FULL_DAY_SECONDS if duration is None else max(1.0, duration - pre_open - 0.5)
    schedule = DaySchedule(
        pre_open_seconds=pre_open,
        continuous_seconds=continuous,
        closing_window_seconds=min(60.0, continuous / 4),
    )
    config = SimulationConfig(seed=seed, schedule=schedule, events_per_second=rate)
    return Platform(journals, config, start_ns, history=history, calendar=calendar)


def run(
    seed: int,
    rate: float,
    duration: float | None,
    live: bool,
    console: Console,
    data_dir: Path,
    api_port: int | None = DEFAULT_API_PORT,
    wall_ns: Callable[[], int] = time.time_ns,
) -> Platform:
    """Run the platform paced to the wall clock until ``duration`` seconds pass or Ctrl-C.

    Each run is a new session directory under ``data_dir`` holding every core's journal and
    the historical data recorded during the run. With ``api_port`` (0: any free port) the
    Alpaca-compatible client API is served on loopback with a key for the demo customer.
    """
    calendar = XnysCalendar()  # built before the clock starts: the day begins when we are ready
    start_ns = wall_ns()
    stamp = datetime.datetime.fromtimestamp(start_ns / 1e9, datetime.UTC)
    session_dir = data_dir / stamp.strftime("session-%Y%m%d-%H%M%S-%f")
    journals = SqliteJournals(session_dir)
    history = open_sqlite(str(session_dir / "history.db"))
    try:
        platform = build_platform(seed, rate, duration, start_ns, journals, history, calendar)
        server = _serve_api(platform, history, api_port, console)
        try:
            _drive(platform, duration, live, console, start_ns, wall_ns)
        finally:
            if server is not None:
                server.stop()
    finally:
        history.close()
        journals.close()
    console.print(
        f"Journals and history of this session: {session_dir}\n"
        f"Check one with: directbroker journal verify --sqlite {journals.path('broker')}",
        soft_wrap=True,
    )
    return platform


def _serve_api(
    platform: Platform, history: SqlHistoryStore, port: int | None, console: Console
) -> ApiServer | None:
    if port is None:
        return None
    api = PlatformApi(platform, history)
    key = api.issue_key("demo", [DEMO_ACCOUNTS[0].account])
    try:
        server = api.server(port=port)
    except OSError:
        server = api.server(port=0)  # the usual port is taken: any free one will do
    server.start()
    console.print(
        f"Client API (Alpaca-compatible): {server.url}  docs: {server.url}/docs\n"
        f"  APCA-API-KEY-ID={key.key_id}  APCA-API-SECRET-KEY={key.secret}  "
        f"(account {key.accounts[0]})",
        soft_wrap=True,
    )
    return server


def _drive(
    platform: Platform,
    duration: float | None,
    live: bool,
    console: Console,
    start_ns: int,
    wall_ns: Callable[[], int],
) -> None:
    market = platform.market
    symbols = [listing.symbol for listing in market.listings]

    def elapsed() -> float:
        return (wall_ns() - start_ns) / 1e9

    def screen() -> Group:
        focus = symbols[int(elapsed() // FOCUS_SECONDS) % len(symbols)]
        with platform.lock:
            return render(platform, focus, elapsed())

    def running() -> bool:
        if platform.failure is not None:
            raise PlatformStopped(platform.failure)
        return duration is None or elapsed() < duration

    platform.start(wall_ns)
    try:
        if live:
            with Live(screen(), console=console, refresh_per_second=4, screen=False) as display:
                while running():
                    display.update(screen())
                    time.sleep(0.25)
        else:
            while running():
                time.sleep(0.05)
    except KeyboardInterrupt:
        pass
    finally:
        platform.stop()
    console.print(render(platform, symbols[0], elapsed()))


class PlatformStopped(Exception):
    """The platform thread failed; the journals hold everything acknowledged before it."""


def _run_command(args: argparse.Namespace) -> int:
    try:
        _run_demo(args)
    except PlatformStopped as stopped:
        Console(stderr=True).print(f"[red]The platform stopped: {stopped.args[0]!r}[/red]")
        return 1
    return 0


def _run_demo(args: argparse.Namespace) -> None:
    run(
        args.seed,
        args.rate,
        args.duration,
        live=not args.no_live,
        console=Console(),
        data_dir=Path(args.data_dir),
        api_port=None if args.no_api else args.api_port,
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``directbroker demo``."""
    parser = subparsers.add_parser("demo", help="run the simulated market live in the terminal")
    parser.add_argument("--seed", type=int, default=7, help="order-flow seed (same seed, same day)")
    parser.add_argument("--rate", type=float, default=400.0, help="order-flow events per second")
    parser.add_argument(
        "--duration", type=float, default=None, help="seconds to run (default: until Ctrl-C)"
    )
    parser.add_argument("--no-live", action="store_true", help="print a summary, no live screen")
    parser.add_argument(
        "--data-dir", default="var/demo", help="where session journals and history are kept"
    )
    parser.add_argument(
        "--api-port", type=int, default=DEFAULT_API_PORT, help="client API port (0: any free)"
    )
    parser.add_argument("--no-api", action="store_true", help="do not serve the client API")
    parser.set_defaults(handler=_run_command)
