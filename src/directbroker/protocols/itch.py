"""NASDAQ TotalView-ITCH 5.0: binary messages in, our venue feed events out. No I/O.

Two pure steps, so each is testable alone:

1. :class:`ItchReader` frames and decodes bytes. It reads the file format NASDAQ publishes
   (each message preceded by a 2-byte big-endian length), accepts the bytes in chunks of any
   size, and raises :class:`ItchFormatError` naming the byte offset of anything malformed: a
   length that does not fit the message type, an unknown type, non-ASCII text, a truncated tail.
2. :class:`~directbroker.protocols.itch_translate.ItchTranslator` turns decoded messages into
   ``venue_messages`` events (in its own module).

Prices in ITCH have four implied decimals, which is exactly our $0.0001 price unit. Timestamps
are nanoseconds since midnight; the translator adds the epoch nanoseconds of that midnight,
given by the caller (the trading calendar is an input, not a clock).
"""

from __future__ import annotations

import struct
from dataclasses import astuple, dataclass
from typing import Any, ClassVar


class ItchFormatError(ValueError):
    """Bytes or a message sequence that is not valid ITCH 5.0; names where it went wrong."""

    def __init__(self, offset: int, reason: str) -> None:
        self.offset = offset
        self.reason = reason
        super().__init__(f"ITCH 5.0: {reason} at byte offset {offset}")


@dataclass(frozen=True, slots=True)
class ItchMessage:
    """Fields common to every ITCH 5.0 message. ``offset`` is where the message's length prefix
    starts in the stream (not part of the wire format; for error reports)."""

    offset: int
    stock_locate: int
    tracking_number: int
    timestamp: int
    """Nanoseconds since midnight."""

    type_code: ClassVar[bytes] = b""
    layout: ClassVar[str] = ""
    """struct codes of the fields after the common header, in order."""


@dataclass(frozen=True, slots=True)
class SystemEvent(ItchMessage):
    """'S': start/end of messages, system hours, market hours (event code O S Q M E C)."""

    event_code: str
    type_code = b"S"
    layout = "c"


@dataclass(frozen=True, slots=True)
class StockDirectory(ItchMessage):
    """'R': a stock's static data for the day; we keep its round lot size."""

    stock: str
    market_category: str
    financial_status: str
    round_lot_size: int
    round_lots_only: str
    issue_classification: str
    issue_subtype: str
    authenticity: str
    short_sale_threshold: str
    ipo_flag: str
    luld_tier: str
    etp_flag: str
    etp_leverage_factor: int
    inverse: str
    type_code = b"R"
    layout = "8sccIcc2scccccIc"


@dataclass(frozen=True, slots=True)
class StockTradingAction(ItchMessage):
    """'H': trading state H (halted), P (paused), Q (quotation only) or T (trading)."""

    stock: str
    trading_state: str
    reserved: str
    reason: str
    type_code = b"H"
    layout = "8scc4s"


@dataclass(frozen=True, slots=True)
class AddOrder(ItchMessage):
    """'A': a displayed order joined the book (price in $0.0001 units)."""

    order_ref: int
    side: str
    shares: int
    stock: str
    price: int
    type_code = b"A"
    layout = "QcI8sI"


@dataclass(frozen=True, slots=True)
class AddOrderMpid(ItchMessage):
    """'F': as 'A', with the market participant's attribution."""

    order_ref: int
    side: str
    shares: int
    stock: str
    price: int
    attribution: str
    type_code = b"F"
    layout = "QcI8sI4s"


@dataclass(frozen=True, slots=True)
class OrderExecuted(ItchMessage):
    """'E': part of a resting order traded at its own price."""

    order_ref: int
    shares: int
    match_number: int
    type_code = b"E"
    layout = "QIQ"


@dataclass(frozen=True, slots=True)
class OrderExecutedWithPrice(ItchMessage):
    """'C': a resting order traded at another price; printable N means the
    print is reported elsewhere (a cross), so it changes the book but not the tape."""

    order_ref: int
    shares: int
    match_number: int
    printable: str
    price: int
    type_code = b"C"
    layout = "QIQcI"


@dataclass(frozen=True, slots=True)
class OrderCancel(ItchMessage):
    """'X': a resting order's size went down by ``shares``."""

    order_ref: int
    shares: int
    type_code = b"X"
    layout = "QI"


@dataclass(frozen=True, slots=True)
class OrderDelete(ItchMessage):
    """'D': a resting order left the book."""

    order_ref: int
    type_code = b"D"
    layout = "Q"


@dataclass(frozen=True, slots=True)
class OrderReplace(ItchMessage):
    """'U': cancel/replace: the new reference takes the old one's side, at the back."""

    original_ref: int
    new_ref: int
    shares: int
    price: int
    type_code = b"U"
    layout = "QQII"


@dataclass(frozen=True, slots=True)
class NonCrossTrade(ItchMessage):
    """'P': a hidden (non-displayed) order traded; tape only, no book change."""

    order_ref: int
    side: str
    shares: int
    stock: str
    price: int
    match_number: int
    type_code = b"P"
    layout = "QcI8sIQ"


@dataclass(frozen=True, slots=True)
class CrossTrade(ItchMessage):
    """'Q': an opening, closing, halt or IPO cross printed ``shares`` at one price."""

    shares: int
    stock: str
    cross_price: int
    match_number: int
    cross_type: str
    type_code = b"Q"
    layout = "Q8sIQc"


