"""The firm's settings as staff see them: a read model of committed broker inputs.

It follows the broker journal like the orders read model: rebuilt from the journal at start,
then fed each commit on the API's event loop. A staff command's details (its reason, every
limit field, who gave it) are taken from the command itself once its outcome shows the core
accepted it (a ``RiskSettingChanged``, ``KillSwitchChanged`` or ``ApiKeyIssued`` event); a
refused command leaves no trace here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from directbroker.adapters.http.broker.firm_port import (
    HouseMarginView,
    KeyView,
    KillSwitchView,
    LimitsView,
    LocateView,
    Stamp,
    SymbolEntry,
)
from directbroker.domain.access_messages import ApiKeyIssued, ApiKeyRevoked
from directbroker.domain.broker_messages import (
    BrokerDayStarted,
    KillSwitchChanged,
    RecordLocate,
    RestrictSymbol,
    RiskSettingChanged,
    SetAccountRiskLimits,
    SetEasyToBorrow,
    SetFirmRiskLimits,
    SetHouseMargin,
)
from directbroker.domain.messages import Message
from directbroker.runtime.sequencer import Outcome

_LIMIT_FIELDS = (
    "max_order_quantity", "max_order_notional", "credit_limit", "max_daily_loss",
    "max_orders_per_second", "collar_bps",
)  # fmt: skip
_FIRM_FIELDS = (*_LIMIT_FIELDS, "duplicate_window_ns", "market_buffer_bps")


def _fields(command: object, names: Sequence[str]) -> dict[str, int]:
    return {name: int(getattr(command, name)) for name in names}


class FirmViews:
    """Limits, kill switches, lists, locates, house margin and keys, as of the last commit."""

    def __init__(self) -> None:
        self.firm = LimitsView("", _fields(SetFirmRiskLimits(), _FIRM_FIELDS), None)
        self.accounts: dict[str, LimitsView] = {}
        self.kills: dict[tuple[str, str], KillSwitchView] = {}
        self.restricted: dict[str, SymbolEntry] = {}
        self.easy_to_borrow: dict[str, SymbolEntry] = {}
        self.locates: dict[tuple[str, str], LocateView] = {}
        self.house_margin: dict[str, HouseMarginView] = {}
        self.keys: dict[str, KeyView] = {}

    def apply_batch(self, inputs: Sequence[Message], outcomes: Sequence[Outcome]) -> None:
        """Take in one commit's inputs and their outcomes (in journal order)."""
        for command, outcome in zip(inputs, outcomes, strict=True):
            for event in outcome.events:
                kind = type(event)
                if kind is RiskSettingChanged:
                    self._setting(command, event, outcome.ts_ns)  # type: ignore[arg-type]
                elif kind is KillSwitchChanged:
                    self._kill(event)  # type: ignore[arg-type]
                elif kind is ApiKeyIssued:
                    self._issued(event)  # type: ignore[arg-type]
                elif kind is ApiKeyRevoked:
                    self._revoked(event)  # type: ignore[arg-type]
                elif kind is BrokerDayStarted:
                    self.locates.clear()  # locates are good for one day

    def _setting(self, command: Message, event: RiskSettingChanged, ts: int) -> None:
        stamp = Stamp(event.actor, event.ts_ns)
        if isinstance(command, SetFirmRiskLimits):
            self.firm = LimitsView("", _fields(command, _FIRM_FIELDS), stamp)
        elif isinstance(command, SetAccountRiskLimits):
            values = _fields(command, _LIMIT_FIELDS)
            if any(values.values()):
                self.accounts[command.account] = LimitsView(command.account, values, stamp)
            else:
                self.accounts.pop(command.account, None)
        elif isinstance(command, RestrictSymbol):
            if command.restricted:
                entry = SymbolEntry(command.symbol, command.reason, stamp)
                self.restricted[command.symbol] = entry
            else:
                self.restricted.pop(command.symbol, None)
        elif isinstance(command, SetEasyToBorrow):
            if command.easy_to_borrow:
                self.easy_to_borrow[command.symbol] = SymbolEntry(command.symbol, "", stamp)
            else:
                self.easy_to_borrow.pop(command.symbol, None)
        elif isinstance(command, RecordLocate):
            key = (command.account, command.symbol)
            before = self.locates.get(key)
            ids = (*before.locate_ids, command.locate_id) if before else (command.locate_id,)
            self.locates[key] = LocateView(
                command.account, command.symbol, int(event.value), ids, stamp
            )
        elif isinstance(command, SetHouseMargin):
            if command.maintenance_bps:
                self.house_margin[command.symbol] = HouseMarginView(
                    command.symbol, command.maintenance_bps, stamp
                )
            else:
                self.house_margin.pop(command.symbol, None)

    def _kill(self, event: KillSwitchChanged) -> None:
        scope = event.scope.value
        target = event.symbol or event.account
        if event.engaged:
            reason = event.reason or "stopped by operations"
            stamp = Stamp(event.actor, event.ts_ns)
            self.kills[(scope, target)] = KillSwitchView(scope, target, reason, stamp)
        else:
            self.kills.pop((scope, target), None)

    def _issued(self, event: ApiKeyIssued) -> None:
        self.keys[event.key_id] = KeyView(
            event.key_id, event.user_id, event.roles, event.accounts, event.groups,
            Stamp(event.actor, event.ts_ns), None,
        )  # fmt: skip

    def _revoked(self, event: ApiKeyRevoked) -> None:
        view = self.keys.get(event.key_id)
        if view is not None:
            self.keys[event.key_id] = dataclasses.replace(
                view, revoked=Stamp(event.actor, event.ts_ns)
            )

    def is_easy_to_borrow(self, symbol: str) -> bool:
        """Whether short sales in ``symbol`` need no locate."""
        return symbol in self.easy_to_borrow
