"""The clearing files' layouts: each round-trips, and every kind of bad or cut-off file is
refused with a code naming the line (and field) instead of returning anything."""

from __future__ import annotations

from typing import Any

import pytest

from directbroker.backoffice.clearing_fields import format_cash_field, format_price_field
from directbroker.backoffice.clearing_files import (
    ACTIVITY,
    BALANCES,
    LAYOUTS,
    MONEY,
    POSITIONS,
    TRADES,
    ClearingFileError,
    ErrorCode,
    FileKind,
    Layout,
    parse_bytes,
    parse_file,
    write_file,
)
from directbroker.backoffice.clearing_records import (
    ActivityRecord,
    BalanceRecord,
    MoneyRecord,
    PositionRecord,
    ShortMarking,
    TradeRecord,
)

DATE = 20261130
BUY = TradeRecord(
    "ARCA.1.o1.1", "o1", "DEMO-1", "buy", ShortMarking.NONE, 100, 1_875_000, "AAPL", "A",
    10_000, 0, 0, -18_760_000, DATE, 20261201, "ARCA",
)  # fmt: skip
SHORT = TradeRecord(
    "BATS.2.o2.1", "o2", "DEMO-2", "sell", ShortMarking.SHORT, 7, 9_999, "XYZ", "A",
    0, 100, 100, 69_800, DATE, 20261201, "",
)  # fmt: skip
SAMPLES: dict[FileKind, list[Any]] = {
    FileKind.TRADES: [BUY, SHORT],
    FileKind.MONEY: [
        MoneyRecord("dep-1", "DEMO-1", "deposit", 1_000_000_000, DATE),
        MoneyRecord("j-9", "DEMO-2", "journal_cash", -123_456, DATE),
    ],
    FileKind.ACTIVITY: [
        ActivityRecord(
            "ARCA.1.o1.1", "DEMO-1", "trade", "AAPL", "buy", 100, 1_875_000, -18_760_000, DATE
        ),
        ActivityRecord(
            "ARCA.1.o1.1", "DEMO-1", "trade", "AAPL", "buy", 100, 1_875_000, -18_760_000, DATE
        ),
        ActivityRecord("dep-1", "DEMO-1", "deposit", "", "", 0, 0, 1_000_000_000, DATE),
    ],
    FileKind.POSITIONS: [
        PositionRecord("DEMO-1", "AAPL", 100, DATE),
        PositionRecord("DEMO-2", "XYZ", -7, DATE),
    ],
    FileKind.BALANCES: [BalanceRecord("DEMO-1", 981_240_000, DATE), BalanceRecord("X", -5, DATE)],
}


SHORT_LINE = (
    "BATS.2.o2.1,o2,DEMO-2,sell,short,7,0.9999,XYZ,A,0.00,0.01,0.01,6.98,20261130,20261201,"
)


def _text(layout: Layout[Any]) -> str:
    return write_file(layout, "0158", DATE, SAMPLES[layout.kind])


def _refused(layout: Layout[Any], text: str) -> ClearingFileError:
    with pytest.raises(ClearingFileError) as caught:
        parse_file(layout, text, "the file")
    return caught.value


def _replace_line(text: str, number: int, line: str) -> str:
    lines = text.split("\n")
    lines[number - 1] = line
    return "\n".join(lines)


@pytest.mark.parametrize("kind", list(FileKind))
def test_every_layout_round_trips(kind: FileKind) -> None:
    layout = LAYOUTS[kind]
    parsed = parse_file(layout, _text(layout), "f", clearing_number="0158", business_date=DATE)
    assert parsed.kind is kind
    assert (parsed.clearing_number, parsed.business_date) == ("0158", DATE)
    assert list(parsed.records) == SAMPLES[kind]


def test_an_empty_file_round_trips() -> None:
    text = write_file(POSITIONS, "0158", DATE, [])
    assert text == "H,POSITIONS,0158,20261130,0\naccount,symbol,quantity,as_of\nT,0\n"
    assert parse_file(POSITIONS, text, "f").records == ()


