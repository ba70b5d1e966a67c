"""The field-level vocabulary of the venue link: tag numbers, enum codes, prices, times.

FIX 4.2 says most of what a venue order is. What it cannot say (an opening-cross order type,
a pre/post-market day order, a hidden order, a post-only order that reprices, a venue's
trade id, fee and liquidity flag, the exact nanosecond and the stable reject number) travels
in user-defined tags of the 9100 block, and only when the standard fields fall short, so a
plain FIX 4.2 reader still sees the nearest standard meaning (ADR 0022).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from directbroker.domain.numbers import PRICE_SCALE
from directbroker.domain.orders import (
    CancelReason,
    Liquidity,
    OrderType,
    PostOnly,
    Side,
    TimeInForce,
)
from directbroker.domain.rejects import DomainRejection, RejectCode

# --- standard FIX 4.2 tags -----------------------------------------------------------------
ACCOUNT = 1
AVG_PX = 6
CL_ORD_ID = 11
CUM_QTY = 14
EXEC_ID = 17
EXEC_INST = 18
EXEC_TRANS_TYPE = 20
HANDL_INST = 21
LAST_PX = 31
LAST_SHARES = 32
ORDER_ID = 37
ORDER_QTY = 38
ORD_STATUS = 39
ORD_TYPE = 40
ORIG_CL_ORD_ID = 41
PRICE = 44
SIDE = 54
SYMBOL = 55
TEXT = 58
TIME_IN_FORCE = 59
TRANSACT_TIME = 60
LAST_MKT = 30
CXL_REJ_REASON = 102
ORD_REJ_REASON = 103
CLIENT_ID = 109
MAX_FLOOR = 111
EXEC_TYPE = 150
LEAVES_QTY = 151
CXL_REJ_RESPONSE_TO = 434

# --- the venue link's user-defined tags (FIX 4.2 reserves 5000-9999 for these) -------------
VENUE_ORDER_TYPE = 9100
"""The venue order type when 40/18 cannot say it (opening-cross orders, trailing stops)."""
VENUE_TIME_IN_FORCE = 9101
"""The time in force when 59 cannot say it (at the close, day plus extended hours)."""
POST_ONLY_MODE = 9102
"""``reprice`` when a post-only order slides instead of being rejected (18 carries ``6``)."""
HIDDEN = 9103
"""``Y``: the whole order rests undisplayed."""
TRANSACT_TIME_NS = 9104
"""The event's exact time in nanoseconds since the epoch (60 is millisecond FIX text)."""
REJECT_CODE = 9105
"""The stable reject number (``RejectCode.number``); 58 carries the venue's detail."""
CANCELLED_QTY = 9106
"""How many shares a cancel took off the book (an IOC remainder, an expiry, a request)."""
CANCEL_REASON = 9107
"""Why the order stopped working (``CancelReason`` value)."""
KEPT_PRIORITY = 9108
"""``Y``/``N``: whether a replace kept the order's time priority."""
TRADE_ID = 9109
"""The venue's trade id of a fill (the same number the public tape prints)."""
LIQUIDITY = 9110
"""``maker``/``taker``/``auction``: which side of the trade a fill was on."""
FEE = 9111
"""The fill's fee in micro-dollars: positive charged, negative a rebate."""
REPORT_ID = 9112
"""The venue's id of an OrderCancelReject (FIX 4.2 gives that message no ExecID)."""
AFTER_SEQ = 9113
"""A venue journal position: the reports after it are asked for again."""

REPORT_REQUEST = "U1"
"""The venue link's own message (a user-defined MsgType): the participant asks the venue for
its reports after a venue journal position (``AFTER_SEQ``), the last one it has applied."""

# --- enumerations --------------------------------------------------------------------------
SIDES: dict[Side, str] = {
    Side.BUY: "1",
    Side.SELL: "2",
    Side.SELL_SHORT: "5",
    Side.SELL_SHORT_EXEMPT: "6",
}
UNDISCLOSED_SIDE = "7"
"""Side (54) of a cancel or replace for an order the sender no longer remembers."""

ORD_TYPES: dict[OrderType, tuple[str, str | None]] = {
    OrderType.MARKET: ("1", None),
    OrderType.LIMIT: ("2", None),
    OrderType.STOP: ("3", None),
    OrderType.STOP_LIMIT: ("4", None),
    OrderType.MARKET_ON_CLOSE: ("5", None),
    OrderType.LIMIT_ON_CLOSE: ("B", None),
    OrderType.PEG_MARKET: ("P", "P"),
    OrderType.PEG_PRIMARY: ("P", "R"),
    OrderType.PEG_MIDPOINT: ("P", "M"),
}
"""Order types FIX 4.2 names: OrdType (40) and the peg instruction in ExecInst (18)."""
NEAREST_ORD_TYPE: dict[OrderType, str] = {
    OrderType.MARKET_ON_OPEN: "1",
    OrderType.LIMIT_ON_OPEN: "2",
    OrderType.TRAILING_STOP: "3",
}
"""The rest: the nearest OrdType, with the exact type in ``VENUE_ORDER_TYPE``."""
PEG_INSTRUCTIONS = frozenset({"P", "R", "M"})
POST_ONLY_INSTRUCTION = "6"
"""ExecInst 6, participate don't initiate: FIX 4.2's post-only."""

