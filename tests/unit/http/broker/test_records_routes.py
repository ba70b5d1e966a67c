"""``GET /v1/firm/records/orders/{order_id}``: an order's ticket for compliance and operations
staff, folded from committed broker batches; unknown orders are 404, other roles 403."""

from __future__ import annotations

from directbroker.adapters.http.ports import Role
from directbroker.app.records_ports import PlatformRecords
from directbroker.domain.broker_messages import CancelCustomerOrder, PlaceOrder
from directbroker.domain.orders import OrderType, Side
from directbroker.runtime.sequencer import Outcome
from directbroker.testing.broker_api import broker_test_app
from directbroker.testing.broker_harness import BrokerHarness, dollars


def _records() -> PlatformRecords:
    h = BrokerHarness()
    h.open_account("A1", "100000.00")
    h.quote("AAPL", "199.00", "201.00", size=100)
    h.send(PlaceOrder("o1", "c1", "A1", "AAPL", Side.BUY, OrderType.LIMIT, 10, dollars("150"),
                      entered_by="key:K1"))  # fmt: skip
    h.send(CancelCustomerOrder("o1", "A1", actor="staff:S1"))
    core = h.new_core()
    records = PlatformRecords()
    for seq, (message, ts) in enumerate(h.inputs, start=1):
        events = tuple(core.handle(message, ts))
        records.apply([message], [Outcome(seq, ts, events)])
        # A retried command's outcome is the original's: it is not folded twice.
        records.apply([message], [Outcome(seq, ts, events, duplicate=True)])
    return records


def test_staff_read_an_orders_ticket_and_nobody_else_does() -> None:
    with broker_test_app(records=_records()) as kit:
        with kit.client(Role.COMPLIANCE) as compliance:
            answer = compliance.get("/v1/firm/records/orders/o1")
            assert answer.status_code == 200, answer.text
            ticket = answer.json()
            assert (ticket["order_id"], ticket["entered_by"], ticket["status"]) == (
                "o1", "key:K1", "canceled",
            )  # fmt: skip
            assert ticket["cancellation"]["by"] == "staff:S1"
            assert [h["to"] for h in ticket["history"]].count("canceled") == 1
            missing = compliance.get("/v1/firm/records/orders/nope")
            assert missing.status_code == 404 and "nope" in missing.json()["message"]
        with kit.client(Role.OPERATIONS) as operations:
            assert operations.get("/v1/firm/records/orders/o1").status_code == 200
        with kit.client(Role.RISK) as risk:
            assert risk.get("/v1/firm/records/orders/o1").status_code == 403
        with kit.anonymous() as nobody:
            assert nobody.get("/v1/firm/records/orders/o1").status_code == 401
