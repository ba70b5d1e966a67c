"""Inbound FIX order entry: every tag of NewOrderSingle, cancel, replace and status requests,
in FIX 4.2 and 4.4, and every refusal with its stable code and its kind (business reject or
order reject)."""

from __future__ import annotations

import dataclasses

import pytest

from directbroker.adapters.fix.order_entry import (
    cancel_request,
    check_replace_terms,
    new_order,
    replace_request,
    status_request,
)
from directbroker.adapters.fix.terms import BusinessReason, FixRefusal, FixVersion
from directbroker.adapters.http.ports import OrderView
from directbroker.domain.broker_messages import PlaceOrder
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import SMART
from tests.unit.fix_orders.messages import VERSIONS, message, new_order_fields, terms

versions = pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.value)


def place(version: FixVersion, *accounts: str, **changes: str | None) -> PlaceOrder:
    fields = new_order_fields(**changes)
    return new_order(message(version, "D", *fields), terms(version, *accounts), "ord-1")


def refusal(version: FixVersion, *accounts: str, **changes: str | None) -> FixRefusal:
    with pytest.raises(FixRefusal) as caught:
        place(version, *accounts, **changes)
    return caught.value


@versions
def test_a_limit_order_maps_every_tag(version: FixVersion) -> None:
    command = place(version, t100="arca", t111="20", t38="100.0", t44="231.25")
    assert command.order_id == "ord-1"
    assert command.client_order_id == "c1"
    assert command.account == "A1"
    assert command.symbol == "AAPL"
    assert command.side is Side.BUY
    assert command.order_type is OrderType.LIMIT
    assert command.quantity == 100
    assert command.limit_price == 2_312_500
    assert command.stop_price is None
    assert command.time_in_force is TimeInForce.DAY
    assert command.route == "ARCA"
    assert command.display_quantity == 20
    assert command.hidden is False
    assert command.post_only is PostOnly.NO


@versions
@pytest.mark.parametrize(
    ("code", "side"),
    [("1", Side.BUY), ("2", Side.SELL), ("5", Side.SELL_SHORT), ("6", Side.SELL_SHORT_EXEMPT)],
)
def test_sides(version: FixVersion, code: str, side: Side) -> None:
    assert place(version, t54=code).side is side


@versions
@pytest.mark.parametrize(
    ("ord_type", "tif", "kind", "time_in_force"),
    [
        ("1", "0", OrderType.MARKET, TimeInForce.DAY),
        ("2", "1", OrderType.LIMIT, TimeInForce.GTC),
        ("2", "3", OrderType.LIMIT, TimeInForce.IOC),
        ("2", "4", OrderType.LIMIT, TimeInForce.FOK),
        ("3", "0", OrderType.STOP, TimeInForce.DAY),
        ("4", "1", OrderType.STOP_LIMIT, TimeInForce.GTC),
        ("1", "2", OrderType.MARKET_ON_OPEN, TimeInForce.OPG),
        ("2", "2", OrderType.LIMIT_ON_OPEN, TimeInForce.OPG),
        ("1", "7", OrderType.MARKET_ON_CLOSE, TimeInForce.CLS),
        ("2", "7", OrderType.LIMIT_ON_CLOSE, TimeInForce.CLS),
    ],
)
def test_order_types_and_times_in_force(
    version: FixVersion, ord_type: str, tif: str, kind: OrderType, time_in_force: TimeInForce
) -> None:
    command = place(version, t40=ord_type, t59=tif, t99="230.00" if ord_type in "34" else None)
    assert (command.order_type, command.time_in_force) == (kind, time_in_force)
    assert command.stop_price == (2_300_000 if ord_type in "34" else None)


def test_time_in_force_defaults_to_day() -> None:
    assert place(FixVersion.FIX44, t59=None).time_in_force is TimeInForce.DAY


def test_fix42_on_close_order_types() -> None:
    market = place(FixVersion.FIX42, t40="5", t44=None)
    limit = place(FixVersion.FIX42, t40="B")
    assert (market.order_type, market.time_in_force) == (
        OrderType.MARKET_ON_CLOSE,
        TimeInForce.CLS,
    )
    assert (limit.order_type, limit.time_in_force) == (OrderType.LIMIT_ON_CLOSE, TimeInForce.CLS)


def test_fix44_has_no_ord_type_5() -> None:
    assert refusal(FixVersion.FIX44, t40="5").code is RejectCode.UNSUPPORTED_ORDER_TYPE


@versions
@pytest.mark.parametrize(
    ("instruction", "kind"),
    [("P", OrderType.PEG_MARKET), ("R", OrderType.PEG_PRIMARY), ("M", OrderType.PEG_MIDPOINT)],
)
def test_pegs_are_ord_type_p_with_the_peg_in_exec_inst(
    version: FixVersion, instruction: str, kind: OrderType
) -> None:
    assert place(version, t40="P", t18=instruction, t44=None).order_type is kind


