"""The order state machine: every legal status move, in one table.

A move is named by what happened (the :class:`Trigger`) and where the order goes; the table
lists, for each (status, trigger), the statuses it may go to. Some triggers have two targets
because the answer depends on fills (a refused cancel goes back to new or partially filled).
:func:`advance` is the only way a status changes, and it raises on anything not in the table,
so an illegal transition cannot happen quietly: it stops the core (crash-only).
"""

from __future__ import annotations

from enum import Enum

from directbroker.domain.order_status import OrdStatus

PN = OrdStatus.PENDING_NEW
NEW = OrdStatus.NEW
PF = OrdStatus.PARTIALLY_FILLED
FILLED = OrdStatus.FILLED
DFD = OrdStatus.DONE_FOR_DAY
CXL = OrdStatus.CANCELED
RPL = OrdStatus.REPLACED
PC = OrdStatus.PENDING_CANCEL
REJ = OrdStatus.REJECTED
SUS = OrdStatus.SUSPENDED
EXP = OrdStatus.EXPIRED
PR = OrdStatus.PENDING_REPLACE


class Trigger(str, Enum):
    """What made an order move."""

    ACKNOWLEDGED = "acknowledged"
    """A venue accepted the order's first child."""
    REFUSED = "refused"
    """Every child was rejected before any was accepted."""
    FILL = "fill"
    CANCEL_REQUESTED = "cancel_requested"
    CANCELLED = "cancelled"
    CANCEL_REFUSED = "cancel_refused"
    REPLACE_REQUESTED = "replace_requested"
    REPLACED = "replaced"
    REPLACE_REFUSED = "replace_refused"
    EXPIRED = "expired"
    DAY_DONE = "day_done"
    REOPENED = "reopened"
    RELEASED = "released"
    """A contingent leg's primary filled: the leg starts working."""
    RISK_REFUSED = "risk_refused"
    """An order the broker held (a triggered stop, a released leg) failed pre-trade risk at
    the moment it would have gone to market: it was never at a venue, so it ends rejected."""


_WORKING = frozenset({NEW, PF})
_LIVE = (NEW, PF)

TRANSITIONS: dict[tuple[OrdStatus, Trigger], frozenset[OrdStatus]] = {
    (PN, Trigger.ACKNOWLEDGED): frozenset({NEW}),
    (PN, Trigger.REFUSED): frozenset({REJ}),
    (PN, Trigger.CANCEL_REQUESTED): frozenset({PC}),
    (PN, Trigger.CANCELLED): frozenset({CXL}),
    (PN, Trigger.EXPIRED): frozenset({EXP}),
    (SUS, Trigger.RELEASED): frozenset({PN, NEW}),
    (SUS, Trigger.CANCELLED): frozenset({CXL}),
    (SUS, Trigger.EXPIRED): frozenset({EXP}),
    (SUS, Trigger.RISK_REFUSED): frozenset({REJ}),
    (NEW, Trigger.RISK_REFUSED): frozenset({REJ}),
    (PC, Trigger.CANCELLED): frozenset({CXL}),
    (PC, Trigger.CANCEL_REFUSED): _WORKING,
    (PC, Trigger.EXPIRED): frozenset({EXP}),
    (PC, Trigger.DAY_DONE): frozenset({DFD}),
    (PC, Trigger.FILL): frozenset({PC, FILLED}),
    (PR, Trigger.REPLACED): frozenset({RPL, FILLED, NEW, PF}),
    (PR, Trigger.REPLACE_REFUSED): _WORKING,
    (PR, Trigger.FILL): frozenset({PR, FILLED}),
    (PR, Trigger.CANCELLED): frozenset({CXL}),
    (PR, Trigger.CANCEL_REQUESTED): frozenset({PC}),
    (DFD, Trigger.REOPENED): _WORKING,
    (DFD, Trigger.CANCELLED): frozenset({CXL}),
    (DFD, Trigger.EXPIRED): frozenset({EXP}),
    (PN, Trigger.FILL): frozenset({PF, FILLED}),
}
for _status in _LIVE:
    TRANSITIONS[(_status, Trigger.FILL)] = frozenset({PF, FILLED})
    TRANSITIONS[(_status, Trigger.CANCEL_REQUESTED)] = frozenset({PC})
    TRANSITIONS[(_status, Trigger.CANCELLED)] = frozenset({CXL})
    TRANSITIONS[(_status, Trigger.REPLACE_REQUESTED)] = frozenset({PR})
    TRANSITIONS[(_status, Trigger.EXPIRED)] = frozenset({EXP})
    TRANSITIONS[(_status, Trigger.DAY_DONE)] = frozenset({DFD})

INITIAL_STATUSES = frozenset({PN, NEW, SUS})
"""Where an order may start: routed at once, held by the broker, or waiting on its primary."""


class IllegalTransition(Exception):
    """A move the table does not allow: a bug, so the core stops rather than guess."""


def allowed(status: OrdStatus, trigger: Trigger) -> frozenset[OrdStatus]:
    """The statuses ``trigger`` may take an order in ``status`` to (empty: not allowed)."""
    return TRANSITIONS.get((status, trigger), frozenset())


def advance(status: OrdStatus, trigger: Trigger, target: OrdStatus) -> OrdStatus:
    """``target`` if the table allows the move, else :class:`IllegalTransition`."""
    if target not in TRANSITIONS.get((status, trigger), ()):
        raise IllegalTransition(f"{status.value} --{trigger.value}--> {target.value}")
    return target


def working_status(cum_quantity: int) -> OrdStatus:
    """New or partially filled, by whether anything has filled."""
    return PF if cum_quantity else NEW


assert all(target for target in TRANSITIONS.values())
assert not any(status.is_terminal for status, _ in TRANSITIONS), "terminal statuses never move"
