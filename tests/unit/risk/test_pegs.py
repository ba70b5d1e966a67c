"""Risk on pegged orders: buying power reserved at the cap, else at the market-order price;
Rule 201 and the long-sale rules judge a pegged sale like any other sale."""

from __future__ import annotations

import pytest

from directbroker.domain.orders import OrderType, Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.risk import MarketFacts, RiskEngine, estimate_price
from directbroker.engines.risk.short_sale import check_price_test
from tests.unit.risk.risk_helpers import facts, ticket, usd, values

QUOTE = MarketFacts(bid=usd("99.90"), ask=usd(100), last=usd("99.95"))
RICH = facts(values(equity="100000", buying_power="200000"))
PEGS = (OrderType.PEG_MIDPOINT, OrderType.PEG_PRIMARY, OrderType.PEG_MARKET)


@pytest.mark.parametrize("kind", PEGS)
def test_an_uncapped_peg_buy_is_priced_like_a_market_buy(kind: OrderType) -> None:
    market = ticket(limit=None, order_type=OrderType.MARKET)
    peg = ticket(limit=None, order_type=kind)
    assert estimate_price(peg, QUOTE, 500) == estimate_price(market, QUOTE, 500) == usd(105)
    assert estimate_price(peg, MarketFacts(), 500) is None


@pytest.mark.parametrize("kind", PEGS)
def test_a_capped_peg_is_priced_at_its_cap(kind: OrderType) -> None:
    assert estimate_price(ticket(limit="99.50", order_type=kind), QUOTE, 500) == usd("99.50")


def test_the_engine_reserves_at_the_cap_or_the_padded_offer() -> None:
    risk = RiskEngine()
    uncapped = ticket(limit=None, order_type=OrderType.PEG_MIDPOINT)
    assert risk.check(uncapped, RICH, QUOTE, 1) == usd(105)
    capped = ticket(limit="99.95", order_type=OrderType.PEG_MIDPOINT)
    assert risk.check(capped, RICH, QUOTE, 2) == usd("99.95")


def test_an_uncapped_peg_with_no_market_is_refused() -> None:
    refusal = RiskEngine().check(
        ticket(limit=None, order_type=OrderType.PEG_MIDPOINT), RICH, MarketFacts(), 1
    )
    assert isinstance(refusal, tuple) and refusal[0] is RejectCode.NO_MARKET_PRICE


def test_a_peg_buy_beyond_buying_power_is_refused() -> None:
    poor = facts(values(equity="5000", buying_power="5000", cash="5000"))
    refusal = RiskEngine().check(
        ticket(quantity=100, limit=None, order_type=OrderType.PEG_MIDPOINT), poor, QUOTE, 1
    )
    assert isinstance(refusal, tuple) and refusal[0] is RejectCode.INSUFFICIENT_BUYING_POWER


def test_reg_sho_judges_a_pegged_short_like_any_short() -> None:
    restricted = MarketFacts(bid=usd(10), ask=usd("10.02"), short_sale_restricted=True)
    uncapped = ticket(Side.SELL_SHORT, limit=None, order_type=OrderType.PEG_MIDPOINT)
    refusal = check_price_test(uncapped, restricted)
    assert refusal is not None and refusal[0] is RejectCode.SHORT_SALE_PRICE_TEST
    at_bid = ticket(Side.SELL_SHORT, limit="10.00", order_type=OrderType.PEG_MIDPOINT)
    refusal = check_price_test(at_bid, restricted)
    assert refusal is not None and refusal[0] is RejectCode.SHORT_SALE_PRICE_TEST
    above = ticket(Side.SELL_SHORT, limit="10.01", order_type=OrderType.PEG_MIDPOINT)
    assert check_price_test(above, restricted) is None
    # Not easy to borrow and no locate: refused before any price question.
    verdict = RiskEngine().check(uncapped, RICH, QUOTE, 1)
    assert isinstance(verdict, tuple) and verdict[0] is RejectCode.LOCATE_REQUIRED


def test_a_pegged_long_sale_needs_the_shares() -> None:
    sale = ticket(Side.SELL, limit=None, order_type=OrderType.PEG_MIDPOINT)
    refusal = RiskEngine().check(sale, facts(RICH.values, position=50), QUOTE, 1)
    assert isinstance(refusal, tuple)
    assert RiskEngine().check(sale, facts(RICH.values, position=100), QUOTE, 1) == 0
