"""Buying power, credit, settled cash, intraday margin and the pattern day trader rule, each
with the numbers worked out."""

from __future__ import annotations

from directbroker.domain.accounts import AccountStatus, AccountType
from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.risk.funds import (
    check_buying_power,
    check_close_only,
    check_credit,
    check_intraday_margin,
    check_pattern_day_trader,
    reduces_position,
)
from tests.unit.risk.risk_helpers import facts, ticket, usd, values


def test_insufficient_buying_power_says_what_is_needed_and_available() -> None:
    # 100 shares at $124.30 need $12,430.00; the ledger says $9,870.55 of buying power.
    account = facts(values(buying_power="9870.55"))
    refusal = check_buying_power(ticket(limit="124.30"), account, usd("124.30"), 0)
    assert refusal == (
        RejectCode.INSUFFICIENT_BUYING_POWER,
        "Insufficient buying power: order needs $12,430.00, available $9,870.55",
    )


def test_working_orders_hold_buying_power() -> None:
    # $20,000 of buying power, $10,000 held by working buys: $10,000 left for a $12,430 order.
    account = facts(values(buying_power="20000"), reserved="10000")
    refusal = check_buying_power(ticket(limit="124.30"), account, usd("124.30"), 0)
    assert refusal is not None and refusal[1].endswith("available $10,000.00")
    assert check_buying_power(ticket(limit="100"), account, usd(100), 0) is None  # $10,000 fits


def test_a_restricted_cash_account_spends_only_settled_cash() -> None:
    # $8,000 of cash, but only $5,000 of it settled and free: a $6,000 buy is refused.
    cash = values(account_type=AccountType.CASH, buying_power="8000", withdrawable_cash="5000")
    refusal = check_buying_power(ticket(quantity=60), facts(cash), usd(100), 20260830)
    assert refusal == (
        RejectCode.SETTLED_CASH_ONLY,
        "The account may buy only with settled cash until 2026-08-30: order needs $6,000.00, "
        "settled cash available $5,000.00",
    )
    assert check_buying_power(ticket(quantity=60), facts(cash), usd(100), 0) is None


def test_credit_limit_counts_positions_orders_and_this_order() -> None:
    # $50,000 long + $20,000 short + $20,000 working + $40,000 order = $130,000 > $120,000.
    account = facts(values(long_market_value="50000", short_market_value="20000"), reserved="20000")
    refusal = check_credit(ticket(quantity=400), account, usd(100), usd(120_000))
    assert refusal == (
        RejectCode.CREDIT_LIMIT,
        "The order would bring exposure to $130,000.00, above the credit limit of $120,000.00",
    )
    assert check_credit(ticket(quantity=300), account, usd(100), usd(120_000)) is None


def test_intraday_margin_blocks_an_order_that_creates_a_deficit() -> None:
    # Equity $10,000; existing maintenance $2,000; a $40,000 buy adds 25% = $10,000: $12,000.
    account = facts(values(equity="10000", maintenance_requirement="2000"))
    refusal = check_intraday_margin(ticket(quantity=400), account, usd(100), 2_500, 2_500)
    assert refusal == (
        RejectCode.INTRADAY_MARGIN_DEFICIT,
        "The order would bring the maintenance requirement to $12,000.00 against equity of "
        "$10,000.00 (an intraday margin deficit of $2,000.00)",
    )
    # $32,000 adds $8,000: exactly $10,000, no deficit.
    assert check_intraday_margin(ticket(quantity=320), account, usd(100), 2_500, 2_500) is None


def test_house_rates_and_working_orders_count_towards_the_requirement() -> None:
    # A 100% house rate: a $9,000 buy needs $9,000; with $2,000 existing that is $11,000.
    account = facts(values(equity="10000", maintenance_requirement="2000"))
    assert check_intraday_margin(ticket(quantity=90), account, usd(100), 10_000, 2_500)
    assert check_intraday_margin(ticket(quantity=80), account, usd(100), 10_000, 2_500) is None
    # $4,000 of working buys at 25% adds $1,000: the $8,000 order no longer fits.
    busy = facts(values(equity="10000", maintenance_requirement="2000"), reserved="4000")
    assert check_intraday_margin(ticket(quantity=80), busy, usd(100), 10_000, 2_500)


def test_an_existing_deficit_may_not_grow_but_cash_accounts_are_not_margined() -> None:
    deficit = facts(values(equity="1000", maintenance_requirement="2000"))
    assert check_intraday_margin(ticket(quantity=1), deficit, usd(100), 2_500, 2_500)
    cash = facts(values(account_type=AccountType.CASH, equity="1000"))
    assert check_intraday_margin(ticket(quantity=1000), cash, usd(100), 2_500, 2_500) is None


def test_the_pattern_day_trader_rule_stops_the_fourth_day_trade_under_25000() -> None:
    poor = facts(values(equity="20000"))
    refusal = check_pattern_day_trader(ticket(Side.SELL), poor, True, 3, 3, usd(25_000))
    assert refusal == (
        RejectCode.PATTERN_DAY_TRADER,
        "This would be day trade 4 in five business days; that needs $25,000.00 of equity "
        "and the account has $20,000.00",
    )
    assert check_pattern_day_trader(ticket(Side.SELL), poor, True, 2, 3, usd(25_000)) is None
    assert check_pattern_day_trader(ticket(Side.SELL), poor, False, 3, 3, usd(25_000)) is None
    rich = facts(values(equity="25000"))
    assert check_pattern_day_trader(ticket(Side.SELL), rich, True, 3, 3, usd(25_000)) is None


def test_only_orders_that_add_to_a_position_are_charged() -> None:
    short_200 = facts(position=-200, open_buy=50)
    assert reduces_position(ticket(Side.SELL), facts())
    assert reduces_position(ticket(Side.BUY, quantity=150), short_200)
    assert not reduces_position(ticket(Side.BUY, quantity=151), short_200)
    assert not reduces_position(ticket(Side.SELL_SHORT), facts())


def test_close_only_accounts_may_only_reduce() -> None:
    called = facts(values(margin_deficiency="1500"), position=100)
    refusal = check_close_only(ticket(Side.BUY), called, None)
    assert refusal == (
        RejectCode.CLOSE_ONLY,
        "Account A1 may only close positions: a margin call of $1,500.00 is outstanding",
    )
    assert check_close_only(ticket(Side.SELL), called, None) is None
    restricted = facts(values(status=AccountStatus.CLOSE_ONLY))
    assert check_close_only(ticket(Side.BUY), restricted, None) is not None
    lossy = check_close_only(ticket(Side.BUY), facts(), "the maximum daily loss was reached")
    assert lossy is not None and lossy[0] is RejectCode.CLOSE_ONLY
