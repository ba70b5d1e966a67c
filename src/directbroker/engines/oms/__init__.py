"""The order management system: a customer's order from receipt to its last fill or cancel.

Owns: the order state machine (FIX OrdStatus, one transition table), parent orders and the
child orders sent to venues for them, orders the broker holds until the tape triggers them
(stop, stop limit, trailing stop), order groups (bracket, OCO, OTO), cancel and cancel/replace
with pending states, and the day roll (DAY expiry, GTC done-for-day and back).
May import: ``directbroker.domain``, ``directbroker.engines.core`` and the standard library.
Routing decisions come in through the :class:`~directbroker.engines.oms.ports.RoutingPolicy`
protocol; risk and the ledger are the broker core's business, reached through two callables:
:data:`~directbroker.engines.oms.ports.RoutingGate` (pre-trade risk for a held order going to
market) and :data:`~directbroker.engines.oms.ports.FillPosting` (booking each fill).
"""

from directbroker.engines.oms.book import OmsBook
from directbroker.engines.oms.lifecycle import BrokenInvariant
from directbroker.engines.oms.manager import OrderManager, exit_side
from directbroker.engines.oms.model import STOP_TYPES, Child, ChildState, Parent, Terms
from directbroker.engines.oms.ports import FillPosting, Refusal, RoutingGate, RoutingPolicy
from directbroker.engines.oms.reports import VenueReport
from directbroker.engines.oms.status import (
    INITIAL_STATUSES,
    TRANSITIONS,
    IllegalTransition,
    Trigger,
    advance,
    allowed,
)
from directbroker.engines.oms.triggers import triggered_type
from directbroker.engines.oms.validation import check_place, check_replace

__all__ = [
    "INITIAL_STATUSES",
    "STOP_TYPES",
    "TRANSITIONS",
    "BrokenInvariant",
    "Child",
    "ChildState",
    "FillPosting",
    "IllegalTransition",
    "OmsBook",
    "OrderManager",
    "Parent",
    "Refusal",
    "RoutingGate",
    "RoutingPolicy",
    "Terms",
    "Trigger",
    "VenueReport",
    "advance",
    "allowed",
    "check_place",
    "check_replace",
    "exit_side",
    "triggered_type",
]
