"""How a simulated venue is set up: its name, market identifier, fees and symbols."""

from __future__ import annotations

from dataclasses import dataclass, field

from directbroker.domain.instruments import Instrument
from directbroker.domain.orders import OrderType

MIDPOINT_ONLY = frozenset({OrderType.PEG_MIDPOINT})
"""The pegs the simulated matching engines carry: midpoint pegs (with an optional cap). Primary
and market pegs need a venue that prices them against the NBBO, which none of ours does."""


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """Maker-taker pricing per share, in micro-dollars ($0.000001).

    Positive charges the participant, negative pays it a rebate. An "inverted" venue pays takers
    and charges makers, which is just the signs the other way round.
    """

    maker: int = -2_000
    taker: int = 3_000
    auction: int = 1_000

    def fee(self, per_share: int, quantity: int) -> int:
        """The fee for ``quantity`` shares at a per-share rate (kept as a method so callers never
        multiply in floats)."""
        return per_share * quantity


@dataclass(frozen=True, slots=True)
class VenueConfig:
    """One trading venue: exchanges list symbols and run crosses; ECNs only trade continuously."""

    name: str
    mic: str
    fees: FeeSchedule = field(default_factory=FeeSchedule)
    instruments: tuple[Instrument, ...] = ()
    runs_auctions: bool = True
    peg_types: frozenset[OrderType] = MIDPOINT_ONLY
    """The pegged order types this venue's engine accepts; the router directs a customer's peg
    only to a venue listed for it (docs/adr/0006-broker-core-oms-and-risk.md)."""

    def instrument(self, symbol: str) -> Instrument | None:
        """The instrument for ``symbol`` if this venue trades it."""
        for instrument in self.instruments:
            if instrument.symbol == symbol:
                return instrument
        return None
