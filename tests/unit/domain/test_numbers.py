"""Prices and quantities are exact, and bad text gets its reject code."""

from __future__ import annotations

from decimal import Decimal

import pytest

from directbroker.domain import (
    MAX_PRICE,
    MAX_QUANTITY,
    DomainRejection,
    RejectCode,
    format_price,
    parse_price,
    parse_quantity,
)
from directbroker.domain.instruments import Instrument, is_on_tick, tick_size


@pytest.mark.parametrize(
    ("text", "units"),
    [("1", 10_000), ("10.25", 102_500), ("0.0001", 1), ("0.5123", 5_123), ("1000000", MAX_PRICE)],
)
def test_prices_parse_exactly(text: str, units: int) -> None:
    assert parse_price(text) == units


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("0", RejectCode.PRICE_OUT_OF_RANGE),
        ("-1.00", RejectCode.PRICE_OUT_OF_RANGE),
        ("1000000.0001", RejectCode.PRICE_OUT_OF_RANGE),
        ("1.00001", RejectCode.PRICE_OFF_TICK),
        ("abc", RejectCode.PRICE_NOT_A_NUMBER),
        ("NaN", RejectCode.PRICE_NOT_A_NUMBER),
        ("Infinity", RejectCode.PRICE_NOT_A_NUMBER),
    ],
)
def test_bad_prices_are_rejected_with_their_code(text: str, code: RejectCode) -> None:
    with pytest.raises(DomainRejection) as info:
        parse_price(text)
    assert info.value.code is code


def test_prices_format_as_quoted() -> None:
    assert format_price(102_500) == "10.25"
    assert format_price(102_550) == "10.2550"
    assert format_price(5_123) == "0.5123"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("0", RejectCode.QUANTITY_NOT_POSITIVE),
        ("-5", RejectCode.QUANTITY_NOT_POSITIVE),
        ("1.5", RejectCode.QUANTITY_NOT_INTEGRAL),
        ("x", RejectCode.QUANTITY_NOT_INTEGRAL),
        (str(MAX_QUANTITY + 1), RejectCode.QUANTITY_TOO_LARGE),
    ],
)
def test_bad_quantities_are_rejected(text: str, code: RejectCode) -> None:
    with pytest.raises(DomainRejection) as info:
        parse_quantity(text)
    assert info.value.code is code


def test_bool_is_not_a_quantity() -> None:
    with pytest.raises(DomainRejection):
        parse_quantity(True)


def test_quantities_parse() -> None:
    assert parse_quantity("100") == 100
    assert parse_quantity(Decimal("250.000")) == 250


def test_reg_nms_tick_sizes() -> None:
    assert tick_size(10_000) == 100  # $1.00 quotes in pennies
    assert tick_size(9_999) == 1  # below $1.00 in $0.0001
    assert is_on_tick(10_100)
    assert not is_on_tick(10_150)
    assert is_on_tick(9_999)
    assert not is_on_tick(0)
    assert not is_on_tick(MAX_PRICE + 100)


def test_round_lots() -> None:
    instrument = Instrument("AAPL")
    assert instrument.is_round_lot(300)
    assert not instrument.is_round_lot(150)
