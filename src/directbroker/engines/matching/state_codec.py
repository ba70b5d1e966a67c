"""The canonical snapshot format both engines write: msgpack of plain, sorted state.

A venue's state is its counters, the ids it has used, its halted symbols and its working orders.
Queue position is fully described by each order's priority sequence number (every queue is in
sequence order), so orders are written sorted by (symbol, sequence) and the fast engine rebuilds
its indexes on restore. Equal states give equal bytes, and the two engines give the same bytes
for the same state, which lets tests compare them by hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, NamedTuple

import msgpack

from directbroker.domain.orders import OrderType, PostOnly, Side, TimeInForce

FORMAT_VERSION = 1


class OrderRecord(NamedTuple):
    """One working order, as plain values in a fixed order."""

    symbol: str
    seq: int
    order_id: str
    participant: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    hidden: bool
    post_only: PostOnly
    display: int | None
    price: int | None
    leaves: int
    filled: int
    shown: int


class VenueState(NamedTuple):
    """A whole venue's state in plain values."""

    mic: str
    seq: int
    trade_id: int
    done: dict[str, str]
    halted: list[str]
    orders: list[OrderRecord]


def encode_state(state: VenueState) -> bytes:
    """Canonical bytes: done ids and halted symbols sorted, orders sorted by (symbol, seq)."""
    orders = sorted(state.orders, key=lambda r: (r.symbol, r.seq))
    plain = [
        FORMAT_VERSION,
        state.mic,
        state.seq,
        state.trade_id,
        sorted(state.done.items()),
        sorted(state.halted),
        [_plain_order(r) for r in orders],
    ]
    data: bytes = msgpack.packb(plain, use_bin_type=True)
    return data


def _plain_order(r: OrderRecord) -> list[Any]:
    return [
        r.symbol,
        r.seq,
        r.order_id,
        r.participant,
        r.side.value,
        r.order_type.value,
        r.time_in_force.value,
        r.hidden,
        r.post_only.value,
        r.display,
        r.price,
        r.leaves,
        r.filled,
        r.shown,
    ]


def decode_state(data: bytes, mic: str) -> VenueState:
    """Read bytes written by :func:`encode_state` for the venue ``mic``."""
    plain = msgpack.unpackb(data, raw=False, strict_map_key=True)
    if not isinstance(plain, list) or len(plain) != 7 or plain[0] != FORMAT_VERSION:
        raise ValueError("not a venue snapshot of a known version")
    _, snap_mic, seq, trade_id, done, halted, orders = plain
    if snap_mic != mic:
        raise ValueError(f"snapshot of venue {snap_mic!r}, not {mic!r}")
    records = [
        OrderRecord(
            symbol,
            sq,
            order_id,
            participant,
            Side(side),
            OrderType(order_type),
            TimeInForce(tif),
            hidden,
            PostOnly(post_only),
            display,
            price,
            leaves,
            filled,
            shown,
        )
        for (
            symbol,
            sq,
            order_id,
            participant,
            side,
            order_type,
            tif,
            hidden,
            post_only,
            display,
            price,
            leaves,
            filled,
            shown,
        ) in orders
    ]
    return VenueState(snap_mic, seq, trade_id, dict(done), list(halted), records)


def digest(snapshot: bytes) -> str:
    """The state hash: sha256 of the canonical snapshot."""
    return hashlib.sha256(snapshot).hexdigest()


def sorted_records(records: Iterable[OrderRecord]) -> list[OrderRecord]:
    """Records in the canonical order (the order restore must re-insert them in)."""
    return sorted(records, key=lambda r: (r.symbol, r.seq))
