"""What the institutional desk would do, computed before anything is sent: a block's split
across its group's accounts and a group's rebalancing orders.

Both are pure functions over read-model facts, using the very rules the broker core applies:
a block's shares are :func:`directbroker.engines.broker.blocks.split` of what the step-outs
leave (as the block desk checks a new block), and a rebalance is
:func:`directbroker.engines.portfolio.rebalance.plan_account` per account at the core's
reference prices (last sale, else the NBBO midpoint). The core re-checks everything when the
manager sends the orders; a preview only shows the manager what to expect, so a quantity the
core would refuse is refused here with the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from directbroker.domain.orders import Side
from directbroker.domain.portfolio_messages import AllocationMethod, ProposedOrder
from directbroker.domain.rebalancing_messages import SkippedOrder, Weight
from directbroker.engines.broker.blocks import Instruction, Refusal, instruction, split, step_outs
from directbroker.engines.portfolio.rebalance import plan_account


@dataclass(frozen=True, slots=True)
class SharePreview:
    """A block's pre-trade split: each account's shares (lined up with ``accounts``) and each
    step-out's, with the weights the method used (equities for ``net_liquidation``)."""

    method: AllocationMethod
    accounts: tuple[str, ...]
    shares: tuple[int, ...]
    weights: tuple[int, ...]
    step_out_brokers: tuple[str, ...] = ()
    step_out_quantities: tuple[int, ...] = ()


def preview_shares(
    accounts: Sequence[str],
    quantity: int,
    method: AllocationMethod | None,
    weights: tuple[int, ...],
    named: tuple[str, ...],
    quantities: tuple[int, ...],
    brokers: tuple[str, ...],
    step_out_quantities: tuple[int, ...],
    equity: Callable[[str], int],
) -> SharePreview | Refusal:
    """How a block of ``quantity`` would be split, or why the core would refuse it.

    Mirrors the block desk's placement check step by step: step-outs first, the instruction
    over what they leave (``equal`` without one), then the split."""
    stepped = step_outs(brokers, step_out_quantities, quantity)
    if not isinstance(stepped, Instruction):
        return stepped
    rest = quantity - sum(stepped.step_out_quantities)
    chosen: AllocationMethod = AllocationMethod.EQUAL
    used: tuple[int, ...] = ()
    if method is not None or named:
        given = method if method is not None else AllocationMethod.SHARES
        answer = instruction(accounts, given, weights, named, quantities, rest)
        if not isinstance(answer, Instruction):
            return answer
        chosen, used = answer.method, answer.weights
    shares = split(accounts, chosen, used, rest, equity)
    if isinstance(shares, tuple):
        return shares
    if chosen is AllocationMethod.NET_LIQUIDATION:
        used = tuple(max(0, equity(a)) for a in accounts)
    elif chosen is AllocationMethod.EQUAL:
        used = (1,) * len(accounts)
    return SharePreview(
        chosen, tuple(accounts), tuple(shares), used,
        stepped.step_out_brokers, stepped.step_out_quantities,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What a rebalance needs of one account: its equity, cash and shares by symbol."""

    account: str
    equity: int
    cash: int
    held: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class AccountPlan:
    """One account's proposed orders (sells first) and the trades it cannot size."""

    facts: AccountFacts
    orders: tuple[ProposedOrder, ...]
    skipped: tuple[SkippedOrder, ...]


@dataclass(frozen=True, slots=True)
class ProposedBlock:
    """The group's proposed orders in one symbol and side, as one block pre-allocated by
    shares (each account exactly its own order's quantity)."""

    symbol: str
    side: Side
    accounts: tuple[str, ...]
    quantities: tuple[int, ...]
    reference_price: int

    @property
    def quantity(self) -> int:
        return sum(self.quantities)


def reference_prices(
    symbols: Sequence[str],
    last: Callable[[str], int | None],
    quote: Callable[[str], tuple[int, int] | None],
) -> dict[str, int]:
    """The core's reference price per symbol: the last sale, else the NBBO midpoint (a symbol
    with neither has none, and its trades are skipped)."""
    prices: dict[str, int] = {}
    for symbol in symbols:
        sale = last(symbol)
        if sale:
            prices[symbol] = sale
            continue
        sides = quote(symbol)
        if sides is not None and sides[0] and sides[1]:
            prices[symbol] = (sides[0] + sides[1]) // 2
    return prices


def plan_group(
    accounts: Sequence[AccountFacts],
    weights: Sequence[Weight],
    prices: Mapping[str, int],
    run_type: str,
) -> tuple[list[AccountPlan], list[ProposedBlock]]:
    """Each account's plan, and the plans gathered into blocks: every sell block before any
    buy block (sells fund buys, as a run sends them), each side by symbol, accounts in group
    order."""
    plans: list[AccountPlan] = []
    gathered: dict[tuple[Side, str], list[ProposedOrder]] = {}
    for facts in accounts:
        orders, skipped = plan_account(
            facts.account, facts.held, facts.equity, facts.cash, weights, prices, run_type
        )
        plans.append(AccountPlan(facts, tuple(orders), tuple(skipped)))
        for order in orders:
            gathered.setdefault((order.side, order.symbol), []).append(order)
    ranked = sorted(gathered, key=lambda k: (k[0] is not Side.SELL, k[1]))
    blocks = [
        ProposedBlock(
            symbol,
            side,
            tuple(o.account for o in gathered[side, symbol]),
            tuple(o.quantity for o in gathered[side, symbol]),
            gathered[side, symbol][0].reference_price,
        )
        for side, symbol in ranked
    ]
    return plans, blocks