TIFS: dict[TimeInForce, str] = {
    TimeInForce.DAY: "0",
    TimeInForce.GTC: "1",
    TimeInForce.OPG: "2",
    TimeInForce.IOC: "3",
    TimeInForce.FOK: "4",
}
NEAREST_TIF = "0"
"""59 for the times in force FIX 4.2 lacks (CLS, DAY_PLUS): a day order, plus the exact one."""

CANCEL_REASONS = frozenset(CancelReason)
LIQUIDITIES = frozenset(Liquidity)
POST_ONLY_MODES = frozenset(PostOnly)

E = TypeVar("E")


def lookup(table: Mapping[str, E], value: str | None, tag: int) -> E:
    """The domain value a FIX code stands for; a clear rejection for any other code."""
    if value is None:
        raise DomainRejection(RejectCode.MALFORMED, f"tag {tag} is missing")
    found = table.get(value)
    if found is None:
        raise DomainRejection(RejectCode.MALFORMED, f"tag {tag} has no meaning {value!r}")
    return found


def inverse(table: Mapping[E, str]) -> dict[str, E]:
    """A code table read backwards."""
    return {code: value for value, code in table.items()}


SIDE_OF = inverse(SIDES)
TIF_OF = inverse(TIFS)


# --- numbers -------------------------------------------------------------------------------
def price_text(units: int) -> str:
    """Price units ($0.0001) as the exact decimal FIX carries: no binary float on the way."""
    sign = "-" if units < 0 else ""
    whole, fraction = divmod(abs(units), PRICE_SCALE)
    if fraction == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction:04d}".rstrip("0")


def price_units(text: str | None, tag: int) -> int:
    """A FIX price as exact units; more than four decimals is refused, not rounded."""
    if text is None:
        raise DomainRejection(RejectCode.PRICE_REQUIRED, f"tag {tag} is missing")
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise DomainRejection(RejectCode.PRICE_NOT_A_NUMBER, f"tag {tag}={text!r}") from exc
    if not value.is_finite():
        raise DomainRejection(RejectCode.PRICE_NOT_A_NUMBER, f"tag {tag}={text!r}")
    units = value * PRICE_SCALE
    if units != units.to_integral_value():
        raise DomainRejection(RejectCode.PRICE_OFF_TICK, f"tag {tag}={text} is off the tick")
    return int(units)


def optional_price(text: str | None, tag: int) -> int | None:
    """A price that may be absent."""
    return None if text is None else price_units(text, tag)


def whole(text: str | None, tag: int, code: RejectCode = RejectCode.MALFORMED) -> int:
    """An integer field (quantities, ids, fees): digits with an optional sign, nothing else.

    FIX Qty may be written ``100.0``; an integral decimal is taken, a fraction refused."""
    if text is None:
        raise DomainRejection(code, f"tag {tag} is missing")
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise DomainRejection(code, f"tag {tag}={text!r} is not a number") from exc
    if not value.is_finite() or value != value.to_integral_value():
        raise DomainRejection(code, f"tag {tag}={text!r} is not a whole number")
    return int(value)


def quantity(text: str | None, tag: int) -> int:
    """A share count."""
    return whole(text, tag, RejectCode.QUANTITY_NOT_INTEGRAL)


def flag(text: str | None) -> bool:
    """A FIX Boolean (``Y``/``N``); absent is no."""
    return text == "Y"


# --- time ----------------------------------------------------------------------------------
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def utc_timestamp(ts_ns: int) -> str:
    """FIX UTCTimestamp text to the millisecond (the precision FIX 4.2 defines)."""
    moment = _EPOCH + datetime.timedelta(microseconds=ts_ns // 1_000)
    return moment.strftime("%Y%m%d-%H:%M:%S.") + f"{moment.microsecond // 1_000:03d}"


def time_fields(ts_ns: int) -> list[tuple[int, str]]:
    """TransactTime (60) for FIX readers and the exact nanoseconds for the round trip."""
    return [(TRANSACT_TIME, utc_timestamp(ts_ns)), (TRANSACT_TIME_NS, str(ts_ns))]


def time_ns(get: Mapping[int, str]) -> int:
    """The event time: the exact nanoseconds when sent, else TransactTime (ms), else 0."""
    exact = get.get(TRANSACT_TIME_NS)
    if exact is not None:
        return whole(exact, TRANSACT_TIME_NS)
    text = get.get(TRANSACT_TIME)
    if text is None:
        return 0
    try:
        moment = datetime.datetime.strptime(text, "%Y%m%d-%H:%M:%S.%f")
    except ValueError:
        try:
            moment = datetime.datetime.strptime(text, "%Y%m%d-%H:%M:%S")
        except ValueError as exc:
            raise DomainRejection(RejectCode.MALFORMED, f"TransactTime {text!r}") from exc
    delta = moment.replace(tzinfo=datetime.UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000
