"""Who entered an order, as each entry point records it for the order ticket: the FIX
counterparty's SenderCompID, the Trading API's key, the staff key trading on behalf."""

from __future__ import annotations

from directbroker.adapters.fix.order_entry import entered_by, new_order
from directbroker.adapters.fix.terms import FixVersion
from directbroker.adapters.http.broker.trading_on_behalf_routes import OnBehalfContext
from directbroker.adapters.http.context import ApiContext
from directbroker.adapters.http.ports import Principal, Role
from directbroker.protocols.fix.message import FixMessage
from tests.unit.fix_orders.messages import message, new_order_fields, terms


def test_a_fix_order_is_entered_by_the_counterpartys_sender_comp_id() -> None:
    version = FixVersion.FIX42
    order = new_order(message(version, "D", *new_order_fields()), terms(version), "ord-1")
    assert order.entered_by == "fix:CLIENT"
    # Without a SenderCompID (never after a session validated it) the session names it.
    bare = FixMessage.of(new_order_fields())
    assert entered_by(bare, terms(version)) == "fix:S"


def test_api_orders_are_entered_by_the_key_and_on_behalf_orders_by_the_staff_key() -> None:
    who = Principal("u1", "K123", Role.CUSTOMER, frozenset({"A1"}), "A1")
    assert ApiContext.entered_by(object.__new__(ApiContext), who) == "key:K123"
    staff = Principal("ops:olga", "S9", Role.OPERATIONS, frozenset({"A1"}), "A1")
    assert OnBehalfContext.entered_by(object.__new__(OnBehalfContext), staff) == "staff:S9"
