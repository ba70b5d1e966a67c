"""Regulation SHO and the short-sale side of margin: order marking, locates, the Rule 201
price test, and who may sell short at all.

A sale is marked long only if the account owns the shares (Rule 200(g)); a short sale needs a
reasonable ground to believe the shares can be borrowed (Rule 203(b): the easy-to-borrow list
or a recorded locate); while Rule 201 is in effect a short sale must be priced above the
national best bid unless marked exempt; and shorting needs a margin account with at least
$2,000 of equity (FINRA Rule 4210(b)).
"""

from __future__ import annotations

from directbroker.domain.accounts import AccountType
from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.risk.facts import AccountFacts, MarketFacts, OrderTicket
from directbroker.engines.risk.money import dollars, price_text
from directbroker.engines.risk.rules import Refusal

SHORT_SIDES = (Side.SELL_SHORT, Side.SELL_SHORT_EXEMPT)


def check_long_sale(ticket: OrderTicket, account: AccountFacts) -> Refusal | None:
    """A sale marked long may not exceed the shares held less those already being sold."""
    if ticket.side is not Side.SELL:
        return None
    held = max(0, account.position)
    available = held - account.open_sell
    if ticket.quantity > available:
        return (
            RejectCode.LONG_SALE_EXCEEDS_POSITION,
            f"Selling {ticket.quantity:,} {ticket.symbol} marked long, but only "
            f"{max(0, available):,} of the {held:,} held are free; "
            "sell fewer or mark the rest short",
        )
    return None


def check_short_sale(
    ticket: OrderTicket,
    account: AccountFacts,
    market: MarketFacts,
    easy_to_borrow: bool,
    located: int,
    minimum_equity: int,
) -> Refusal | None:
    """Every short-sale rule, cheapest first."""
    if ticket.side not in SHORT_SIDES:
        return None
    values = account.values
    if values.account_type is not AccountType.MARGIN:
        return RejectCode.SHORT_NEEDS_MARGIN, "Short sales need a margin account"
    if values.equity < minimum_equity:
        return (
            RejectCode.SHORT_NEEDS_MARGIN,
            f"Short sales need at least {dollars(minimum_equity)} of equity; the account has "
            f"{dollars(values.equity)}",
        )
    if account.position > 0:
        return (
            RejectCode.SHORT_WHILE_LONG,
            f"The account holds {account.position:,} {ticket.symbol} long: sell those "
            "(marked long) before selling short",
        )
    if account.open_buy:
        return (
            RejectCode.CONFLICTING_ORDERS,
            f"Cancel the working buy orders in {ticket.symbol} before selling it short",
        )
    if not easy_to_borrow:
        free = located - account.open_short
        if ticket.quantity > free:
            return (
                RejectCode.LOCATE_REQUIRED,
                f"{ticket.symbol} is not easy to borrow: a short sale of {ticket.quantity:,} "
                f"needs a locate ({max(0, free):,} located shares free)",
            )
    return check_price_test(ticket, market)


def check_price_test(ticket: OrderTicket, market: MarketFacts) -> Refusal | None:
    """Rule 201: while the restriction is in effect, shorts only above the national best bid
    (orders marked short exempt are not subject to it)."""
    if ticket.side is not Side.SELL_SHORT or not market.short_sale_restricted:
        return None
    bid = market.bid
    price = ticket.limit_price
    if price is None:
        return (
            RejectCode.SHORT_SALE_PRICE_TEST,
            f"Rule 201 is in effect for {ticket.symbol}: short sales need a limit price above "
            "the national best bid",
        )
    if bid is not None and price <= bid:
        return (
            RejectCode.SHORT_SALE_PRICE_TEST,
            f"Rule 201 is in effect for {ticket.symbol}: limit {price_text(price)} must be above "
            f"the national best bid {price_text(bid)}",
        )
    return None


def conflicts_with_short(ticket: OrderTicket, account: AccountFacts) -> Refusal | None:
    """A buy while short sales are working could make the account long before a short fills,
    which the books cannot carry (no account is long and short one symbol)."""
    if ticket.side is Side.BUY and account.open_short:
        return (
            RejectCode.CONFLICTING_ORDERS,
            f"Cancel the working short sales in {ticket.symbol} before buying it",
        )
    return None
