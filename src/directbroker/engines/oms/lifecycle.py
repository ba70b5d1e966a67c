"""The primitive moves of the OMS: change a status (through the table), book a fill, send and
cancel children, finish a parent whose children are done, and the reactions of order groups.

Every public operation of :class:`~directbroker.engines.oms.manager.OrderManager` is built from
these, so each status change emits exactly one event and goes through
:func:`~directbroker.engines.oms.status.advance`.
"""

from __future__ import annotations

import dataclasses

from directbroker.domain.broker_messages import (
    ChildCancelSent,
    ChildOrderSent,
    ChildReplaceSent,
    OrderReceived,
    OrderReplacedBy,
    OrderRestated,
    OrderStatusChanged,
    ParentFilled,
)
from directbroker.domain.messages import Event
from directbroker.domain.order_status import LegRole, OrdStatus
from directbroker.domain.orders import Liquidity, OrderType, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import ChildInstruction, RouteRequest
from directbroker.engines.oms.book import OmsBook
from directbroker.engines.oms.model import Child, ChildState, Parent, Terms
from directbroker.engines.oms.ports import (
    FillPosting,
    RoutingGate,
    RoutingPolicy,
    admit_all,
    post_nothing,
)
from directbroker.engines.oms.status import Trigger, advance, working_status
from directbroker.engines.oms.triggers import trailing_stop, triggered_type

_END_TRIGGER = {
    OrdStatus.CANCELED: Trigger.CANCELLED,
    OrdStatus.EXPIRED: Trigger.EXPIRED,
    OrdStatus.DONE_FOR_DAY: Trigger.DAY_DONE,
}
_REPLACEABLE = frozenset({OrderType.LIMIT, OrderType.PEG_MIDPOINT})
"""Child types a venue changes in place (a peg keeps its cap, or takes the new one); others
are cancelled and routed afresh."""

_CHILD_TIF = {TimeInForce.GTC: TimeInForce.DAY}
"""The broker keeps GTC orders itself (off the venues overnight), so venues see DAY."""


class BrokenInvariant(Exception):
    """The OMS found its own state impossible (an over-fill, a router over-allocating)."""


