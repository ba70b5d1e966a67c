"""Block orders over FIX: a NewOrderSingle for an account group becomes a
:class:`~directbroker.domain.block_messages.PlaceBlockOrder`.

Account (1) names a group the session may use; the NoAllocs (78) repeating group, when
present, is the pre-allocation: each entry an AllocAccount (79), a member of the group, with
its AllocShares (80; FIX 4.4 calls it AllocQty), the shares adding up to OrderQty (38). The
group's shape differs by version: 4.2 has only 79 and 80; 4.4 adds AllocAcctIDSource (661),
AllocSettlCurrency (736) and IndividualAllocID (467), accepted when they change nothing. What
does not fit is refused here with a stable code, before anything reaches the platform; the
broker core checks the instruction again when it places the block (ADR 0021, ADR 0023).
"""

from __future__ import annotations

from collections.abc import Sequence

from directbroker.adapters.fix.order_entry import order_type_of, route_of, time_in_force_of
from directbroker.adapters.fix.terms import (
    BusinessReason,
    FixRefusal,
    FixVersion,
    SessionTerms,
    account_of,
    client_id,
    price_of,
    quantity_of,
    refuse,
    side_of,
    version_of,
)
from directbroker.domain.block_messages import PlaceBlockOrder
from directbroker.domain.portfolio_messages import AllocationMethod
from directbroker.domain.rejects import RejectCode
from directbroker.protocols.fix.message import FixMessage

NO_ALLOCS, ALLOC_ACCOUNT, ALLOC_SHARES = 78, 79, 80
MAX_ALLOCATIONS = 1_000
"""More entries than any group could have members: refused before they are read."""

_ENTRY_TAGS = {
    FixVersion.FIX42: frozenset({ALLOC_ACCOUNT, ALLOC_SHARES}),
    FixVersion.FIX44: frozenset({ALLOC_ACCOUNT, 661, 736, 467, ALLOC_SHARES}),
}
"""The tags of one NoAllocs entry in each version (4.4's NestedParties are not offered)."""

_NOT_FOR_BLOCKS = {
    99: "StopPx",
    111: "MaxFloor",
    18: "ExecInst",
    152: "CashOrderQty",
    211: "PegOffsetValue",
}
"""Order terms a block does not carry (it is a market or limit parent, worked as routed)."""


def group_of(message: FixMessage, terms: SessionTerms) -> str | None:
    """The group Account (1) names, when it is one of the session's groups."""
    account = message.get(1)
    return account if account is not None and account in terms.groups else None


def _entry_tags(message: FixMessage) -> list[tuple[int, str]]:
    """The fields from NoAllocs (78) on, as far as they are allocation fields."""
    fields = message.fields
    start = next((i for i, (tag, _) in enumerate(fields) if tag == NO_ALLOCS), None)
    if start is None:
        return []
    every = _ENTRY_TAGS[FixVersion.FIX44]
    out: list[tuple[int, str]] = []
    for tag, value in fields[start + 1 :]:
        if tag not in every:
            break
        out.append((tag, value))
    return out


