"""The broker core: one single-writer ``Core`` composing the OMS, pre-trade risk, routing and
the ledger, fed by customer commands, venue execution reports, market data and the day roll.

Owns: the composition and the order of its stages, the broker's own market view (built from
journaled market data inputs), the block desk (account groups, block orders worked as one
parent in the firm's average-price account and allocated into each account's books), the
funding and rebalancing desks (records joined to the books and the order path), and
:class:`DirectedRouting`, the fallback router used until the smart order router is wired in.
May import: ``directbroker.domain``, ``directbroker.engines.core``, ``directbroker.engines.oms``,
``directbroker.engines.risk``, ``directbroker.engines.ledger``, ``directbroker.engines.funding``,
``directbroker.engines.onboarding``, ``directbroker.engines.portfolio`` and ``msgpack``. It is
the one engine allowed to import other engines; the router arrives through the
:class:`~directbroker.engines.oms.RoutingPolicy` protocol, never by import.
"""

from directbroker.engines.broker.config import BrokerConfig
from directbroker.engines.broker.core import BrokerCore, BrokerInvariantError
from directbroker.engines.broker.directed import DirectedRouting
from directbroker.engines.broker.exposure import account_buying_power
from directbroker.engines.broker.market import MarketView
from directbroker.engines.oms import RoutingPolicy

__all__ = [
    "BrokerConfig",
    "BrokerCore",
    "BrokerInvariantError",
    "DirectedRouting",
    "MarketView",
    "RoutingPolicy",
    "account_buying_power",
]
