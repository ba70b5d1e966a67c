"""Pre-trade checks on the order itself and the market: each a small pure function returning
``None`` (pass) or a refusal with a stable code and a message the customer can act on.

SEC Rule 15c3-5 asks for credit and capital thresholds and for checks that "prevent the entry
of erroneous orders, by rejecting orders that exceed appropriate price or size parameters ...
or that indicate duplicative orders"; the size, collar and duplicate checks are those.
"""

from __future__ import annotations

from directbroker.domain.orders import OrderType, Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.risk.facts import MarketFacts, OrderTicket
from directbroker.engines.risk.limits import Limits
from directbroker.engines.risk.money import BPS, dollars, dollars_needed, percent, price_text

Refusal = tuple[RejectCode, str]

_MARKET_PRICED = frozenset(
    {
        OrderType.MARKET,
        OrderType.MARKET_ON_OPEN,
        OrderType.MARKET_ON_CLOSE,
        OrderType.STOP,
        OrderType.TRAILING_STOP,
    }
)
_PEGS = frozenset({OrderType.PEG_PRIMARY, OrderType.PEG_MIDPOINT, OrderType.PEG_MARKET})


def estimate_price(ticket: OrderTicket, market: MarketFacts, buffer_bps: int) -> int | None:
    """The price per share risk assumes the order executes at (None: nothing to go by).

    A limit is the worst the order can do. A market order is assumed to pay the far side of the
    NBBO (or the last sale) plus ``buffer_bps``; a stop, its stop or the market if worse. A peg
    never pays more than its cap, so a capped peg is its cap; an uncapped one may follow the
    market anywhere and is priced as a market order.
    """
    buying = ticket.side is Side.BUY
    uncapped_peg = ticket.order_type in _PEGS and ticket.limit_price is None
    if ticket.order_type not in _MARKET_PRICED and not uncapped_peg:
        return ticket.limit_price
    far = market.ask if buying else market.bid
    reference = far if far is not None else market.last
    if ticket.order_type is OrderType.TRAILING_STOP and reference is not None:
        reference += ticket.trail_offset if buying else 0
    if ticket.stop_price is not None:
        stop = ticket.stop_price
        reference = stop if reference is None else (max if buying else min)(reference, stop)
    if reference is None:
        return None
    padded = reference * (BPS + buffer_bps) // BPS if buying else reference
    return max(1, padded)


def check_size(ticket: OrderTicket, price: int, limits: Limits) -> Refusal | None:
    """Maximum order quantity and notional."""
    most = limits.max_order_quantity
    if most and ticket.quantity > most:
        return (
            RejectCode.MAX_ORDER_QUANTITY,
            f"Order quantity {ticket.quantity:,} is above the maximum of {most:,} shares",
        )
    notional = ticket.quantity * price
    cap = limits.max_order_notional
    if cap and notional > cap:
        return (
            RejectCode.MAX_ORDER_NOTIONAL,
            f"Order value {dollars_needed(notional)} is above the maximum of {dollars(cap)}",
        )
    return None


def check_collar(ticket: OrderTicket, market: MarketFacts, limits: Limits) -> Refusal | None:
    """A limit price too far through the market is probably a typo (an erroneous order): a buy
    may pay at most ``collar_bps`` over the offer, a sell at most that much under the bid."""
    collar = limits.collar_bps
    price = ticket.limit_price
    if not collar or price is None:
        return None
    if ticket.side is Side.BUY:
        offer = market.ask if market.ask is not None else market.last
        if offer is not None and price * BPS > offer * (BPS + collar):
            return (
                RejectCode.PRICE_COLLAR,
                f"Limit {price_text(price)} is more than {percent(collar)} above the offer "
                f"{price_text(offer)}; check the price",
            )
        return None
    bid = market.bid if market.bid is not None else market.last
    if bid is not None and price * BPS < bid * (BPS - collar):
        return (
            RejectCode.PRICE_COLLAR,
            f"Limit {price_text(price)} is more than {percent(collar)} below the bid "
            f"{price_text(bid)}; check the price",
        )
    return None


def check_duplicate(last_ts: int | None, ts: int, window_ns: int) -> Refusal | None:
    """The same order (account, symbol, side, type, size, prices) again within the window."""
    if last_ts is None or not window_ns or ts - last_ts >= window_ns:
        return None
    return (
        RejectCode.DUPLICATE_ORDER,
        f"An identical order was placed {(ts - last_ts) / 1e9:.3f} s ago; change it or wait "
        f"{window_ns / 1e9:g} s to place it again",
    )


def check_rate(recent: int, most: int) -> Refusal | None:
    """New orders and replaces per account per second."""
    if most and recent >= most:
        return (
            RejectCode.RATE_LIMITED,
            f"The account may send {most:,} orders a second; retry in a moment",
        )
    return None


def check_market(ticket: OrderTicket, market: MarketFacts) -> Refusal | None:
    """A halted symbol takes no orders."""
    if market.halted:
        return RejectCode.SYMBOL_HALTED, f"{ticket.symbol} is halted; wait for trading to resume"
    return None
