"""Risk administration: limits, lists and switches, each a journaled command that is checked
in full before it changes anything and reported as one event for the audit trail."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from directbroker.domain.broker_messages import (
    MARGIN_MULTIPLIERS,
    AccountConfigured,
    CheckWhen,
    ConfigureAccount,
    ConfirmEmail,
    KillSwitchChanged,
    RecordLocate,
    RestrictSymbol,
    RiskSettingChanged,
    SetAccountRiskLimits,
    SetEasyToBorrow,
    SetFirmRiskLimits,
    SetHouseMargin,
    SetKillSwitch,
)
from directbroker.domain.messages import Event
from directbroker.domain.numbers import MAX_QUANTITY
from directbroker.domain.order_status import KillSwitchScope
from directbroker.domain.rejects import RejectCode
from directbroker.engines.risk.limits import FirmLimits, Limits
from directbroker.engines.risk.rules import Refusal
from directbroker.engines.risk.state import RiskState

MAX_LIMIT = 10**15


def _count(value: object) -> bool:
    return type(value) is int and 0 <= value <= MAX_LIMIT


def _text(value: object, most: int = 64, empty: bool = False) -> bool:
    return type(value) is str and len(value) <= most and (empty or value != "")


def _bad(what: str) -> Refusal:
    return RejectCode.MALFORMED, f"{what} is missing or out of range"


def _actor(cmd: Any) -> str | None:
    """Who gave the command (empty for commands journaled before actors were recorded);
    None when it is not short text."""
    actor: object = getattr(cmd, "actor", "")
    return actor if _text(actor, 128, empty=True) else None  # type: ignore[return-value]


def _limit_fields(cmd: Any) -> list[object]:
    return [
        cmd.max_order_quantity,
        cmd.max_order_notional,
        cmd.credit_limit,
        cmd.max_daily_loss,
        cmd.max_orders_per_second,
        cmd.collar_bps,
    ]


def set_firm_limits(state: RiskState, cmd: SetFirmRiskLimits, ts: int) -> list[Event] | Refusal:
    """Replace the firm's limits."""
    fields = [*_limit_fields(cmd), cmd.duplicate_window_ns, cmd.market_buffer_bps]
    actor = _actor(cmd)
    if not all(_count(v) for v in fields) or actor is None:
        return _bad("A firm limit")
    values: list[int] = [int(v) for v in fields]  # type: ignore[call-overload]
    state.firm = FirmLimits(Limits(*values[:6]), values[6], values[7])
    return [RiskSettingChanged("firm_limits", "", repr(values), ts, actor)]


def set_account_limits(
    state: RiskState, cmd: SetAccountRiskLimits, ts: int
) -> list[Event] | Refusal:
    """Replace one account's limits (all zero removes them)."""
    fields = _limit_fields(cmd)
    actor = _actor(cmd)
    if not _text(cmd.account) or not all(_count(v) for v in fields) or actor is None:
        return _bad("An account limit")
    values: list[int] = [int(v) for v in fields]  # type: ignore[call-overload]
    if any(values):
        state.account_limits[cmd.account] = Limits(*values)
    else:
        state.account_limits.pop(cmd.account, None)
    return [RiskSettingChanged("account_limits", cmd.account, repr(values), ts, actor)]


def set_kill_switch(state: RiskState, cmd: SetKillSwitch, ts: int) -> list[Event] | Refusal:
    """Engage or release a kill switch (the caller cancels the working orders)."""
    scope: object = cmd.scope
    if not isinstance(scope, KillSwitchScope) or type(cmd.engaged) is not bool:
        return _bad("The kill switch scope")
    actor = _actor(cmd)
    if not _text(cmd.reason, 256, empty=True) or actor is None:
        return _bad("The reason")
    is_firm = scope is KillSwitchScope.FIRM
    if scope is KillSwitchScope.ACCOUNT and not _text(cmd.account):
        return _bad("The account")
    if scope is KillSwitchScope.SYMBOL and not _text(cmd.symbol, 12):
        return _bad("The symbol")
    reason = cmd.reason or "stopped by operations"
    account = cmd.account if scope is KillSwitchScope.ACCOUNT else ""
    symbol = cmd.symbol if scope is KillSwitchScope.SYMBOL else ""
    if is_firm:
        state.firm_kill = reason if cmd.engaged else None
    elif symbol:
        if cmd.engaged:
            state.symbol_kill[symbol] = reason
        else:
            state.symbol_kill.pop(symbol, None)
    elif cmd.engaged:
        state.account_kill[account] = reason
    else:
        state.account_kill.pop(account, None)
    return [KillSwitchChanged(scope, account, cmd.engaged, cmd.reason, ts, actor, symbol)]


def restrict_symbol(state: RiskState, cmd: RestrictSymbol, ts: int) -> list[Event] | Refusal:
    """Add to or remove from the restricted list."""
    actor = _actor(cmd)
    if (
        not _text(cmd.symbol, 12)
        or type(cmd.restricted) is not bool
        or not _text(cmd.reason, 256, True)
        or actor is None
    ):
        return _bad("The symbol")
    if cmd.restricted:
        state.restricted[cmd.symbol] = cmd.reason or "restricted by compliance"
    else:
        state.restricted.pop(cmd.symbol, None)
    value = str(cmd.restricted).lower()
    return [RiskSettingChanged("restricted", cmd.symbol, value, ts, actor)]