@versions
def test_exec_inst(version: FixVersion) -> None:
    assert place(version, t18="6").post_only is PostOnly.REJECT
    assert place(version, t18="1 6").post_only is PostOnly.REJECT
    assert place(version, t18="5").post_only is PostOnly.NO
    assert refusal(version, t18="M").code is RejectCode.INVALID_ATTRIBUTES
    assert refusal(version, t40="P", t18="6").code is RejectCode.INVALID_ATTRIBUTES
    assert refusal(version, t18="Z").code is RejectCode.INVALID_ATTRIBUTES


@versions
def test_max_floor_zero_hides_the_order(version: FixVersion) -> None:
    command = place(version, t111="0")
    assert command.hidden is True
    assert command.display_quantity is None


@versions
def test_route_defaults_to_smart(version: FixVersion) -> None:
    assert place(version, t100=None).route == SMART
    assert place(version, t100="smart").route == SMART


@versions
def test_account_is_optional_with_one_account(version: FixVersion) -> None:
    assert place(version, "A9", t1=None).account == "A9"


@versions
@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"t54": "3"}, RejectCode.MALFORMED),
        ({"t54": None}, RejectCode.MALFORMED),
        ({"t40": "J"}, RejectCode.UNSUPPORTED_ORDER_TYPE),
        ({"t59": "6"}, RejectCode.INVALID_TIME_IN_FORCE),
        ({"t59": "5"}, RejectCode.INVALID_TIME_IN_FORCE),
        ({"t40": "3", "t59": "2"}, RejectCode.INVALID_TIME_IN_FORCE),
        ({"t44": "231.255"}, RejectCode.PRICE_OFF_TICK),
        ({"t44": "231.2"}, None),
        ({"t44": "1e2"}, RejectCode.MALFORMED),
        ({"t44": "-5"}, RejectCode.MALFORMED),
        ({"t44": "0"}, RejectCode.PRICE_OUT_OF_RANGE),
        ({"t44": "abc"}, RejectCode.MALFORMED),
        ({"t99": "12.345"}, RejectCode.PRICE_OFF_TICK),
        ({"t38": "10.5"}, RejectCode.WHOLE_SHARES_ONLY),
        ({"t38": "0"}, RejectCode.QUANTITY_NOT_POSITIVE),
        ({"t38": "1000000000"}, RejectCode.QUANTITY_TOO_LARGE),
        ({"t38": None}, RejectCode.QUANTITY_NOT_POSITIVE),
        ({"t152": "1000"}, RejectCode.WHOLE_SHARES_ONLY),
        ({"t15": "EUR"}, RejectCode.INVALID_ATTRIBUTES),
        ({"t114": "X"}, RejectCode.MALFORMED),
        ({"t211": "0.05"}, RejectCode.INVALID_ATTRIBUTES),
        ({"t100": "A:B"}, RejectCode.ROUTE_UNKNOWN_VENUE),
        ({"t55": None}, RejectCode.UNKNOWN_SYMBOL),
        ({"t111": "2.5"}, RejectCode.WHOLE_SHARES_ONLY),
    ],
)
def test_bad_values_are_order_rejects_with_stable_codes(
    version: FixVersion, changes: dict[str, str | None], code: RejectCode | None
) -> None:
    if code is None:
        place(version, **changes)
        return
    refused = refusal(version, **changes)
    assert refused.code is code
    assert refused.business is None
    assert refused.text.startswith(f"{code.number} ")


@versions
def test_short_sale_locate_tags_are_accepted(version: FixVersion) -> None:
    """The OMS decides locates (easy-to-borrow list or a locate on record); the client's
    LocateReqd and locate broker do not stand in for either."""
    command = place(version, t54="5", t114="N", t5700="BROKERX")
    assert command.side is Side.SELL_SHORT


@versions
def test_account_not_permitted_is_a_business_reject(version: FixVersion) -> None:
    refused = refusal(version, t1="B1")
    assert refused.code is RejectCode.ACCOUNT_NOT_PERMITTED
    expected = BusinessReason.NOT_AUTHORIZED
    if version is FixVersion.FIX42:
        expected = BusinessReason.OTHER  # 4.2 has no "not authorized" reason
    assert refused.business is expected
    assert refused.text.startswith("6005 ")


@versions
def test_missing_account_with_several_is_a_business_reject(version: FixVersion) -> None:
    refused = refusal(version, "A1", "A2", t1=None)
    assert refused.business is BusinessReason.FIELD_MISSING


