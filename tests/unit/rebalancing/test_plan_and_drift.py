"""Model arithmetic: whole-share targets with a cash weight, invest-cash runs, drift bands
(absolute and relative, edges inside), and model validation."""

from __future__ import annotations

from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.portfolio.models import check_conditions, check_weights
from directbroker.engines.portfolio.rebalance import drifted, plan_account

D = 10_000  # $1 in price units
MODEL = (("asset", "AAA", 5_000), ("asset", "BBB", 4_000), ("cash", "", 1_000))


def test_full_rebalance_floors_to_whole_shares_sells_first_and_sells_what_the_model_drops() -> None:
    held = {"AAA": 10, "ZZZ": 7}
    orders, skipped = plan_account(
        "A", held, 10_000 * D, 4_000 * D, MODEL, {"AAA": 300 * D, "BBB": 70 * D, "ZZZ": 1 * D},
        "full_rebalance",
    )  # fmt: skip
    # AAA: $5,000 / $300 = 16 (floor); BBB: $4,000 / $70 = 57; ZZZ is not in the model.
    assert [(o.symbol, o.side, o.quantity) for o in orders] == [
        ("ZZZ", Side.SELL, 7), ("AAA", Side.BUY, 6), ("BBB", Side.BUY, 57),
    ]  # fmt: skip
    assert skipped == []


def test_a_symbol_without_a_price_is_skipped_and_invest_cash_only_buys() -> None:
    orders, skipped = plan_account(
        "A", {"AAA": 1}, 1_000 * D, 600 * D, MODEL, {"AAA": 10 * D}, "invest_cash"
    )
    # Cash above the 10% weight: $600 - $100 = $500, split 5:4 over the assets.
    assert [(o.symbol, o.quantity) for o in orders] == [("AAA", 27)]
    assert skipped == [("BBB", "buy", "no price to size the order")]


def test_drift_bands_absolute_and_relative_with_the_edge_inside() -> None:
    weights = (("asset", "AAA", 5_000), ("cash", "", 5_000))
    absolute = (("drift_band", "absolute", 500),)
    relative = (("drift_band", "relative", 1_000),)
    assert not drifted({"AAA": 5_500}, 10_000, weights, absolute)  # exactly 5 points: inside
    assert drifted({"AAA": 5_501}, 10_000, weights, absolute)
    assert not drifted({"AAA": 4_500}, 10_000, weights, relative)  # 10% of 50% = 5 points
    assert drifted({"AAA": 4_499}, 10_000, weights, relative)
    assert drifted({"AAA": 5_000, "OLD": 1}, 10_000, weights, relative)  # held, not in model
    assert not drifted({"AAA": 9_000}, 10_000, weights, ())  # no band, no drift
    assert not drifted({}, 0, weights, absolute)


def test_models_sum_to_exactly_100_percent_with_valid_lines() -> None:
    assert check_weights(MODEL) is None
    for bad in (
        (("asset", "AAA", 9_999),),
        (("asset", "AAA", 5_000), ("asset", "AAA", 5_000)),
        (("cash", "X", 10_000),),
        (("asset", "", 10_000),),
        (("bond", "AAA", 10_000),),
        (),
    ):
        refusal = check_weights(bad)
        assert refusal is not None and refusal[0] is RejectCode.INVALID_PORTFOLIO, bad
    assert check_conditions((("drift_band", "absolute", 1),)) is None
    assert check_conditions((("drift_band", "sideways", 1),)) is not None
    assert check_conditions((("calendar", "monthly", 0),)) is None
