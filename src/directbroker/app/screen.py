"""The terminal screen: NBBO for every symbol, Level II by venue for one, the tape and the
accounts, drawn from the read models (never from the cores).

:func:`take_screen` runs on the read models' event loop and copies what the screen shows into
a :class:`ScreenData`; :func:`render` turns that into rich tables on any thread.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Group
from rich.table import Table

from directbroker.app.api_ports import EdgeModels
from directbroker.domain.accounts import AccountValues, format_money
from directbroker.domain.marketdata_messages import Montage, Quote, TradePrinted
from directbroker.domain.numbers import format_price

TAPE_ROWS = 12


@dataclass(frozen=True, slots=True)
class QuoteRow:
    """One symbol's line of the NBBO table."""

    symbol: str
    quote: Quote | None
    last: int | None
    volume: int


@dataclass(frozen=True, slots=True)
class ScreenData:
    """Everything one frame of the screen shows, copied off the read models."""

    quotes: tuple[QuoteRow, ...]
    focus: str
    montage: Montage | None
    tape: tuple[TradePrinted, ...]
    accounts: tuple[AccountValues, ...]


def take_screen(
    models: EdgeModels, symbols: Sequence[str], focus: str, accounts: Sequence[str]
) -> ScreenData:
    """Copy one frame off the read models (on their event loop)."""
    market = models.market
    rows = []
    tape: list[TradePrinted] = []
    for symbol in symbols:
        snapshot = market.snapshot(symbol)
        last = snapshot.last_trade if snapshot else None
        volume = snapshot.today.volume if snapshot and snapshot.today else 0
        rows.append(QuoteRow(symbol, market.nbbo(symbol), last.price if last else None, volume))
        tape.extend(market.trades(symbol, TAPE_ROWS))
    tape.sort(key=lambda trade: trade.ts_ns)
    values = []
    for account in accounts:
        state = models.accounts.state(account)
        if state is not None:
            values.append(state.values)
    return ScreenData(
        tuple(rows),
        focus,
        market.montage(focus, 3) if focus in symbols else None,
        tuple(tape[-TAPE_ROWS:]),
        tuple(values),
    )


def _price(price: int | None) -> str:
    return "-" if price is None else format_price(price)


def _nbbo_table(data: ScreenData) -> Table:
    table = Table(title="National best bid and offer", expand=True)
    for column in ("Symbol", "Bid venue", "Bid size", "Bid", "Ask", "Ask size", "Ask venue"):
        table.add_column(column, justify="left" if column == "Symbol" else "right")
    table.add_column("Last", justify="right")
    table.add_column("Volume", justify="right")
    for row in data.quotes:
        quote = row.quote
        if quote is None:
            table.add_row(row.symbol, "", "", "-", "-", "", "", _price(row.last), "0")
            continue
        table.add_row(
            row.symbol,
            quote.bid_venue,
            f"{quote.bid_size:,}" if quote.bid_price is not None else "",
            _price(quote.bid_price),
            _price(quote.ask_price),
            f"{quote.ask_size:,}" if quote.ask_price is not None else "",
            quote.ask_venue,
            _price(row.last),
            f"{row.volume:,}",
        )
    return table


def _level2_table(data: ScreenData) -> Table:
    montage = data.montage
    rows = montage.venues if montage is not None else ()
    bids = sorted(
        ((level.price, level.quantity, row.venue) for row in rows for level in row.bids),
        key=lambda item: (-item[0], -item[1], item[2]),
    )
    asks = sorted(
        ((level.price, level.quantity, row.venue) for row in rows for level in row.asks),
        key=lambda item: (item[0], -item[1], item[2]),
    )
    table = Table(title=f"Level II: {data.focus}", expand=True)
    for column in ("Venue", "Bid size", "Bid", "Ask", "Ask size", "Venue "):
        table.add_column(column, justify="right")
    for index in range(min(10, max(len(bids), len(asks)))):
        bid = bids[index] if index < len(bids) else None
        ask = asks[index] if index < len(asks) else None
        table.add_row(
            bid[2] if bid else "",
            f"{bid[1]:,}" if bid else "",
            _price(bid[0]) if bid else "",
            _price(ask[0]) if ask else "",
            f"{ask[1]:,}" if ask else "",
            ask[2] if ask else "",
        )
    return table


def _tape_table(data: ScreenData) -> Table:
    table = Table(title="Time and sales", expand=True)
    for column in ("Time", "Symbol", "Venue", "Price", "Size", "Cond"):
        table.add_column(column, justify="right")
    for trade in data.tape[::-1]:
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


def _accounts_line(data: ScreenData) -> str:
    return "   ".join(
        f"{values.account} equity {format_money(values.equity)} "
        f"buying power {format_money(values.buying_power)}"
        for values in data.accounts
    )


def render(data: ScreenData, status: str) -> Group:
    """The screen for one frame, with a status line under it."""
    return Group(
        _nbbo_table(data), _level2_table(data), _tape_table(data), _accounts_line(data), status
    )
