"""Who entered an order over FIX, for the order ticket: the counterparty's SenderCompID."""

from __future__ import annotations

from directbroker.adapters.fix.order_entry import entered_by, new_order
from directbroker.adapters.fix.terms import FixVersion
from directbroker.protocols.fix.message import FixMessage
from tests.unit.fix_orders.messages import message, new_order_fields, terms


def test_a_fix_order_is_entered_by_the_counterpartys_sender_comp_id() -> None:
    version = FixVersion.FIX42
    order = new_order(message(version, "D", *new_order_fields()), terms(version), "ord-1")
    assert order.entered_by == "fix:CLIENT"
    # Without a SenderCompID (never after a session validated it) the session names it.
    bare = FixMessage.of(new_order_fields())
    assert entered_by(bare, terms(version)) == "fix:S"
