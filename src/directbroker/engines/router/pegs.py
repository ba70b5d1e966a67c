"""Where a customer's pegged order goes: always one venue, never split.

A peg is priced by the venue from its own quote, so shares spread over several venues would
work at several prices and could not be replaced as one order; the whole order goes to one
venue that carries the peg (``VenueConfig.peg_types``).

Directed, the named venue must carry that peg (else 4008). Smart picks, among the eligible
venues that carry it (docs/adr/0006-broker-core-oms-and-risk.md):

- a midpoint peg: the venue whose own displayed quote is two-sided and uncrossed (so the peg
  can trade at once) with the best midpoint for the customer (lowest for a buy, highest for a
  sale); then the lowest maker fee (a resting peg is paid or charged as a maker); then the name;
- a primary peg: the symbol's listing venue when it is eligible and carries it; otherwise, like
  a market peg, the lowest maker fee, then the name.
"""

from __future__ import annotations

from directbroker.domain.orders import BookSide, OrderType, Side
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import ChildInstruction, ChildPurpose, RouteRequest
from directbroker.engines.router.market import MarketView

Refusal = tuple[RejectCode, str]

PEG_TYPES = frozenset({OrderType.PEG_PRIMARY, OrderType.PEG_MIDPOINT, OrderType.PEG_MARKET})


def carries(market: MarketView, venue: str, order_type: OrderType) -> bool:
    """Whether ``venue`` accepts pegs of ``order_type``."""
    config = market.configs.get(venue)
    return config is not None and order_type in config.peg_types


def check_directed_peg(request: RouteRequest, market: MarketView) -> Refusal | None:
    """A directed peg must name a venue that carries that peg."""
    if request.order_type in PEG_TYPES and not carries(market, request.route, request.order_type):
        return (
            RejectCode.ROUTE_PEG_UNSUPPORTED,
            f"{request.route} does not accept {request.order_type.value} orders",
        )
    return None


def smart_peg(
    request: RouteRequest, market: MarketView, eligible: list[str]
) -> list[ChildInstruction] | Refusal:
    """The one child a smart-routed peg becomes, or why no venue can take it."""
    kind = request.order_type
    able = [venue for venue in eligible if carries(market, venue, kind)]
    if not able:
        return (
            RejectCode.ROUTE_PEG_UNSUPPORTED,
            f"no available venue accepts {kind.value} orders in {request.symbol}",
        )
    venue = _choose(request, market, able)
    return [
        ChildInstruction(
            venue,
            request.quantity,
            kind,
            request.limit_price,
            request.time_in_force,
            ChildPurpose.POST,
        )
    ]


def _choose(request: RouteRequest, market: MarketView, able: list[str]) -> str:
    kind, symbol = request.order_type, request.symbol
    if kind is OrderType.PEG_PRIMARY:
        primary = market.primary_venue(symbol)
        if primary in able:
            return primary
    if kind is not OrderType.PEG_MIDPOINT:
        return min(able, key=lambda v: (market.maker_fee(v), v))
    sign = 1 if request.side is Side.BUY else -1

    def midpoint_key(venue: str) -> tuple[int, int, int, str]:
        bid = market.book.best(symbol, venue, BookSide.BID)
        ask = market.book.best(symbol, venue, BookSide.ASK)
        if bid is None or ask is None or bid >= ask:
            return 1, 0, market.maker_fee(venue), venue
        return 0, sign * (bid + ask), market.maker_fee(venue), venue

    return min(able, key=midpoint_key)
