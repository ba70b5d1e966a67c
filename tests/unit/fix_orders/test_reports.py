"""Outbound FIX: ExecutionReports in the 4.2 and 4.4 shapes, exact prices, OrderCancelReject
and BusinessMessageReject, and refused-order reports carrying the stable code."""

from __future__ import annotations

import dataclasses

import pytest

from directbroker.adapters.fix.reports import (
    STATUS,
    CancelRefused,
    Execution,
    OrderFacts,
    average_price,
    business_reject,
    cancel_reject,
    execution_report,
    fix_price,
    fix_time,
    refused_order_report,
)
from directbroker.adapters.fix.terms import BusinessReason, FixVersion
from directbroker.adapters.http.ports import TradeEvent
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from tests.unit.fix_orders.messages import new_order_fields

FACTS = OrderFacts(
    order_id="o1",
    cl_ord_id="c2",
    account="A1",
    symbol="AAPL",
    side=Side.SELL_SHORT,
    order_type=OrderType.LIMIT,
    time_in_force=TimeInForce.GTC,
    quantity=100,
    cum_quantity=40,
    leaves_quantity=60,
    avg_price=2_312_345,
    status=OrdStatus.PARTIALLY_FILLED,
    limit_price=2_312_500,
    orig_cl_ord_id="c1",
)
FILL = Execution(
    TradeEvent.PARTIAL_FILL,
    "ARCA.1.o1.1",
    1_796_660_308_652_351_538,
    last_quantity=40,
    last_price=2_312_345,
    venue="ARCA",
)


def tags(outbound: tuple[str, tuple[tuple[int, str], ...]]) -> dict[int, str]:
    body = outbound[1]
    assert len({tag for tag, _ in body}) == len(body), "a tag repeated"
    return dict(body)


def test_fix42_partial_fill() -> None:
    msg_type, _ = report = execution_report(FixVersion.FIX42, FACTS, FILL)
    fields = tags(report)
    assert msg_type == "8"
    assert fields[20] == "0"
    assert fields[150] == "1"
    assert fields[39] == "1"
    assert (fields[37], fields[11], fields[41], fields[17]) == ("o1", "c2", "c1", "ARCA.1.o1.1")
    assert (fields[32], fields[31], fields[30]) == ("40", "231.2345", "ARCA")
    assert (fields[38], fields[14], fields[151], fields[6]) == ("100", "40", "60", "231.2345")
    assert (fields[54], fields[40], fields[44], fields[59]) == ("5", "2", "231.25", "1")
    assert fields[60] == "20261207-16:18:28.652"
    assert fields[1] == "A1"
    assert 35 not in fields and 8 not in fields


def test_fix42_fill_is_exec_type_2_and_fix44_trades_are_f() -> None:
    filled = Execution(TradeEvent.FILL, "x", 0, last_quantity=1, last_price=10_000)
    assert tags(execution_report(FixVersion.FIX42, FACTS, filled))[150] == "2"
    for execution in (filled, FILL):
        fields = tags(execution_report(FixVersion.FIX44, FACTS, execution))
        assert fields[150] == "F"
        assert 20 not in fields
        assert fields[32] == str(execution.last_quantity)


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (TradeEvent.NEW, "0"),
        (TradeEvent.DONE_FOR_DAY, "3"),
        (TradeEvent.CANCELED, "4"),
        (TradeEvent.REPLACED, "5"),
        (TradeEvent.PENDING_CANCEL, "6"),
        (TradeEvent.REJECTED, "8"),
        (TradeEvent.PENDING_NEW, "A"),
        (TradeEvent.EXPIRED, "C"),
        (TradeEvent.PENDING_REPLACE, "E"),
    ],
)
@pytest.mark.parametrize("version", [FixVersion.FIX42, FixVersion.FIX44])
def test_state_changes(version: FixVersion, event: TradeEvent, code: str) -> None:
    fields = tags(execution_report(version, FACTS, Execution(event, "e", 0)))
    assert fields[150] == code
    assert 32 not in fields and 31 not in fields and 30 not in fields


def test_status_reports() -> None:
    status = Execution(STATUS, "s", 0)
    old = tags(execution_report(FixVersion.FIX42, FACTS, status))
    assert (old[20], old[150], old[39]) == ("3", "1", "1")
    new = tags(execution_report(FixVersion.FIX44, FACTS, status))
    assert (new[150], new[39]) == ("I", "1")
    assert 20 not in new


def test_order_types_per_version() -> None:
    on_close = dataclasses.replace(
        FACTS, order_type=OrderType.LIMIT_ON_CLOSE, time_in_force=TimeInForce.CLS
    )
    assert tags(execution_report(FixVersion.FIX42, on_close, FILL))[40] == "B"
    new = tags(execution_report(FixVersion.FIX44, on_close, FILL))
    assert (new[40], new[59]) == ("2", "7")
    peg = dataclasses.replace(FACTS, order_type=OrderType.PEG_MIDPOINT)
    fields = tags(execution_report(FixVersion.FIX44, peg, FILL))
    assert (fields[40], fields[18]) == ("P", "M")