def test_the_trade_file_writes_dollars_and_the_marking() -> None:
    lines = _text(TRADES).split("\n")
    assert lines[0] == "H,TRADES,0158,20261130,2"
    assert lines[2] == (
        "ARCA.1.o1.1,o1,DEMO-1,buy,,100,187.5000,AAPL,A,1.00,0.00,0.00,-1876.00,20261130,"
        "20261201,ARCA"
    )
    assert lines[3].startswith("BATS.2.o2.1,o2,DEMO-2,sell,short,7,0.9999,XYZ,A,0.00,0.01,0.01,")
    assert lines[-2:] == ["T,2", ""]


def test_money_is_written_exactly() -> None:
    assert format_price_field(1) == "0.0001"
    assert format_price_field(1_875_000) == "187.5000"
    assert format_cash_field(-123_456) == "-12.3456"
    assert format_cash_field(-5) == "-0.0005"
    assert format_cash_field(12_300) == "1.23"
    assert format_cash_field(0) == "0.00"


@pytest.mark.parametrize(
    ("kind", "line", "field", "code"),
    [
        (FileKind.TRADES, "x,o,A,buy,,1,1.00,S,A,0.00,0.00,0.00,0.00,20261130,20261130,V",
         "price", ErrorCode.BAD_FIELD),
        (FileKind.TRADES, "x,o,A,buy,,1,1.0000,S,A,0.00,0.00,0.00,1.5,20261130,20261130,V",
         "net_amount", ErrorCode.BAD_FIELD),
        (FileKind.TRADES, "x,o,A,buy,,0,1.0000,S,A,0.00,0.00,0.00,0.00,20261130,20261130,V",
         "quantity", ErrorCode.BAD_FIELD),
        (FileKind.TRADES, "x,o,A,buy,,1,0.0000,S,A,0.00,0.00,0.00,0.00,20261130,20261130,V",
         "price", ErrorCode.BAD_FIELD),
        (FileKind.TRADES, "x,o,A,hold,,1,1.0000,S,A,0.00,0.00,0.00,0.00,20261130,20261130,V",
         "side", ErrorCode.BAD_FIELD),
        (FileKind.TRADES, "x,o,A,sell,naked,1,1.0000,S,A,0.00,0.00,0.00,0.00,20261130,"
         "20261130,V", "marking", ErrorCode.BAD_FIELD),
        (FileKind.TRADES, "x,o,A,buy,,1,1.0000,S,Q,0.00,0.00,0.00,0.00,20261130,20261130,V",
         "capacity", ErrorCode.BAD_FIELD),
        (FileKind.TRADES, ",o,A,buy,,1,1.0000,S,A,0.00,0.00,0.00,0.00,20261130,20261130,V",
         "execution_id", ErrorCode.BAD_FIELD),
        (FileKind.TRADES, "x,o,A,buy,,1,1.0000,S,A,0.00,0.00,0.00,0.00,20261130,20261331,V",
         "settlement_date", ErrorCode.BAD_FIELD),
        (FileKind.TRADES, "x,o,A,buy,,1,1.0000, S,A,0.00,0.00,0.00,0.00,20261130,20261130,V",
         "symbol", ErrorCode.BAD_FIELD),
        (FileKind.TRADES, "x,o,A,buy,,1,1.0000,S,A,0.00,0.00,0.00,0.00,20261201,20261202,V",
         "trade_date", ErrorCode.WRONG_DATE),
        (FileKind.TRADES, "x,o,A,buy,short,1,1.0000,S,A,0.00,0.00,0.00,0.00,20261130,"
         "20261130,V", "", ErrorCode.BAD_LINE),
        (FileKind.TRADES, "x,o,A,sell,,1,1.0000,S,A,0.00,0.00,0.00,0.00,20261130,20261130,V",
         "", ErrorCode.BAD_LINE),
        (FileKind.TRADES, "x,o,A,buy,,1,1.0000,S,A,0.00,0.00,0.00,0.00,20261130,20261127,V",
         "", ErrorCode.BAD_LINE),
        (FileKind.TRADES, "x,o,A,buy,,1,1.0000,S,A,0.00,0.00,0.00,0.00,20261130,20261130",
         "", ErrorCode.BAD_LINE),
        (FileKind.TRADES, 'x,o,A,buy,,1,1.0000,S,A,0.00,0.00,0.00,0.00,20261130,20261130,"V"',
         "venue", ErrorCode.BAD_FIELD),
        (FileKind.MONEY, "r,A,deposit,1e3,20261130", "amount", ErrorCode.BAD_FIELD),
        (FileKind.MONEY, "r,A,,1.00,20261130", "kind", ErrorCode.BAD_FIELD),
        (FileKind.ACTIVITY, "r,A,trade,S,buy,1.5,1.0000,0.00,20261130", "quantity",
         ErrorCode.BAD_FIELD),
        (FileKind.ACTIVITY, "r,A,trade,S,short,1,1.0000,0.00,20261130", "side",
         ErrorCode.BAD_FIELD),
        (FileKind.POSITIONS, "A,S,ten,20261130", "quantity", ErrorCode.BAD_FIELD),
        (FileKind.POSITIONS, "A,S,10,2026-11-30", "as_of", ErrorCode.BAD_FIELD),
        (FileKind.BALANCES, "A,-0.001,20261130", "cash", ErrorCode.BAD_FIELD),
        (FileKind.BALANCES, "A,$1.00,20261130", "cash", ErrorCode.BAD_FIELD),
        (FileKind.BALANCES, "A,1.00,20261201", "as_of", ErrorCode.WRONG_DATE),
        (FileKind.BALANCES, "A,1.00,20261127", "as_of", ErrorCode.WRONG_DATE),
        (FileKind.ACTIVITY, "r,A,deposit,,,0,0.0000,1.00,20261127", "business_date",
         ErrorCode.WRONG_DATE),
        (FileKind.MONEY, "r,A,deposit,1.00,20261201", "business_date", ErrorCode.WRONG_DATE),
    ],
)  # fmt: skip
def test_a_bad_record_names_its_line_and_field(
    kind: FileKind, line: str, field: str, code: ErrorCode
) -> None:
    layout = LAYOUTS[kind]
    text = _replace_line(_text(layout), 4, line)
    error = _refused(layout, text)
    assert (error.code, error.line, error.field) == (code, 4, field)
    assert "the file line 4" in str(error) and code.value in str(error)


