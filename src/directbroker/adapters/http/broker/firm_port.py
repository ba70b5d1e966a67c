"""The firm family's port: staff work under ``/v1/firm``, and the views it returns.

Commands are the broker core's own (``SetKillSwitch``, ``SetFirmRiskLimits``, ``IssueApiKey``
...), built by the routes with ``actor`` set to the staff member calling; the port admits
them through the platform's bounded gate and answers once they are durable, raising
:class:`~directbroker.adapters.http.ports.PortRejection` when the core refused (nothing
changed). Views come from a read model fed by committed events, never from the core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from directbroker.domain.messages import Command


@dataclass(frozen=True, slots=True)
class Stamp:
    """Who changed a setting last, and when."""

    actor: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class LimitsView:
    """Risk limits in force for the firm (``account`` empty) or one account, by field name."""

    account: str
    limits: dict[str, int]
    changed: Stamp | None


@dataclass(frozen=True, slots=True)
class KillSwitchView:
    """An engaged kill switch: scope ``firm``, ``account`` or ``symbol`` and its target."""

    scope: str
    target: str
    reason: str
    changed: Stamp


@dataclass(frozen=True, slots=True)
class SymbolEntry:
    """A symbol on the restricted or easy-to-borrow list."""

    symbol: str
    reason: str
    changed: Stamp


@dataclass(frozen=True, slots=True)
class LocateView:
    """Shares located today for an account's short sales in a symbol (recorded total)."""

    account: str
    symbol: str
    quantity: int
    locate_ids: tuple[str, ...]
    changed: Stamp


@dataclass(frozen=True, slots=True)
class HouseMarginView:
    """A symbol's house maintenance requirement in basis points."""

    symbol: str
    maintenance_bps: int
    changed: Stamp


@dataclass(frozen=True, slots=True)
class KeyView:
    """An API key as staff see it (never its secret or digest)."""

    key_id: str
    user_id: str
    roles: tuple[str, ...]
    accounts: tuple[str, ...]
    groups: tuple[str, ...]
    issued: Stamp
    revoked: Stamp | None


class FirmPort(Protocol):
    """Risk limits, the kill switch, restricted and easy-to-borrow lists, locates, house
    margin and API keys, as staff commands (journaled with the actor) and read-model views."""

    async def command(self, command: Command) -> None:
        """Journal a staff command; raises ``PortRejection`` if the core refused it."""
        ...

    def firm_limits(self) -> LimitsView:
        """The firm-wide limits."""
        ...

    def account_limits(self, account: str) -> LimitsView | None:
        """An account's own limits; None when it has none (the firm's apply)."""
        ...

    def kill_switches(self) -> list[KillSwitchView]:
        """Every engaged kill switch."""
        ...

    def restricted(self) -> list[SymbolEntry]:
        """The restricted list."""
        ...

    def easy_to_borrow(self) -> list[SymbolEntry]:
        """The easy-to-borrow list."""
        ...

    def locates(self) -> list[LocateView]:
        """Today's locates."""
        ...

    def house_margin(self) -> list[HouseMarginView]:
        """House maintenance overrides."""
        ...

    def api_keys(self, include_revoked: bool = False) -> list[KeyView]:
        """API keys, by key id."""
        ...
