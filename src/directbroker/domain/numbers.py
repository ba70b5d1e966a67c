"""Exact fixed-point prices and whole-share quantities.

Prices are plain ``int`` counts of $0.0001, the smallest increment Reg NMS allows (for quotes
below $1.00), so every legal price, every midpoint of a penny spread and every notional is exact
integer arithmetic. Decimal appears only at the edges, where text becomes a price and back.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from directbroker.domain.rejects import DomainRejection, RejectCode

PRICE_SCALE = 10_000
"""Price units per dollar: one unit is $0.0001."""

MAX_PRICE = 1_000_000 * PRICE_SCALE
"""The largest price any venue accepts ($1,000,000.0000); larger prices "do not fit"."""

MAX_QUANTITY = 100_000_000
"""The largest order quantity any venue accepts, in shares."""

ONE_DOLLAR = PRICE_SCALE


def parse_price(text: str | int | Decimal) -> int:
    """Turn a decimal dollar amount into price units, refusing anything inexact or absurd."""
    try:
        value = Decimal(text) if not isinstance(text, Decimal) else text
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise DomainRejection(RejectCode.PRICE_NOT_A_NUMBER, f"price {text!r}") from exc
    if not value.is_finite():
        raise DomainRejection(RejectCode.PRICE_NOT_A_NUMBER, f"price {text!r}")
    units = value * PRICE_SCALE
    if units != units.to_integral_value():
        raise DomainRejection(RejectCode.PRICE_OFF_TICK, f"price {text} has more than 4 decimals")
    result = int(units)
    if result <= 0 or result > MAX_PRICE:
        raise DomainRejection(RejectCode.PRICE_OUT_OF_RANGE, f"price {text}")
    return result


def format_price(units: int) -> str:
    """Render price units as dollars: two decimals at or above $1, four below (as quoted)."""
    value = Decimal(units) / PRICE_SCALE
    places = Decimal("0.01") if units >= ONE_DOLLAR and units % 100 == 0 else Decimal("0.0001")
    return str(value.quantize(places))


def parse_quantity(text: str | int | Decimal) -> int:
    """Turn a share count into an int, refusing fractions, signs and absurd sizes."""
    if isinstance(text, bool):
        raise DomainRejection(RejectCode.QUANTITY_NOT_INTEGRAL, f"quantity {text!r}")
    try:
        value = Decimal(text) if not isinstance(text, Decimal) else text
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise DomainRejection(RejectCode.QUANTITY_NOT_INTEGRAL, f"quantity {text!r}") from exc
    if not value.is_finite() or value != value.to_integral_value():
        raise DomainRejection(RejectCode.QUANTITY_NOT_INTEGRAL, f"quantity {text}")
    result = int(value)
    if result <= 0:
        raise DomainRejection(RejectCode.QUANTITY_NOT_POSITIVE, f"quantity {text}")
    if result > MAX_QUANTITY:
        raise DomainRejection(RejectCode.QUANTITY_TOO_LARGE, f"quantity {text}")
    return result
