"""Venue execution reports as FIX 4.2 ExecutionReport (8) / OrderCancelReject (9) and back.

OrderID (37) is always the venue order id, which is the ClOrdID the order was entered with,
so the reader never needs to follow a chain of ClOrdIDs. ExecID (17) is chosen by the venue
(its journal position), so a report delivered twice is recognisably the same report.

A reject answers the request that caused it: a refused new order is an ExecutionReport with
ExecType 8; a refused cancel or replace is an OrderCancelReject, as FIX 4.2 has it. The stable
reject number rides in a venue tag and the venue's words in Text (58).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from directbroker.adapters.venues.fix_mapping import fields as f
from directbroker.adapters.venues.fix_mapping.orders import (
    NEW_ORDER_SINGLE,
    ORDER_CANCEL_REQUEST,
    exec_inst,
    order_type_fields,
    order_type_of,
    tif_fields,
    tif_of,
    values_of,
)
from directbroker.domain.numbers import PRICE_SCALE
from directbroker.domain.orders import CancelReason, Liquidity, OrderType, PostOnly, Side
from directbroker.domain.rejects import DomainRejection, RejectCode
from directbroker.domain.venue_messages import (
    ExecutionReport,
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderRejected,
    OrderReplaced,
)
from directbroker.protocols.fix.message import Field

EXECUTION_REPORT = "8"
ORDER_CANCEL_REJECT = "9"
REPORT_MSG_TYPES = frozenset({EXECUTION_REPORT, ORDER_CANCEL_REJECT})
NOT_AN_ORDER = "N/A"
"""Symbol (55) of a report about an order the venue does not know."""


@dataclass(frozen=True, slots=True)
class Answering:
    """The request a report answers: its MsgType (D, F or G) and its ClOrdID."""

    msg_type: str
    request_id: str


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What the venue knows of the order after this report, for the fields FIX requires
    that the event itself does not carry (side, size, executed so far)."""

    symbol: str
    side: Side
    order_type: OrderType
    quantity: int
    cumulative_quantity: int = 0
    notional: int = 0
    """Sum of price units x shares executed, for AvgPx (6)."""


def avg_px_text(notional: int, shares: int) -> str:
    """AvgPx (6): exact when it divides, else to six decimals (informative, not money)."""
    if shares <= 0:
        return "0"
    value = Decimal(notional) / Decimal(shares * PRICE_SCALE)
    return format(value.quantize(Decimal("0.000001")).normalize(), "f")


def report_to_fix(
    report: ExecutionReport,
    exec_id: str,
    answering: Answering | None = None,
    facts: OrderFacts | None = None,
) -> tuple[str, list[Field]]:
    """(MsgType, body) of the FIX message that tells the order's owner about ``report``."""
    if isinstance(report, OrderRejected) and answering and answering.msg_type != NEW_ORDER_SINGLE:
        return ORDER_CANCEL_REJECT, _cancel_reject(report, exec_id, answering, facts)
    status, body = _report_body(report, facts)
    cl_ord_id = answering.request_id if answering is not None else report.order_id
    head: list[Field] = [
        (f.ORDER_ID, report.order_id),
        (f.CL_ORD_ID, cl_ord_id),
    ]
    if cl_ord_id != report.order_id:
        head.append((f.ORIG_CL_ORD_ID, report.order_id))
    head += [
        (f.CLIENT_ID, report.participant),
        (f.EXEC_ID, exec_id),
        (f.EXEC_TRANS_TYPE, "0"),
        (f.EXEC_TYPE, status),
        (f.ORD_STATUS, status),
    ]
    return EXECUTION_REPORT, [*head, *body, *f.time_fields(report.ts_ns)]


def _identity(
    symbol: str | None, facts: OrderFacts | None, side: Side | None = None
) -> list[Field]:
    """Symbol and Side: the event's when it carries them, else what the venue knows."""
    if side is None and facts is not None:
        side = facts.side
    code = f.SIDES[side] if side is not None else f.UNDISCLOSED_SIDE
    return [(f.SYMBOL, symbol or (facts.symbol if facts else NOT_AN_ORDER)), (f.SIDE, code)]


def _totals(leaves: int, facts: OrderFacts | None) -> list[Field]:
    cum = facts.cumulative_quantity if facts is not None else 0
    notional = facts.notional if facts is not None else 0
    return [
        (f.LEAVES_QTY, str(leaves)),
        (f.CUM_QTY, str(cum)),
        (f.AVG_PX, avg_px_text(notional, cum)),
    ]


