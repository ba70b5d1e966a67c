"""``directbroker demo``: the simulated venues trading live, shown in the terminal.

Every venue runs its own matching engine; seeded order flow keeps their books moving; the screen
shows the national best bid and offer across venues, a Level II montage by venue and the tape.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from directbroker.domain.messages import Event
from directbroker.domain.numbers import format_price
from directbroker.domain.venue_messages import OrderRejected, TradeReported
from directbroker.engines.matching import VenueEngine
from directbroker.sim.flow import OrderFlow
from directbroker.sim.universe import LISTINGS, Listing, default_venues


@dataclass(frozen=True, slots=True)
class VenueLevel:
    """One venue's aggregated displayed interest at one price."""

    venue: str
    price: int
    size: int


@dataclass(frozen=True, slots=True)
class NationalQuote:
    """The best bid and offer across venues, with the venue on each side."""

    symbol: str
    bid: VenueLevel | None
    ask: VenueLevel | None


@dataclass(slots=True)
class SessionStats:
    """What the session has done so far."""

    commands: int = 0
    trades: int = 0
    shares: int = 0
    rejects: int = 0


class DemoMarket:
    """The venues and the flow that drives them, stepped one command at a time."""

    def __init__(self, seed: int, listings: tuple[Listing, ...] = LISTINGS) -> None:
        self.listings = listings
        self.engines = {config.name: VenueEngine(config) for config in default_venues(listings)}
        self.flow = OrderFlow(random.Random(seed), tuple(self.engines), listings)
        self.tape: deque[TradeReported] = deque(maxlen=200)
        self.last_trade: dict[str, TradeReported] = {}
        self.volume: dict[str, int] = dict.fromkeys((item.symbol for item in listings), 0)
        self.stats = SessionStats()

    def step(self, ts_ns: int) -> list[Event]:
        """Send the flow's next command to its venue and take note of what happened."""
        venue, command = self.flow.next_command()
        events = self.engines[venue].handle(command, ts_ns)
        self.flow.observe(events)
        self.stats.commands += 1
        self._record(events)
        return events

    def _record(self, events: Iterable[Event]) -> None:
        for event in events:
            if isinstance(event, TradeReported):
                self.tape.append(event)
                self.last_trade[event.symbol] = event
                self.volume[event.symbol] += event.quantity
                self.stats.trades += 1
                self.stats.shares += event.quantity
            elif isinstance(event, OrderRejected):
                self.stats.rejects += 1

    def montage(self, symbol: str, levels: int = 5) -> tuple[list[VenueLevel], list[VenueLevel]]:
        """Every venue's best ``levels`` displayed bid and ask levels, best first (Level II)."""
        bids: list[VenueLevel] = []
        asks: list[VenueLevel] = []
        for name, engine in self.engines.items():
            depth = engine.depth(symbol, levels)
            bids.extend(VenueLevel(name, level.price, level.quantity) for level in depth.bids)
            asks.extend(VenueLevel(name, level.price, level.quantity) for level in depth.asks)
        bids.sort(key=lambda level: (-level.price, -level.size, level.venue))
        asks.sort(key=lambda level: (level.price, -level.size, level.venue))
        return bids, asks

    def national_quote(self, symbol: str) -> NationalQuote:
        """The NBBO: best bid and best offer over all venues."""
        bids, asks = self.montage(symbol, 1)
        return NationalQuote(symbol, bids[0] if bids else None, asks[0] if asks else None)


def _price(level: VenueLevel | None) -> str:
    return "-" if level is None else format_price(level.price)


def _size(level: VenueLevel | None) -> str:
    return "" if level is None else f"{level.size:,}"


def render(market: DemoMarket, focus: str, elapsed: float) -> Group:
    """The screen: NBBO for every symbol, Level II for ``focus``, and the tape."""
    nbbo = Table(title="National best bid and offer", expand=True)
    for column in ("Symbol", "Bid venue", "Bid size", "Bid", "Ask", "Ask size", "Ask venue"):
        nbbo.add_column(column, justify="right" if column != "Symbol" else "left")
    nbbo.add_column("Last", justify="right")
    nbbo.add_column("Volume", justify="right")
    for listing in market.listings:
        quote = market.national_quote(listing.symbol)
        last = market.last_trade.get(listing.symbol)
        nbbo.add_row(
            listing.symbol,
            quote.bid.venue if quote.bid else "",
            _size(quote.bid),
            _price(quote.bid),
            _price(quote.ask),
            _size(quote.ask),
            quote.ask.venue if quote.ask else "",
            format_price(last.price) if last else "-",
            f"{market.volume[listing.symbol]:,}",
        )
    bids, asks = market.montage(focus, 3)
    level2 = Table(title=f"Level II: {focus}", expand=True)
    for column in ("Venue", "Bid size", "Bid", "Ask", "Ask size", "Venue "):
        level2.add_column(column, justify="right")
    for row in range(min(10, max(len(bids), len(asks)))):
        bid = bids[row] if row < len(bids) else None
        ask = asks[row] if row < len(asks) else None
        level2.add_row(
            bid.venue if bid else "",
            _size(bid),
            _price(bid),
            _price(ask),
            _size(ask),
            ask.venue if ask else "",
        )
    tape = Table(title="Time and sales", expand=True)
    for column in ("Symbol", "Venue", "Price", "Size"):
        tape.add_column(column, justify="right")
    for trade in list(market.tape)[-12:][::-1]:
        tape.add_row(trade.symbol, trade.venue, format_price(trade.price), f"{trade.quantity:,}")
    stats = market.stats
    summary = (
        f"{elapsed:6.1f}s  commands {stats.commands:,}  trades {stats.trades:,}  "
        f"shares {stats.shares:,}  rejects {stats.rejects:,}   (Ctrl-C to stop)"
    )
    return Group(nbbo, level2, tape, summary)


def run(
    seed: int,
    rate: int,
    duration: float | None,
    live: bool,
    console: Console,
    clock: Callable[[], float] = time.monotonic,
    wall_ns: Callable[[], int] = time.time_ns,
) -> DemoMarket:
    """Drive the market at ``rate`` commands per second until ``duration`` or Ctrl-C."""
    market = DemoMarket(seed)
    started = clock()
    symbols = [item.symbol for item in market.listings]

    def screen() -> Group:
        elapsed = clock() - started
        return render(market, symbols[int(elapsed // 5) % len(symbols)], elapsed)

    def pump() -> None:
        due = int((clock() - started) * rate)
        while market.stats.commands < due:
            market.step(wall_ns())

    try:
        if live:
            with Live(screen(), console=console, refresh_per_second=4) as display:
                while duration is None or clock() - started < duration:
                    pump()
                    display.update(screen())
                    time.sleep(0.05)
        else:
            while duration is None or clock() - started < duration:
                pump()
                time.sleep(0.01)
    except KeyboardInterrupt:
        pass
    console.print(render(market, symbols[0], clock() - started))
    return market


def _run_command(args: argparse.Namespace) -> int:
    console = Console()
    run(args.seed, args.rate, args.duration, live=not args.no_live, console=console)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``directbroker demo``."""
    parser = subparsers.add_parser("demo", help="run the simulated venues live in the terminal")
    parser.add_argument("--seed", type=int, default=7, help="order-flow seed (same seed, same day)")
    parser.add_argument("--rate", type=int, default=2_000, help="commands per second")
    parser.add_argument("--duration", type=float, default=None, help="seconds; default: until Ctrl-C")
    parser.add_argument("--no-live", action="store_true", help="print a summary, no live screen")
    parser.set_defaults(handler=_run_command)
