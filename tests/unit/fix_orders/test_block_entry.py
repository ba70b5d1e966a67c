"""Block orders over FIX: a NewOrderSingle for a session's group, with and without its NoAllocs
pre-allocation, in FIX 4.2 and 4.4, and every refusal with its stable code (nothing placed)."""

from __future__ import annotations

import dataclasses

import pytest

from directbroker.adapters.fix.block_entry import group_of, new_block
from directbroker.adapters.fix.order_entry import new_order, replace_request
from directbroker.adapters.fix.terms import BusinessReason, FixRefusal, FixVersion, SessionTerms
from directbroker.domain.block_messages import PlaceBlockOrder
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.portfolio_messages import AllocationMethod
from directbroker.domain.rejects import RejectCode
from directbroker.protocols.fix.fix42 import FIX42
from directbroker.protocols.fix.fix44 import FIX44
from directbroker.protocols.fix.message import FixMessage
from directbroker.protocols.fix.validation import validate
from tests.unit.fix_orders.messages import VERSIONS, message, new_order_fields, terms

versions = pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.value)

MEMBERS = ("A1", "A2", "A3")
ALLOCS = ((78, "2"), (79, "A1"), (80, "60"), (79, "A3"), (80, "40"))


def group_terms(version: FixVersion) -> SessionTerms:
    return dataclasses.replace(terms(version), groups=frozenset({"G1"}))


def block(version: FixVersion, *allocs: tuple[int, str], **changes: str | None) -> PlaceBlockOrder:
    return block_of(version, allocs, MEMBERS, changes)


def block_of(
    version: FixVersion,
    allocs: tuple[tuple[int, str], ...],
    members: tuple[str, ...] | None,
    changes: dict[str, str | None],
) -> PlaceBlockOrder:
    fields = [*new_order_fields(t1="G1", **changes), *allocs]
    msg = message(version, "D", *fields)
    return new_block(msg, group_terms(version), "blk-1", "fix:S", members)


def refused(version: FixVersion, *allocs: tuple[int, str], **changes: str | None) -> FixRefusal:
    with pytest.raises(FixRefusal) as caught:
        block(version, *allocs, **changes)
    return caught.value


@versions
def test_a_group_order_with_pre_allocations_is_a_block_with_its_shares(
    version: FixVersion,
) -> None:
    command = block(version, *ALLOCS)
    assert command.block_id == "blk-1"
    assert command.client_order_id == "c1"
    assert command.group == "G1"
    assert command.actor == "fix:S"
    assert (command.symbol, command.side, command.quantity) == ("AAPL", Side.BUY, 100)
    assert command.order_type is OrderType.LIMIT
    assert command.limit_price == 2_312_500
    assert command.time_in_force is TimeInForce.DAY
    assert command.method is AllocationMethod.SHARES
    assert command.accounts == ("A1", "A3")
    assert command.quantities == (60, 40)
    assert command.weights == ()


@versions
def test_a_group_order_without_allocations_waits_for_an_instruction(version: FixVersion) -> None:
    command = block(version, t40="1", t44=None)
    assert command.order_type is OrderType.MARKET
    assert command.limit_price is None
    assert command.method is None
    assert (command.accounts, command.quantities) == ((), ())


def test_fix44_entries_may_carry_their_source_currency_and_id() -> None:
    allocs = ((78, "2"), (79, "A1"), (661, "1"), (736, "USD"), (467, "i1"), (80, "60"),
              (79, "A2"), (467, "i2"), (80, "40"))  # fmt: skip
    command = block(FixVersion.FIX44, *allocs)
    assert (command.accounts, command.quantities) == (("A1", "A2"), (60, 40))


def test_fix42_entries_are_79_and_80_only() -> None:
    allocs = ((78, "1"), (79, "A1"), (661, "1"), (80, "100"))
    caught = refused(FixVersion.FIX42, *allocs)
    assert caught.code is RejectCode.MALFORMED
    assert "FIX.4.2" in caught.text
    caught = refused(FixVersion.FIX44, (78, "1"), (79, "A1"), (736, "EUR"), (80, "100"))
    assert caught.code is RejectCode.INVALID_ATTRIBUTES


@versions
def test_allocations_that_do_not_fit_the_group_are_refused(version: FixVersion) -> None:
    stranger = refused(version, (78, "2"), (79, "A1"), (80, "60"), (79, "B9"), (80, "40"))
    assert stranger.code is RejectCode.INVALID_ALLOCATION
    assert "'B9'" in stranger.text and stranger.business is None
    short = refused(version, (78, "2"), (79, "A1"), (80, "60"), (79, "A2"), (80, "30"))
    assert short.code is RejectCode.INVALID_ALLOCATION
    assert "add up to 90" in short.text
    twice = refused(version, (78, "2"), (79, "A1"), (80, "60"), (79, "A1"), (80, "40"))
    assert twice.code is RejectCode.INVALID_ALLOCATION
    no_qty = refused(version, (78, "2"), (79, "A1"), (80, "100"), (79, "A2"))
    assert no_qty.code is RejectCode.INVALID_ALLOCATION
    fraction = refused(version, (78, "2"), (79, "A1"), (80, "60.5"), (79, "A2"), (80, "39.5"))
    assert fraction.code is RejectCode.WHOLE_SHARES_ONLY
    zero = refused(version, (78, "2"), (79, "A1"), (80, "100"), (79, "A2"), (80, "0"))
    assert zero.code is RejectCode.QUANTITY_NOT_POSITIVE


