"""The order ticket's record: what SEC Rule 17a-3(a)(6) asks a broker-dealer to keep about an
order, as plain data (terms, account, time of entry, who entered it, routing, executions,
modifications, cancellation, refusals, and every status move).

The fold that fills these in from the broker journal is :mod:`~directbroker.backoffice.
order_tickets`; the formats a person or a program reads are :mod:`~directbroker.backoffice.
ticket_formats`. Prices are ints in $0.0001 units, times journal nanoseconds (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from directbroker.domain.order_status import LegRole, OrderClass, OrdStatus
from directbroker.domain.orders import Liquidity, OrderType, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import SMART
from directbroker.runtime.schedule import new_york_date

SYSTEM = "system"
"""Who entered or cancelled an order when no person did (expiry, the core's own work)."""


REPLACE_SENT = "replace"
"""The :attr:`Routed.action` of a child changed at its venue (a cancel/replace)."""


@dataclass(frozen=True, slots=True)
class Routed:
    """One child order sent to a venue for the ticket's order, or changed there: ``action``
    is the router's purpose for a new child (``ChildPurpose``), :data:`REPLACE_SENT` for a
    change of a child's quantity and price."""

    child_id: str
    venue: str
    quantity: int
    limit_price: int | None
    action: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class Execution:
    """One execution of the ticket's order."""

    execution_id: str
    venue: str
    quantity: int
    price: int
    liquidity: Liquidity
    ts_ns: int


@dataclass
class Modification:
    """A cancel/replace request: its new terms, who asked, when it was asked and when it took
    effect (0: not yet, or never); ``refused`` is the core's reason when it was refused. A
    restatement by the broker (an OCO sibling filled) is one too, by the system, in place."""

    requested_ns: int
    actor: str
    quantity: int
    limit_price: int | None
    stop_price: int | None
    new_order_id: str
    effective_ns: int = 0
    refused: str = ""
    reason: str = ""
    """Why the broker changed the order itself (a restatement: no new order)."""


@dataclass
class Cancellation:
    """The order's cancellation: who asked (``system`` when nobody did: expiry, kill switch,
    a venue), when it was asked, when it took effect and the core's reason text."""

    requested_ns: int
    actor: str
    effective_ns: int = 0
    reason: str = ""
    refused: str = ""


@dataclass(frozen=True, slots=True)
class Rejection:
    """A refusal of a request on this order, with its stable code and message."""

    command: str
    code: RejectCode
    message: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One move of the order's status, with the core's reason when it gave one."""

    old_status: OrdStatus | None
    status: OrdStatus
    ts_ns: int
    code: RejectCode | None = None
    text: str = ""


@dataclass
class OrderTicket:
    """Everything Rule 17a-3(a)(6) asks about one order. Prices in $0.0001 units."""

    order_id: str
    client_order_id: str
    account: str
    symbol: str
    side: Side
    """Carries the short-sale marking (``sell_short``, ``sell_short_exempt``)."""
    order_type: OrderType
    quantity: int
    limit_price: int | None
    stop_price: int | None
    time_in_force: TimeInForce
    order_class: OrderClass
    role: LegRole
    group_id: str
    received_ns: int
    """Time of entry: when the broker core received (or refused) the order."""
    entered_by: str
    route: str = SMART
    """The venue the customer directed the order to, or ``SMART``."""
    extended_hours: bool = False
    trail_amount: int | None = None
    trail_percent_bps: int | None = None
    status: OrdStatus = OrdStatus.PENDING_NEW
    cum_quantity: int = 0
    avg_price: int = 0
    replaces: str = ""
    """The order this one replaced (its terms are the replace's)."""
    replaced_by: str = ""
    triggered_ns: int = 0
    routes: list[Routed] = field(default_factory=list)
    executions: list[Execution] = field(default_factory=list)
    modifications: list[Modification] = field(default_factory=list)
    cancellation: Cancellation | None = None
    rejections: list[Rejection] = field(default_factory=list)
    history: list[StatusChange] = field(default_factory=list)

    business_date: int = 0
    """The business day the order was entered for (YYYYMMDD): the day open at entry, or the
    next day to open for an order entered between a close and the next open (0 until then)."""

    @property
    def entered_date(self) -> int:
        """The business date of entry, or the New York date when no day has claimed it yet."""
        return self.business_date or new_york_date(self.received_ns)

    @property
    def directed(self) -> bool:
        """Whether the customer chose the venue."""
        return self.route != SMART
