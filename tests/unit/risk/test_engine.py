"""The risk pipeline: check order, counters that only move on acceptance, admin commands."""

from __future__ import annotations

from directbroker.domain.accounts import AccountType
from directbroker.domain.broker_messages import (
    AccountConfiguration,
    CheckWhen,
    KillSwitchChanged,
    RecordLocate,
    RestrictSymbol,
    RiskSettingChanged,
    SetAccountRiskLimits,
    SetFirmRiskLimits,
    SetHouseMargin,
    SetKillSwitch,
)
from directbroker.domain.order_status import DayTradingRule, KillSwitchScope
from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.risk import ADMIN_HANDLERS, MarketFacts, RiskEngine, RiskPolicy, RiskState
from directbroker.engines.risk.admin import set_account_limits
from tests.unit.risk.risk_helpers import facts, ticket, usd, values

RICH = facts(values(equity="100000", buying_power="200000"))
QUOTE = MarketFacts(bid=usd("99.99"), ask=usd(100), last=usd(100))


def execute(
    risk: RiskEngine,
    order_id: str,
    side: Side,
    quantity: int,
    net: int,
    position_before: int = 0,
    account_type: AccountType = AccountType.MARGIN,
) -> None:
    risk.on_execution(
        order_id,
        account_type,
        ("A1", "XYZ", side, quantity, net),
        0,
        position_before,
        (20260601, 20260602),
        1,
    )


def admin(risk: RiskEngine, command: object) -> object:
    return ADMIN_HANDLERS[type(command)](risk.state, command, 1)


def code(result: object) -> RejectCode | None:
    return result[0] if isinstance(result, tuple) else None


def test_an_order_that_passes_gets_its_reserve_price() -> None:
    risk = RiskEngine()
    assert risk.check(ticket(), RICH, QUOTE, 1) == usd(100)
    assert risk.check(ticket(Side.SELL), facts(RICH.values, position=100), QUOTE, 1) == 0


def test_the_kill_switch_comes_first_and_names_its_scope() -> None:
    risk = RiskEngine()
    events = admin(risk, SetKillSwitch(KillSwitchScope.ACCOUNT, "A1", True, "runaway algo"))
    assert isinstance(events, list) and isinstance(events[0], KillSwitchChanged)
    assert risk.check(ticket(), RICH, QUOTE, 1) == (
        RejectCode.KILL_SWITCH,
        "Trading is stopped for account A1 by the kill switch: runaway algo",
    )
    admin(risk, SetKillSwitch(KillSwitchScope.ACCOUNT, "A1", False))
    admin(risk, SetKillSwitch(KillSwitchScope.FIRM, "", True, "market event"))
    assert code(risk.check(ticket(), RICH, QUOTE, 1)) is RejectCode.KILL_SWITCH


def test_restricted_securities() -> None:
    risk = RiskEngine()
    admin(risk, RestrictSymbol("XYZ", True, "pending merger"))
    assert risk.check(ticket(), RICH, QUOTE, 1) == (
        RejectCode.RESTRICTED_SECURITY,
        "XYZ is on the firm's restricted list: pending merger",
    )


def test_duplicates_and_rates_count_only_accepted_orders() -> None:
    risk = RiskEngine()
    admin(risk, SetAccountRiskLimits("A1", max_orders_per_second=2))
    order = ticket()
    assert risk.check(order, RICH, QUOTE, 1_000) == usd(100)
    assert risk.check(order, RICH, QUOTE, 1_001) == usd(100)  # nothing was counted yet
    risk.count_order(order, 1_000)
    assert code(risk.check(order, RICH, QUOTE, 2_000)) is RejectCode.DUPLICATE_ORDER
    other = ticket(quantity=101)
    risk.count_order(other, 3_000)
    assert code(risk.check(ticket(quantity=102), RICH, QUOTE, 4_000)) is RejectCode.RATE_LIMITED
    assert risk.check(ticket(quantity=102), RICH, QUOTE, 1_000_004_000) == usd(100)
    assert risk.check(order, RICH, QUOTE, 1_000_001_000) == usd(100)  # window passed


def test_limits_are_the_tighter_of_firm_and_account() -> None:
    risk = RiskEngine()
    admin(risk, SetFirmRiskLimits(max_order_quantity=1_000))
    admin(risk, SetAccountRiskLimits("A1", max_order_quantity=5_000, max_order_notional=usd(50)))
    limits = risk.limits("A1")
    assert (limits.max_order_quantity, limits.max_order_notional) == (1_000, usd(50))
    assert risk.limits("B2").max_order_quantity == 1_000
    assert code(risk.check(ticket(), RICH, QUOTE, 1)) is RejectCode.MAX_ORDER_NOTIONAL


def test_a_market_order_with_no_market_is_refused() -> None:
    risk = RiskEngine()
    refusal = risk.check(
        ticket(limit=None, order_type=__import__("directbroker").domain.OrderType.MARKET),
        RICH,
        MarketFacts(),
        1,
    )
    assert code(refusal) is RejectCode.NO_MARKET_PRICE


def test_the_daily_loss_limit_makes_an_account_close_only_until_tomorrow() -> None:
    risk = RiskEngine()
    admin(risk, SetAccountRiskLimits("A1", max_daily_loss=usd(1_000)))
    losing = facts(values(equity="100000", buying_power="200000", day_pnl="-1000"), position=100)
    refusal = risk.check(ticket(), losing, QUOTE, 1)
    assert refusal == (
        RejectCode.CLOSE_ONLY,
        "Account A1 may only close positions: the maximum daily loss of $1,000.00 was reached "
        "(day P&L -$1,000.00)",
    )
    assert risk.check(ticket(Side.SELL), losing, QUOTE, 1) == 0
    assert len(risk.check_daily_loss("A1", usd(-1_000), 1)) == 1
    assert code(risk.check(ticket(), RICH, QUOTE, 1)) is RejectCode.CLOSE_ONLY
    risk.start_day(20260602, 2)
    assert risk.check(ticket(), RICH, QUOTE, 3) == usd(100)


