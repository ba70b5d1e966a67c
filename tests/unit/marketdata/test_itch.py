"""ITCH 5.0: hand-built binary files (struct.pack, straight from the spec's layouts) decode to
the right messages, translate to the right venue feed events, survive a re-encode byte for byte,
and malformed bytes fail with an error that names the offset."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.domain.marketdata_messages import StartTradingDay
from directbroker.domain.orders import AuctionKind, BookSide
from directbroker.domain.venue_messages import (
    AuctionCompleted,
    BookOrderAdded,
    BookOrderDeleted,
    BookOrderExecuted,
    BookOrderReduced,
    BookOrderReplaced,
    TradeReported,
    TradingHalted,
    TradingResumed,
)
from directbroker.engines.marketdata import MarketDataEngine
from directbroker.protocols.itch import (
    AddOrder,
    CrossTrade,
    ItchFormatError,
    ItchReader,
    OtherMessage,
    StockDirectory,
    SystemEvent,
    encode_message,
    frame,
    parse,
)
from directbroker.protocols.itch_translate import ItchTranslator

MIDNIGHT = 1_741_000_000_000_000_000


def header(kind: bytes, ts: int, locate: int = 7) -> bytes:
    return struct.pack(">cHH", kind, locate, 0) + ts.to_bytes(6, "big")


def framed(*payloads: bytes) -> bytes:
    return b"".join(struct.pack(">H", len(p)) + p for p in payloads)


def stock(symbol: str) -> bytes:
    return symbol.encode().ljust(8)


SAMPLE = framed(
    header(b"S", 1) + b"O",
    header(b"R", 2) + stock("ACME") + b"QN" + struct.pack(">I", 100) + b"NC  PNNN" + b"N"
    + struct.pack(">I", 0) + b"N",
    header(b"H", 3) + stock("ACME") + b"T" + b" " + b"    ",
    header(b"A", 10) + struct.pack(">QcI8sI", 1, b"B", 300, stock("ACME"), 101_000),
    header(b"F", 11) + struct.pack(">QcI8sI4s", 2, b"S", 200, stock("ACME"), 102_000, b"GSCO"),
    header(b"E", 12) + struct.pack(">QIQ", 1, 100, 9001),
    header(b"C", 13) + struct.pack(">QIQcI", 2, 50, 9002, b"Y", 101_500),
    header(b"C", 14) + struct.pack(">QIQcI", 2, 10, 9003, b"N", 101_500),
    header(b"X", 15) + struct.pack(">QI", 1, 50),
    header(b"U", 16) + struct.pack(">QQII", 1, 3, 400, 100_500),
    header(b"P", 17) + struct.pack(">QcI8sIQ", 0, b"B", 25, stock("ACME"), 101_200, 9004),
    header(b"Q", 18) + struct.pack(">Q8sIQc", 1_000, stock("ACME"), 101_300, 9005, b"C"),
    header(b"D", 19) + struct.pack(">Q", 3),
    header(b"H", 20) + stock("ACME") + b"H" + b" " + b"LUDP",
    header(b"Y", 21) + stock("ACME") + b"1",
)  # fmt: skip


def test_a_hand_built_file_decodes_field_by_field() -> None:
    messages = parse(SAMPLE)
    assert [type(m).__name__ for m in messages] == [
        "SystemEvent", "StockDirectory", "StockTradingAction", "AddOrder", "AddOrderMpid",
        "OrderExecuted", "OrderExecutedWithPrice", "OrderExecutedWithPrice", "OrderCancel",
        "OrderReplace", "NonCrossTrade", "CrossTrade", "OrderDelete", "StockTradingAction",
        "OtherMessage",
    ]  # fmt: skip
    assert messages[0] == SystemEvent(0, 7, 0, 1, "O")
    directory = messages[1]
    assert isinstance(directory, StockDirectory)
    assert (directory.stock, directory.round_lot_size, directory.issue_subtype) == ("ACME", 100, "")
    assert messages[3] == AddOrder(14 + 41 + 27, 7, 0, 10, 1, "B", 300, "ACME", 101_000)
    assert isinstance(messages[11], CrossTrade) and messages[11].shares == 1_000
    assert isinstance(messages[-1], OtherMessage) and messages[-1].message_type == "Y"


def test_re_encoding_gives_the_same_bytes_and_chunking_does_not_matter() -> None:
    messages = parse(SAMPLE)
    assert frame(messages) == SAMPLE
    reader = ItchReader()
    chunked = []
    for start in range(0, len(SAMPLE), 7):
        chunked.extend(reader.feed(SAMPLE[start : start + 7]))
    reader.close()
    assert chunked == messages


def test_translation_to_venue_feed_events() -> None:
    translator = ItchTranslator("NSDQ", MIDNIGHT)
    events = [e for m in parse(SAMPLE) for e in translator.translate(m)]
    t = MIDNIGHT
    assert events == [
        TradingResumed("NSDQ", "ACME", t + 3),
        BookOrderAdded("NSDQ", "ACME", 1, BookSide.BID, 101_000, 300, t + 10),
        BookOrderAdded("NSDQ", "ACME", 2, BookSide.ASK, 102_000, 200, t + 11),
        BookOrderExecuted("NSDQ", "ACME", 1, 100, 9001, t + 12),
        TradeReported("NSDQ", "ACME", 9001, 101_000, 100, BookSide.ASK, "", t + 12),
        BookOrderExecuted("NSDQ", "ACME", 2, 50, 9002, t + 13),
        TradeReported("NSDQ", "ACME", 9002, 101_500, 50, BookSide.BID, "", t + 13),
        BookOrderExecuted("NSDQ", "ACME", 2, 10, 9003, t + 14),  # not printable: no tape entry
        BookOrderReduced("NSDQ", "ACME", 1, 50, t + 15),
        BookOrderReplaced("NSDQ", "ACME", 1, 3, 100_500, 400, t + 16),
        TradeReported("NSDQ", "ACME", 9004, 101_200, 25, BookSide.ASK, "", t + 17),
        TradeReported("NSDQ", "ACME", 9005, 101_300, 1_000, None, "cross_C", t + 18),
        AuctionCompleted("NSDQ", "ACME", AuctionKind.CLOSE, 101_300, 1_000, 0, None, t + 18),
        BookOrderDeleted("NSDQ", "ACME", 3, t + 19),
        TradingHalted("NSDQ", "ACME", "LUDP", t + 20),
    ]
    assert translator.round_lots == {"ACME": 100}
    assert set(translator.orders) == {2}


def test_the_translated_feed_drives_the_market_data_engine() -> None:
    translator = ItchTranslator("NSDQ", MIDNIGHT)
    engine = MarketDataEngine()
    engine.handle(StartTradingDay("2025-03-03"), MIDNIGHT)
    rejected = []
    for message in parse(SAMPLE)[:10]:  # up to the replace
        for event in translator.translate(message):
            out = engine.handle(event, MIDNIGHT + message.timestamp)
            rejected += [e for e in out if type(e).__name__ == "MarketDataInputRejected"]
    assert rejected == []
    quote = engine.nbbo("ACME")
    assert quote is not None
    assert (quote.bid_price, quote.bid_size, quote.ask_price, quote.ask_size) == (
        100_500,
        400,
        102_000,
        140,
    )
    assert [t.trade_id for t in engine.trades("ACME")] == [9001, 9002]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "offset", "words"),
    [
        (framed(header(b"S", 1) + b"O") + framed(header(b"A", 2)), 14, "is 36 bytes, got 11"),
        (framed(header(b"S", 1) + b"O") + framed(b"Z" + bytes(11)), 14, "unknown message type"),
        (framed(header(b"S", 1) + b"O") + b"\x00\x24" + header(b"A", 2), 14, "ends inside"),
        (b"\x00\x00", 0, "zero-length"),
        (framed(header(b"H", 3) + b"\xff" * 8 + b"T" + b" " + b"    "), 0, "non-ASCII"),
    ],
    ids=["short", "unknown-type", "truncated", "zero-length", "non-ascii"],
)
def test_malformed_bytes_name_the_offset(data: bytes, offset: int, words: str) -> None:
    with pytest.raises(ItchFormatError) as caught:
        parse(data)
    assert caught.value.offset == offset
    assert words in str(caught.value) and f"offset {offset}" in str(caught.value)


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (header(b"E", 5) + struct.pack(">QIQ", 42, 1, 1), "unknown order reference 42"),
        (header(b"A", 5) + struct.pack(">QcI8sI", 1, b"Z", 1, stock("X"), 1), "side must be"),
    ],
)
def test_impossible_sequences_name_the_offset(payload: bytes, words: str) -> None:
    data = framed(header(b"S", 1) + b"O", payload)
    translator = ItchTranslator("NSDQ", 0)
    with pytest.raises(ItchFormatError) as caught:
        for message in parse(data):
            translator.translate(message)
    assert caught.value.offset == 14 and words in str(caught.value)


@settings(max_examples=50, deadline=None)
@given(
    ref=st.integers(0, 2**64 - 1),
    side=st.sampled_from(["B", "S"]),
    shares=st.integers(0, 2**32 - 1),
    symbol=st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ.", min_size=1, max_size=8),
    price=st.integers(0, 2**32 - 1),
    ts=st.integers(0, 2**48 - 1),
)
def test_add_order_round_trips(
    ref: int, side: str, shares: int, symbol: str, price: int, ts: int
) -> None:
    message = AddOrder(0, 1, 2, ts, ref, side, shares, symbol, price)
    assert parse(frame([message])) == [message]
    assert len(encode_message(message)) == 36
