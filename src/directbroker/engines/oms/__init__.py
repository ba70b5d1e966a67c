"""The order management system: a customer's order from receipt to its last fill or cancel.

Owns: the order state machine (FIX OrdStatus, one transition table), parent orders and the
child orders sent to venues for them, orders the broker holds until the tape triggers them
(stop, stop limit, trailing stop), order groups (bracket, OCO, OTO), cancel and cancel/replace
with pending states, and the day roll (DAY expiry, GTC done-for-day and back).
May import: ``directbroker.domain``, ``directbroker.engines.core`` and the standard library.
Routing decisions come in through the :class:`~directbroker.engines.oms.ports.RoutingPolicy`
protocol; risk and the ledger are the broker core's business.
"""

from directbroker.engines.oms.book import OmsBook
from directbroker.engines.oms.lifecycle import BrokenInvariant
from directbroker.engines.oms.manager import OrderManager, exit_side
from directbroker.engines.oms.model import STOP_TYPES, Child, ChildState, Parent, Terms
from directbroker.engines.oms.ports import Refusal, RoutingPolicy
from directbroker.engines.oms.reports import VenueReport
from directbroker.engines.oms.status import (
    INITIAL_STATUSES,
    TRANSITIONS,
    IllegalTransition,
    Trigger,
    advance,
    allowed,
)
from directbroker.engines.oms.validation import check_place, check_replace

__all__ = [
    "INITIAL_STATUSES",
    "STOP_TYPES",
    "TRANSITIONS",
    "BrokenInvariant",
    "Child",
    "ChildState",
    "IllegalTransition",
    "OmsBook",
    "OrderManager",
    "Parent",
    "Refusal",
    "RoutingPolicy",
    "Terms",
    "Trigger",
    "VenueReport",
    "advance",
    "allowed",
    "check_place",
    "check_replace",
    "exit_side",
]