@versions
def test_a_malformed_repeating_group_is_refused(version: FixVersion) -> None:
    miscounted = refused(version, (78, "3"), (79, "A1"), (80, "60"), (79, "A2"), (80, "40"))
    assert miscounted.code is RejectCode.MALFORMED
    assert refused(version, (78, "1"), (80, "100"), (79, "A1")).code is RejectCode.MALFORMED
    assert refused(version, (78, "x")).code is RejectCode.MALFORMED
    assert refused(version, (78, "0")).code is RejectCode.MALFORMED
    assert refused(version, (79, "A1"), (80, "100")).code is RejectCode.MALFORMED
    repeated = refused(version, (78, "1"), (79, "A1"), (80, "50"), (80, "50"))
    assert repeated.code is RejectCode.MALFORMED


@versions
def test_an_unknown_group_and_terms_a_block_lacks_are_refused(version: FixVersion) -> None:
    with pytest.raises(FixRefusal) as caught:
        block_of(version, ALLOCS, None, {})
    assert caught.value.code is RejectCode.UNKNOWN_GROUP
    assert caught.value.text.startswith("5014 ")
    assert refused(version, t99="230").code is RejectCode.INVALID_ATTRIBUTES
    assert refused(version, t111="10").code is RejectCode.INVALID_ATTRIBUTES
    assert refused(version, t15="EUR").code is RejectCode.INVALID_ATTRIBUTES
    assert refused(version, t38=None).code is RejectCode.QUANTITY_NOT_POSITIVE


@versions
def test_only_the_sessions_groups_are_blocks(version: FixVersion) -> None:
    session = group_terms(version)
    assert group_of(message(version, "D", *new_order_fields(t1="G1")), session) == "G1"
    assert group_of(message(version, "D", *new_order_fields(t1="A1")), session) is None
    assert group_of(message(version, "D", *new_order_fields(t1="G2")), session) is None
    other = message(version, "D", *new_order_fields(t1="G2"), *ALLOCS)
    with pytest.raises(FixRefusal) as caught:
        new_block(other, session, "blk-1", "fix:S", MEMBERS)
    assert caught.value.code is RejectCode.ACCOUNT_NOT_PERMITTED
    assert caught.value.business is not None


@versions
def test_an_account_order_with_allocations_is_still_refused_whole(version: FixVersion) -> None:
    session = group_terms(version)
    with pytest.raises(FixRefusal) as caught:
        new_order(message(version, "D", *new_order_fields(), *ALLOCS), session, "ord-1")
    assert caught.value.code is RejectCode.BLOCK_ORDERS_UNSUPPORTED
    assert caught.value.business is BusinessReason.OTHER
    with pytest.raises(FixRefusal) as caught:
        new_order(message(version, "D", *new_order_fields(t1="G1")), session, "ord-1")
    assert caught.value.code is RejectCode.INVALID_ATTRIBUTES


@versions
def test_a_block_cannot_be_replaced(version: FixVersion) -> None:
    body = [(41, "c1"), *new_order_fields(t11="c2", t1="G1")]
    with pytest.raises(FixRefusal) as caught:
        replace_request(message(version, "G", *body), group_terms(version))
    assert caught.value.code is RejectCode.INVALID_REPLACE
    assert caught.value.business is None


@versions
def test_the_session_dictionaries_take_a_pre_allocated_new_order(version: FixVersion) -> None:
    """The session validates every inbound message first: a block must get past it."""
    dictionary = FIX42 if version is FixVersion.FIX42 else FIX44
    header = [(8, version.value), (9, "100"), (35, "D"), (34, "2"), (49, "PM"),
              (52, "20261201-10:00:00.000"), (56, "DBRK")]  # fmt: skip
    body = [(11, "c1"), (1, "G1"), *ALLOCS, (21, "1"), (55, "AAPL"), (54, "1"),
            (60, "20261201-10:00:00"), (38, "100"), (40, "2"), (44, "231.25")]  # fmt: skip
    assert validate(FixMessage.of([*header, *body, (10, "000")]), dictionary) is None
    command = new_block(
        message(version, "D", *body), group_terms(version), "blk-1", "fix:S", MEMBERS
    )
    assert command.quantities == (60, 40)
