"""The order manager: the OMS's public operations, each a sequence of lifecycle primitives.

Customer commands are checked by the caller (field validation here, risk in the risk engine)
before they reach :meth:`OrderManager.place`, :meth:`cancel` or :meth:`replace`; the manager
itself refuses only what its own state decides (unknown order, pending change, routing). Venue
execution reports, prints on the tape and the day roll arrive as inputs like anything else.
"""

from __future__ import annotations

from directbroker.domain.broker_messages import (
    OrderTriggered,
    PlaceOrder,
    ReplaceCustomerOrder,
)
from directbroker.domain.messages import Event
from directbroker.domain.order_status import LegRole, OrderClass, OrdStatus
from directbroker.domain.orders import OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import ChildInstruction
from directbroker.engines.oms.book import OmsBook
from directbroker.engines.oms.lifecycle import Lifecycle, received, successor_of
from directbroker.engines.oms.model import STOP_TYPES, Parent, Terms
from directbroker.engines.oms.ports import (
    FillPosting,
    Refusal,
    RoutingGate,
    RoutingPolicy,
    admit_all,
    post_nothing,
)
from directbroker.engines.oms.reports import VenueReport, apply_report
from directbroker.engines.oms.status import Trigger
from directbroker.engines.oms.triggers import (
    is_triggered,
    new_watermark,
    trailing_stop,
)
from directbroker.engines.oms.validation import check_replace

_DAY_ONLY = frozenset(
    {
        TimeInForce.DAY,
        TimeInForce.DAY_PLUS,
        TimeInForce.IOC,
        TimeInForce.FOK,
        TimeInForce.OPG,
        TimeInForce.CLS,
    }
)


def exit_side(side: Side) -> Side:
    """The side that closes a position opened by ``side``."""
    return Side.SELL if side is Side.BUY else Side.BUY


