"""Commands the broker core accepts and the events it emits.

The broker core owns the customer's order from receipt to its last fill or cancel (the OMS),
the pre-trade risk checks in front of it, and the child orders it sends to venues. Its other
inputs are facts it observes: the venues' execution reports for its children
(``venue_messages.OrderAccepted`` ... ``OrderFilled``), consolidated market data
(``QuoteUpdated``, ``TradePrinted``, ``TradingStatusChanged``) and the ledger's own commands.

Ids come in as inputs: ``order_id`` is assigned by the gateway; a bracket's legs are named
``<order_id>.tp`` and ``<order_id>.sl`` and children ``<order_id>.<n>``, so an order id is at most
48 characters and never contains ':' (the ledger names book accounts with it). Prices are ints
in $0.0001 units, money too; business dates are ints YYYYMMDD as in the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from directbroker.domain.messages import Command, Event
from directbroker.domain.order_status import (
    CashViolation,
    KillSwitchScope,
    LegRole,
    OrderClass,
    OrdStatus,
)
from directbroker.domain.orders import Liquidity, OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import SMART, ChildPurpose
from directbroker.domain.venue_messages import CancelOrder, ReplaceOrder, SubmitOrder

# --- customer commands -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlaceOrder(Command):
    """A customer's new order.

    ``side`` carries the Reg SHO marking: ``SELL`` is a long sale, ``SELL_SHORT`` and
    ``SELL_SHORT_EXEMPT`` are short sales. ``stop_price`` arms stop and stop-limit orders;
    a trailing stop trails by ``trail_amount`` (price units) or ``trail_percent_bps`` (basis
    points). ``route`` is a venue name or ``SMART``. A bracket adds ``take_profit_price`` and
    ``stop_loss_price`` (with ``stop_loss_limit_price`` for a stop-limit loss leg); an OTO adds
    one of them; an OCO pairs this order (the take-profit) with a stop-loss.

    ``entered_by`` is who entered the order, for the order ticket (SEC Rule 17a-3(a)(6)):
    ``key:<key id>`` through the Trading API, ``staff:<key id>`` for staff trading on the
    customer's behalf, ``fix:<SenderCompID>`` over FIX, ``system:<job>`` for the firm's own
    jobs. Empty in journals written before it was recorded.
    """

    order_id: str
    client_order_id: str
    account: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: int
    limit_price: int | None = None
    stop_price: int | None = None
    trail_amount: int | None = None
    trail_percent_bps: int | None = None
    time_in_force: TimeInForce = TimeInForce.DAY
    extended_hours: bool = False
    route: str = SMART
    display_quantity: int | None = None
    hidden: bool = False
    post_only: PostOnly = PostOnly.NO
    order_class: OrderClass = OrderClass.SIMPLE
    take_profit_price: int | None = None
    stop_loss_price: int | None = None
    stop_loss_limit_price: int | None = None
    entered_by: str = ""


@dataclass(frozen=True, slots=True)
class CancelCustomerOrder(Command):
    """Cancel what is left of a working order. ``actor`` is who asked (as ``entered_by``)."""

    order_id: str
    account: str
    actor: str = ""


@dataclass(frozen=True, slots=True)
class ReplaceCustomerOrder(Command):
    """Cancel/replace, as Alpaca does it: once it takes effect the order ``order_id`` ends
    ``replaced`` and a new order ``new_order_id`` (assigned by the gateway, like any order id)
    carries on with the new terms. ``quantity`` is the new total (as FIX OrderQty: shares the
    old order filled count towards it, so the new order is for what remains); a price left
    ``None`` keeps its current value. ``new_client_order_id``, when given, is the new order's
    client order id (Alpaca's PATCH ``client_order_id``); empty keeps the old order's.
    ``actor`` is who asked (as :attr:`PlaceOrder.entered_by`)."""

    order_id: str
    account: str
    quantity: int
    limit_price: int | None = None
    stop_price: int | None = None
    trail_amount: int | None = None
    trail_percent_bps: int | None = None
    new_order_id: str = ""
    new_client_order_id: str = ""
    actor: str = ""


# --- account configurations -----------------------------------------------------------------


class CheckWhen(str, Enum):
    """When a day-trading check applies (Alpaca's ``dtbp_check`` and ``pdt_check``): on
    orders that open or add to a position, on orders that close one, or on both."""

    BOTH = "both"
    ENTRY = "entry"
    EXIT = "exit"

    @property
    def on_entry(self) -> bool:
        """Whether the check applies to orders that open or add to a position."""
        return self is not CheckWhen.EXIT

    @property
    def on_exit(self) -> bool:
        """Whether the check applies to orders that close a position."""
        return self is not CheckWhen.ENTRY


class ConfirmEmail(str, Enum):
    """Whether trade confirmations are e-mailed (Alpaca's ``trade_confirm_email``)."""

    ALL = "all"
    NONE = "none"


MARGIN_MULTIPLIERS = (1, 2, 4)
"""The values ``max_margin_multiplier`` may take."""


@dataclass(frozen=True, slots=True)
class AccountConfiguration:
    """How the account holder wants the broker to treat the account (Alpaca's account
    configurations), with Alpaca's defaults except ``fractional_trading``: the venues trade
    whole shares, so it is off until set (and recorded, not acted on, when set)."""

    dtbp_check: CheckWhen = CheckWhen.ENTRY
    pdt_check: CheckWhen = CheckWhen.ENTRY
    no_shorting: bool = False
    suspend_trade: bool = False
    fractional_trading: bool = False
    max_margin_multiplier: int = 4
    trade_confirm_email: ConfirmEmail = ConfirmEmail.ALL
    ptp_no_exception_entry: bool = False
    max_options_trading_level: int = 0


@dataclass(frozen=True, slots=True)
class ConfigureAccount(Command):
    """Change some of an account's configurations; a field left ``None`` keeps its value, so
    two changes of different fields never undo each other."""

    account: str
    dtbp_check: CheckWhen | None = None
    pdt_check: CheckWhen | None = None
    no_shorting: bool | None = None
    suspend_trade: bool | None = None
    fractional_trading: bool | None = None
    max_margin_multiplier: int | None = None
    trade_confirm_email: ConfirmEmail | None = None
    ptp_no_exception_entry: bool | None = None
    max_options_trading_level: int | None = None


@dataclass(frozen=True, slots=True)
class AccountConfigured(Event):
    """An account's configurations after a change (all of them, so the last one is the state)."""

    account: str
    dtbp_check: CheckWhen
    pdt_check: CheckWhen
    no_shorting: bool
    suspend_trade: bool
    fractional_trading: bool
    max_margin_multiplier: int
    trade_confirm_email: ConfirmEmail
    ptp_no_exception_entry: bool
    max_options_trading_level: int
    ts_ns: int

    @classmethod
    def of(cls, account: str, config: AccountConfiguration, ts_ns: int) -> AccountConfigured:
        """The event recording ``config`` for ``account``."""
        return cls(
            account,
            config.dtbp_check,
            config.pdt_check,
            config.no_shorting,
            config.suspend_trade,
            config.fractional_trading,
            config.max_margin_multiplier,
            config.trade_confirm_email,
            config.ptp_no_exception_entry,
            config.max_options_trading_level,
            ts_ns,
        )

    @property
    def configuration(self) -> AccountConfiguration:
        """The configuration this event records."""
        return AccountConfiguration(
            self.dtbp_check,
            self.pdt_check,
            self.no_shorting,
            self.suspend_trade,
            self.fractional_trading,
            self.max_margin_multiplier,
            self.trade_confirm_email,
            self.ptp_no_exception_entry,
            self.max_options_trading_level,
        )


# --- the trading day -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartBrokerDay(Command):
    """A business day opens: the ledger starts the day and settles what is due, daily risk
    counters reset, locates lapse, and GTC orders that were done for the day go back to work.

    With ``pre_market`` the day starts in the pre-market session (the day driver's way):
    only extended-hours orders go to market until ``SetSessionPhase`` opens the regular
    session. Without it the regular session opens at once (tests, backtests)."""

    date: int
    pre_market: bool = False


@dataclass(frozen=True, slots=True)
class EndBrokerDay(Command):
    """The close: DAY orders expire and GTC orders at venues are taken off for the night."""

    date: int


# --- risk administration ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetKillSwitch(Command):
    """Stop (``engaged``) or restart trading for the whole firm, one account or one symbol
    (``symbol``, scope SYMBOL). Engaging it cancels every working order in scope and blocks
    new ones. ``actor`` (on every staff command) is who gave it, for the audit trail."""

    scope: KillSwitchScope
    account: str = ""
    engaged: bool = True
    reason: str = ""
    actor: str = ""
    symbol: str = ""


@dataclass(frozen=True, slots=True)
class SetAccountRiskLimits(Command):
    """One account's limits; 0 means the account has no limit of its own (the firm's applies).

    Money fields are price units ($0.0001); ``collar_bps`` is how far through the NBBO a limit
    price may be; ``max_orders_per_second`` counts new orders and replaces.
    """

    account: str
    max_order_quantity: int = 0
    max_order_notional: int = 0
    credit_limit: int = 0
    max_daily_loss: int = 0
    max_orders_per_second: int = 0
    collar_bps: int = 0
    actor: str = ""


@dataclass(frozen=True, slots=True)
class SetFirmRiskLimits(Command):
    """Limits applied to every order of every account (0 = none), plus the duplicate-order
    window in nanoseconds and the padding on market-order price estimates in basis points."""

    max_order_quantity: int = 0
    max_order_notional: int = 0
    credit_limit: int = 0
    max_daily_loss: int = 0
    max_orders_per_second: int = 0
    collar_bps: int = 1_000
    duplicate_window_ns: int = 1_000_000_000
    market_buffer_bps: int = 500
    actor: str = ""


@dataclass(frozen=True, slots=True)
class RestrictSymbol(Command):
    """Put a security on (or take it off) the firm's restricted list."""

    symbol: str
    restricted: bool = True
    reason: str = ""
    actor: str = ""


@dataclass(frozen=True, slots=True)
class SetEasyToBorrow(Command):
    """Put a security on (or take it off) the easy-to-borrow list: shorts need no locate."""

    symbol: str
    easy_to_borrow: bool = True
    actor: str = ""


@dataclass(frozen=True, slots=True)
class RecordLocate(Command):
    """A locate (Reg SHO 203(b)) for ``quantity`` shares, good for today's short sales."""

    account: str
    symbol: str
    locate_id: str
    quantity: int
    actor: str = ""


@dataclass(frozen=True, slots=True)
class SetHouseMargin(Command):
    """A house maintenance requirement for one symbol in basis points (above FINRA's 25%);
    0 removes the override."""

    symbol: str
    maintenance_bps: int
    actor: str = ""


# --- order events ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderReceived(Event):
    """The broker took an order (after every check) with its full terms: the transition from
    nothing to ``status`` (pending new, new for held orders, suspended for contingent legs)."""

    order_id: str
    client_order_id: str
    account: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: int
    limit_price: int | None
    stop_price: int | None
    time_in_force: TimeInForce
    order_class: OrderClass
    group_id: str
    role: LegRole
    status: OrdStatus
    ts_ns: int


@dataclass(frozen=True, slots=True)
class CustomerOrderRejected(Event):
    """A customer command was refused; nothing changed. ``message`` says what to do about it."""

    order_id: str
    client_order_id: str
    account: str
    command: str
    code: RejectCode
    message: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class OrderStatusChanged(Event):
    """An order moved from ``old_status`` to ``status`` (anything but an execution). Terms are
    the order's current ones (new terms after a replace); ``code`` and ``text`` say why when
    the move was not the customer's request (venue reject, expiry, kill switch...)."""

    order_id: str
    account: str
    symbol: str
    old_status: OrdStatus
    status: OrdStatus
    quantity: int
    limit_price: int | None
    stop_price: int | None
    cum_quantity: int
    leaves_quantity: int
    avg_price: int
    code: RejectCode | None
    text: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class ParentFilled(Event):
    """An execution of a customer order (through one of its children); also its status
    transition. ``avg_price`` is the order's volume-weighted price so far, half up to $0.0001."""

    order_id: str
    account: str
    symbol: str
    side: Side
    old_status: OrdStatus
    status: OrdStatus
    venue: str
    child_id: str
    execution_id: str
    last_quantity: int
    last_price: int
    cum_quantity: int
    leaves_quantity: int
    avg_price: int
    liquidity: Liquidity
    ts_ns: int


@dataclass(frozen=True, slots=True)
class OrderTriggered(Event):
    """A held stop (or trailing stop) met its trigger on the tape and is being routed."""

    order_id: str
    account: str
    symbol: str
    trigger_price: int
    stop_price: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class OrderReplacedBy(Event):
    """A replace took effect: ``order_id`` ended ``replaced`` and ``new_order_id`` carries
    on. Emitted between the old order's last status change and the new order's
    ``OrderReceived``, so a reader links the two before it sees the new one."""

    order_id: str
    new_order_id: str
    account: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class OrderRestated(Event):
    """The broker changed a held order's size without a request (an OCO sibling filled)."""

    order_id: str
    account: str
    quantity: int
    leaves_quantity: int
    reason: str
    ts_ns: int


# --- child orders (the composition root turns these into venue commands) ---------------------


@dataclass(frozen=True, slots=True)
class ChildOrderSent(Event):
    """Send this child order to ``venue``; ``child_id`` is its venue order id."""

    parent_id: str
    child_id: str
    venue: str
    participant: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: int
    limit_price: int | None
    time_in_force: TimeInForce
    display_quantity: int | None
    hidden: bool
    post_only: PostOnly
    purpose: ChildPurpose
    ts_ns: int

    def to_submit(self) -> SubmitOrder:
        """The venue command."""
        return SubmitOrder(
            self.child_id,
            self.participant,
            self.symbol,
            self.side,
            self.order_type,
            self.quantity,
            self.limit_price,
            self.time_in_force,
            self.display_quantity,
            self.hidden,
            self.post_only,
        )


@dataclass(frozen=True, slots=True)
class ChildCancelSent(Event):
    """Cancel this child at its venue."""

    parent_id: str
    child_id: str
    venue: str
    participant: str
    ts_ns: int

    def to_cancel(self) -> CancelOrder:
        """The venue command."""
        return CancelOrder(self.child_id, self.participant)


@dataclass(frozen=True, slots=True)
class ChildReplaceSent(Event):
    """Change this child's total quantity and price at its venue."""

    parent_id: str
    child_id: str
    venue: str
    participant: str
    quantity: int
    limit_price: int | None
    ts_ns: int

    def to_replace(self) -> ReplaceOrder:
        """The venue command."""
        return ReplaceOrder(self.child_id, self.participant, self.quantity, self.limit_price)


@dataclass(frozen=True, slots=True)
class VenueReportIgnored(Event):
    """A venue report the broker could not match to a child it sent (or that was malformed);
    nothing changed. Operations should look at every one."""

    venue: str
    order_id: str
    report: str
    reason: str
    ts_ns: int


# --- risk and day events ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KillSwitchChanged(Event):
    """A kill switch was engaged or released."""

    scope: KillSwitchScope
    account: str
    engaged: bool
    reason: str
    ts_ns: int
    actor: str = ""
    symbol: str = ""


@dataclass(frozen=True, slots=True)
class RiskSettingChanged(Event):
    """A risk list or limit changed: ``setting`` names which, ``key`` the account or symbol
    (empty for firm-wide), ``value`` the new value as text for the audit trail."""

    setting: str
    key: str
    value: str
    ts_ns: int
    actor: str = ""


@dataclass(frozen=True, slots=True)
class AccountCloseOnlyChanged(Event):
    """Risk switched an account to (or back from) close-only, e.g. at its maximum daily loss."""

    account: str
    close_only: bool
    reason: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class CashAccountViolationRecorded(Event):
    """A Reg T cash-account violation. ``violations_12m`` counts this kind over twelve months;
    ``restricted_until`` (YYYYMMDD, 0 = none) is the end of a settled-cash-only restriction."""

    account: str
    violation: CashViolation
    symbol: str
    violations_12m: int
    restricted_until: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class BrokerDayStarted(Event):
    """The broker core is open for business on ``date``."""

    date: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class BrokerDayEnded(Event):
    """The close was processed for ``date``."""

    date: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class BrokerCommandRejected(Event):
    """An administrative or day command was refused; nothing changed."""

    command: str
    reference: str
    code: RejectCode
    message: str
    ts_ns: int


def venue_command(event: Event) -> tuple[str, Command] | None:
    """The (venue, venue command) a broker event asks the composition root to send, if any:
    the one place that knows which broker events are instructions for venues."""
    if isinstance(event, ChildOrderSent):
        return event.venue, event.to_submit()
    if isinstance(event, ChildCancelSent):
        return event.venue, event.to_cancel()
    if isinstance(event, ChildReplaceSent):
        return event.venue, event.to_replace()
    return None