def _report_body(report: ExecutionReport, facts: OrderFacts | None) -> tuple[str, list[Field]]:
    """ExecType/OrdStatus and the body fields of one report type."""
    if isinstance(report, OrderAccepted):
        body = [
            *_identity(report.symbol, None, report.side),
            (f.ORDER_QTY, str(report.quantity)),
            *order_type_fields(report.order_type),
            *exec_inst(report.order_type, PostOnly.NO),
            *tif_fields(report.time_in_force),
        ]
        if report.price is not None:
            body.append((f.PRICE, f.price_text(report.price)))
        return "0", [*body, *_totals(report.quantity, facts)]
    if isinstance(report, OrderRejected):
        body = [
            *_identity(None, facts),
            (f.ORD_REJ_REASON, _ord_rej_reason(report.code)),
            *_reject_fields(report),
            *_totals(0, facts),
        ]
        return "8", body
    if isinstance(report, OrderCancelled):
        body = [
            *_identity(report.symbol, facts),
            (f.CANCELLED_QTY, str(report.cancelled_quantity)),
            (f.CANCEL_REASON, report.reason.value),
            *_totals(0, facts),
        ]
        return ("C" if report.reason is CancelReason.EXPIRED else "4"), body
    if isinstance(report, OrderReplaced):
        body = [
            *_identity(report.symbol, facts),
            (f.ORDER_QTY, str(report.quantity)),
            (f.KEPT_PRIORITY, "Y" if report.kept_priority else "N"),
        ]
        if report.price is not None:
            body.append((f.PRICE, f.price_text(report.price)))
        return "5", [*body, *_totals(report.leaves_quantity, facts)]
    body = [
        *_identity(report.symbol, None, report.side),
        (f.LAST_SHARES, str(report.quantity)),
        (f.LAST_PX, f.price_text(report.price)),
        (f.TRADE_ID, str(report.trade_id)),
        (f.LIQUIDITY, report.liquidity.value),
        (f.FEE, str(report.fee)),
        (f.LEAVES_QTY, str(report.leaves_quantity)),
        (f.CUM_QTY, str(report.cumulative_quantity)),
        (f.AVG_PX, avg_px_text(facts.notional if facts else 0, report.cumulative_quantity)),
    ]
    return ("2" if report.leaves_quantity == 0 else "1"), body


def _reject_fields(report: OrderRejected) -> list[Field]:
    fields: list[Field] = [(f.REJECT_CODE, str(report.code.number))]
    if report.detail:
        fields.append((f.TEXT, report.detail))
    return fields


def _ord_rej_reason(code: RejectCode) -> str:
    return {
        RejectCode.UNKNOWN_SYMBOL: "1",
        RejectCode.SYMBOL_NOT_TRADED_HERE: "1",
        RejectCode.SYMBOL_HALTED: "2",
        RejectCode.AUCTION_NOT_ACCEPTING: "4",
        RejectCode.UNKNOWN_ORDER: "5",
        RejectCode.DUPLICATE_ORDER_ID: "6",
    }.get(code, "0")


def _cancel_reject(
    report: OrderRejected, exec_id: str, answering: Answering, facts: OrderFacts | None
) -> list[Field]:
    status = "8" if facts is None else "1" if facts.cumulative_quantity else "0"
    return [
        (f.ORDER_ID, report.order_id),
        (f.CL_ORD_ID, answering.request_id),
        (f.ORIG_CL_ORD_ID, report.order_id),
        (f.ORD_STATUS, status),
        (f.CLIENT_ID, report.participant),
        (f.CXL_REJ_RESPONSE_TO, "1" if answering.msg_type == ORDER_CANCEL_REQUEST else "2"),
        (f.CXL_REJ_REASON, "1" if report.code is RejectCode.UNKNOWN_ORDER else "2"),
        *_reject_fields(report),
        (f.REPORT_ID, exec_id),
        *f.time_fields(report.ts_ns),
    ]


# --- back ----------------------------------------------------------------------------------


def exec_id_of(msg_type: str, body: Sequence[Field]) -> str | None:
    """The venue's id of a report (ExecID, or the venue tag on an OrderCancelReject)."""
    values = values_of(body)
    return values.get(f.REPORT_ID if msg_type == ORDER_CANCEL_REJECT else f.EXEC_ID)