class OrderManager:
    """Parents, children, held orders and groups for one broker core partition."""

    def __init__(
        self,
        router: RoutingPolicy,
        participant: str,
        gate: RoutingGate = admit_all,
        posting: FillPosting = post_nothing,
    ) -> None:
        """``gate`` is pre-trade risk for held orders going to market (a triggered stop, a
        released leg); ``posting`` books each fill before the OMS reacts to it."""
        self.book = OmsBook()
        self._life = Lifecycle(self.book, router, participant, gate, posting)

    @property
    def participant(self) -> str:
        """The participant id the broker's children carry at venues."""
        return self._life.participant

    def restore(self, book: OmsBook) -> None:
        """Continue from a restored book."""
        self.book = book
        self._life.book = book

    # --- new orders ----------------------------------------------------------------------

    def leg_ids(self, cmd: PlaceOrder) -> list[str]:
        """Every order id a new order will use (its own and its legs')."""
        ids = [cmd.order_id]
        if cmd.order_class is not OrderClass.SIMPLE:
            if cmd.take_profit_price is not None:
                ids.append(cmd.order_id + ".tp")
            if cmd.stop_loss_price is not None:
                ids.append(cmd.order_id + ".sl")
        return ids

    def check_new(self, cmd: PlaceOrder) -> Refusal | None:
        """Whether the order's ids are free."""
        for order_id in self.leg_ids(cmd):
            if order_id in self.book.parents:
                return RejectCode.DUPLICATE_ORDER_ID, f"Order id {order_id} is already used"
        return None

    def build(self, cmd: PlaceOrder, reserve_price: int, last_price: int | None) -> list[Parent]:
        """The order (and its legs) as the OMS will keep them; nothing is stored yet."""
        group = cmd.order_id if cmd.order_class is not OrderClass.SIMPLE else ""
        primary = Parent(
            cmd.order_id,
            cmd.client_order_id,
            cmd.account,
            cmd.symbol,
            cmd.side,
            cmd.order_type,
            cmd.quantity,
            cmd.limit_price,
            cmd.stop_price,
            cmd.trail_amount,
            cmd.trail_percent_bps,
            cmd.time_in_force,
            cmd.extended_hours,
            cmd.route,
            cmd.display_quantity,
            cmd.hidden,
            cmd.post_only,
            cmd.order_class,
            group,
            LegRole.PRIMARY,
            OrdStatus.NEW if cmd.order_type in STOP_TYPES else OrdStatus.PENDING_NEW,
            reserve_price,
        )
        if cmd.order_type is OrderType.TRAILING_STOP and last_price is not None:
            primary.watermark = last_price
            primary.stop_price = trailing_stop(
                cmd.side, last_price, cmd.trail_amount, cmd.trail_percent_bps
            )
        parents = [primary]
        if cmd.order_class is OrderClass.SIMPLE:
            return parents
        is_oco = cmd.order_class is OrderClass.OCO
        side = cmd.side if is_oco else exit_side(cmd.side)
        contingent = OrdStatus.NEW if is_oco else OrdStatus.SUSPENDED
        if cmd.take_profit_price is not None:
            parents.append(
                self._leg(primary, ".tp", LegRole.TAKE_PROFIT, side, OrderType.LIMIT,
                          cmd.take_profit_price, None, OrdStatus.SUSPENDED)
            )  # fmt: skip
        if cmd.stop_loss_price is not None:
            kind = OrderType.STOP if cmd.stop_loss_limit_price is None else OrderType.STOP_LIMIT
            parents.append(
                self._leg(primary, ".sl", LegRole.STOP_LOSS, side, kind,
                          cmd.stop_loss_limit_price, cmd.stop_loss_price, contingent)
            )  # fmt: skip
        return parents

    @staticmethod
    def _leg(
        primary: Parent,
        suffix: str,
        role: LegRole,
        side: Side,
        order_type: OrderType,
        limit: int | None,
        stop: int | None,
        status: OrdStatus,
    ) -> Parent:
        return Parent(
            primary.order_id + suffix,
            primary.client_order_id,
            primary.account,
            primary.symbol,
            side,
            order_type,
            primary.quantity,
            limit,
            stop,
            None,
            None,
            primary.time_in_force,
            False,
            primary.route,
            None,
            False,
            primary.post_only if order_type is OrderType.LIMIT else PostOnly.NO,
            primary.order_class,
            primary.group_id,
            role,
            status,
        )

    def route_first(self, parents: list[Parent], ts: int) -> list[ChildInstruction] | Refusal:
        """The routing plan for the order's first children (a refusal means no trace)."""
        primary = parents[0]
        if primary.status is not OrdStatus.PENDING_NEW:
            return []
        answer = self._life.plan(primary, ts)
        if isinstance(answer, RejectCode):
            return answer, f"{answer.text}: cannot route to {primary.route}"
        return answer

    def place(self, parents: list[Parent], plan: list[ChildInstruction], ts: int) -> list[Event]:
        """Take the order: report it, hold it or send its children, and create its legs."""
        out: list[Event] = []
        for parent in parents:
            self.book.add(parent)
            out.append(received(parent, ts))
            if parent.status is OrdStatus.NEW and parent.held:
                self.book.hold(parent)
            if parent is parents[0] and plan:
                self._life.send(parent, plan, out, ts)
        return out

    # --- cancel and replace --------------------------------------------------------------

    def find(self, order_id: str, account: str) -> Parent | Refusal:
        """A customer's working order, or why it cannot be changed."""
        parent = self.book.parents.get(order_id) if type(order_id) is str else None
        if parent is None or parent.account != account:
            return RejectCode.UNKNOWN_ORDER, f"No order {order_id!r} in account {account!r}"
        if parent.status.is_terminal:
            return (
                RejectCode.UNKNOWN_ORDER,
                f"Order {order_id} is already {parent.status.value.replace('_', ' ')}",
            )
        if parent.standby:
            return (
                RejectCode.CHANGE_PENDING,
                f"Order {order_id} replaces {parent.replaces}; wait until the replace is done",
            )
        if parent.status in (OrdStatus.PENDING_CANCEL, OrdStatus.PENDING_REPLACE):
            return (
                RejectCode.CHANGE_PENDING,
                f"Wait for the {parent.status.value.replace('_', ' ')} on {order_id} to finish",
            )
        return parent

    def cancel(
        self,
        parent: Parent,
        ts: int,
        end: OrdStatus = OrdStatus.CANCELED,
        code: RejectCode | None = None,
        text: str = "",
    ) -> list[Event]:
        """Cancel (or expire) a working order and whatever of it is at venues."""
        out: list[Event] = []
        if parent.status is OrdStatus.PENDING_CANCEL:
            if end is OrdStatus.CANCELED:
                parent.pending_end = end
            return out
        self._life.stop_working(parent, end, out, ts, code, text)
        return out

    def check_replace(self, parent: Parent, cmd: ReplaceCustomerOrder) -> Terms | Refusal:
        """The new terms, or why the replace is refused."""
        if parent.status in (OrdStatus.PENDING_NEW, OrdStatus.SUSPENDED, OrdStatus.DONE_FOR_DAY):
            return (
                RejectCode.CHANGE_PENDING,
                f"Order {parent.order_id} is {parent.status.value.replace('_', ' ')}; "
                "replace it once it is working",
            )
        refusal = check_replace(cmd, parent)
        if refusal is not None:
            return refusal
        terms = parent.terms()
        terms.quantity = cmd.quantity
        if cmd.limit_price is not None:
            terms.limit_price = cmd.limit_price
        if cmd.stop_price is not None:
            terms.stop_price = cmd.stop_price
        if cmd.trail_amount is not None or cmd.trail_percent_bps is not None:
            terms.trail_amount, terms.trail_percent_bps = cmd.trail_amount, cmd.trail_percent_bps
        return terms

    def successor(
        self, parent: Parent, terms: Terms, new_order_id: str, client_order_id: str = ""
    ) -> Parent:
        """The new order a replace of ``parent`` will create (nothing is stored yet), under
        ``client_order_id`` when given, else the parent's."""
        return successor_of(parent, terms, new_order_id, client_order_id or parent.client_order_id)

    def replace(
        self, parent: Parent, terms: Terms, ts: int, successor: Parent | None = None
    ) -> list[Event]:
        """Cancel/replace a working order with checked terms; with a ``successor`` (from
        :meth:`successor`) the order ends replaced and the successor carries on, as Alpaca
        does, otherwise (tests of the venue mechanics) the order keeps its id."""
        out: list[Event] = []
        self._life.amend(parent, terms, out, ts, successor)
        return out

    def cancel_all(
        self, account: str | None, ts: int, code: RejectCode, text: str, symbol: str = ""
    ) -> list[Event]:
        """Cancel every working order (of one account or everyone; in ``symbol`` only when
        given): the kill switch."""
        out: list[Event] = []
        for order_id in list(self.book.open_ids):
            parent = self.book.parents[order_id]
            if parent.status.is_terminal or (account is not None and parent.account != account):
                continue
            if parent.standby:
                continue  # it follows the order it replaces
            if symbol and parent.symbol != symbol:
                continue
            if parent.status is OrdStatus.PENDING_CANCEL:
                parent.pending_end = OrdStatus.CANCELED
                continue
            self._life.stop_working(parent, OrdStatus.CANCELED, out, ts, code, text)
        return out

    # --- venue reports -------------------------------------------------------------------

    def on_report(self, report: VenueReport, ts: int) -> list[Event]:
        """Apply one execution report for a child order."""
        return apply_report(self._life, report, ts)

    # --- the tape ------------------------------------------------------------------------

    def on_trade(
        self, symbol: str, price: int, ts: int, short_restricted: bool = False
    ) -> list[Event]:
        """Trail and trigger the held stops in ``symbol`` on a print at ``price``.

        ``short_restricted`` is accepted for existing callers and not used: Rule 201 for a
        triggered short is judged by the routing gate (risk), with the national best bid."""
        del short_restricted
        waiting = self.book.held.get(symbol)
        if not waiting:
            return []
        out: list[Event] = []
        parents = self.book.parents
        for order_id in list(waiting):
            parent = parents[order_id]
            if parent.status.is_terminal:
                continue  # ended by an earlier order's trigger in this print
            if parent.order_type is OrderType.TRAILING_STOP:
                parent.watermark = new_watermark(parent.side, parent.watermark, price)
                parent.stop_price = trailing_stop(
                    parent.side, parent.watermark, parent.trail_amount, parent.trail_percent_bps
                )
            stop = parent.stop_price
            if stop is None or not is_triggered(parent.side, stop, price):
                continue
            self._trigger(parent, price, stop, ts, out)
        return out

    def _trigger(self, parent: Parent, price: int, stop: int, ts: int, out: list[Event]) -> None:
        """The stop becomes a market (or limit) order: pre-trade risk runs again now, against
        the market and the account as they are (Rule 201 included), before anything is sent."""
        life = self._life
        self.book.unhold(parent)
        parent.triggered = True
        out.append(OrderTriggered(parent.order_id, parent.account, parent.symbol, price, stop, ts))
        if life.admitted(parent, out, ts):
            life.route_or_end(parent, out, ts)

    # --- the day -------------------------------------------------------------------------

    def end_day(self, ts: int, *, extended_too: bool = True) -> list[Event]:
        """A session ends: its DAY orders expire; GTC orders at venues are done for the day.

        ``extended_too`` false is the regular close: extended-hours orders keep working in
        after-hours. Orders waiting for a later session (placed after it ended) stay."""
        out: list[Event] = []
        life = self._life
        for order_id in list(self.book.open_ids):
            parent = self.book.parents[order_id]
            if parent.status.is_terminal or parent.status is OrdStatus.DONE_FOR_DAY:
                continue
            if parent.standby:
                continue  # it follows the order it replaces
            if (parent.extended_hours and not extended_too) or self.is_waiting(parent):
                continue
            if parent.time_in_force in _DAY_ONLY:
                if parent.status is OrdStatus.PENDING_CANCEL:
                    continue
                life.stop_working(
                    parent, OrdStatus.EXPIRED, out, ts, None, "The DAY order expired at the close"
                )
            elif self.book.live_children(parent) and parent.status is not OrdStatus.PENDING_CANCEL:
                life.stop_working(
                    parent,
                    OrdStatus.DONE_FOR_DAY,
                    out,
                    ts,
                    None,
                    "GTC order off the venues overnight",
                )
        return out

    def start_day(self, ts: int) -> list[Event]:
        """The open: GTC orders that were done for the day go back to work."""
        return self.open_session(ts, extended_only=False)

    def open_session(self, ts: int, *, extended_only: bool) -> list[Event]:
        """A session opens: GTC orders that were done for the day go back to work and orders
        that waited for it go to market (``extended_only``: the pre-market, for
        extended-hours orders alone)."""
        out: list[Event] = []
        life = self._life
        for order_id in list(self.book.open_ids):
            parent = self.book.parents[order_id]
            if extended_only and not parent.extended_hours:
                continue
            if self.is_waiting(parent):
                life.route_or_end(parent, out, ts)
                continue
            if parent.status is not OrdStatus.DONE_FOR_DAY:
                continue
            life.move(parent, Trigger.REOPENED, life.working(parent), out, ts)
            if parent.held:
                self.book.hold(parent)
            else:
                life.route_or_end(parent, out, ts)
        return out

    def is_waiting(self, parent: Parent) -> bool:
        """Whether ``parent`` was taken outside its session and waits for it: pending new and
        never sent (an order in its session is sent in the input that takes it)."""
        return parent.status is OrdStatus.PENDING_NEW and not parent.children and not parent.standby

    # --- queries -------------------------------------------------------------------------

    def open_orders(self, account: str) -> list[Parent]:
        """The account's orders that are not done."""
        return list(self.book.open_orders(account))

    def order(self, order_id: str) -> Parent | None:
        """One order (done or not)."""
        return self.book.parents.get(order_id)
