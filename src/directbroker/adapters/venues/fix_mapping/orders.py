"""Venue commands as FIX 4.2 orders and back: NewOrderSingle (D), OrderCancelRequest (F),
OrderCancelReplaceRequest (G).

The order keeps the identity it was entered with: ClOrdID (11) of the NewOrderSingle is the
venue order id, and a cancel or replace names it in OrigClOrdID (41) for the order's whole
life (a replace does not rename the order, as it does not at the venue). A cancel or replace
has its own ClOrdID, which only names the request (for deduplication and for the answer).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from directbroker.adapters.venues.fix_mapping import fields as f
from directbroker.domain.orders import OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.rejects import DomainRejection, RejectCode
from directbroker.domain.venue_messages import CancelOrder, ReplaceOrder, SubmitOrder
from directbroker.protocols.fix.message import Field

NEW_ORDER_SINGLE = "D"
ORDER_CANCEL_REQUEST = "F"
ORDER_CANCEL_REPLACE_REQUEST = "G"
ORDER_MSG_TYPES = frozenset({NEW_ORDER_SINGLE, ORDER_CANCEL_REQUEST, ORDER_CANCEL_REPLACE_REQUEST})

VenueOrderCommand = SubmitOrder | CancelOrder | ReplaceOrder


@dataclass(frozen=True, slots=True)
class OrderRef:
    """What the sender remembers of a working order, for the fields FIX 4.2 requires on a
    cancel or replace (Symbol, Side, OrdType). The venue identifies the order by OrigClOrdID
    and the session's participant alone, so a sender that lost this still gets through."""

    symbol: str
    side: Side
    order_type: OrderType


def ref_of(command: SubmitOrder) -> OrderRef:
    """The reference a sender keeps of an order it entered."""
    return OrderRef(command.symbol, command.side, command.order_type)


def order_type_fields(order_type: OrderType) -> list[Field]:
    """OrdType (40), with the peg in ExecInst (18) left to the caller, and the exact type in
    the venue tag when FIX 4.2 has none."""
    standard = f.ORD_TYPES.get(order_type)
    if standard is not None:
        return [(f.ORD_TYPE, standard[0])]
    return [(f.ORD_TYPE, f.NEAREST_ORD_TYPE[order_type]), (f.VENUE_ORDER_TYPE, order_type.value)]


def tif_fields(tif: TimeInForce) -> list[Field]:
    """TimeInForce (59), plus the exact one in the venue tag when FIX 4.2 has none."""
    code = f.TIFS.get(tif)
    if code is not None:
        return [(f.TIME_IN_FORCE, code)]
    return [(f.TIME_IN_FORCE, f.NEAREST_TIF), (f.VENUE_TIME_IN_FORCE, tif.value)]


def exec_inst(order_type: OrderType, post_only: PostOnly) -> list[Field]:
    """ExecInst (18): the peg and post-only instructions, space separated as FIX 4.2 has it."""
    parts: list[str] = []
    standard = f.ORD_TYPES.get(order_type)
    if standard is not None and standard[1] is not None:
        parts.append(standard[1])
    if post_only is not PostOnly.NO:
        parts.append(f.POST_ONLY_INSTRUCTION)
    return [(f.EXEC_INST, " ".join(parts))] if parts else []


def command_to_fix(
    command: VenueOrderCommand, request_id: str, ts_ns: int, ref: OrderRef | None = None
) -> tuple[str, list[Field]]:
    """(MsgType, body) of the FIX request for ``command``.

    ``request_id`` is the ClOrdID of a cancel or replace (unused for a new order, whose
    ClOrdID is its order id); ``ref`` fills the fields FIX requires of a cancel or replace."""
    if isinstance(command, SubmitOrder):
        return NEW_ORDER_SINGLE, _submit_body(command, ts_ns)
    side = f.SIDES[ref.side] if ref is not None else f.UNDISCLOSED_SIDE
    symbol = ref.symbol if ref is not None else "N/A"
    head: list[Field] = [
        (f.CL_ORD_ID, request_id),
        (f.ORIG_CL_ORD_ID, command.order_id),
        (f.CLIENT_ID, command.participant),
    ]
    if isinstance(command, CancelOrder):
        body = [*head, (f.SYMBOL, symbol), (f.SIDE, side), *f.time_fields(ts_ns)]
        return ORDER_CANCEL_REQUEST, body
    order_type = ref.order_type if ref is not None else OrderType.LIMIT
    body = [
        *head,
        (f.HANDL_INST, "1"),
        (f.SYMBOL, symbol),
        (f.SIDE, side),
        (f.ORDER_QTY, str(command.quantity)),
        *order_type_fields(order_type),
    ]
    if command.price is not None:
        body.append((f.PRICE, f.price_text(command.price)))
    body.extend(f.time_fields(ts_ns))
    return ORDER_CANCEL_REPLACE_REQUEST, body


def _submit_body(command: SubmitOrder, ts_ns: int) -> list[Field]:
    body: list[Field] = [
        (f.CL_ORD_ID, command.order_id),
        (f.CLIENT_ID, command.participant),
        (f.HANDL_INST, "1"),
        (f.SYMBOL, command.symbol),
        (f.SIDE, f.SIDES[command.side]),
        (f.ORDER_QTY, str(command.quantity)),
        *order_type_fields(command.order_type),
        *exec_inst(command.order_type, command.post_only),
        *tif_fields(command.time_in_force),
    ]
    if command.price is not None:
        body.append((f.PRICE, f.price_text(command.price)))
    if command.display_quantity is not None:
        body.append((f.MAX_FLOOR, str(command.display_quantity)))
    if command.hidden:
        body.append((f.HIDDEN, "Y"))
    if command.post_only is PostOnly.REPRICE:
        body.append((f.POST_ONLY_MODE, PostOnly.REPRICE.value))
    body.extend(f.time_fields(ts_ns))
    return body


