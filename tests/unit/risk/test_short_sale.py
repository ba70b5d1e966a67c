"""Reg SHO marking, locates, Rule 201 and the short-sale account requirements."""

from __future__ import annotations

from directbroker.domain.accounts import AccountType
from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.risk import AccountFacts, MarketFacts, OrderTicket
from directbroker.engines.risk.short_sale import (
    check_long_sale,
    check_short_sale,
    conflicts_with_short,
)
from tests.unit.risk.risk_helpers import facts, ticket, usd, values

MARGIN = values(equity="5000")
QUOTE = MarketFacts(bid=usd(10), ask=usd("10.02"))


def short(quantity: int = 100, limit: str | None = "10.01", exempt: bool = False) -> OrderTicket:
    side = Side.SELL_SHORT_EXEMPT if exempt else Side.SELL_SHORT
    return ticket(side, quantity, limit)


def run(
    order: OrderTicket,
    account: AccountFacts | None = None,
    market: MarketFacts = QUOTE,
    etb: bool = True,
    located: int = 0,
) -> tuple[RejectCode, str] | None:
    return check_short_sale(
        order,
        account or facts(MARGIN),
        market,
        etb,
        located,
        usd(2_000),
    )


def test_a_long_sale_may_not_exceed_the_free_shares() -> None:
    account = facts(position=100, open_sell=30)
    assert check_long_sale(ticket(Side.SELL, 70), account) is None
    assert check_long_sale(ticket(Side.SELL, 71), account) == (
        RejectCode.LONG_SALE_EXCEEDS_POSITION,
        "Selling 71 XYZ marked long, but only 70 of the 100 held are free; "
        "sell fewer or mark the rest short",
    )


def test_shorting_needs_a_margin_account_with_2000_of_equity() -> None:
    cash = facts(values(account_type=AccountType.CASH, equity="50000"))
    assert run(short(), cash) == (
        RejectCode.SHORT_NEEDS_MARGIN,
        "Short sales need a margin account",
    )
    poor = facts(values(equity="1999.99"))
    assert run(short(), poor) == (
        RejectCode.SHORT_NEEDS_MARGIN,
        "Short sales need at least $2,000.00 of equity; the account has $1,999.99",
    )
    assert run(short(), facts(values(equity="2000"))) is None


def test_no_short_while_long_or_while_buying() -> None:
    refusal = run(short(), facts(MARGIN, position=10))
    assert refusal is not None and refusal[0] is RejectCode.SHORT_WHILE_LONG
    refusal = run(short(), facts(MARGIN, open_buy=10))
    assert refusal is not None and refusal[0] is RejectCode.CONFLICTING_ORDERS
    assert conflicts_with_short(ticket(Side.BUY), facts(MARGIN, open_short=5)) is not None


def test_hard_to_borrow_needs_a_locate_for_every_share() -> None:
    assert run(short(100), etb=False, located=0) == (
        RejectCode.LOCATE_REQUIRED,
        "XYZ is not easy to borrow: a short sale of 100 needs a locate (0 located shares free)",
    )
    assert run(short(100), etb=False, located=100) is None
    # 150 located, 60 already promised to a working short sale: 90 left.
    busy = facts(MARGIN, open_short=60)
    assert run(short(100), busy, etb=False, located=150) is not None
    assert run(short(90), busy, etb=False, located=150) is None


def test_rule_201_shorts_only_above_the_national_best_bid() -> None:
    restricted = MarketFacts(bid=usd(10), ask=usd("10.02"), short_sale_restricted=True)
    assert run(short(limit="10.00"), market=restricted) == (
        RejectCode.SHORT_SALE_PRICE_TEST,
        "Rule 201 is in effect for XYZ: limit $10.00 must be above the national best bid $10.00",
    )
    assert run(short(limit="10.01"), market=restricted) is None
    refusal = run(short(limit=None), market=restricted)
    assert refusal is not None and refusal[0] is RejectCode.SHORT_SALE_PRICE_TEST
    assert run(short(limit="9.00", exempt=True), market=restricted) is None
    assert run(short(limit="9.00"), market=QUOTE) is None
