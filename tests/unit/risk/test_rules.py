"""Size, price collar, duplicate and rate checks, and how risk prices an order."""

from __future__ import annotations

from directbroker.domain.orders import OrderType, Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.risk import Limits, MarketFacts, estimate_price
from directbroker.engines.risk.rules import (
    check_collar,
    check_duplicate,
    check_market,
    check_rate,
    check_size,
)
from tests.unit.risk.risk_helpers import ticket, usd

QUOTE = MarketFacts(bid=usd("99.90"), ask=usd(100), last=usd("99.95"))


def test_market_orders_are_priced_at_the_far_side_plus_a_buffer() -> None:
    buy = ticket(limit=None, order_type=OrderType.MARKET)
    assert estimate_price(buy, QUOTE, 500) == usd(105)  # $100.00 + 5%
    sell = ticket(Side.SELL_SHORT, limit=None, order_type=OrderType.MARKET)
    assert estimate_price(sell, QUOTE, 500) == usd("99.90")
    assert estimate_price(buy, MarketFacts(last=usd(50)), 0) == usd(50)
    assert estimate_price(buy, MarketFacts(), 500) is None
    assert estimate_price(ticket(limit="101.00"), QUOTE, 500) == usd(101)


def test_a_buy_stop_is_priced_at_its_stop_or_the_offer_if_higher() -> None:
    stop = ticket(limit=None, order_type=OrderType.STOP, stop="110.00")
    assert estimate_price(stop, QUOTE, 0) == usd(110)
    assert estimate_price(stop, MarketFacts(ask=usd(120)), 0) == usd(120)


def test_maximum_quantity_and_notional() -> None:
    limits = Limits(max_order_quantity=1_000, max_order_notional=usd(100_000))
    assert check_size(ticket(quantity=1_500), usd(10), limits) == (
        RejectCode.MAX_ORDER_QUANTITY,
        "Order quantity 1,500 is above the maximum of 1,000 shares",
    )
    assert check_size(ticket(quantity=1_000), usd("100.01"), limits) == (
        RejectCode.MAX_ORDER_NOTIONAL,
        "Order value $100,010.00 is above the maximum of $100,000.00",
    )
    assert check_size(ticket(quantity=1_000), usd(100), limits) is None


def test_the_price_collar_catches_fat_fingers() -> None:
    limits = Limits(collar_bps=1_000)  # 10%
    assert check_collar(ticket(limit="110.01"), QUOTE, limits) == (
        RejectCode.PRICE_COLLAR,
        "Limit $110.01 is more than 10.00% above the offer $100.00; check the price",
    )
    assert check_collar(ticket(limit="110.00"), QUOTE, limits) is None
    # 10% under the $99.90 bid is $89.91
    assert check_collar(ticket(Side.SELL, limit="89.90"), QUOTE, limits) == (
        RejectCode.PRICE_COLLAR,
        "Limit $89.90 is more than 10.00% below the bid $99.90; check the price",
    )
    assert check_collar(ticket(Side.SELL, limit="89.91"), QUOTE, limits) is None
    assert check_collar(ticket(limit="500"), MarketFacts(), limits) is None


def test_duplicates_within_the_window() -> None:
    second = 1_000_000_000
    refusal = check_duplicate(10 * second, 10 * second + second // 5, second)
    assert refusal == (
        RejectCode.DUPLICATE_ORDER,
        "An identical order was placed 0.200 s ago; change it or wait 1 s to place it again",
    )
    assert check_duplicate(10 * second, 11 * second, second) is None
    assert check_duplicate(None, 5, second) is None


def test_rate_limits_and_halts() -> None:
    assert check_rate(9, 10) is None
    assert check_rate(10, 10) == (
        RejectCode.RATE_LIMITED,
        "The account may send 10 orders a second; retry in a moment",
    )
    assert check_rate(10_000, 0) is None
    halted = check_market(ticket(), MarketFacts(halted=True))
    assert halted is not None and halted[0] is RejectCode.SYMBOL_HALTED