def test_prices_are_exact_decimals() -> None:
    assert fix_price(2_312_500) == "231.25"
    assert fix_price(12_345) == "1.2345"
    assert fix_price(5_000) == "0.5000"
    assert fix_price(None) == "0"
    assert fix_price(1_000_000 * 10_000) == "1000000.00"
    assert average_price(3 * 2_310_000 + 2_310_100, 4) == 2_310_025
    assert average_price(2_310_001 + 2_310_000, 2) == 2_310_001  # half up
    assert average_price(0, 0) == 0


def test_fix_time() -> None:
    assert fix_time(0) == "19700101-00:00:00.000"
    assert fix_time(1_796_660_308_999_999_999) == "20261207-16:18:28.999"


def test_rejected_order_report_repeats_the_request_and_leads_with_the_code() -> None:
    request = new_order_fields(t54="5")
    for version, has_20 in ((FixVersion.FIX42, True), (FixVersion.FIX44, False)):
        fields = tags(
            refused_order_report(
                version, request, "x.8", RejectCode.LOCATE_REQUIRED, "2011 needs a locate", 5
            )
        )
        assert (fields[37], fields[11], fields[150], fields[39]) == ("NONE", "c1", "8", "8")
        assert (20 in fields) is has_20
        assert fields[58].startswith("2011 ")
        assert (fields[55], fields[54], fields[38], fields[44]) == ("AAPL", "5", "100", "231.25")
        assert (fields[151], fields[14], fields[6]) == ("0", "0", "0")
    unknown = tags(
        refused_order_report(
            FixVersion.FIX44, request, "s", RejectCode.UNKNOWN_ORDER, "1011", 0, status_request=True
        )
    )
    assert (unknown[150], unknown[39], unknown[103]) == ("I", "8", "5")


def test_ord_rej_reasons() -> None:
    request = new_order_fields()

    def reason(version: FixVersion, code: RejectCode) -> str:
        report = refused_order_report(version, request, "x", code, "t", 0)
        return tags(report)[103]

    assert reason(FixVersion.FIX42, RejectCode.UNKNOWN_SYMBOL) == "1"
    assert reason(FixVersion.FIX42, RejectCode.DUPLICATE_ORDER_ID) == "6"
    assert reason(FixVersion.FIX42, RejectCode.INSUFFICIENT_BUYING_POWER) == "3"
    assert reason(FixVersion.FIX42, RejectCode.UNSUPPORTED_ORDER_TYPE) == "0"
    assert reason(FixVersion.FIX44, RejectCode.UNSUPPORTED_ORDER_TYPE) == "11"
    assert reason(FixVersion.FIX44, RejectCode.UNKNOWN_ACCOUNT) == "15"
    assert reason(FixVersion.FIX42, RejectCode.UNKNOWN_ACCOUNT) == "0"


@pytest.mark.parametrize(
    ("code", "reason_42", "reason_44"),
    [
        (RejectCode.REPLACE_TOO_LATE, "0", "0"),
        (RejectCode.UNKNOWN_ORDER, "1", "1"),
        (RejectCode.CHANGE_PENDING, "3", "3"),
        (RejectCode.DUPLICATE_ORDER_ID, "2", "6"),
        (RejectCode.OVERLOADED, "2", "2"),
    ],
)
def test_cancel_rejects(code: RejectCode, reason_42: str, reason_44: str) -> None:
    refused = CancelRefused("c3", "c2", True, code, f"{code.number} no", "o1", OrdStatus.NEW, "A1")
    for version, reason in ((FixVersion.FIX42, reason_42), (FixVersion.FIX44, reason_44)):
        msg_type, _ = report = cancel_reject(version, refused)
        fields = tags(report)
        assert msg_type == "9"
        assert (fields[37], fields[11], fields[41], fields[39]) == ("o1", "c3", "c2", "0")
        assert (fields[434], fields[102]) == ("2", reason)
        assert fields[58].startswith(f"{code.number} ")
    cancel = tags(cancel_reject(FixVersion.FIX44, CancelRefused("c", "o", False, code, "t")))
    assert (cancel[434], cancel[37], cancel[39]) == ("1", "NONE", "8")


def test_business_reject() -> None:
    msg_type, _ = report = business_reject(
        FixVersion.FIX44, 7, "D", BusinessReason.NOT_AUTHORIZED, "6005 no", "c1"
    )
    fields = tags(report)
    assert msg_type == "j"
    assert (fields[45], fields[372], fields[379], fields[380]) == ("7", "D", "c1", "6")
    assert fields[58] == "6005 no"
    old = tags(business_reject(FixVersion.FIX42, None, "D", BusinessReason.NOT_AUTHORIZED, "t"))
    assert old[380] == "0"
    assert 45 not in old and 379 not in old
