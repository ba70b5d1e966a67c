"""Market makers: one per venue and symbol, quoting both sides around the fair value.

Each venue's maker quotes its own spread and size; makers post more where the rebate is richer
(the fee-driven preference real liquidity providers show). They never lock or cross another
venue's protected quote (Reg NMS Rule 610), so their quotes keep the NBBO orderly; they requote
when the fair value moves or their quote was hit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from directbroker.domain.instruments import tick_size
from directbroker.domain.messages import Command
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.venue_config import VenueConfig
from directbroker.domain.venue_messages import CancelOrder, SubmitOrder
from directbroker.sim.latent import round_to_tick
from directbroker.sim.own_orders import IdSource, OwnOrder, OwnOrders
from directbroker.sim.view import MarketView, Top

AGENT = "MM"


@dataclass(frozen=True, slots=True)
class MakerStyle:
    """How one venue's maker quotes: extra ticks of spread and its quote size in round lots."""

    extra_ticks: int
    lots: int


def maker_styles(venues: Sequence[VenueConfig]) -> dict[str, MakerStyle]:
    """Richer rebates attract tighter, larger quotes."""
    styles: dict[str, MakerStyle] = {}
    for venue in venues:
        rebate = -venue.fees.maker  # micro-dollars per share paid to makers
        lots = 2 + max(0, rebate) // 1_000
        extra = 0 if rebate >= 2_500 else 1 if rebate >= 1_500 else 2
        styles[venue.name] = MakerStyle(extra_ticks=extra, lots=lots)
    return styles


class MarketMakers:
    """Two-sided quotes at every venue for every symbol."""

    def __init__(
        self,
        venues: Sequence[VenueConfig],
        orders: OwnOrders,
        next_id: IdSource,
    ) -> None:
        self._venues = [venue.name for venue in venues]
        self._styles = maker_styles(venues)
        self._orders = orders
        self._next_id = next_id
        self._quotes: dict[tuple[str, str, Side], str] = {}

    def requote(
        self, symbol: str, fair: int, spread_ticks: int, view: MarketView
    ) -> list[tuple[str, Command]]:
        """Commands that bring every venue's quotes for ``symbol`` in line with ``fair``."""
        commands: list[tuple[str, Command]] = []
        tops = {venue: view.top(venue, symbol) for venue in self._venues}
        for venue in self._venues:
            style = self._styles[venue]
            tick = tick_size(fair)
            spread = (spread_ticks + style.extra_ticks) * tick
            bid = round_to_tick(fair - spread // 2, up=False)
            ask = round_to_tick(bid + spread, up=True)
            away_bid, away_ask = _best_elsewhere(tops, venue)
            if away_ask is not None and bid >= away_ask:
                bid = away_ask - tick_size(away_ask - 1)
            if away_bid is not None and ask <= away_bid:
                ask = away_bid + tick_size(away_bid)
            size = style.lots * 100
            commands += self._quote(venue, symbol, Side.BUY, bid, size)
            commands += self._quote(venue, symbol, Side.SELL, ask, size)
        return commands

    def _quote(
        self, venue: str, symbol: str, side: Side, price: int, size: int
    ) -> list[tuple[str, Command]]:
        if price <= 0:
            return []
        key = (venue, symbol, side)
        current_id = self._quotes.get(key)
        current = self._orders.orders.get(current_id) if current_id else None
        if current is not None and current.price == price and current.leaves * 2 >= size:
            return []
        commands: list[tuple[str, Command]] = []
        if current is not None and current.resting:
            commands.append((venue, CancelOrder(order_id=current.order_id, participant=AGENT)))
        order_id = self._next_id(AGENT)
        self._orders.sent(OwnOrder(order_id, AGENT, venue, symbol, side, price, size))
        self._quotes[key] = order_id
        command = SubmitOrder(
            order_id=order_id,
            participant=AGENT,
            symbol=symbol,
            side=side,
            order_type=OrderType.LIMIT,
            quantity=size,
            price=price,
            time_in_force=TimeInForce.DAY,
        )
        commands.append((venue, command))
        return commands


def _best_elsewhere(tops: dict[str, Top], venue: str) -> tuple[int | None, int | None]:
    bids = [top.bid for name, top in tops.items() if name != venue and top.bid is not None]
    asks = [top.ask for name, top in tops.items() if name != venue and top.ask is not None]
    return (max(bids) if bids else None), (min(asks) if asks else None)
