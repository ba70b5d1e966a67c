"""Venue execution reports for the broker's child orders, applied to the OMS.

Each child has at most one request outstanding, so a reject answers the request its state
names; reports that match no child of ours (or arrive after the child is done) change nothing
and come back as ``VenueReportIgnored`` for operations to look at.

Every report the OMS does apply goes to the router (``child_report``) before the OMS acts on
it, so when the child ends (``child_ended``) the router already holds its fills with prices and
fees: execution quality is measured from the same reports the books are.
"""

from __future__ import annotations

from directbroker.domain.broker_messages import VenueReportIgnored
from directbroker.domain.messages import Event
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.rejects import RejectCode
from directbroker.domain.venue_messages import (
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderRejected,
    OrderReplaced,
)
from directbroker.engines.oms.lifecycle import Lifecycle
from directbroker.engines.oms.model import ChildState, Parent
from directbroker.engines.oms.ports import VenueReport
from directbroker.engines.oms.status import Trigger

__all__ = ["VenueReport", "apply_report"]

_ANSWERABLE = (ChildState.SENT, ChildState.CANCEL_SENT, ChildState.REPLACE_SENT)
"""The states with a request outstanding, which a venue's reject answers."""


def apply_report(life: Lifecycle, report: VenueReport, ts: int) -> list[Event]:
    """Apply one execution report for a child order."""
    child = life.book.children.get(report.order_id) if type(report.order_id) is str else None
    if child is None or report.participant != life.participant or report.venue != child.venue:
        return [_ignored(report, "no such child order of ours at this venue", ts)]
    out: list[Event] = []
    parent = life.book.parents[child.parent_id]
    kind = type(report)
    if kind is OrderFilled:
        assert isinstance(report, OrderFilled)
        quantity, price = report.quantity, report.price
        if (
            type(quantity) is not int
            or type(price) is not int
            or not 0 < quantity <= child.quantity - child.filled
            or price <= 0
        ):
            return [_ignored(report, "fill does not fit the child", ts)]
        life.router.child_report(report, ts)
        child.filled += report.quantity
        # A cross fills many orders under one trade id, so the child's own id makes it unique.
        execution_id = f"{report.venue}.{report.trade_id}.{child.child_id}"
        life.fill(child, report.quantity, report.price, report.liquidity, execution_id, out, ts)
        if child.filled == child.quantity:
            life.child_done(child, None, out, ts)
    elif kind is OrderAccepted:
        if child.state is not ChildState.SENT:
            return [_ignored(report, "already accepted", ts)]
        life.router.child_report(report, ts)
        child.state = ChildState.WORKING
        if parent.status is OrdStatus.PENDING_NEW:
            life.move(parent, Trigger.ACKNOWLEDGED, OrdStatus.NEW, out, ts)
        if child.cancel_wanted:
            life.cancel_child(child, out, ts)
    elif kind is OrderCancelled:
        if not child.live:
            return [_ignored(report, "child already done", ts)]
        life.router.child_report(report, ts)
        life.child_done(child, None, out, ts)
    elif kind is OrderReplaced:
        assert isinstance(report, OrderReplaced)
        _replaced(life, parent, report, out, ts)
    else:
        assert isinstance(report, OrderRejected)
        _rejected(life, parent, report, out, ts)
    return out


def _replaced(
    life: Lifecycle, parent: Parent, report: OrderReplaced, out: list[Event], ts: int
) -> None:
    child = life.book.children[report.order_id]
    if child.state is not ChildState.REPLACE_SENT:
        out.append(_ignored(report, "no replace outstanding", ts))
        return
    life.router.child_report(report, ts)
    child.quantity, child.limit_price = report.quantity, report.price
    child.state = ChildState.WORKING
    terms = parent.pending_terms
    if terms is not None and parent.status is OrdStatus.PENDING_REPLACE:
        life.apply_replace(parent, terms, out, ts)
    elif terms is not None:
        # Cancelled while the replace was in flight: the venue took the new size, so the
        # order carries it (it still ends cancelled; fills in between must fit). A size the
        # fills already reached is not taken: the order ends cancelled, not filled.
        parent.pending_terms = None
        if terms.quantity > parent.cum_quantity:
            parent.apply(terms)
    if report.leaves_quantity == 0 or child.filled >= child.quantity:
        life.child_done(child, None, out, ts)
    elif child.cancel_wanted:
        life.cancel_child(child, out, ts)


def _rejected(
    life: Lifecycle, parent: Parent, report: OrderRejected, out: list[Event], ts: int
) -> None:
    child = life.book.children[report.order_id]
    code = report.code if isinstance(report.code, RejectCode) else RejectCode.MALFORMED
    state = child.state
    if state in _ANSWERABLE:
        life.router.child_report(report, ts)
    if state is ChildState.SENT:
        life.child_done(child, code, out, ts)
    elif state is ChildState.CANCEL_SENT:
        child.state = ChildState.WORKING
        others = any(c.state is ChildState.CANCEL_SENT for c in life.book.live_children(parent))
        if parent.status is OrdStatus.PENDING_CANCEL and not others:
            parent.pending_end = None
            life.move(
                parent, Trigger.CANCEL_REFUSED, life.working(parent), out, ts, code, code.text
            )
    elif state is ChildState.REPLACE_SENT:
        child.state = ChildState.WORKING
        if parent.status is OrdStatus.PENDING_REPLACE:
            parent.pending_terms = None
            life.move(
                parent, Trigger.REPLACE_REFUSED, life.working(parent), out, ts, code, code.text
            )
            life.drop_successor(parent, out, ts, code)
        if child.cancel_wanted:
            life.cancel_child(child, out, ts)
    else:
        out.append(_ignored(report, "late answer for a finished child", ts))


def _ignored(report: VenueReport, reason: str, ts: int) -> VenueReportIgnored:
    venue = report.venue if type(report.venue) is str else repr(report.venue)
    order_id = report.order_id if type(report.order_id) is str else repr(report.order_id)
    return VenueReportIgnored(venue, order_id, type(report).__name__, reason, ts)
