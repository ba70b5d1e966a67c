"""The ports the client API is built against, and the small view values they return.

The HTTP and WebSocket edge never reaches into the broker core, the ledger or the market data
engine: it asks these Protocols. The composition root binds them to the real platform; the
in-memory fake in ``directbroker.testing.fake_platform`` binds them for tests. Everything is
in domain units (prices and money as ints of $0.0001, times in nanoseconds since the epoch);
turning them into Alpaca's decimal strings and RFC 3339 times is the edge's job alone.

Trading calls are ``async``: the real platform answers only after the command is durable in
the journal, and the edge must not block its event loop meanwhile. A refusal is raised as
:class:`PortRejection` with a stable :class:`RejectCode`, never returned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from directbroker.adapters.history import Page
from directbroker.adapters.http.blocks_port import BlocksPort
from directbroker.adapters.marketdata import MarketDataFanout
from directbroker.domain.accounts import AccountValues, PositionView
from directbroker.domain.broker_messages import (
    AccountConfiguration,
    ConfigureAccount,
    PlaceOrder,
    ReplaceCustomerOrder,
)
from directbroker.domain.instruments import Instrument
from directbroker.domain.marketdata_messages import (
    Bar,
    Montage,
    QuoteUpdated,
    SymbolSnapshot,
    Timeframe,
    TradePrinted,
)
from directbroker.domain.order_status import LegRole, OrderClass, OrdStatus
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import SMART

__all__ = [
    "STAFF_ROLES",
    "AccountDirectory",
    "AccountSnapshot",
    "Activity",
    "ChildOrderView",
    "EquityPoint",
    "HistoryPort",
    "MarketDataPort",
    "OrderQuery",
    "OrderView",
    "PortBusy",
    "PortRejection",
    "Ports",
    "PositionView",
    "Principal",
    "Role",
    "TradeEvent",
    "TradeUpdate",
    "TradeUpdateSubscription",
    "TradingPort",
]


class PortRejection(Exception):
    """A port refused a request; nothing changed. ``code`` decides the HTTP status."""

    def __init__(self, code: RejectCode, message: str = "") -> None:
        self.code = code
        self.message = message or code.text
        super().__init__(f"{code.number} {self.message}")


class PortBusy(Exception):
    """The platform cannot take the request now (its queue is full, or it has not answered
    in time); the edge answers 503 with ``Retry-After: retry_after`` seconds."""

    def __init__(self, retry_after: float, reason: str = "the platform is busy") -> None:
        self.retry_after = retry_after
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class ChildOrderView:
    """One child order the router sent to a venue for a customer order (our extension).

    ``fee`` is what the venue charged for the child's executions in micro-dollars ($0.000001;
    negative: a rebate it paid); ``accepted_ns`` and ``done_ns`` are None until they happen.
    """

    child_id: str
    venue: str
    quantity: int
    filled_quantity: int
    limit_price: int | None
    purpose: str
    status: str
    sent_ns: int
    filled_avg_price: int | None = None
    fee: int = 0
    accepted_ns: int | None = None
    done_ns: int | None = None


@dataclass(frozen=True, slots=True)
class OrderView:
    """A customer order as the client sees it now.

    ``legs`` holds a bracket's or OTO's contingent orders (and an OCO's stop-loss) under the
    primary; ``children`` the venue orders the router sent. Times are 0 or None when the
    thing has not happened. ``hwm`` is a trailing stop's high-water mark.
    """

    order_id: str
    client_order_id: str
    account: str
    symbol: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    quantity: int
    filled_quantity: int
    filled_avg_price: int | None
    limit_price: int | None
    stop_price: int | None
    status: OrdStatus
    created_ns: int
    updated_ns: int
    order_class: OrderClass = OrderClass.SIMPLE
    role: LegRole = LegRole.PRIMARY
    group_id: str = ""
    trail_amount: int | None = None
    trail_percent_bps: int | None = None
    hwm: int | None = None
    extended_hours: bool = False
    route: str = SMART
    filled_ns: int | None = None
    canceled_ns: int | None = None
    expired_ns: int | None = None
    failed_ns: int | None = None
    replaced_ns: int | None = None
    reject_reason: str = ""
    legs: tuple[OrderView, ...] = ()
    children: tuple[ChildOrderView, ...] = ()
    replaces: str = ""
    """The order this one replaced (Alpaca's replace makes a new order)."""
    replaced_by: str = ""
    reject_code: int = 0
    """The stable reject code when the platform ended the order itself (venue reject, expiry,
    kill switch...), with ``reject_reason`` its text; 0 otherwise."""


@dataclass(frozen=True, slots=True)
class OrderQuery:
    """A filter for listing orders (Alpaca's GET /v2/orders parameters).

    ``status`` is ``open``, ``closed`` or ``all``; ``after_ns``/``until_ns`` bound the
    submission time; ``direction`` is ``asc`` or ``desc``; ``nested`` rolls legs up under
    their primary order.
    """

    status: str = "open"
    limit: int = 50
    after_ns: int | None = None
    until_ns: int | None = None
    direction: str = "desc"
    nested: bool = False
    symbols: frozenset[str] = frozenset()
    side: Side | None = None


@dataclass(frozen=True, slots=True)
class MarginCallView:
    """An open margin call, as the ledger issued it. Alpaca's account object has no such
    field; the edge shows it as the ``margin_call`` extension so a customer can see why the
    account is liquidation-only and by when to meet the call."""

    account: str
    amount: int
    """The deficiency when the call was issued (money units, $0.0001)."""
    equity: int
    maintenance_requirement: int
    issued_ns: int
    due_date: int
    """The session (YYYYMMDD) by which the call must be met (firm policy, see margin_views)."""


@dataclass(frozen=True, slots=True)
class MarginCallUpdate:
    """A margin call issued (``met`` False) or met (True), as its event stream carries it."""

    call: MarginCallView
    met: bool
    ts_ns: int
    equity: int
    """The account's equity at the event."""


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """What GET /v2/account shows: the books' values plus account facts outside the books."""

    values: AccountValues
    account_number: str
    created_ns: int
    last_equity: int
    multiplier: int = 1
    shorting_enabled: bool = False
    trading_blocked: bool = False
    transfers_blocked: bool = False
    account_blocked: bool = False
    accrued_fees: int = 0
    pending_transfer_in: int = 0
    pending_transfer_out: int = 0
    daytrade_count: int = 0
    buying_power: int | None = None
    """Buying power as risk checks orders against it (net of working orders, with the
    holder's multiplier); None: the books' figure."""
    regt_buying_power: int | None = None
    daytrading_buying_power: int | None = None
    non_marginable_buying_power: int | None = None
    trade_suspended_by_user: bool = False
    margin_call: MarginCallView | None = None
    """The open margin call, if any (an extension field of the account)."""


@dataclass(frozen=True, slots=True)
class Activity:
    """One account activity: a fill (``activity_type`` FILL) or a cash movement (CSD deposit,
    CSW withdrawal, FEE, DIV, INT...). Fill fields are zero/empty on non-trade activities and
    ``net_amount`` is zero on fills."""

    activity_id: str
    account: str
    activity_type: str
    ts_ns: int
    date: int
    symbol: str = ""
    side: Side | None = None
    quantity: int = 0
    price: int = 0
    cum_quantity: int = 0
    leaves_quantity: int = 0
    order_id: str = ""
    order_status: OrdStatus | None = None
    net_amount: int = 0
    description: str = ""
    venue: str = ""
    """Where a fill executed (our extension: FIX drop copies report it as LastMkt)."""


@dataclass(frozen=True, slots=True)
class EquityPoint:
    """The account's equity at the end of one portfolio-history window starting at ``ts_ns``."""

    ts_ns: int
    equity: int
    profit_loss: int


class TradeEvent(str, Enum):
    """The ``event`` values of Alpaca's trade_updates stream."""

    NEW = "new"
    FILL = "fill"
    PARTIAL_FILL = "partial_fill"
    CANCELED = "canceled"
    EXPIRED = "expired"
    DONE_FOR_DAY = "done_for_day"
    REPLACED = "replaced"
    REJECTED = "rejected"
    PENDING_NEW = "pending_new"
    PENDING_CANCEL = "pending_cancel"
    PENDING_REPLACE = "pending_replace"
    RESTATED = "restated"


@dataclass(frozen=True, slots=True)
class TradeUpdate:
    """One trade_updates message: the order as it is after the event. Fills carry the
    execution's price and quantity and the account's position in the symbol afterwards."""

    event: TradeEvent
    order: OrderView
    ts_ns: int
    execution_id: str | None = None
    price: int | None = None
    quantity: int | None = None
    position_qty: int | None = None
    venue: str = ""
    """Where a fill executed (FIX reports it as LastMkt); empty on other events."""


class TradeUpdateSubscription(Protocol):
    """A live feed of trade updates for some accounts; the edge owns it until ``close``."""

    async def get(self) -> TradeUpdate | None:
        """Wait for the next update; None once the subscription is closed."""
        ...

    def close(self) -> None:
        """Stop delivering; a pending ``get`` returns None."""
        ...


class TradingPort(Protocol):
    """Orders, positions and the books of customer accounts.

    The edge assigns ``order_id`` (a UUID string, as Alpaca's API requires) and checks that
    the caller may act on the account before calling; the port checks everything else.
    """

    async def place_order(self, command: PlaceOrder) -> OrderView:
        """Accept a new order (after risk), returning it as first recorded."""
        ...

    async def cancel_order(self, account: str, order_id: str, actor: str = "") -> OrderView:
        """Request a cancel; the order is pending_cancel or canceled afterwards.
        ``REPLACE_TOO_LATE`` when it is already filled, canceled or expired. ``actor`` is who
        asked, for the order ticket."""
        ...

    async def replace_order(self, command: ReplaceCustomerOrder) -> OrderView:
        """Replace a working order, as Alpaca does: returns the new order
        (``command.new_order_id``, pending new until the venue agrees); the old one ends
        ``replaced``."""
        ...

    async def get_order(self, order_id: str) -> OrderView | None:
        """An order (of any account: the edge checks ownership) by id, legs included."""
        ...

    async def get_order_by_client_id(self, account: str, client_order_id: str) -> OrderView | None:
        """An account's order by the client's own id."""
        ...

    async def list_orders(self, accounts: Sequence[str], query: OrderQuery) -> list[OrderView]:
        """Orders of ``accounts`` matching ``query``, in ``query.direction`` order."""
        ...

    async def account(self, account: str) -> AccountSnapshot:
        """The account's values now; ``UNKNOWN_ACCOUNT`` when there is none."""
        ...

    async def positions(self, account: str) -> list[PositionView]:
        """Open (non-zero) positions, by symbol."""
        ...

    async def configuration(self, account: str) -> AccountConfiguration:
        """The account's configurations; ``UNKNOWN_ACCOUNT`` when there is none."""
        ...

    async def configure_account(self, command: ConfigureAccount) -> AccountConfiguration:
        """Change some configurations; answered once the change is durable, with all of
        them. ``INVALID_CONFIGURATION`` for a value that is not allowed."""
        ...

    async def activities(
        self, account: str, types: frozenset[str], after_ns: int | None, until_ns: int | None
    ) -> list[Activity]:
        """Activities of the given types (all when empty) in the window, oldest first."""
        ...

    async def equity_history(
        self, account: str, start_ns: int, end_ns: int, step_ns: int
    ) -> list[EquityPoint]:
        """Equity at the end of each ``step_ns`` window in [start_ns, end_ns)."""
        ...

    def subscribe_trade_updates(self, accounts: frozenset[str] | None) -> TradeUpdateSubscription:
        """Start a trade update feed for ``accounts`` (None: every account, for operations
        staff). Called on the server's event loop; ``TradeUpdateHub`` implements it."""
        ...


class MarketDataPort(Protocol):
    """Live market data views. Called on the server's event loop: must be quick, thread-safe
    reads of state another thread maintains."""

    def instruments(self) -> Sequence[Instrument]:
        """Every tradable instrument (the asset master)."""
        ...

    def snapshot(self, symbol: str) -> SymbolSnapshot | None:
        """Last trade, NBBO, today's bar and prior close; None for an unknown symbol."""
        ...

    def montage(self, symbol: str, levels: int) -> Montage | None:
        """Level II: each venue's best ``levels`` price levels a side."""
        ...

    def recent_trades(self, symbol: str, limit: int) -> Sequence[TradePrinted]:
        """Time & sales: the latest prints, oldest first."""
        ...

    def latest_bar(self, symbol: str, timeframe: Timeframe) -> Bar | None:
        """The newest bar of ``timeframe`` (possibly still forming)."""
        ...

    def fanout(self) -> MarketDataFanout:
        """The live fan-out the market data streams subscribe to."""
        ...


class HistoryPort(Protocol):
    """The historical data service, as the market data REST endpoints read it (async, because
    the queries are SQL and must not stall the event loop)."""

    async def trades(
        self, symbol: str, start_ns: int, end_ns: int, limit: int, cursor: str | None
    ) -> Page[TradePrinted]:
        """Prints in [start_ns, end_ns), oldest first."""
        ...

    async def quotes(
        self, symbol: str, start_ns: int, end_ns: int, limit: int, cursor: str | None
    ) -> Page[QuoteUpdated]:
        """NBBO changes in [start_ns, end_ns), oldest first."""
        ...

    async def bars(
        self,
        symbol: str,
        timeframe: Timeframe,
        start_ns: int,
        end_ns: int,
        limit: int,
        cursor: str | None,
    ) -> Page[Bar]:
        """Bars starting in [start_ns, end_ns), oldest first."""
        ...


class Role(str, Enum):
    """What a user is to the firm, which decides the accounts it may touch."""

    CUSTOMER = "customer"
    """Owns its own account(s)."""
    TRADER = "trader"
    """Trades several named accounts."""
    PORTFOLIO_MANAGER = "portfolio_manager"
    """Manages every account of one or more account groups."""
    OPERATIONS = "operations"
    """Broker-dealer staff: every account; on the Broker API, accounts, funding and keys."""
    RISK = "risk"
    """Staff: risk limits, the kill switch, house margin (Broker API ``/v1/firm``)."""
    COMPLIANCE = "compliance"
    """Staff: the restricted and easy-to-borrow lists and locates (``/v1/firm``)."""
    ADMINISTRATOR = "administrator"
    """Staff holding every staff role."""

    @property
    def is_staff(self) -> bool:
        """Whether this is one of the firm's own staff roles."""
        return self in STAFF_ROLES


STAFF_ROLES = frozenset({Role.OPERATIONS, Role.RISK, Role.COMPLIANCE, Role.ADMINISTRATOR})
"""The roles the Broker API accepts; ADMINISTRATOR implies every other one."""


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated user and the accounts it may act on, resolved at authentication.

    ``default_account`` is the account an Alpaca-style request (which names none) acts on;
    a user with several accounts picks another with the ``DirectBroker-Account`` header.
    ``all_accounts`` (operations) means any account, so ``accounts`` is not a full list.
    """

    user_id: str
    key_id: str
    role: Role
    accounts: frozenset[str]
    default_account: str
    all_accounts: bool = False
    roles: frozenset[Role] = frozenset()
    """Every role the key holds (``role`` is the one that decides account access)."""
    groups: frozenset[str] = frozenset()
    """The account groups a portfolio manager manages (its accounts are their members)."""

    def may_access(self, account: str) -> bool:
        """Whether this user may read or act on ``account``."""
        return self.all_accounts or account in self.accounts

    def manages(self, group: str) -> bool:
        """Whether this user may see and trade ``group`` as a whole (block orders, group
        views): a portfolio manager its own groups, operations staff every group."""
        return self.all_accounts or group in self.groups


class AccountDirectory(Protocol):
    """Who holds an API key and what it may touch."""

    def authenticate(self, key_id: str, secret: str) -> Principal | None:
        """The principal for a key id and secret; None when either is wrong."""
        ...


@dataclass(frozen=True, slots=True)
class Ports:
    """Everything :func:`directbroker.adapters.http.create_app` needs from the platform."""

    trading: TradingPort
    market_data: MarketDataPort
    history: HistoryPort
    directory: AccountDirectory
    now_ns: Callable[[], int]
    easy_to_borrow: Callable[[str], bool] | None = None
    """Whether short sales in a symbol need no locate (``/v2/assets`` ``easy_to_borrow`` and
    ``shortable``); None: every symbol is."""
    blocks: BlocksPort | None = None
    """Account groups, block orders and group exposure (``/v2/groups``, ``/v2/blocks``);
    None: those routes are not served."""
