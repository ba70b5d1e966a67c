"""A crash-test workload that drives a real venue matching engine: limit, market and IOC orders,
cancels and cancel/replaces across a few symbols, as a pure function of the command number.

Run it with ``run_crash_test(..., workload="directbroker.testing.venue_workload:venue_workload")``.
"""

from __future__ import annotations

from collections.abc import Sequence

from directbroker.domain.instruments import Instrument
from directbroker.domain.messages import Command
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.venue_config import VenueConfig
from directbroker.domain.venue_messages import CancelOrder, ReplaceOrder, SubmitOrder
from directbroker.engines.core import Core
from directbroker.engines.matching import VenueEngine
from directbroker.testing.workload import Workload

_SYMBOLS = ("AAPL", "MSFT", "KO")
_CONFIG = VenueConfig(
    name="CRSH", mic="XCRS", instruments=tuple(Instrument(symbol) for symbol in _SYMBOLS)
)
_PARTICIPANT = "P1"


def _mix(i: int) -> int:
    x = (i * 0x9E3779B97F4A7C15 + 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


def _is_submit(i: int) -> bool:
    return i < 4 or _mix(i) % 10 < 6


def venue_command(i: int) -> Command:
    """Command number ``i``: six in ten are new orders, the rest cancel or move an earlier one."""
    r = _mix(i)
    if not _is_submit(i):
        target = _earlier_submit(i, r)
        if r % 2:
            return CancelOrder(order_id=f"o{target}", participant=_PARTICIPANT)
        price = 1_000_000 + ((r >> 12) % 21 - 10) * 100
        return ReplaceOrder(
            order_id=f"o{target}", participant=_PARTICIPANT, quantity=100, price=price
        )
    symbol = _SYMBOLS[(r >> 4) % len(_SYMBOLS)]
    side = Side.BUY if (r >> 8) % 2 else Side.SELL
    quantity = 100 * (1 + (r >> 16) % 5)
    kind = (r >> 24) % 20
    if kind == 0:
        return SubmitOrder(
            f"o{i}", _PARTICIPANT, symbol, side, OrderType.MARKET, quantity, None, TimeInForce.IOC
        )
    offset = ((r >> 32) % 21 - 10) * 100
    tif = TimeInForce.IOC if kind == 1 else TimeInForce.DAY
    return SubmitOrder(
        f"o{i}", _PARTICIPANT, symbol, side, OrderType.LIMIT, quantity, 1_000_000 + offset, tif
    )


def _earlier_submit(i: int, r: int) -> int:
    candidate = (r >> 40) % i
    while not _is_submit(candidate):
        candidate -= 1
    return candidate


def venue_check(core: Core, applied: Sequence[int]) -> None:
    """Exactly the applied new orders are known to the venue: none lost, none invented."""
    assert isinstance(core, VenueEngine)
    applied_set = set(applied)
    highest = max(applied_set, default=-1)
    for i in range(highest + 1):
        if not _is_submit(i):
            continue
        known = core.id_used(f"o{i}")
        assert known == (i in applied_set), f"order o{i}: known={known}, applied={i in applied_set}"


venue_workload = Workload(
    new_core=lambda: VenueEngine(_CONFIG), command=venue_command, check=venue_check
)
"""``directbroker.testing.venue_workload:venue_workload``."""
