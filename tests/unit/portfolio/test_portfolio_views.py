"""Worked examples: exposure, P&L by account, concentration and a rebalance proposal."""

from __future__ import annotations

import pytest

from directbroker.domain.accounts import PositionView
from directbroker.domain.orders import Side
from directbroker.domain.portfolio_messages import ProposedOrder
from directbroker.domain.rejects import DomainRejection, RejectCode
from directbroker.engines.portfolio import (
    concentration,
    exposure_by_symbol,
    pnl_by_account,
    rebalance,
)

D = 10_000  # one dollar


def view(
    account: str, symbol: str, quantity: int, mark: int, cost: int, realized: int = 0
) -> PositionView:
    return PositionView(
        account,
        symbol,
        quantity,
        0,
        cost,
        mark,
        quantity * mark,
        quantity * mark - cost,
        realized,
        0,
        (),
    )


POSITIONS = [
    view("A", "XYZ", 100, 50 * D, 4_000 * D),  # long 5,000, +1,000
    view("B", "XYZ", -40, 50 * D, -2_400 * D, realized=30 * D),  # short 2,000, +400
    view("B", "KO", 200, 15 * D, 3_200 * D),  # long 3,000, -200
]


def test_exposure_by_symbol_and_side() -> None:
    (xyz,) = [e for e in exposure_by_symbol(POSITIONS) if e.symbol == "XYZ"]
    assert (xyz.long_quantity, xyz.short_quantity) == (100, 40)
    assert (xyz.long_value, xyz.short_value) == (5_000 * D, 2_000 * D)
    assert (xyz.net_value, xyz.gross_value) == (3_000 * D, 7_000 * D)


def test_pnl_by_account() -> None:
    a, b = pnl_by_account(POSITIONS)
    assert (a.account, a.unrealized) == ("A", 1_000 * D)
    assert (b.account, b.unrealized, b.realized) == ("B", 200 * D, 30 * D)  # 400 - 200


def test_concentration() -> None:
    # Gross 10,000: XYZ 7,000 (70%), KO 3,000 (30%).
    rows = concentration(POSITIONS)
    assert [(r.symbol, r.share_bps) for r in rows] == [("XYZ", 7_000), ("KO", 3_000)]


def test_rebalance_to_target_weights() -> None:
    # A: NLV $10,000 holding 100 XYZ. Targets 40% XYZ at $50 (80 shares), 50% KO at $15 (333).
    orders = rebalance(
        {"A": {"XYZ": 100}},
        {"A": 10_000 * D},
        {"XYZ": 4_000, "KO": 5_000},
        {"XYZ": 50 * D, "KO": 15 * D},
    )
    assert orders == [
        ProposedOrder("A", "XYZ", Side.SELL, 20, 50 * D),  # sells first
        ProposedOrder("A", "KO", Side.BUY, 333, 15 * D),  # 5,000 / 15 = 333.3 -> 333
    ]
    # Round lots of 100: KO 300, XYZ 0 (80 rounds down) -> sell all 100.
    lots = rebalance(
        {"A": {"XYZ": 100}},
        {"A": 10_000 * D},
        {"XYZ": 4_000, "KO": 5_000},
        {"XYZ": 50 * D, "KO": 15 * D},
        lot_size=100,
    )
    assert [(o.symbol, o.side, o.quantity) for o in lots] == [
        ("XYZ", Side.SELL, 100),
        ("KO", Side.BUY, 300),
    ]


def test_rebalance_refuses_weights_over_100_percent() -> None:
    with pytest.raises(DomainRejection) as caught:
        rebalance({"A": {}}, {"A": D}, {"XYZ": 6_000, "KO": 5_000}, {"XYZ": D, "KO": D})
    assert caught.value.code is RejectCode.INVALID_TARGET_WEIGHTS