class Lifecycle:
    """OMS primitives over one :class:`OmsBook`; ``out`` lists collect the events in order."""

    def __init__(
        self,
        book: OmsBook,
        router: RoutingPolicy,
        participant: str,
        gate: RoutingGate = admit_all,
        posting: FillPosting = post_nothing,
    ) -> None:
        self.book = book
        self.router = router
        self.participant = participant
        self.gate = gate
        self.posting = posting

    # --- statuses ------------------------------------------------------------------------

    def move(
        self,
        parent: Parent,
        trigger: Trigger,
        target: OrdStatus,
        out: list[Event],
        ts: int,
        code: RejectCode | None = None,
        text: str = "",
    ) -> None:
        """Change a status through the table and report it (one event per move)."""
        old = parent.status
        parent.status = advance(old, trigger, target)
        out.append(
            OrderStatusChanged(
                parent.order_id,
                parent.account,
                parent.symbol,
                old,
                target,
                parent.quantity,
                parent.limit_price,
                parent.stop_price,
                parent.cum_quantity,
                parent.leaves_quantity,
                parent.avg_price,
                code,
                text,
                ts,
            )
        )
        if target.is_terminal:
            self.book.close(parent)
            self._after_terminal(parent, out, ts)
        elif target is OrdStatus.NEW and parent.held:
            self.book.hold(parent)

    def end(
        self,
        parent: Parent,
        end: OrdStatus,
        out: list[Event],
        ts: int,
        code: RejectCode | None = None,
        text: str = "",
    ) -> None:
        """Finish an order that has nothing at venues (cancelled, expired, done for day)."""
        self.book.unhold(parent)
        self.move(parent, _END_TRIGGER[end], end, out, ts, code, text)

    # --- fills ---------------------------------------------------------------------------

    def fill(
        self,
        child: Child,
        quantity: int,
        price: int,
        liquidity: Liquidity,
        execution_id: str,
        out: list[Event],
        ts: int,
    ) -> Parent:
        """Book an execution of ``child`` on its parent (the parent's status move)."""
        parent = self.book.parents[child.parent_id]
        cum = parent.cum_quantity + quantity
        if cum > parent.quantity or parent.status.is_terminal:
            raise BrokenInvariant(f"{parent.order_id}: fill of {quantity} beyond the order")
        old = parent.status
        if cum == parent.quantity:
            target = OrdStatus.FILLED
        elif old in (OrdStatus.PENDING_CANCEL, OrdStatus.PENDING_REPLACE):
            target = old
        else:
            target = OrdStatus.PARTIALLY_FILLED
        parent.status = advance(old, Trigger.FILL, target)
        parent.cum_quantity = cum
        parent.notional += quantity * price
        filled = ParentFilled(
            parent.order_id,
            parent.account,
            parent.symbol,
            parent.side,
            old,
            target,
            child.venue,
            child.child_id,
            execution_id,
            quantity,
            price,
            cum,
            parent.leaves_quantity,
            parent.avg_price,
            liquidity,
            ts,
        )
        out.append(filled)
        # Booked before the OMS reacts, so a leg this fill releases is checked against the
        # position and buying power the fill produced.
        out.extend(self.posting(filled, ts))
        if target.is_terminal:
            self.book.close(parent)
            self._after_terminal(parent, out, ts)
        else:
            self._reduce_siblings(parent, out, ts)
        return parent

    # --- children ------------------------------------------------------------------------

    def request(self, parent: Parent, quantity: int) -> RouteRequest:
        """What to ask the router for ``quantity`` shares of ``parent`` now."""
        order_type, limit = parent.order_type, parent.limit_price
        if parent.is_stop:
            order_type = triggered_type(order_type)
            limit = limit if order_type is OrderType.LIMIT else None
        tif = _CHILD_TIF.get(parent.time_in_force, parent.time_in_force)
        if parent.extended_hours:
            tif = TimeInForce.DAY_PLUS
        return RouteRequest(
            parent.routing_id,
            parent.symbol,
            parent.side,
            quantity,
            limit,
            tif,
            parent.route,
            (),
            parent.display_quantity,
            parent.hidden,
            parent.post_only,
            order_type,
        )

    def plan(self, parent: Parent, ts: int) -> list[ChildInstruction] | RejectCode:
        """Ask the router where the parent's open shares go, checking its answer."""
        leaves = parent.quantity - parent.cum_quantity
        answer = self.router.plan(self.request(parent, leaves), ts)
        if not isinstance(answer, RejectCode):
            self._check_plan(answer, leaves)
        return answer

    @staticmethod
    def _check_plan(plan: list[ChildInstruction], room: int) -> None:
        if not plan or any(i.quantity <= 0 for i in plan) or sum(i.quantity for i in plan) > room:
            raise BrokenInvariant(f"the router planned {plan!r} for {room} shares")

    def send(self, parent: Parent, plan: list[ChildInstruction], out: list[Event], ts: int) -> None:
        """Create and send the children of a plan."""
        for instruction in plan:
            child_id = f"{parent.order_id}.{parent.next_child}"
            parent.next_child += 1
            child = Child(
                child_id,
                parent.order_id,
                instruction.venue,
                instruction.order_type,
                instruction.quantity,
                instruction.limit_price,
                instruction.time_in_force,
                instruction.purpose,
            )
            self.book.children[child_id] = child
            parent.children.append(child_id)
            self.router.child_sent(parent.routing_id, child_id, instruction, ts)
            out.append(
                ChildOrderSent(
                    parent.order_id,
                    child_id,
                    instruction.venue,
                    self.participant,
                    parent.symbol,
                    parent.side,
                    instruction.order_type,
                    instruction.quantity,
                    instruction.limit_price,
                    instruction.time_in_force,
                    instruction.display_quantity,
                    instruction.hidden,
                    instruction.post_only,
                    instruction.purpose,
                    ts,
                )
            )

    def admitted(self, parent: Parent, out: list[Event], ts: int) -> bool:
        """Ask pre-trade risk whether an order the broker held may go to market now; if not,
        it ends rejected with the refusal's code and message (one status event, nothing sent).
        Its siblings are left alone: a refused exit does not cancel the other exit."""
        verdict = self.gate(parent, ts)
        if isinstance(verdict, tuple):
            self.book.unhold(parent)
            code, text = verdict
            self.move(parent, Trigger.RISK_REFUSED, OrdStatus.REJECTED, out, ts, code, text)
            return False
        parent.reserve_price = verdict
        return True

    def route_or_end(self, parent: Parent, out: list[Event], ts: int) -> None:
        """Send the parent's open shares; if the router refuses, the order ends cancelled."""
        answer = self.plan(parent, ts)
        if isinstance(answer, RejectCode):
            self.end(parent, OrdStatus.CANCELED, out, ts, answer, answer.text)
        else:
            self.send(parent, answer, out, ts)

    def cancel_child(self, child: Child, out: list[Event], ts: int) -> None:
        """Ask the venue to cancel a child (after its outstanding request is answered)."""
        if child.state is ChildState.WORKING:
            child.state = ChildState.CANCEL_SENT
            out.append(
                ChildCancelSent(child.parent_id, child.child_id, child.venue, self.participant, ts)
            )
        elif child.state in (ChildState.SENT, ChildState.REPLACE_SENT):
            child.cancel_wanted = True

    def replace_child(
        self, child: Child, quantity: int, price: int | None, out: list[Event], ts: int
    ) -> None:
        """Ask the venue to change a working child's total size and price."""
        child.state = ChildState.REPLACE_SENT
        child.replace_quantity, child.replace_price = quantity, price
        out.append(
            ChildReplaceSent(
                child.parent_id,
                child.child_id,
                child.venue,
                self.participant,
                quantity,
                price,
                ts,
            )
        )

    def stop_working(
        self,
        parent: Parent,
        end: OrdStatus,
        out: list[Event],
        ts: int,
        code: RejectCode | None = None,
        text: str = "",
    ) -> None:
        """Cancel, expire or park an order: at once if nothing is at venues, otherwise cancel
        every live child and finish when the venues confirm (pending cancel until then)."""
        live = self.book.live_children(parent)
        if not live:
            self.end(parent, end, out, ts, code, text)
            return
        parent.pending_end = end
        if not any(c.state is ChildState.REPLACE_SENT for c in live):
            parent.pending_terms = None
        if parent.status is not OrdStatus.PENDING_CANCEL:
            self.move(
                parent, Trigger.CANCEL_REQUESTED, OrdStatus.PENDING_CANCEL, out, ts, code, text
            )
        for child in live:
            self.cancel_child(child, out, ts)

    def child_done(self, child: Child, code: RejectCode | None, out: list[Event], ts: int) -> None:
        """A child finished: tell the router, re-route if it asks, finish the parent if nothing
        is left at the venues.

        The router is told up front whether the parent still wants the shares (not when it is
        done, being cancelled or being replaced), so it never plans children the OMS would
        not send: its view of what is working stays the OMS's."""
        child.state = ChildState.DONE
        parent = self.book.parents[child.parent_id]
        unfilled = child.quantity - child.filled
        wanted = (
            not parent.status.is_terminal
            and parent.pending_end is None
            and parent.pending_terms is None
            and parent.status is not OrdStatus.PENDING_REPLACE
        )
        reroute = self.router.child_ended(
            parent.routing_id, child.child_id, child.venue, child.filled, unfilled, code, wanted, ts
        )
        if reroute and not wanted:
            raise BrokenInvariant(f"the router re-routed {reroute!r} for {parent.order_id}")
        if parent.status.is_terminal:
            return
        if reroute:
            live_open = sum(c.open_quantity for c in self.book.live_children(parent))
            self._check_plan(reroute, parent.quantity - parent.cum_quantity - live_open)
            self.send(parent, reroute, out, ts)
            return
        if self.book.live_children(parent):
            return
        self.finish(parent, code, out, ts)

    def finish(self, parent: Parent, code: RejectCode | None, out: list[Event], ts: int) -> None:
        """Nothing of the parent is at a venue any more: end it, or carry on after a replace."""
        if parent.pending_end is not None:
            end, parent.pending_end = parent.pending_end, None
            parent.pending_terms = None
            self.move(parent, _END_TRIGGER[end], end, out, ts)
            if parent.replace_id:  # parked for the night: the replace is abandoned
                self.drop_successor(parent, out, ts)
            return
        if parent.pending_terms is not None:
            self.apply_replace(parent, parent.pending_terms, out, ts)
            return
        if parent.status is OrdStatus.PENDING_NEW:
            reason = code.text if code is not None else "No venue accepted the order"
            self.move(parent, Trigger.REFUSED, OrdStatus.REJECTED, out, ts, code, reason)
            return
        self.move(
            parent,
            Trigger.CANCELLED,
            OrdStatus.CANCELED,
            out,
            ts,
            code,
            "The venue cancelled what was left (no more liquidity at the limit or IOC)",
        )

    def apply_replace(self, parent: Parent, terms: Terms, out: list[Event], ts: int) -> None:
        """The replace takes effect. If fills in flight reached the new size the order is
        filled; otherwise it ends ``replaced`` and its successor (created when the replace
        was asked for) carries on with what is left: the live children move to it, or it is
        routed now, or held if it is an untriggered stop."""
        parent.pending_terms = None
        terms.quantity = max(terms.quantity, parent.cum_quantity)
        if terms.quantity == parent.cum_quantity or not parent.replace_id:
            # Filled by fills in flight, or the broker's own restatement (an OCO sibling
            # reduced): the order keeps its id and works on under the new terms.
            parent.apply(terms)
            done = parent.cum_quantity == parent.quantity
            target = OrdStatus.FILLED if done else self.working(parent)
            self.move(parent, Trigger.REPLACED, target, out, ts)
            return
        successor = self.book.parents[parent.replace_id]
        live = self.book.live_children(parent)
        leaves = terms.quantity - parent.cum_quantity
        successor.standby = False
        successor.carried_quantity = parent.carried_quantity + parent.cum_quantity
        successor.watermark, successor.triggered = parent.watermark, parent.triggered
        if successor.quantity != leaves:
            successor.quantity = leaves
            out.append(
                OrderRestated(
                    successor.order_id, successor.account, leaves, leaves,
                    "Fills of the replaced order while the replace was in flight", ts,
                )
            )  # fmt: skip
        if successor.order_type is OrderType.TRAILING_STOP and successor.watermark is not None:
            successor.stop_price = trailing_stop(
                successor.side, successor.watermark, successor.trail_amount,
                successor.trail_percent_bps,
            )  # fmt: skip
        for child in live:
            child.parent_id = successor.order_id
            successor.children.append(child.child_id)
        if live:
            successor.route_key = parent.routing_id
        parent.replaced_by = successor.order_id
        parent.replace_id = ""
        self.move(parent, Trigger.REPLACED, OrdStatus.REPLACED, out, ts)
        out.append(OrderReplacedBy(parent.order_id, successor.order_id, parent.account, ts))
        if live or successor.held:
            self.move(successor, Trigger.ACKNOWLEDGED, OrdStatus.NEW, out, ts)
            if successor.held:
                self.book.hold(successor)
        else:
            self.route_or_end(successor, out, ts)

    def drop_successor(
        self, parent: Parent, out: list[Event], ts: int, refused: RejectCode | None = None
    ) -> None:
        """A pending replace will not take effect: its successor ends (rejected when the
        venue refused the replace, cancelled when the order it replaced ended first)."""
        successor_id, parent.replace_id = parent.replace_id, ""
        successor = self.book.parents.get(successor_id) if successor_id else None
        if successor is None or not successor.standby or successor.status.is_terminal:
            return
        if refused is not None:
            self.move(successor, Trigger.REFUSED, OrdStatus.REJECTED, out, ts, refused,
                      refused.text)  # fmt: skip
        else:
            self.move(successor, Trigger.CANCELLED, OrdStatus.CANCELED, out, ts, None,
                      f"The order it was to replace ended {parent.status.value} first")  # fmt: skip
        successor.standby = False

    # --- groups --------------------------------------------------------------------------

    def _after_terminal(self, parent: Parent, out: list[Event], ts: int) -> None:
        if parent.status is OrdStatus.REPLACED or parent.standby:
            return  # its successor carries the group on; a dropped successor never had one
        if parent.replace_id:
            self.drop_successor(parent, out, ts)
        if parent.role is LegRole.PRIMARY:
            legs = [
                leg
                for leg in self.book.legs(parent)
                if leg.status is OrdStatus.SUSPENDED and not leg.standby
            ]
            for leg in legs:
                self._release(leg, parent.carried_quantity + parent.cum_quantity, out, ts)
        if parent.status is OrdStatus.FILLED:
            for sibling in self.book.siblings(parent):
                if not sibling.status.is_terminal and sibling.status is not OrdStatus.SUSPENDED:
                    self.stop_working(
                        sibling,
                        OrdStatus.CANCELED,
                        out,
                        ts,
                        None,
                        "The other side of the OCO filled",
                    )

    def _release(self, leg: Parent, quantity: int, out: list[Event], ts: int) -> None:
        if quantity == 0:
            self.end(leg, OrdStatus.CANCELED, out, ts, None, "The entry order did not fill")
            return
        leg.quantity = quantity
        if leg.held:
            # Held at the broker until it triggers; risk runs then, when it goes to market.
            self.move(leg, Trigger.RELEASED, OrdStatus.NEW, out, ts)
            return
        if not self.admitted(leg, out, ts):
            return
        self.move(leg, Trigger.RELEASED, OrdStatus.PENDING_NEW, out, ts)
        answer = self.plan(leg, ts)
        if isinstance(answer, RejectCode):
            self.move(leg, Trigger.REFUSED, OrdStatus.REJECTED, out, ts, answer, answer.text)
        else:
            self.send(leg, answer, out, ts)

    def _reduce_siblings(self, parent: Parent, out: list[Event], ts: int) -> None:
        """After a partial fill of one OCO member, the others may only close what is left."""
        leaves = parent.leaves_quantity
        for sibling in self.book.siblings(parent):
            status = sibling.status
            if status.is_terminal or status is OrdStatus.SUSPENDED:
                continue
            if sibling.leaves_quantity <= leaves:
                continue
            new_quantity = sibling.cum_quantity + leaves
            if sibling.held:
                sibling.quantity = new_quantity
                out.append(
                    OrderRestated(
                        sibling.order_id,
                        sibling.account,
                        new_quantity,
                        sibling.leaves_quantity,
                        "The other side of the OCO partly filled",
                        ts,
                    )
                )
            elif status.is_pending:
                self.stop_working(
                    sibling, OrdStatus.CANCELED, out, ts, None, "The other side of the OCO filled"
                )
            else:
                terms = sibling.terms()
                terms.quantity = new_quantity
                self.amend(sibling, terms, out, ts)

    # --- replace -------------------------------------------------------------------------

    def amend(
        self,
        parent: Parent,
        terms: Terms,
        out: list[Event],
        ts: int,
        successor: Parent | None = None,
    ) -> None:
        """Cancel/replace a working order: at once if it is held, by a venue replace if one
        child carries it, otherwise by cancelling the children and re-routing on completion.
        A customer's replace brings its ``successor`` (the new order, pending new), reported
        now and waiting for the outcome; the broker's own restatements keep the order's id."""
        self.move(parent, Trigger.REPLACE_REQUESTED, OrdStatus.PENDING_REPLACE, out, ts)
        if successor is not None:
            parent.replace_id = successor.order_id
            self.book.add(successor)
            out.append(received(successor, ts))
        live = self.book.live_children(parent)
        if not live:
            self.apply_replace(parent, terms, out, ts)
            return
        parent.pending_terms = terms
        only = live[0]
        if (
            len(live) == 1
            and only.state is ChildState.WORKING
            and only.order_type in _REPLACEABLE
            and only.open_quantity == parent.quantity - parent.cum_quantity
        ):
            new_leaves = terms.quantity - parent.cum_quantity
            self.replace_child(only, only.filled + new_leaves, terms.limit_price, out, ts)
            return
        for child in live:
            self.cancel_child(child, out, ts)

    def working(self, parent: Parent) -> OrdStatus:
        """The status an order goes back to when a pending request is refused."""
        return working_status(parent.cum_quantity)