@versions
def test_client_order_ids(version: FixVersion) -> None:
    assert refusal(version, t11=None).business is BusinessReason.FIELD_MISSING
    too_long = refusal(version, t11="x" * 129)
    assert too_long.code is RejectCode.INVALID_CLIENT_TEXT
    assert too_long.business is BusinessReason.OTHER
    assert refusal(version, t11="a\x7fb").code is RejectCode.INVALID_CLIENT_TEXT


@versions
def test_pre_allocations_on_an_accounts_own_order_are_refused(version: FixVersion) -> None:
    fields = [*new_order_fields(), (78, "2"), (79, "G1"), (80, "60"), (79, "G2"), (80, "40")]
    with pytest.raises(FixRefusal) as caught:
        new_order(message(version, "D", *fields), terms(version), "ord-1")
    assert caught.value.code is RejectCode.BLOCK_ORDERS_UNSUPPORTED
    assert caught.value.business is BusinessReason.OTHER
    assert "1031 " in caught.value.text
    assert place(version, t78="0").quantity == 100


@versions
def test_cancel_request(version: FixVersion) -> None:
    body = ((41, "c1"), (11, "c2"), (1, "A1"), (55, "AAPL"), (54, "1"), (37, "fx-1"))
    request = cancel_request(message(version, "F", *body), terms(version))
    assert (request.cl_ord_id, request.orig_cl_ord_id, request.account, request.order_id) == (
        "c2",
        "c1",
        "A1",
        "fx-1",
    )
    with pytest.raises(FixRefusal) as caught:
        cancel_request(message(version, "F", (11, "c2"), (1, "A1")), terms(version))
    assert caught.value.business is BusinessReason.FIELD_MISSING


def _order(**changes: object) -> OrderView:
    view = OrderView(
        order_id="o1",
        client_order_id="c1",
        account="A1",
        symbol="AAPL",
        side=Side.BUY,
        order_type=OrderType.LIMIT,
        time_in_force=TimeInForce.DAY,
        quantity=100,
        filled_quantity=0,
        filled_avg_price=None,
        limit_price=2_312_500,
        stop_price=None,
        status=OrdStatus.NEW,
        created_ns=1,
        updated_ns=1,
        route="ARCA",
    )
    return dataclasses.replace(view, **changes)  # type: ignore[arg-type]


@versions
def test_replace_request_changes_size_and_price_only(version: FixVersion) -> None:
    body = [(41, "c1"), (11, "c2"), (1, "A1"), (55, "AAPL"), (54, "1"), (38, "150")]
    body += [(40, "2"), (44, "230.50"), (59, "0"), (100, "ARCA")]
    request = replace_request(message(version, "G", *body), terms(version))
    assert (request.cl_ord_id, request.orig_cl_ord_id, request.quantity) == ("c2", "c1", 150)
    assert request.limit_price == 2_305_000
    check_replace_terms(request, _order())
    on_close = [(t, v) for t, v in body if t != 59]
    check_replace_terms(
        replace_request(message(version, "G", *on_close), terms(version)),
        _order(order_type=OrderType.LIMIT_ON_CLOSE, time_in_force=TimeInForce.CLS),
    )
    for view in (_order(side=Side.SELL), _order(route="NSDQ"), _order(order_type=OrderType.STOP)):
        with pytest.raises(FixRefusal) as caught:
            check_replace_terms(request, view)
        assert caught.value.code is RejectCode.INVALID_REPLACE
        assert caught.value.business is None


@versions
def test_replace_refusals(version: FixVersion) -> None:
    base = [(41, "c1"), (11, "c2"), (1, "A1"), (55, "AAPL"), (54, "1"), (40, "2")]
    with pytest.raises(FixRefusal) as caught:
        replace_request(message(version, "G", *base), terms(version))
    assert caught.value.code is RejectCode.QUANTITY_NOT_POSITIVE
    with pytest.raises(FixRefusal) as caught:
        replace_request(message(version, "G", *base, (38, "10"), (111, "0")), terms(version))
    assert caught.value.code is RejectCode.INVALID_REPLACE
    with pytest.raises(FixRefusal) as caught:
        replace_request(message(version, "G", *base, (38, "10"), (78, "1")), terms(version))
    assert caught.value.code is RejectCode.BLOCK_ORDERS_UNSUPPORTED


@versions
def test_status_request(version: FixVersion) -> None:
    body = ((11, "c1"), (1, "A1"), (55, "AAPL"), (54, "1"))
    request = status_request(message(version, "H", *body), terms(version))
    assert (request.cl_ord_id, request.account, request.order_id) == ("c1", "A1", "")
    with pytest.raises(FixRefusal) as caught:
        status_request(message(version, "H", (11, "c1"), (1, "B1")), terms(version))
    assert caught.value.code is RejectCode.ACCOUNT_NOT_PERMITTED