def test_house_margin_adds_to_the_intraday_requirement() -> None:
    risk = RiskEngine()
    admin(risk, SetHouseMargin("XYZ", 10_000))
    account = facts(values(equity="10000", buying_power="40000"))
    # 100% house rate: $10,000 of XYZ is all the equity can carry.
    assert risk.check(ticket(quantity=100), account, QUOTE, 1) == usd(100)
    assert code(risk.check(ticket(quantity=101), account, QUOTE, 1)) is (
        RejectCode.INTRADAY_MARGIN_DEFICIT
    )
    assert risk.house_addon("XYZ", usd(10_000)) == usd(7_500)  # 100% - 25% of $10,000


def test_the_pattern_day_trader_switch() -> None:
    risk = RiskEngine(RiskPolicy(day_trading_rule=DayTradingRule.PATTERN_DAY_TRADER))
    # The check on exits is the holder's choice (pdt_check); the default checks entries.
    risk.state.configs["A1"] = AccountConfiguration(pdt_check=CheckWhen.EXIT)
    risk.start_day(20260601, 0)
    account = facts(values(equity="20000", buying_power="80000"), position=100)
    for n in range(3):
        risk.on_execution(
            f"b{n}",
            values().account_type,
            ("A1", "XYZ", Side.BUY, 1, -usd(100)),
            0,
            0,
            (20260601, 20260602),
            1,
        )
        risk.on_execution(
            f"s{n}",
            values().account_type,
            ("A1", "XYZ", Side.SELL, 1, usd(100)),
            0,
            1,
            (20260601, 20260602),
            1,
        )
    assert risk.day_trades_in_window("A1") == 3
    risk.on_execution(
        "b9",
        values().account_type,
        ("A1", "XYZ", Side.BUY, 5, -usd(500)),
        0,
        0,
        (20260601, 20260602),
        1,
    )
    assert (
        code(risk.check(ticket(Side.SELL, 5), account, QUOTE, 1)) is RejectCode.PATTERN_DAY_TRADER
    )
    for day in (20260602, 20260603, 20260604, 20260605):
        risk.start_day(day, 2)
    assert risk.day_trades_in_window("A1") == 3  # Monday is still in the five-day window
    risk.start_day(20260608, 3)
    assert risk.day_trades_in_window("A1") == 0


def test_locates_are_used_up_by_short_fills_and_lapse_overnight() -> None:
    risk = RiskEngine()
    assert isinstance(admin(risk, RecordLocate("A1", "XYZ", "L1", 300)), list)
    assert code(admin(risk, RecordLocate("A1", "XYZ", "L1", 300))) is RejectCode.DUPLICATE_ORDER_ID
    risk.on_execution(
        "s",
        values().account_type,
        ("A1", "XYZ", Side.SELL_SHORT, 100, usd(1)),
        0,
        0,
        (20260601, 20260602),
        1,
    )
    assert risk.state.locates[("A1", "XYZ")] == 200
    risk.start_day(20260602, 2)
    assert risk.state.locates == {}


def test_admin_commands_are_checked_before_they_change_anything() -> None:
    risk = RiskEngine()
    before = risk.state.to_plain()
    assert code(set_account_limits(risk.state, SetAccountRiskLimits("A1", -1), 1)) is (
        RejectCode.MALFORMED
    )
    assert code(admin(risk, SetHouseMargin("XYZ", 20_000))) is RejectCode.MALFORMED
    assert (
        code(admin(risk, SetKillSwitch(KillSwitchScope.ACCOUNT, "", True))) is RejectCode.MALFORMED
    )
    assert risk.state.to_plain() == before
    event = admin(risk, SetFirmRiskLimits(collar_bps=500))
    assert isinstance(event, list) and isinstance(event[0], RiskSettingChanged)


def test_the_state_round_trips() -> None:
    risk = RiskEngine()
    admin(risk, SetAccountRiskLimits("A1", max_daily_loss=5))
    admin(risk, RecordLocate("A1", "XYZ", "L1", 300))
    risk.count_order(ticket(), 5)
    risk.on_execution(
        "b",
        values(
            account_type=__import__("directbroker").domain.accounts.AccountType.CASH
        ).account_type,
        ("A1", "XYZ", Side.BUY, 1, -usd(100)),
        0,
        0,
        (20260601, 20260602),
        1,
    )
    plain = risk.state.to_plain()
    assert RiskState.from_plain(plain).to_plain() == plain


def test_a_block_as_a_whole_meets_the_firm_checks_but_not_an_account_s_funds() -> None:
    from directbroker.domain.rejects import RejectCode as Code
    from directbroker.engines.risk import MarketFacts, RiskEngine
    from directbroker.engines.risk.limits import FirmLimits, Limits

    engine = RiskEngine()
    market = MarketFacts(usd("99.99"), usd("100.01"), usd("100.00"))
    huge = ticket(quantity=1_000_000)
    # No account could pay for it: the block check is about the order, not an account.
    assert engine.check_block(huge, market) == usd("100.00")
    engine.state.firm = FirmLimits(Limits(max_order_quantity=10_000, collar_bps=1_000))
    assert isinstance(engine.check_block(huge, market), tuple)
    engine.state.firm = FirmLimits()
    engine.state.restricted["XYZ"] = "pending news"
    refused = engine.check_block(huge, market)
    assert isinstance(refused, tuple) and refused[0] is Code.RESTRICTED_SECURITY
