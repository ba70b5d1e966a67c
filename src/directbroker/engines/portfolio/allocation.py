"""Block allocation: split a block's filled shares across accounts, exactly.

Every method reduces to integer weights, and the split is the largest-remainder (Hamilton)
method: each account gets ``floor(filled x weight / total)``, and the shares left over go one
each to the largest remainders, ties to the account listed first in the group. The quantities
therefore always sum to the filled quantity, and the same inputs always give the same split.

A step-out (part of the block given up to another broker-dealer, which clears it for its own
customer) is carved out first: :func:`step_out_split` gives each step-out its share of the
block, pro rata to what filled, and the accounts split the rest by the method.
"""

from __future__ import annotations

from collections.abc import Sequence

from directbroker.domain.numbers import MAX_PRICE, MAX_QUANTITY
from directbroker.domain.portfolio_messages import PERCENT_SCALE, AllocationMethod
from directbroker.domain.rejects import RejectCode


class AllocationError(ValueError):
    """Inputs that cannot be allocated; carries the reject code."""

    def __init__(self, code: RejectCode, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (non-negative, positive sum), exactly."""
    weight_sum = sum(weights)
    if total < 0 or weight_sum <= 0 or any(w < 0 for w in weights):
        raise ValueError("need a non-negative total and non-negative weights with a positive sum")
    shares = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    leftover = total - sum(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:leftover]:
        shares[index] += 1
    return shares


def average_price(quantities: Sequence[int], prices: Sequence[int]) -> tuple[int, int]:
    """The fills' volume-weighted average price rounded half up to $0.0001, and the residual
    (exact notional minus average x quantity) that the firm's average-price account absorbs."""
    notional = sum(q * p for q, p in zip(quantities, prices, strict=True))
    quantity = sum(quantities)
    average = (2 * notional + quantity) // (2 * quantity)
    return average, notional - average * quantity


def _ints(values: Sequence[object], field: str) -> list[int]:
    result = [v for v in values if type(v) is int and v >= 0]
    if len(result) != len(values):
        raise AllocationError(RejectCode.INVALID_ALLOCATION, f"{field} must be ints >= 0")
    return result


def method_weights(
    method: AllocationMethod, accounts: int, weights: Sequence[object], filled: int
) -> list[int]:
    """The integer weights ``method`` means for ``accounts`` accounts."""
    if method is AllocationMethod.EQUAL:
        if weights:
            raise AllocationError(RejectCode.INVALID_ALLOCATION, "EQUAL takes no weights")
        return [1] * accounts
    if len(weights) != accounts:
        raise AllocationError(
            RejectCode.INVALID_ALLOCATION, f"{len(weights)} weights for {accounts} accounts"
        )
    values = _ints(weights, "weights")
    total = sum(values)
    if method is AllocationMethod.PERCENT and total != PERCENT_SCALE:
        raise AllocationError(
            RejectCode.ALLOCATION_NOT_100_PERCENT, f"percentages sum to {total / 100}%"
        )
    if method is AllocationMethod.SHARES and total < filled:
        raise AllocationError(
            RejectCode.INVALID_ALLOCATION, f"shares sum to {total}, {filled} filled"
        )
    if total <= 0:
        raise AllocationError(RejectCode.INVALID_ALLOCATION, "weights sum to zero")
    return values


def allocate(
    method: AllocationMethod,
    accounts: int,
    weights: Sequence[object],
    fill_quantities: Sequence[object],
    fill_prices: Sequence[object],
) -> tuple[int, int, list[int]]:
    """``(average_price, residual, quantities)`` for a block's fills, or AllocationError."""
    quantities = _ints(fill_quantities, "fill_quantities")
    prices = _ints(fill_prices, "fill_prices")
    if not quantities or len(quantities) != len(prices):
        raise AllocationError(RejectCode.INVALID_ALLOCATION, "fills need a price per quantity")
    if any(not 0 < q <= MAX_QUANTITY for q in quantities) or sum(quantities) > MAX_QUANTITY:
        raise AllocationError(RejectCode.QUANTITY_NOT_POSITIVE, "fill quantities out of range")
    if any(not 0 < p <= MAX_PRICE for p in prices):
        raise AllocationError(RejectCode.PRICE_OUT_OF_RANGE, "fill prices out of range")
    filled = sum(quantities)
    integer_weights = method_weights(method, accounts, weights, filled)
    average, residual = average_price(quantities, prices)
    return average, residual, largest_remainder(filled, integer_weights)


def step_out_split(
    filled: int, block_quantity: int, step_outs: Sequence[int]
) -> tuple[list[int], int]:
    """Each step-out's part of ``filled`` and what is left for the accounts.

    A step-out names shares of the whole block, so a full fill gives it exactly those shares;
    a partial fill gives it the same fraction of what filled, by largest remainder over the
    step-outs and the accounts' part (ties to the step-out named first, then the accounts).
    """
    if any(type(q) is not int or q <= 0 for q in step_outs):
        raise AllocationError(RejectCode.INVALID_ALLOCATION, "step-outs need positive shares")
    rest = block_quantity - sum(step_outs)
    if rest < 0 or not 0 <= filled <= block_quantity:
        raise AllocationError(
            RejectCode.INVALID_ALLOCATION,
            f"step-outs of {sum(step_outs)} shares exceed the block of {block_quantity}",
        )
    if not step_outs:
        return [], filled
    parts = largest_remainder(filled, [*step_outs, rest])
    return parts[:-1], parts[-1]


def allocate_block(
    method: AllocationMethod,
    accounts: int,
    weights: Sequence[object],
    fill_quantities: Sequence[object],
    fill_prices: Sequence[object],
    block_quantity: int,
    step_outs: Sequence[int] = (),
) -> tuple[int, int, list[int], list[int]]:
    """``(average_price, residual, quantities, step_out_quantities)``: the step-outs' part of
    the fills (:func:`step_out_split`), then the accounts' split of the rest by ``method``;
    together they are exactly the filled quantity, all at the one average price."""
    average, residual, whole = allocate(AllocationMethod.EQUAL, 1, (), fill_quantities, fill_prices)
    stepped, rest = step_out_split(whole[0], block_quantity, step_outs)
    integer_weights = method_weights(method, accounts, weights, rest)
    return average, residual, largest_remainder(rest, integer_weights), stepped
