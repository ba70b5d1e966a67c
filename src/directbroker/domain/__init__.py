"""Value types, commands, events and reject codes shared by every part of the platform.

Owns: exact prices and quantities, instruments and tick rules, order vocabulary (sides, types,
times in force), the command and event messages of each core, and the stable reject codes.
May import: the standard library only. No I/O, no clock, no randomness.
"""

from directbroker.domain.instruments import Instrument
from directbroker.domain.messages import Command, Event, Message, message_types
from directbroker.domain.numbers import (
    MAX_PRICE,
    MAX_QUANTITY,
    PRICE_SCALE,
    format_price,
    parse_price,
    parse_quantity,
)
from directbroker.domain.orders import (
    AuctionKind,
    BookSide,
    CancelReason,
    Liquidity,
    OrderType,
    PostOnly,
    Side,
    TimeInForce,
)
from directbroker.domain.rejects import DomainRejection, RejectCode, Stage

__all__ = [
    "MAX_PRICE",
    "MAX_QUANTITY",
    "PRICE_SCALE",
    "AuctionKind",
    "BookSide",
    "CancelReason",
    "Command",
    "DomainRejection",
    "Event",
    "Instrument",
    "Liquidity",
    "Message",
    "OrderType",
    "PostOnly",
    "RejectCode",
    "Side",
    "Stage",
    "TimeInForce",
    "format_price",
    "message_types",
    "parse_price",
    "parse_quantity",
]
