"""The venue matching engine: one deterministic engine per simulated exchange or ECN.

Owns: limit order books with strict price-time priority, order types and crosses of a venue,
maker-taker fees, and the venue's order-level feed.
May import: ``directbroker.domain``, ``directbroker.engines.core`` and the standard library
(plus ``msgpack`` for snapshots).

:class:`VenueEngine` is the fast engine; :class:`ReferenceVenueEngine` is a naive one with the
same behaviour, kept for differential testing. Both implement ``Core``. The fast engine's hot
modules (``compiled_modules.py``) can also be compiled with mypyc; see docs/adr/0009.
"""

from directbroker.engines.matching.auction import CrossResult, clearing_price
from directbroker.engines.matching.engine import VenueEngine
from directbroker.engines.matching.reference import ReferenceVenueEngine
from directbroker.engines.matching.views import BestBidOffer, Depth, OrderView

__all__ = [
    "BestBidOffer",
    "CrossResult",
    "Depth",
    "OrderView",
    "ReferenceVenueEngine",
    "VenueEngine",
    "clearing_price",
]