@pytest.mark.parametrize(
    ("layout", "line"),
    [
        (TRADES, BUY),
        (MONEY, SAMPLES[FileKind.MONEY][1]),
        (POSITIONS, SAMPLES[FileKind.POSITIONS][0]),
        (BALANCES, SAMPLES[FileKind.BALANCES][1]),
    ],
)
def test_a_duplicate_key_names_both_lines(layout: Layout[Any], line: Any) -> None:
    records = [*SAMPLES[layout.kind], line]
    error = _refused(layout, _raw(layout, records))
    assert error.code is ErrorCode.DUPLICATE_KEY
    assert error.line == 2 + len(records)
    assert f"already on line {3 + SAMPLES[layout.kind].index(line)}" in str(error)


def _raw(layout: Layout[Any], records: list[Any]) -> str:
    """A file the writer would refuse to write, assembled line by line."""
    body = [
        ",".join(column.write(getattr(record, column.name)) for column in layout.columns)
        for record in records
    ]
    head = f"H,{layout.kind.value},0158,{DATE},{len(records)}"
    return "\n".join([head, layout.header, *body, f"T,{len(records)}"]) + "\n"


def test_the_firms_files_take_as_of_items_of_earlier_days() -> None:
    late_trade = _replace_line(_text(TRADES), 4, SHORT_LINE.replace(",20261130,", ",20261127,"))
    assert parse_file(TRADES, late_trade, "f").records[1].trade_date == 20261127
    late_money = _replace_line(_text(MONEY), 4, "w-1,DEMO-2,withdrawal,-5.00,20261127")
    assert parse_file(MONEY, late_money, "f").records[1].business_date == 20261127


def test_the_activity_file_keeps_a_double_booking() -> None:
    parsed = parse_file(ACTIVITY, _text(ACTIVITY), "f")
    assert parsed.records[0] == parsed.records[1]