def allocations_of(
    message: FixMessage, version: FixVersion
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The pre-allocation's accounts and shares, in the order sent (empty: none given)."""
    count_text = message.get(NO_ALLOCS)
    if count_text is None:
        if message.all(ALLOC_ACCOUNT) or message.all(ALLOC_SHARES):
            raise refuse(RejectCode.MALFORMED, "AllocAccount (79) and (80) need NoAllocs (78)")
        return (), ()
    if not count_text.isdigit() or not 0 < int(count_text) <= MAX_ALLOCATIONS:
        raise refuse(RejectCode.MALFORMED, f"NoAllocs (78) {count_text!r} is not 1-1000")
    allowed = _ENTRY_TAGS[version]
    entries: list[dict[int, str]] = []
    for tag, value in _entry_tags(message):
        if tag not in allowed:
            raise refuse(RejectCode.MALFORMED, f"tag {tag} is not in {version.value}'s NoAllocs")
        if tag == ALLOC_ACCOUNT:
            entries.append({})
        elif not entries:
            raise refuse(RejectCode.MALFORMED, "each NoAllocs (78) entry starts with 79")
        if tag in entries[-1]:
            raise refuse(RejectCode.MALFORMED, f"tag {tag} repeated in one NoAllocs entry")
        entries[-1][tag] = value
    if len(entries) != int(count_text) or len(entries) != len(message.all(ALLOC_ACCOUNT)):
        raise refuse(
            RejectCode.MALFORMED,
            f"NoAllocs (78) says {count_text} entries; {len(entries)} were sent in the group",
        )
    accounts: list[str] = []
    shares: list[int] = []
    for entry in entries:
        currency = entry.get(736)
        if currency is not None and currency != "USD":
            raise refuse(RejectCode.INVALID_ATTRIBUTES, f"AllocSettlCurrency (736) {currency!r}")
        text = entry.get(ALLOC_SHARES)
        if text is None:
            raise refuse(RejectCode.INVALID_ALLOCATION, f"{entry[ALLOC_ACCOUNT]!r} has no (80)")
        one = FixMessage.of([(ALLOC_SHARES, text)])
        quantity = quantity_of(one, ALLOC_SHARES, "AllocShares")
        assert quantity is not None
        accounts.append(entry[ALLOC_ACCOUNT])
        shares.append(quantity)
    return tuple(accounts), tuple(shares)


def check_allocation(
    accounts: Sequence[str], shares: Sequence[int], members: Sequence[str], quantity: int
) -> None:
    """Each account named once, a member of the group, the shares adding up to the block."""
    if len(set(accounts)) != len(accounts):
        raise refuse(RejectCode.INVALID_ALLOCATION, "an AllocAccount (79) is named twice")
    strangers = [account for account in accounts if account not in members]
    if strangers:
        raise refuse(
            RejectCode.INVALID_ALLOCATION,
            f"AllocAccount (79) {strangers[0]!r} is not in the group",
        )
    if sum(shares) != quantity:
        raise refuse(
            RejectCode.INVALID_ALLOCATION,
            f"the AllocShares (80) add up to {sum(shares)}, OrderQty (38) is {quantity}",
        )


def new_block(
    message: FixMessage,
    terms: SessionTerms,
    block_id: str,
    actor: str,
    members: Sequence[str] | None,
) -> PlaceBlockOrder:
    """The :class:`PlaceBlockOrder` a NewOrderSingle for a group asks for. ``members`` are
    the group's accounts as the platform knows them (None: no such group)."""
    version = version_of(message, terms)
    cl_ord_id = client_id(message, 11, "ClOrdID")
    group = account_of(message, terms, version)
    if group not in terms.groups:
        raise FixRefusal(
            RejectCode.BLOCK_ORDERS_UNSUPPORTED,
            f"Account (1) {group} is not a group of this session",
            business=BusinessReason.OTHER,
        )
    if members is None:
        raise refuse(RejectCode.UNKNOWN_GROUP, f"no account group {group}")
    for tag, name in _NOT_FOR_BLOCKS.items():
        if message.get(tag) is not None:
            raise refuse(RejectCode.INVALID_ATTRIBUTES, f"{name} ({tag}): not for a block order")
    currency = message.get(15)
    if currency is not None and currency != "USD":
        raise refuse(RejectCode.INVALID_ATTRIBUTES, f"Currency (15) {currency!r}: USD only")
    symbol = message.get(55) or ""
    if not symbol or len(symbol) > 16 or not all(" " < c <= "~" for c in symbol):
        raise refuse(RejectCode.UNKNOWN_SYMBOL, f"Symbol (55) {symbol!r}")
    side = side_of(message)
    quantity = quantity_of(message, 38, "OrderQty")
    if quantity is None:
        raise refuse(RejectCode.QUANTITY_NOT_POSITIVE, "OrderQty (38) is required")
    kind, tif = order_type_of(message, version, time_in_force_of(message))
    accounts, shares = allocations_of(message, version)
    if accounts:
        check_allocation(accounts, shares, members, quantity)
    return PlaceBlockOrder(
        block_id=block_id,
        client_order_id=cl_ord_id,
        group=group,
        symbol=symbol,
        side=side,
        order_type=kind,
        quantity=quantity,
        actor=actor,
        limit_price=price_of(message, 44, "Price"),
        time_in_force=tif,
        route=route_of(message),
        method=AllocationMethod.SHARES if accounts else None,
        accounts=accounts,
        quantities=shares,
    )
