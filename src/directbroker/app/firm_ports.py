"""The Broker API's firm port bound to the platform: staff commands through the same bounded
gate as the Trading API's, views from :class:`~directbroker.app.firm_views.FirmViews`.

Runs on the API's event loop only: the views are the loop's own read model.
"""

from __future__ import annotations

from directbroker.adapters.http.broker.firm_port import (
    HouseMarginView,
    KeyView,
    KillSwitchView,
    LimitsView,
    LocateView,
    SymbolEntry,
)
from directbroker.adapters.http.ports import PortRejection
from directbroker.app.api_ports import CommandGate
from directbroker.app.firm_views import FirmViews
from directbroker.domain.broker_messages import BrokerCommandRejected
from directbroker.domain.messages import Command


class PlatformFirm:
    """:class:`~directbroker.adapters.http.broker.firm_port.FirmPort` over the platform."""

    def __init__(self, gate: CommandGate, views: FirmViews) -> None:
        self._gate = gate
        self._views = views

    async def command(self, command: Command) -> None:
        """Journal ``command``; the core's refusal becomes a :class:`PortRejection`."""
        events = await self._gate.submit(command)
        for event in events:
            if isinstance(event, BrokerCommandRejected):
                raise PortRejection(event.code, event.message)

    def firm_limits(self) -> LimitsView:
        return self._views.firm

    def account_limits(self, account: str) -> LimitsView | None:
        return self._views.accounts.get(account)

    def kill_switches(self) -> list[KillSwitchView]:
        return [view for _, view in sorted(self._views.kills.items())]

    def restricted(self) -> list[SymbolEntry]:
        return [entry for _, entry in sorted(self._views.restricted.items())]

    def easy_to_borrow(self) -> list[SymbolEntry]:
        return [entry for _, entry in sorted(self._views.easy_to_borrow.items())]

    def locates(self) -> list[LocateView]:
        return [view for _, view in sorted(self._views.locates.items())]

    def house_margin(self) -> list[HouseMarginView]:
        return [view for _, view in sorted(self._views.house_margin.items())]

    def api_keys(self, include_revoked: bool = False) -> list[KeyView]:
        views = sorted(self._views.keys.values(), key=lambda view: view.key_id)
        return [view for view in views if include_revoked or view.revoked is None]
