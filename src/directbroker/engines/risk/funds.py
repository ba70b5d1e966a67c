"""Whether the account can pay for the order: buying power and credit (Rule 15c3-5's credit
thresholds), cash-account settled funds (Regulation T), and margin (Regulation T initial,
FINRA 4210 maintenance with house overrides, the 2026 intraday margin standard or, by
configuration, the pattern day trader rule).

Only orders that add to a position are charged: a sale of shares held, or a buy that only
covers a short, needs no buying power (and stays allowed in a close-only account).
"""

from __future__ import annotations

from directbroker.domain.accounts import AccountStatus, AccountType
from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.risk.buying_power import buying_power
from directbroker.engines.risk.facts import AccountFacts, OrderTicket
from directbroker.engines.risk.money import (
    BPS,
    date_text,
    dollars,
    dollars_available,
    dollars_needed,
)
from directbroker.engines.risk.rules import Refusal


def reduces_position(ticket: OrderTicket, account: AccountFacts) -> bool:
    """Whether the order can only make the position smaller (it may not flip it)."""
    if ticket.side is Side.SELL:
        return True
    if ticket.side is Side.BUY:
        return ticket.quantity <= -account.position - account.open_buy
    return False


def check_close_only(
    ticket: OrderTicket, account: AccountFacts, daily_loss_reason: str | None
) -> Refusal | None:
    """Close-only accounts (status, a margin call or the daily loss limit) may only reduce."""
    values = account.values
    reason = daily_loss_reason
    if values.status in (AccountStatus.CLOSE_ONLY, AccountStatus.RESTRICTED):
        reason = f"the account is {values.status.value.replace('_', ' ')}"
    elif values.liquidation_only:
        reason = f"a margin call of {dollars(values.margin_deficiency)} is outstanding"
    if reason is None or reduces_position(ticket, account):
        return None
    return (
        RejectCode.CLOSE_ONLY,
        f"Account {ticket.account} may only close positions: {reason}",
    )


def check_buying_power(
    ticket: OrderTicket,
    account: AccountFacts,
    price: int,
    restricted_until: int,
    max_margin_multiplier: int = 4,
) -> Refusal | None:
    """The order's cost against what the account may spend, less what working orders hold.

    A cash account spends its cash (settled plus unsettled sale proceeds, never credit), or
    only settled cash while it is under a 90-day restriction; a margin account spends its
    Regulation T buying power (the ledger's figure: twice the SMA, capped by maintenance),
    or only its cash when the holder set ``max_margin_multiplier`` to 1. The figure is
    :func:`~directbroker.engines.risk.buying_power.buying_power`, the one the account view shows.
    """
    needed = ticket.quantity * price
    values = account.values
    if restricted_until and values.account_type is AccountType.CASH:
        available = values.withdrawable_cash - account.reserved
        if needed > available:
            return (
                RejectCode.SETTLED_CASH_ONLY,
                f"The account may buy only with settled cash until {date_text(restricted_until)}: "
                f"order needs {dollars_needed(needed)}, settled cash available "
                f"{dollars_available(max(0, available))}",
            )
        return None
    available = buying_power(values, account.reserved, max_margin_multiplier).buying_power
    if needed > available:
        return (
            RejectCode.INSUFFICIENT_BUYING_POWER,
            f"Insufficient buying power: order needs {dollars_needed(needed)}, available "
            f"{dollars_available(max(0, available))}",
        )
    return None


def check_credit(
    ticket: OrderTicket, account: AccountFacts, price: int, credit_limit: int
) -> Refusal | None:
    """Gross exposure (positions at market, working orders and this one) within the limit."""
    if not credit_limit:
        return None
    values = account.values
    exposure = (
        values.long_market_value
        + values.short_market_value
        + account.reserved
        + ticket.quantity * price
    )
    if exposure > credit_limit:
        return (
            RejectCode.CREDIT_LIMIT,
            f"The order would bring exposure to {dollars_needed(exposure)}, above the credit "
            f"limit of {dollars(credit_limit)}",
        )
    return None


def check_intraday_margin(
    ticket: OrderTicket, account: AccountFacts, price: int, rate_bps: int, open_rate_bps: int
) -> Refusal | None:
    """FINRA's intraday margin standard: no order may create or increase a deficit of equity
    under the maintenance requirement, counted at current marks with house rates, working
    orders and this order included."""
    values = account.values
    if values.account_type is not AccountType.MARGIN:
        return None
    before = values.maintenance_requirement + account.house_addon
    after = (
        before
        + -(-ticket.quantity * price * rate_bps // BPS)
        + -(-account.reserved * open_rate_bps // BPS)
    )
    equity = values.equity
    if after > equity and after - equity > max(0, before - equity):
        return (
            RejectCode.INTRADAY_MARGIN_DEFICIT,
            f"The order would bring the maintenance requirement to {dollars_needed(after)} "
            f"against equity of {dollars(equity)} (an intraday margin deficit of "
            f"{dollars_needed(after - equity)})",
        )
    return None


def check_pattern_day_trader(
    ticket: OrderTicket,
    account: AccountFacts,
    would_day_trade: bool,
    day_trades: int,
    allowed: int,
    minimum_equity: int,
    entry: bool = False,
) -> Refusal | None:
    """The older FINRA rule: an account under $25,000 may make at most three day trades in
    five business days. ``entry``: the order opens a position, refused before it could lead
    to a day trade the account may not make (rather than trapping the position)."""
    values = account.values
    if (
        values.account_type is not AccountType.MARGIN
        or not would_day_trade
        or day_trades < allowed
        or values.equity >= minimum_equity
    ):
        return None
    if entry:
        return (
            RejectCode.PATTERN_DAY_TRADER,
            f"The account has made {day_trades} day trades in five business days; opening a "
            f"position now needs {dollars(minimum_equity)} of equity and the account has "
            f"{dollars(values.equity)}",
        )
    return (
        RejectCode.PATTERN_DAY_TRADER,
        f"This would be day trade {day_trades + 1} in five business days; that needs "
        f"{dollars(minimum_equity)} of equity and the account has {dollars(values.equity)}",
    )
