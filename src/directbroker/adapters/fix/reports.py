"""What the broker answers over FIX 4.2 and 4.4: ExecutionReports, OrderCancelRejects and
BusinessMessageRejects, as (MsgType, body fields) for the session to send.

Every figure comes from the platform's exact integers: prices are rendered from $0.0001
units as decimals (never through a float), quantities as whole shares. The versions differ
where FIX 4.4 changed the report: 4.2 has ExecTransType (20) and reports a partial fill and a
fill as ExecType 1 and 2 with LastShares (32); 4.4 drops ExecTransType, reports every
execution as ExecType F (Trade) with LastQty (still tag 32) and answers a status request with
ExecType I. Header fields (8, 9, 34, 35, 49, 52, 56) are the session's to add.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from directbroker.adapters.fix.terms import SIDES, BusinessReason, FixVersion
from directbroker.adapters.http.ports import TradeEvent
from directbroker.domain.numbers import format_price
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.protocols.fix.message import Field

Outbound = tuple[str, tuple[Field, ...]]
"""A message for the session to send: its MsgType and its body fields in order."""

EXECUTION_REPORT = "8"
ORDER_CANCEL_REJECT = "9"
BUSINESS_MESSAGE_REJECT = "j"
NONE = "NONE"
"""OrderID (37) of a report on an order the broker never accepted (FIX's convention)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SIDE_CODES = {side: code for code, side in SIDES.items()}
_TIF_CODES = {
    TimeInForce.DAY: "0",
    TimeInForce.DAY_PLUS: "0",
    TimeInForce.GTC: "1",
    TimeInForce.OPG: "2",
    TimeInForce.IOC: "3",
    TimeInForce.FOK: "4",
    TimeInForce.CLS: "7",
}
_TYPE_CODES = {
    OrderType.MARKET: "1",
    OrderType.LIMIT: "2",
    OrderType.STOP: "3",
    OrderType.STOP_LIMIT: "4",
    OrderType.TRAILING_STOP: "3",
    OrderType.MARKET_ON_OPEN: "1",
    OrderType.LIMIT_ON_OPEN: "2",
    OrderType.MARKET_ON_CLOSE: "1",
    OrderType.LIMIT_ON_CLOSE: "2",
    OrderType.PEG_MARKET: "P",
    OrderType.PEG_PRIMARY: "P",
    OrderType.PEG_MIDPOINT: "P",
}
_TYPE_CODES_42 = {OrderType.MARKET_ON_CLOSE: "5", OrderType.LIMIT_ON_CLOSE: "B"}
_PEG_INSTRUCTIONS = {
    OrderType.PEG_MARKET: "P",
    OrderType.PEG_PRIMARY: "R",
    OrderType.PEG_MIDPOINT: "M",
}


EXEC_TYPES = {
    TradeEvent.NEW: "0",
    TradeEvent.DONE_FOR_DAY: "3",
    TradeEvent.CANCELED: "4",
    TradeEvent.REPLACED: "5",
    TradeEvent.PENDING_CANCEL: "6",
    TradeEvent.REJECTED: "8",
    TradeEvent.PENDING_NEW: "A",
    TradeEvent.EXPIRED: "C",
    TradeEvent.RESTATED: "D",
    TradeEvent.PENDING_REPLACE: "E",
}
"""ExecType (150) of each non-trade event; the same in 4.2 and 4.4."""

STATUS = "status"
"""The pseudo-event of a report answering an OrderStatusRequest."""


def exec_type(version: FixVersion, event: TradeEvent | str, status: OrdStatus) -> str:
    """ExecType (150) for ``event`` (a :class:`TradeEvent` or :data:`STATUS`)."""
    if event is TradeEvent.FILL or event is TradeEvent.PARTIAL_FILL:
        if version is FixVersion.FIX44:
            return "F"
        return "2" if event is TradeEvent.FILL else "1"
    if event == STATUS:
        return "I" if version is FixVersion.FIX44 else status.fix_code
    assert isinstance(event, TradeEvent)
    return EXEC_TYPES[event]


def fix_time(ts_ns: int) -> str:
    """A UTCTimestamp with milliseconds (valid in 4.2 and 4.4), exact from nanoseconds."""
    moment = _EPOCH + timedelta(microseconds=ts_ns // 1_000)
    return moment.strftime("%Y%m%d-%H:%M:%S.") + f"{moment.microsecond // 1_000:03d}"


def fix_price(units: int | None) -> str:
    """A price from $0.0001 units as an exact decimal ("0" when there is none)."""
    return "0" if units is None or units == 0 else format_price(units)


def average_price(notional: int, quantity: int) -> int:
    """Notional / quantity in price units, rounded half up (as the OMS rounds AvgPx)."""
    if quantity == 0:
        return 0
    return (2 * notional + quantity) // (2 * quantity)


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What a report says about the order: the terms the client gave and the figures now.

    ``quantity``, ``cum_quantity`` and ``avg_price`` cover the whole cancel/replace chain
    (FIX's view of one order); ``order_id`` is the chain's first platform order id, stable
    for the order's life."""

    order_id: str
    cl_ord_id: str
    account: str
    symbol: str
    side: Side
    order_type: OrderType | None
    time_in_force: TimeInForce | None
    quantity: int
    cum_quantity: int
    leaves_quantity: int
    avg_price: int
    status: OrdStatus
    limit_price: int | None = None
    stop_price: int | None = None
    display_quantity: int | None = None
    orig_cl_ord_id: str = ""


@dataclass(frozen=True, slots=True)
class Execution:
    """A report's execution part: why, its id, when, and the fill when it is one."""

    event: TradeEvent | str
    exec_id: str
    ts_ns: int
    last_quantity: int = 0
    last_price: int = 0
    venue: str = ""
    text: str = ""
    ord_rej_reason: str = ""


def execution_report(version: FixVersion, order: OrderFacts, execution: Execution) -> Outbound:
    """The ExecutionReport (8) for one event of one order, in the session's version."""
    body: list[Field] = [
        (37, order.order_id),
        (11, order.cl_ord_id),
    ]
    if order.orig_cl_ord_id:
        body.append((41, order.orig_cl_ord_id))
    body.append((17, execution.exec_id))
    if version is FixVersion.FIX42:
        body.append((20, "3" if execution.event == STATUS else "0"))
    body += [
        (150, exec_type(version, execution.event, order.status)),
        (39, order.status.fix_code),
    ]
    if execution.ord_rej_reason:
        body.append((103, execution.ord_rej_reason))
    if order.account:
        body.append((1, order.account))
    body += [(55, order.symbol), (54, _SIDE_CODES[order.side]), (38, str(order.quantity))]
    if order.order_type is not None:
        type_code = _TYPE_CODES[order.order_type]
        if version is FixVersion.FIX42:
            type_code = _TYPE_CODES_42.get(order.order_type, type_code)
        body.append((40, type_code))
    if order.limit_price is not None:
        body.append((44, fix_price(order.limit_price)))
    if order.stop_price is not None:
        body.append((99, fix_price(order.stop_price)))
    if order.time_in_force is not None:
        body.append((59, _TIF_CODES[order.time_in_force]))
    peg = None if order.order_type is None else _PEG_INSTRUCTIONS.get(order.order_type)
    if peg is not None:
        body.append((18, peg))
    if order.display_quantity is not None:
        body.append((111, str(order.display_quantity)))
    if execution.last_quantity:
        body += [
            (32, str(execution.last_quantity)),
            (31, fix_price(execution.last_price)),
        ]
        if execution.venue:
            body.append((30, execution.venue))
    body += [
        (151, str(order.leaves_quantity)),
        (14, str(order.cum_quantity)),
        (6, fix_price(order.avg_price)),
        (60, fix_time(execution.ts_ns)),
    ]
    if execution.text:
        body.append((58, execution.text))
    return EXECUTION_REPORT, tuple(body)


_ORD_REJ_REASONS = {
    RejectCode.UNKNOWN_SYMBOL: "1",
    RejectCode.MARKET_CLOSED: "2",
    RejectCode.INSUFFICIENT_BUYING_POWER: "3",
    RejectCode.CREDIT_LIMIT: "3",
    RejectCode.MAX_ORDER_QUANTITY: "3",
    RejectCode.MAX_ORDER_NOTIONAL: "3",
    RejectCode.UNKNOWN_ORDER: "5",
    RejectCode.DUPLICATE_ORDER_ID: "6",
}
_ORD_REJ_REASONS_44 = {
    RejectCode.UNSUPPORTED_ORDER_TYPE: "11",
    RejectCode.ROUTE_PEG_UNSUPPORTED: "11",
    RejectCode.INVALID_TIME_IN_FORCE: "11",
    RejectCode.INVALID_ATTRIBUTES: "11",
    RejectCode.QUANTITY_NOT_POSITIVE: "13",
    RejectCode.QUANTITY_TOO_LARGE: "13",
    RejectCode.WHOLE_SHARES_ONLY: "13",
    RejectCode.UNKNOWN_ACCOUNT: "15",
}
"""OrdRejReason values FIX 4.4 added (unsupported characteristic, quantity, account)."""


def ord_rej_reason(version: FixVersion, code: RejectCode | None) -> str:
    """OrdRejReason (103) for a reject code: the closest FIX reason, else broker option."""
    if code is None:
        return "0"
    if version is FixVersion.FIX44 and code in _ORD_REJ_REASONS_44:
        return _ORD_REJ_REASONS_44[code]
    return _ORD_REJ_REASONS.get(code, "0")


def cxl_rej_reason(version: FixVersion, code: RejectCode) -> str:
    """CxlRejReason (102): too late, unknown order, already pending, else broker option."""
    if code is RejectCode.REPLACE_TOO_LATE:
        return "0"
    if code is RejectCode.UNKNOWN_ORDER:
        return "1"
    if code is RejectCode.CHANGE_PENDING:
        return "3"
    if code is RejectCode.DUPLICATE_ORDER_ID and version is FixVersion.FIX44:
        return "6"
    return "2"


@dataclass(frozen=True, slots=True)
class CancelRefused:
    """What an OrderCancelReject says: which request, about which order, and why."""

    cl_ord_id: str
    orig_cl_ord_id: str
    replace: bool
    """The refused request was a cancel/replace (434=2), else a cancel (434=1)."""
    code: RejectCode
    text: str
    order_id: str = NONE
    status: OrdStatus = OrdStatus.REJECTED
    account: str = ""


def cancel_reject(version: FixVersion, refused: CancelRefused) -> Outbound:
    """The OrderCancelReject (9) for a refused cancel or replace."""
    body: list[Field] = [
        (37, refused.order_id),
        (11, refused.cl_ord_id),
        (41, refused.orig_cl_ord_id),
        (39, refused.status.fix_code),
    ]
    if refused.account:
        body.append((1, refused.account))
    body += [
        (434, "2" if refused.replace else "1"),
        (102, cxl_rej_reason(version, refused.code)),
        (58, refused.text),
    ]
    return ORDER_CANCEL_REJECT, tuple(body)


_ECHOED = (11, 1, 55, 54, 38, 40, 44, 99, 59)
"""Tags of a refused NewOrderSingle its ExecutionReport repeats (as the client sent them)."""


def refused_order_report(
    version: FixVersion,
    request: Sequence[Field],
    exec_id: str,
    code: RejectCode | None,
    text: str,
    ts_ns: int,
    *,
    status_request: bool = False,
) -> Outbound:
    """The ExecutionReport (8) OrdStatus 8 about an order the broker does not have: a refused
    NewOrderSingle, or (``status_request``) an OrderStatusRequest for an unknown order. It
    repeats the request's tags as sent, and Text (58) starts with the stable reject code."""
    sent = dict(reversed(request))
    body: list[Field] = [(37, NONE), (11, sent.get(11, NONE)), (17, exec_id)]
    if version is FixVersion.FIX42:
        body.append((20, "3" if status_request else "0"))
    kind = "I" if status_request and version is FixVersion.FIX44 else "8"
    body += [(150, kind), (39, "8"), (103, ord_rej_reason(version, code))]
    body += [(tag, sent[tag]) for tag in _ECHOED[1:] if sent.get(tag)]
    body += [
        (151, "0"),
        (14, "0"),
        (6, "0"),
        (60, fix_time(ts_ns)),
        (58, text),
    ]
    return EXECUTION_REPORT, tuple(body)


def business_reject(
    version: FixVersion,
    ref_seq_num: int | None,
    ref_msg_type: str,
    reason: BusinessReason,
    text: str,
    ref_id: str = "",
) -> Outbound:
    """The BusinessMessageReject (j) for an application message that cannot be acted on."""
    if reason is BusinessReason.NOT_AUTHORIZED and version is FixVersion.FIX42:
        reason = BusinessReason.OTHER
    body: list[Field] = []
    if ref_seq_num is not None:
        body.append((45, str(ref_seq_num)))
    body.append((372, ref_msg_type))
    if ref_id:
        body.append((379, ref_id))
    body += [(380, reason.value), (58, text)]
    return BUSINESS_MESSAGE_REJECT, tuple(body)