def received(parent: Parent, ts: int) -> OrderReceived:
    """The event that reports a new order with its full terms."""
    return OrderReceived(
        parent.order_id,
        parent.client_order_id,
        parent.account,
        parent.symbol,
        parent.side,
        parent.order_type,
        parent.quantity,
        parent.limit_price,
        parent.stop_price,
        parent.time_in_force,
        parent.order_class,
        parent.group_id,
        parent.role,
        parent.status,
        ts,
    )


def successor_of(parent: Parent, terms: Terms, order_id: str, client_order_id: str) -> Parent:
    """The order that will carry on after ``parent`` is replaced: its terms, the new prices,
    and the shares still to trade; pending new until the replace takes effect."""
    return dataclasses.replace(
        parent,
        order_id=order_id,
        client_order_id=client_order_id,
        quantity=max(terms.quantity - parent.cum_quantity, 0),
        limit_price=terms.limit_price,
        stop_price=terms.stop_price,
        trail_amount=terms.trail_amount,
        trail_percent_bps=terms.trail_percent_bps,
        status=OrdStatus.PENDING_NEW,
        cum_quantity=0,
        notional=0,
        children=[],
        next_child=1,
        pending_end=None,
        pending_terms=None,
        replace_id="",
        replaces=parent.order_id,
        replaced_by="",
        standby=True,
        route_key="",
    )
