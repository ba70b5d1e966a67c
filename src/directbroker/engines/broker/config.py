"""How a broker core is set up: its participant id at venues and the firm's risk policy."""

from __future__ import annotations

from dataclasses import dataclass, field

from directbroker.engines.risk import RiskPolicy


@dataclass(frozen=True, slots=True)
class BrokerConfig:
    """``participant`` is the id the broker's child orders carry at venues (its MPID)."""

    participant: str = "DBRK"
    policy: RiskPolicy = field(default_factory=RiskPolicy)