def set_easy_to_borrow(state: RiskState, cmd: SetEasyToBorrow, ts: int) -> list[Event] | Refusal:
    """Add to or remove from the easy-to-borrow list."""
    actor = _actor(cmd)
    if not _text(cmd.symbol, 12) or type(cmd.easy_to_borrow) is not bool or actor is None:
        return _bad("The symbol")
    if cmd.easy_to_borrow:
        state.easy_to_borrow.add(cmd.symbol)
    else:
        state.easy_to_borrow.discard(cmd.symbol)
    value = str(cmd.easy_to_borrow).lower()
    return [RiskSettingChanged("easy_to_borrow", cmd.symbol, value, ts, actor)]


def record_locate(state: RiskState, cmd: RecordLocate, ts: int) -> list[Event] | Refusal:
    """Add located shares for today's short sales."""
    actor = _actor(cmd)
    if not (_text(cmd.account) and _text(cmd.symbol, 12) and _text(cmd.locate_id)) or (
        actor is None
    ):
        return _bad("The account, symbol or locate id")
    if type(cmd.quantity) is not int or not 0 < cmd.quantity <= MAX_QUANTITY:
        return _bad("The located quantity")
    if cmd.locate_id in state.locate_ids:
        return RejectCode.DUPLICATE_ORDER_ID, f"Locate {cmd.locate_id} was already recorded"
    key = (cmd.account, cmd.symbol)
    state.locates[key] = state.locates.get(key, 0) + cmd.quantity
    state.locate_ids.add(cmd.locate_id)
    total = str(state.locates[key])
    return [RiskSettingChanged("locate", f"{cmd.account}/{cmd.symbol}", total, ts, actor)]


def set_house_margin(state: RiskState, cmd: SetHouseMargin, ts: int) -> list[Event] | Refusal:
    """Set or remove a symbol's house maintenance rate (at most 100%)."""
    actor = _actor(cmd)
    if not _text(cmd.symbol, 12) or type(cmd.maintenance_bps) is not int or actor is None:
        return _bad("The symbol")
    if not 0 <= cmd.maintenance_bps <= 10_000:
        return _bad("The maintenance rate")
    if cmd.maintenance_bps:
        state.house_margin[cmd.symbol] = cmd.maintenance_bps
    else:
        state.house_margin.pop(cmd.symbol, None)
    value = str(cmd.maintenance_bps)
    return [RiskSettingChanged("house_margin", cmd.symbol, value, ts, actor)]


def _flag(value: object) -> bool:
    return value is None or type(value) is bool


def configure_account(state: RiskState, cmd: ConfigureAccount, ts: int) -> list[Event] | Refusal:
    """Change some of an account's configurations (all checked before any is taken)."""
    if not _text(cmd.account):
        return _bad("The account")
    bad = RejectCode.INVALID_CONFIGURATION
    for name in ("dtbp_check", "pdt_check"):
        when: object = getattr(cmd, name)
        if when is not None and not isinstance(when, CheckWhen):
            return bad, f"{name} must be both, entry or exit"
    email: object = cmd.trade_confirm_email
    if email is not None and not isinstance(email, ConfirmEmail):
        return bad, "trade_confirm_email must be all or none"
    multiplier: object = cmd.max_margin_multiplier
    if multiplier is not None and (
        type(multiplier) is not int or multiplier not in MARGIN_MULTIPLIERS
    ):
        return bad, "max_margin_multiplier must be 1, 2 or 4"
    level: object = cmd.max_options_trading_level
    if level is not None and (type(level) is not int or not 0 <= level <= 3):
        return bad, "max_options_trading_level must be 0, 1, 2 or 3"
    flags = ("no_shorting", "suspend_trade", "fractional_trading", "ptp_no_exception_entry")
    for name in flags:
        if not _flag(getattr(cmd, name)):
            return bad, f"{name} must be true or false"
    current = state.configuration(cmd.account)
    changes = {
        name: getattr(cmd, name)
        for name in (*flags, "dtbp_check", "pdt_check", "max_margin_multiplier",
                     "trade_confirm_email", "max_options_trading_level")
        if getattr(cmd, name) is not None
    }  # fmt: skip
    config = dataclasses.replace(current, **changes)
    state.configs[cmd.account] = config
    return [AccountConfigured.of(cmd.account, config, ts)]


AdminHandler = Callable[[RiskState, Any, int], "list[Event] | Refusal"]

ADMIN_HANDLERS: dict[type, AdminHandler] = {
    SetFirmRiskLimits: set_firm_limits,
    SetAccountRiskLimits: set_account_limits,
    SetKillSwitch: set_kill_switch,
    RestrictSymbol: restrict_symbol,
    SetEasyToBorrow: set_easy_to_borrow,
    RecordLocate: record_locate,
    SetHouseMargin: set_house_margin,
    ConfigureAccount: configure_account,
}
"""Every risk administration command and its handler."""