# --- back ----------------------------------------------------------------------------------


def values_of(body: Sequence[Field]) -> dict[int, str]:
    """Each tag's first value (the venue link has no repeating groups)."""
    values: dict[int, str] = {}
    for tag, value in body:
        values.setdefault(tag, value)
    return values


def participant_of(values: Mapping[int, str], participant: str) -> str:
    """The participant is the session's; a ClientID (109) naming anyone else is refused."""
    named = values.get(f.CLIENT_ID)
    if named is not None and named != participant:
        raise DomainRejection(
            RejectCode.INVALID_ID, f"ClientID {named!r} is not this session's {participant!r}"
        )
    return participant


def request_id_of(values: Mapping[int, str]) -> str:
    """ClOrdID (11) of any request; non-empty."""
    value = values.get(f.CL_ORD_ID)
    if not value:
        raise DomainRejection(RejectCode.INVALID_ID, "ClOrdID (11) is missing")
    return value


def command_from_fix(msg_type: str, body: Sequence[Field], participant: str) -> VenueOrderCommand:
    """The venue command a FIX request asks for, on behalf of the session's ``participant``.

    Raises :class:`DomainRejection` with the code to answer when the request cannot be one."""
    values = values_of(body)
    who = participant_of(values, participant)
    if msg_type == NEW_ORDER_SINGLE:
        return _submit_of(values, who)
    original = values.get(f.ORIG_CL_ORD_ID)
    if not original:
        raise DomainRejection(RejectCode.INVALID_ID, "OrigClOrdID (41) is missing")
    if msg_type == ORDER_CANCEL_REQUEST:
        return CancelOrder(original, who)
    if msg_type == ORDER_CANCEL_REPLACE_REQUEST:
        size = f.quantity(values.get(f.ORDER_QTY), f.ORDER_QTY)
        return ReplaceOrder(original, who, size, f.optional_price(values.get(f.PRICE), f.PRICE))
    raise DomainRejection(RejectCode.UNSUPPORTED_ORDER_TYPE, f"MsgType {msg_type!r}")


def order_type_of(values: Mapping[int, str]) -> OrderType:
    """The venue order type from 40, 18 and the venue tag."""
    exact = values.get(f.VENUE_ORDER_TYPE)
    if exact is not None:
        return f.lookup({t.value: t for t in OrderType}, exact, f.VENUE_ORDER_TYPE)
    code = values.get(f.ORD_TYPE)
    peg = None
    if code == "P":
        instructions = set((values.get(f.EXEC_INST) or "").split()) & f.PEG_INSTRUCTIONS
        if len(instructions) != 1:
            raise DomainRejection(
                RejectCode.UNSUPPORTED_ORDER_TYPE, "a pegged order needs one peg in ExecInst"
            )
        peg = instructions.pop()
    found = _ORD_TYPE_OF.get((code or "", peg))
    if found is None:
        raise DomainRejection(RejectCode.UNSUPPORTED_ORDER_TYPE, f"OrdType (40) {code!r}")
    return found


_ORD_TYPE_OF = {standard: order_type for order_type, standard in f.ORD_TYPES.items()}


def tif_of(values: Mapping[int, str]) -> TimeInForce:
    """The time in force from 59 and the venue tag (absent: DAY, as FIX 4.2 says)."""
    exact = values.get(f.VENUE_TIME_IN_FORCE)
    if exact is not None:
        return f.lookup({t.value: t for t in TimeInForce}, exact, f.VENUE_TIME_IN_FORCE)
    code = values.get(f.TIME_IN_FORCE)
    return TimeInForce.DAY if code is None else f.lookup(f.TIF_OF, code, f.TIME_IN_FORCE)


def _post_only_of(values: Mapping[int, str]) -> PostOnly:
    if f.POST_ONLY_INSTRUCTION not in (values.get(f.EXEC_INST) or "").split():
        return PostOnly.NO
    mode = values.get(f.POST_ONLY_MODE)
    if mode is None:
        return PostOnly.REJECT
    return f.lookup({m.value: m for m in PostOnly}, mode, f.POST_ONLY_MODE)


def _submit_of(values: Mapping[int, str], participant: str) -> SubmitOrder:
    symbol = values.get(f.SYMBOL)
    if not symbol:
        raise DomainRejection(RejectCode.UNKNOWN_SYMBOL, "Symbol (55) is missing")
    display = values.get(f.MAX_FLOOR)
    return SubmitOrder(
        order_id=request_id_of(values),
        participant=participant,
        symbol=symbol,
        side=f.lookup(f.SIDE_OF, values.get(f.SIDE), f.SIDE),
        order_type=order_type_of(values),
        quantity=f.quantity(values.get(f.ORDER_QTY), f.ORDER_QTY),
        price=f.optional_price(values.get(f.PRICE), f.PRICE),
        time_in_force=tif_of(values),
        display_quantity=None if display is None else f.quantity(display, f.MAX_FLOOR),
        hidden=f.flag(values.get(f.HIDDEN)),
        post_only=_post_only_of(values),
    )
