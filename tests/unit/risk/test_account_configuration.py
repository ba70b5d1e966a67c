"""Account configurations in pre-trade risk: each one a rule, the command that sets them, and
the one buying-power calculation the check and the account view share."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from directbroker.domain.accounts import AccountType
from directbroker.domain.broker_messages import (
    AccountConfiguration,
    AccountConfigured,
    CheckWhen,
    ConfigureAccount,
    ConfirmEmail,
)
from directbroker.domain.order_status import DayTradingRule
from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.risk import ADMIN_HANDLERS, MarketFacts, RiskEngine, RiskPolicy, RiskState
from directbroker.engines.risk.buying_power import buying_power
from tests.unit.risk.risk_helpers import facts, ticket, usd, values

RICH = facts(values(equity="100000", cash="100000", buying_power="200000"))
QUOTE = MarketFacts(bid=usd("99.99"), ask=usd(100), last=usd(100))


def configure(risk: RiskEngine, **fields: Any) -> object:
    return ADMIN_HANDLERS[ConfigureAccount](risk.state, ConfigureAccount("A1", **fields), 1)


def code(result: object) -> RejectCode | None:
    return result[0] if isinstance(result, tuple) else None


def test_a_change_keeps_the_other_fields_and_reports_the_whole_configuration() -> None:
    risk = RiskEngine()
    configure(risk, no_shorting=True)
    events = configure(risk, max_margin_multiplier=2, dtbp_check=CheckWhen.BOTH)
    assert isinstance(events, list) and isinstance(events[0], AccountConfigured)
    assert events[0].configuration == AccountConfiguration(
        dtbp_check=CheckWhen.BOTH, no_shorting=True, max_margin_multiplier=2
    )
    assert risk.state.configuration("A1") == events[0].configuration
    assert risk.state.configuration("B2") == AccountConfiguration()


def test_bad_values_are_refused_and_change_nothing() -> None:
    risk = RiskEngine()
    configure(risk, suspend_trade=True)
    before = risk.state.to_plain()
    for fields in (
        {"max_margin_multiplier": 3},
        {"max_margin_multiplier": True},
        {"dtbp_check": "sometimes"},
        {"trade_confirm_email": "weekly"},
        {"no_shorting": "yes"},
        {"max_options_trading_level": 9},
    ):
        result = configure(risk, **fields)
        assert code(result) is RejectCode.INVALID_CONFIGURATION, fields
    assert code(ADMIN_HANDLERS[ConfigureAccount](risk.state, ConfigureAccount(""), 1)) is (
        RejectCode.MALFORMED
    )
    assert risk.state.to_plain() == before


def test_configurations_survive_the_snapshot() -> None:
    risk = RiskEngine()
    configure(risk, pdt_check=CheckWhen.EXIT, trade_confirm_email=ConfirmEmail.NONE)
    restored = RiskState.from_plain(risk.state.to_plain())
    assert restored.configuration("A1") == risk.state.configuration("A1")
    old_form = risk.state.to_plain()[:-1]  # a snapshot from before configurations existed
    assert RiskState.from_plain(old_form).configs == {}


def test_suspend_trade_refuses_every_new_order_but_not_a_held_one_going_to_market() -> None:
    risk = RiskEngine()
    configure(risk, suspend_trade=True)
    assert code(risk.check(ticket(), RICH, QUOTE, 1)) is RejectCode.TRADING_SUSPENDED
    sale = facts(RICH.values, position=100)
    assert code(risk.check(ticket(Side.SELL), sale, QUOTE, 1)) is RejectCode.TRADING_SUSPENDED
    assert risk.check_held(ticket(), RICH, QUOTE, 1) == usd(100)
    configure(risk, suspend_trade=False)
    assert risk.check(ticket(), RICH, QUOTE, 1) == usd(100)


def test_no_shorting_refuses_short_sales_only() -> None:
    risk = RiskEngine()
    risk.state.easy_to_borrow.add("XYZ")
    assert risk.check(ticket(Side.SELL_SHORT), RICH, QUOTE, 1) == usd(100)
    configure(risk, no_shorting=True)
    assert code(risk.check(ticket(Side.SELL_SHORT), RICH, QUOTE, 1)) is (
        RejectCode.SHORTING_DISABLED
    )
    assert code(risk.check(ticket(Side.SELL_SHORT_EXEMPT), RICH, QUOTE, 1)) is (
        RejectCode.SHORTING_DISABLED
    )
    assert risk.check(ticket(Side.SELL), facts(RICH.values, position=100), QUOTE, 1) == 0


def test_a_multiplier_of_one_caps_buying_power_at_cash() -> None:
    risk = RiskEngine()
    account = facts(values(equity="10000", cash="10000", buying_power="20000"))
    assert risk.check(ticket(quantity=150), account, QUOTE, 1) == usd(100)
    configure(risk, max_margin_multiplier=1)
    assert code(risk.check(ticket(quantity=150), account, QUOTE, 1)) is (
        RejectCode.INSUFFICIENT_BUYING_POWER
    )
    assert risk.check(ticket(quantity=100), account, QUOTE, 1) == usd(100)


def test_dtbp_check_on_exit_only_skips_the_intraday_margin_check_on_entries() -> None:
    risk = RiskEngine()
    # $10,000 equity carries $40,000 at 25% maintenance; $50,000 would create a deficit.
    account = facts(values(equity="10000", cash="10000", buying_power="100000"))
    assert code(risk.check(ticket(quantity=500), account, QUOTE, 1)) is (
        RejectCode.INTRADAY_MARGIN_DEFICIT
    )
    configure(risk, dtbp_check=CheckWhen.EXIT)
    assert risk.check(ticket(quantity=500), account, QUOTE, 1) == usd(100)


def _day_trader() -> RiskEngine:
    risk = RiskEngine(RiskPolicy(day_trading_rule=DayTradingRule.PATTERN_DAY_TRADER))
    risk.start_day(20260601, 0)
    for n in range(3):
        for side, net in ((Side.BUY, -usd(100)), (Side.SELL, usd(100))):
            risk.on_execution(
                f"{side.value}{n}", AccountType.MARGIN, ("A1", "XYZ", side, 1, net),
                0, 0, (20260601, 20260602), 1,
            )  # fmt: skip
    risk.on_execution(
        "b9", AccountType.MARGIN, ("A1", "XYZ", Side.BUY, 5, -usd(500)),
        0, 0, (20260601, 20260602), 1,
    )  # fmt: skip
    return risk


def test_pdt_check_selects_entries_exits_or_both() -> None:
    small = values(equity="20000", cash="20000", buying_power="80000")
    entry, exit_ = facts(small), facts(small, position=5)
    risk = _day_trader()  # three day trades in the window and 5 shares bought today
    assert code(risk.check(ticket(quantity=5), entry, QUOTE, 1)) is RejectCode.PATTERN_DAY_TRADER
    assert risk.check(ticket(Side.SELL, 5), exit_, QUOTE, 1) == 0  # default: entries only
    configure(risk, pdt_check=CheckWhen.EXIT)
    assert risk.check(ticket(quantity=5), entry, QUOTE, 1) == usd(100)
    assert code(risk.check(ticket(Side.SELL, 5), exit_, QUOTE, 1)) is RejectCode.PATTERN_DAY_TRADER
    configure(risk, pdt_check=CheckWhen.BOTH)
    assert code(risk.check(ticket(quantity=5), entry, QUOTE, 1)) is RejectCode.PATTERN_DAY_TRADER
    assert code(risk.check(ticket(Side.SELL, 5), exit_, QUOTE, 1)) is RejectCode.PATTERN_DAY_TRADER
    rich = facts(values(equity="30000", cash="30000", buying_power="120000"))
    assert risk.check(ticket(quantity=5), rich, QUOTE, 1) == usd(100)


_money = st.integers(min_value=-(10**12), max_value=10**12)


@given(
    cash=_money, power=_money, equity=_money, maintenance=st.integers(0, 10**12),
    reserved=st.integers(0, 10**12), multiplier=st.sampled_from([1, 2, 4]),
    margin=st.booleans(),
)  # fmt: skip
def test_buying_power_is_never_negative_and_never_above_what_the_books_allow(
    cash: int, power: int, equity: int, maintenance: int, reserved: int, multiplier: int,
    margin: bool,
) -> None:  # fmt: skip
    kind = AccountType.MARGIN if margin else AccountType.CASH
    account = values(
        account_type=kind, cash=cash, buying_power=power, equity=equity,
        maintenance_requirement=maintenance,
    )  # fmt: skip
    bp = buying_power(account, reserved, multiplier)
    figures = (bp.buying_power, bp.regt_buying_power, bp.daytrading_buying_power,
               bp.non_marginable_buying_power)  # fmt: skip
    assert all(f >= 0 for f in figures)
    assert bp.buying_power <= max(0, power - reserved)
    assert bp.non_marginable_buying_power <= bp.buying_power or multiplier == 1
    if multiplier == 1 or not margin:
        assert bp.buying_power <= max(0, min(cash if margin else power, power) - reserved)
    # More working orders never leave more room.
    more = buying_power(account, reserved + 1, multiplier)
    assert more.buying_power <= bp.buying_power
