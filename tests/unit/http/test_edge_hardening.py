"""Edge hardening rules, one by one: the limiter runs before any secret is checked, client ids
and names are plain text of at most 128 characters, booleans are JSON booleans, times fit in
int64 nanoseconds, orders are for whole shares, and the OMS admits what the API admits."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from directbroker.adapters.http.commands import place_order_command
from directbroker.adapters.http.context import ApiContext
from directbroker.adapters.http.errors import ApiError
from directbroker.adapters.http.ports import Principal, Role
from directbroker.adapters.http.ratelimit import RateLimit, RateLimiter
from directbroker.adapters.http.schemas import (
    BIDI_CONTROLS,
    ConfigurationsBody,
    OrderBody,
    ReplaceBody,
    WatchlistBody,
    check_client_text,
)
from directbroker.adapters.http.trading_routes import parse_time
from directbroker.domain.rejects import RejectCode
from directbroker.engines.oms.validation import MAX_CLIENT_ORDER_ID, check_place
from directbroker.testing.fake_platform import fake_platform

ORDER: dict[str, Any] = {
    "symbol": "AAPL",
    "qty": "10",
    "side": "buy",
    "type": "market",
    "time_in_force": "day",
}


class CountingDirectory:
    """A directory that knows one key and counts how often a secret was checked."""

    def __init__(self) -> None:
        self.checks = 0

    def authenticate(self, key_id: str, secret: str) -> Principal | None:
        self.checks += 1
        if (key_id, secret) == ("KEY", "right"):
            return Principal("alice", "KEY", Role.CUSTOMER, frozenset({"A1"}), "A1")
        return None


def _context(directory: CountingDirectory, limit: RateLimit) -> ApiContext:
    fake = fake_platform()
    ports = dataclasses.replace(fake.ports(), directory=directory)
    return ApiContext(ports, limits=limit)


def _status(ctx: ApiContext, key: str, secret: str, peer: str = "10.0.0.1") -> int:
    try:
        ctx.authenticate(key, secret, peer)
    except ApiError as error:
        return error.status
    return 200


def test_a_guessing_address_is_refused_before_any_secret_is_checked() -> None:
    directory = CountingDirectory()
    ctx = _context(directory, RateLimit(rate_per_second=0.001, burst=10))
    statuses = [_status(ctx, "KEY", f"wrong{i}") for i in range(10)]
    assert statuses == [401, 401, 429, 429, 429, 429, 429, 429, 429, 429]
    # Two failures (cost 5 each) emptied the address's bucket: from then on nothing is
    # hashed at all, not even a right secret from that address.
    assert directory.checks == 2
    assert _status(ctx, "KEY", "right") == 429 and directory.checks == 2
    # Another address is not affected, and neither is the key itself.
    assert _status(ctx, "KEY", "right", peer="10.0.0.2") == 200


def test_a_limited_key_is_refused_before_its_secret_is_checked() -> None:
    directory = CountingDirectory()
    ctx = _context(directory, RateLimit(rate_per_second=0.001, burst=3))
    assert [_status(ctx, "KEY", "right") for _ in range(5)] == [200, 200, 200, 429, 429]
    assert directory.checks == 3


def test_has_takes_no_tokens() -> None:
    now = [0.0]
    limiter = RateLimiter(RateLimit(rate_per_second=1, burst=2), clock=lambda: now[0])
    assert limiter.has("k", 2) and limiter.has("k", 2)
    assert limiter.allow("k", 2) and not limiter.has("k")
    now[0] = 1.0
    assert limiter.has("k") and not limiter.has("k", 2)


@pytest.mark.parametrize(
    "text",
    [
        "a\x00b",
        "line\nbreak",
        "cr\rlf",
        "tab\there",
        "\x7f",
        "\x85",
        "a\u2028b",
        "\ud800",
        "x" * 129,
        "",
    ]
    + [f"id{c}evil" for c in sorted(BIDI_CONTROLS)],
)
def test_client_ids_refuse_control_and_bidi_characters(text: str) -> None:
    for body in (
        lambda: OrderBody.model_validate(ORDER | {"client_order_id": text}),
        lambda: ReplaceBody.model_validate({"client_order_id": text}),
        lambda: WatchlistBody.model_validate({"name": text}),
    ):
        with pytest.raises(ValidationError) as refused:
            body()
        assert (
            refused.value.errors()[0]["type"] == f"reject_{RejectCode.INVALID_CLIENT_TEXT.number}"
        )


@given(
    st.text(
        st.characters(
            blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
            blacklist_characters="".join(BIDI_CONTROLS),
        ),
        min_size=1,
        max_size=128,
    )
)
def test_printable_client_ids_up_to_128_characters_are_kept_as_sent(text: str) -> None:
    assert check_client_text(text) == text
    body = OrderBody.model_validate(ORDER | {"client_order_id": text})
    command = place_order_command(body, "oid", "A1", 0, known_symbol=True)
    # What the API admits, the OMS admits.
    assert command.client_order_id == text and check_place(command) is None


def test_the_oms_admits_128_character_client_ids_and_no_more() -> None:
    body = OrderBody.model_validate(ORDER | {"client_order_id": "c" * MAX_CLIENT_ORDER_ID})
    command = place_order_command(body, "oid", "A1", 0, known_symbol=True)
    assert check_place(command) is None
    longer = dataclasses.replace(command, client_order_id="c" * (MAX_CLIENT_ORDER_ID + 1))
    refusal = check_place(longer)
    assert refusal is not None and refusal[0] is RejectCode.INVALID_ID


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, "1", None, [], {}])
def test_booleans_must_be_json_booleans(value: object) -> None:
    for field in ("extended_hours", "hidden"):
        with pytest.raises(ValidationError):
            OrderBody.model_validate(ORDER | {field: value})
    for field in ("no_shorting", "suspend_trade", "fractional_trading", "ptp_no_exception_entry"):
        if value is None:
            continue  # null means "leave unchanged" in a configurations body
        with pytest.raises(ValidationError):
            ConfigurationsBody.model_validate({field: value})
    assert OrderBody.model_validate(ORDER | {"extended_hours": True}).extended_hours is True


def test_integers_are_strict_and_numbers_as_strings_stay_accepted() -> None:
    for value in ("3", 3.5, True):
        with pytest.raises(ValidationError):
            ConfigurationsBody.model_validate({"max_options_trading_level": value})
    # JSON Schema's integer admits 3.0, so the document and the parser agree on it.
    assert (
        ConfigurationsBody.model_validate(
            {"max_options_trading_level": 3.0}
        ).max_options_trading_level
        == 3
    )
    body = OrderBody.model_validate(ORDER | {"qty": "5", "type": "limit", "limit_price": "10.5"})
    assert body.qty == 5 and str(body.limit_price) == "10.5"
    assert (
        ConfigurationsBody.model_validate({"max_margin_multiplier": "2"}).max_margin_multiplier == 2
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"qty": "0.5"},
        {"qty": 1.25},
        {"qty": "2.000001"},
        {"qty": None, "notional": "100"},
        {"qty": None, "notional": 12.5},
        {"type": "limit", "limit_price": "10", "display_qty": "0.5"},
    ],
)
def test_fractional_and_notional_orders_are_refused_with_one_code(changes: dict[str, Any]) -> None:
    body = OrderBody.model_validate(ORDER | changes)
    with pytest.raises(ApiError) as refused:
        place_order_command(body, "oid", "A1", 0, known_symbol=True)
    assert refused.value.status == 422
    assert refused.value.code == 42_200_000 + RejectCode.WHOLE_SHARES_ONLY.number
    assert "whole" in refused.value.message


def test_a_whole_number_written_with_decimals_is_not_truncated_but_read_exactly() -> None:
    body = OrderBody.model_validate(ORDER | {"qty": "3.000"})
    assert place_order_command(body, "oid", "A1", 0, known_symbol=True).quantity == 3


@pytest.mark.parametrize(
    "text",
    ["1969-12-31", "1969-12-31T23:59:59.5Z", "0001-01-01T00:00:00Z", "2262-04-12T00:00:00Z",
     "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-12:00", "2262-01-01"],
)  # fmt: skip
def test_times_outside_int64_nanoseconds_are_refused(text: str) -> None:
    with pytest.raises(ApiError) as refused:
        parse_time(text, "start")
    assert refused.value.code == 42_200_000 + RejectCode.TIME_OUT_OF_RANGE.number


def test_times_inside_the_range_are_read() -> None:
    assert parse_time("1970-01-01", "start") == 0
    assert parse_time("2261-12-31T23:59:59.000001Z", "end") == 9_214_646_399_000_001_000