@pytest.mark.parametrize("kind", list(FileKind))
def test_a_truncated_file_is_a_count_mismatch_wherever_it_is_cut(kind: FileKind) -> None:
    layout = LAYOUTS[kind]
    text = _text(layout)
    header_end = text.index("\n") + 1
    for cut in range(header_end, len(text)):
        error = _refused(layout, text[:cut])
        assert error.code is ErrorCode.COUNT_MISMATCH, (cut, error)
        assert error.line >= 1


def test_a_file_missing_a_record_is_a_count_mismatch() -> None:
    lines = _text(TRADES).split("\n")
    del lines[3]
    error = _refused(TRADES, "\n".join(lines))
    assert error.code is ErrorCode.COUNT_MISMATCH
    assert "header says 2 records" in str(error) and "holds 1" in str(error)


def test_a_trailer_that_disagrees_with_the_header_is_a_count_mismatch() -> None:
    text = _text(MONEY).replace("\nT,2\n", "\nT,3\n")
    assert _refused(MONEY, text).code is ErrorCode.COUNT_MISMATCH


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("H,MONEY,0158,20261130,2", "a 'MONEY' file, not TRADES"),
        ("H,TRADES,0158,20261131,2", "not a calendar date"),
        ("H,TRADES,0158,20261130", "not H,KIND"),
        ("X,TRADES,0158,20261130,2", "not H,KIND"),
        ("H,TRADES,01 58,20261130,2", "clearing number"),
        ("H,TRADES,0158,20261130,two", "not a whole number"),
    ],
)
def test_a_bad_header_is_refused_at_line_one(header: str, detail: str) -> None:
    error = _refused(TRADES, _replace_line(_text(TRADES), 1, header))
    assert (error.code, error.line) == (ErrorCode.BAD_HEADER, 1)
    assert detail in str(error)


def test_the_header_must_be_the_expected_firm_and_day() -> None:
    text = _text(BALANCES)
    with pytest.raises(ClearingFileError) as caught:
        parse_file(BALANCES, text, "f", clearing_number="0999")
    assert caught.value.code is ErrorCode.BAD_HEADER
    with pytest.raises(ClearingFileError) as caught:
        parse_file(BALANCES, text, "f", business_date=20261201)
    assert (caught.value.code, caught.value.line) == (ErrorCode.WRONG_DATE, 1)


def test_a_changed_column_line_is_refused() -> None:
    text = _replace_line(_text(BALANCES), 2, "account,balance,as_of")
    assert (_refused(BALANCES, text).code, _refused(BALANCES, text).line) == (
        ErrorCode.BAD_COLUMNS,
        2,
    )


def test_an_empty_file_and_bad_bytes_are_refused() -> None:
    assert _refused(TRADES, "").code is ErrorCode.BAD_HEADER
    assert _refused(TRADES, "\n").code is ErrorCode.BAD_HEADER
    data = _text(MONEY).encode().replace(b"dep-1", b"dep-\xff")
    with pytest.raises(ClearingFileError) as caught:
        parse_bytes(MONEY, data, "money.csv")
    assert (caught.value.code, caught.value.line, caught.value.file) == (
        ErrorCode.BAD_ENCODING,
        3,
        "money.csv",
    )


def test_crlf_line_ends_are_read() -> None:
    text = _text(POSITIONS).replace("\n", "\r\n")
    assert list(parse_file(POSITIONS, text, "f").records) == SAMPLES[FileKind.POSITIONS]


@pytest.mark.parametrize(
    "record",
    [
        MoneyRecord("a,b", "DEMO-1", "deposit", 1, DATE),
        MoneyRecord("r", "DEMO-1", "deposit", 1, 20261201),
        MoneyRecord("r", "", "deposit", 1, DATE),
    ],
)
def test_the_writer_refuses_what_would_not_read_back(record: MoneyRecord) -> None:
    with pytest.raises(ClearingFileError) as caught:
        write_file(MONEY, "0158", DATE, [record])
    assert caught.value.code is ErrorCode.UNWRITABLE
    assert caught.value.line == 3