@dataclass(frozen=True, slots=True)
class OtherMessage(ItchMessage):
    """A valid ITCH 5.0 message we do not translate (Reg SHO, MWCB, NOII, broken trade, ...)."""

    message_type: str
    body: bytes


_HEADER = struct.Struct(">cHHHI")
_PARSED: dict[bytes, tuple[type[ItchMessage], struct.Struct]] = {
    cls.type_code: (cls, struct.Struct(">" + cls.layout))
    for cls in (
        SystemEvent, StockDirectory, StockTradingAction, AddOrder, AddOrderMpid, OrderExecuted,
        OrderExecutedWithPrice, OrderCancel, OrderDelete, OrderReplace, NonCrossTrade, CrossTrade,
    )
}  # fmt: skip
_OTHER_LENGTHS = {b"Y": 20, b"L": 26, b"V": 35, b"W": 12, b"K": 28, b"J": 35, b"h": 21,
                  b"B": 19, b"I": 50, b"N": 20}  # fmt: skip
LENGTHS = {code: _HEADER.size + s.size for code, (_, s) in _PARSED.items()} | _OTHER_LENGTHS
"""Every ITCH 5.0 message type and its length in bytes (without the 2-byte length prefix)."""


def _text(raw: bytes, offset: int) -> str:
    try:
        return raw.decode("ascii").rstrip(" ")
    except UnicodeDecodeError:
        raise ItchFormatError(offset, f"non-ASCII text {raw!r}") from None


def decode_message(payload: bytes, offset: int = 0) -> ItchMessage:
    """Decode one message (without its length prefix). ``offset`` is reported in errors."""
    if not payload:
        raise ItchFormatError(offset, "empty message")
    code = payload[:1]
    expected = LENGTHS.get(code)
    if expected is None:
        raise ItchFormatError(offset, f"unknown message type {code!r}")
    if len(payload) != expected:
        raise ItchFormatError(
            offset, f"message type {code.decode()!r} is {expected} bytes, got {len(payload)}"
        )
    _, locate, tracking, ts_high, ts_low = _HEADER.unpack_from(payload)
    timestamp = ts_high << 32 | ts_low
    parsed = _PARSED.get(code)
    if parsed is None:
        body = payload[_HEADER.size :]
        return OtherMessage(offset, locate, tracking, timestamp, code.decode(), body)
    cls, layout = parsed
    values: list[Any] = [
        _text(v, offset) if isinstance(v, bytes) else v
        for v in layout.unpack_from(payload, _HEADER.size)
    ]
    return cls(offset, locate, tracking, timestamp, *values)


def encode_message(message: ItchMessage) -> bytes:
    """The wire bytes of one message (without the length prefix): the inverse of decoding."""
    ts = message.timestamp
    header = _HEADER.pack(
        message.type_code or b"?", message.stock_locate, message.tracking_number,
        ts >> 32, ts & 0xFFFFFFFF,
    )  # fmt: skip
    if isinstance(message, OtherMessage):
        return message.message_type.encode() + header[1:] + message.body
    _, layout = _PARSED[message.type_code]
    width = _field_widths(message.layout)
    values = []
    for value, size in zip(astuple(message)[4:], width, strict=True):
        values.append(value.encode("ascii").ljust(size) if isinstance(value, str) else value)
    return header + layout.pack(*values)


def _field_widths(layout: str) -> list[int]:
    """Byte width of each text field (0 for numbers), in field order."""
    widths, digits = [], ""
    for char in layout:
        if char.isdigit():
            digits += char
            continue
        widths.append(int(digits or "1") if char in "sc" else 0)
        digits = ""
    return widths


def frame(messages: list[ItchMessage]) -> bytes:
    """Messages as an ITCH file: each with its 2-byte big-endian length prefix."""
    out = bytearray()
    for message in messages:
        payload = encode_message(message)
        out += struct.pack(">H", len(payload)) + payload
    return bytes(out)


class ItchReader:
    """Frames a length-prefixed ITCH stream fed in chunks of any size."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._offset = 0
        """Stream offset of the first byte in the buffer."""

    def feed(self, data: bytes) -> list[ItchMessage]:
        """Add bytes; return every message now complete."""
        self._buffer += data
        out: list[ItchMessage] = []
        buffer, position = self._buffer, 0
        while len(buffer) - position >= 2:
            length = buffer[position] << 8 | buffer[position + 1]
            if length == 0:
                raise ItchFormatError(self._offset + position, "zero-length message")
            if len(buffer) - position - 2 < length:
                break
            payload = bytes(buffer[position + 2 : position + 2 + length])
            out.append(decode_message(payload, self._offset + position))
            position += 2 + length
        del buffer[:position]
        self._offset += position
        return out

    def close(self) -> None:
        """The stream ended: leftover bytes mean the last message was cut short."""
        if self._buffer:
            raise ItchFormatError(
                self._offset, f"stream ends inside a message ({len(self._buffer)} bytes left)"
            )


def parse(data: bytes) -> list[ItchMessage]:
    """Every message of a complete ITCH file held in memory."""
    reader = ItchReader()
    messages = reader.feed(data)
    reader.close()
    return messages


__all__ = [
    "LENGTHS", "AddOrder", "AddOrderMpid", "CrossTrade", "ItchFormatError", "ItchMessage",
    "ItchReader", "NonCrossTrade", "OrderCancel", "OrderDelete",
    "OrderExecuted", "OrderExecutedWithPrice", "OrderReplace", "OtherMessage", "StockDirectory",
    "StockTradingAction", "SystemEvent", "decode_message", "encode_message", "frame",
    "parse",
]  # fmt: skip