def report_from_fix(msg_type: str, body: Sequence[Field], venue: str) -> ExecutionReport:
    """The venue execution report a FIX report from ``venue`` stands for."""
    values = values_of(body)
    order_id = values.get(f.ORDER_ID) or values.get(f.ORIG_CL_ORD_ID) or values.get(f.CL_ORD_ID)
    if not order_id:
        raise DomainRejection(RejectCode.INVALID_ID, "OrderID (37) is missing")
    participant = values.get(f.CLIENT_ID) or ""
    ts_ns = f.time_ns(values)
    if msg_type == ORDER_CANCEL_REJECT:
        return _rejected(values, venue, order_id, participant, ts_ns)
    if msg_type != EXECUTION_REPORT:
        raise DomainRejection(RejectCode.MALFORMED, f"MsgType {msg_type!r} is no report")
    kind = values.get(f.EXEC_TYPE)
    symbol = values.get(f.SYMBOL) or ""
    if kind == "0":
        return OrderAccepted(
            venue,
            order_id,
            participant,
            symbol,
            f.lookup(f.SIDE_OF, values.get(f.SIDE), f.SIDE),
            order_type_of(values),
            f.quantity(values.get(f.ORDER_QTY), f.ORDER_QTY),
            f.optional_price(values.get(f.PRICE), f.PRICE),
            tif_of(values),
            ts_ns,
        )
    if kind == "8":
        return _rejected(values, venue, order_id, participant, ts_ns)
    if kind in ("4", "C"):
        return _cancelled(values, venue, order_id, participant, symbol, ts_ns, kind)
    if kind == "5":
        return OrderReplaced(
            venue,
            order_id,
            participant,
            symbol,
            f.quantity(values.get(f.ORDER_QTY), f.ORDER_QTY),
            f.quantity(values.get(f.LEAVES_QTY), f.LEAVES_QTY),
            f.optional_price(values.get(f.PRICE), f.PRICE),
            f.flag(values.get(f.KEPT_PRIORITY)),
            ts_ns,
        )
    if kind in ("1", "2"):
        return _filled(values, venue, order_id, participant, symbol, ts_ns)
    raise DomainRejection(RejectCode.MALFORMED, f"ExecType (150) {kind!r}")


def _rejected(
    values: Mapping[int, str], venue: str, order_id: str, participant: str, ts_ns: int
) -> OrderRejected:
    number = values.get(f.REJECT_CODE)
    if number is not None:
        try:
            code = RejectCode.from_number(f.whole(number, f.REJECT_CODE))
        except KeyError as exc:
            raise DomainRejection(RejectCode.MALFORMED, f"reject number {number}") from exc
    elif values.get(f.ORD_REJ_REASON) == "5" or values.get(f.CXL_REJ_REASON) == "1":
        code = RejectCode.UNKNOWN_ORDER
    else:
        code = RejectCode.MALFORMED
    return OrderRejected(venue, order_id, participant, code, values.get(f.TEXT) or "", ts_ns)


def _cancelled(
    values: Mapping[int, str],
    venue: str,
    order_id: str,
    participant: str,
    symbol: str,
    ts_ns: int,
    kind: str,
) -> OrderCancelled:
    reason_text = values.get(f.CANCEL_REASON)
    if reason_text is not None:
        reason = f.lookup({r.value: r for r in CancelReason}, reason_text, f.CANCEL_REASON)
    else:
        reason = CancelReason.EXPIRED if kind == "C" else CancelReason.REQUESTED
    cancelled = f.quantity(values.get(f.CANCELLED_QTY), f.CANCELLED_QTY)
    return OrderCancelled(venue, order_id, participant, symbol, cancelled, reason, ts_ns)


def _filled(
    values: Mapping[int, str], venue: str, order_id: str, participant: str, symbol: str, ts_ns: int
) -> OrderFilled:
    return OrderFilled(
        venue,
        order_id,
        participant,
        symbol,
        f.lookup(f.SIDE_OF, values.get(f.SIDE), f.SIDE),
        f.whole(values.get(f.TRADE_ID), f.TRADE_ID),
        f.price_units(values.get(f.LAST_PX), f.LAST_PX),
        f.quantity(values.get(f.LAST_SHARES), f.LAST_SHARES),
        f.quantity(values.get(f.LEAVES_QTY), f.LEAVES_QTY),
        f.quantity(values.get(f.CUM_QTY), f.CUM_QTY),
        f.lookup({kind.value: kind for kind in Liquidity}, values.get(f.LIQUIDITY), f.LIQUIDITY),
        f.whole(values.get(f.FEE), f.FEE),
        ts_ns,
    )
