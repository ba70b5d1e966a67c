"""Buying power: the one calculation behind both the pre-trade check and the account view.

Risk refuses an order that adds to a position when it costs more than ``buying_power``; the
client API shows the same figures on ``/v2/account``. Both come from :func:`buying_power`
over the ledger's account values, what working orders already hold (``reserved``) and the
account holder's ``max_margin_multiplier``, so the screen can never promise room the check
would refuse (docs/adr/0014-account-configurations-and-alpaca-replace.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.domain.accounts import AccountType, AccountValues

DAY_TRADE_LEVERAGE = 4
"""Day-trading buying power is this many times the equity above the maintenance requirement
(the intraday margin standard at the 25% long maintenance rate)."""


@dataclass(frozen=True, slots=True)
class BuyingPower:
    """What an account may still spend, net of working orders (never negative).

    ``buying_power`` is the figure risk checks orders against; ``regt_buying_power`` the
    overnight (Regulation T) figure; ``daytrading_buying_power`` four times the maintenance
    excess (the intraday margin standard), zero for a cash account; and
    ``non_marginable_buying_power`` what may buy securities that cannot be bought on margin
    (cash only)."""

    buying_power: int
    regt_buying_power: int
    daytrading_buying_power: int
    non_marginable_buying_power: int
    multiplier: int


def buying_power(
    values: AccountValues, reserved: int, max_margin_multiplier: int = 4, house_addon: int = 0
) -> BuyingPower:
    """The account's buying power after ``reserved`` (what its working orders that add to
    positions hold), capped by the holder's multiplier: 1 means cash only, no borrowing;
    2 and 4 allow the Regulation T figure (4 also shows the day-trading figure in full)."""
    if values.account_type is AccountType.CASH:
        cash = max(0, values.buying_power - reserved)
        return BuyingPower(cash, cash, 0, cash, 1)
    cash_only = max(0, min(values.cash, values.buying_power) - reserved)
    if max_margin_multiplier <= 1:
        return BuyingPower(cash_only, cash_only, cash_only, cash_only, 1)
    regt = max(0, values.buying_power - reserved)
    excess = values.equity - values.maintenance_requirement - house_addon
    day = max(0, excess * DAY_TRADE_LEVERAGE - reserved)
    if max_margin_multiplier < DAY_TRADE_LEVERAGE:
        day = min(day, regt)
    return BuyingPower(regt, regt, day, cash_only, max_margin_multiplier)
