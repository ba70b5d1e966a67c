"""A block's allocation conserves shares and cash to the cent, for any number of accounts,
fills and step-outs: the accounts and the step-out brokers' give-up accounts end up holding
exactly what the street filled, each at the average price (a step-out exactly its shares when
the block filled, its fraction of them when it did not); what they paid plus what the
average-price account kept is exactly what the street was paid; every entry balances. Driven
through the broker core's own block desk and ledger."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.domain.accounts import AccountType, Registration
from directbroker.domain.block_messages import AVERAGE_PRICE_ACCOUNT, step_out_account
from directbroker.domain.ledger_messages import (
    Deposit,
    ExecutionRecorded,
    OpenAccount,
    RecordExecution,
)
from directbroker.domain.messages import Event
from directbroker.domain.orders import Side
from directbroker.domain.portfolio_messages import AllocationMethod, BlockAllocated
from directbroker.engines.broker.blocks import Block
from directbroker.engines.ledger.fees import principal_of
from directbroker.testing.broker_harness import BrokerHarness

DATE = 20260601


@settings(max_examples=100, deadline=None)
@given(
    fills=st.lists(
        st.tuples(st.integers(1, 5_000), st.integers(10_000, 5_000_000)), min_size=1, max_size=12
    ),
    accounts=st.integers(1, 12),
    method=st.sampled_from(
        [AllocationMethod.EQUAL, AllocationMethod.RATIO, AllocationMethod.NET_LIQUIDATION]
    ),
    side=st.sampled_from([Side.BUY, Side.SELL]),
    unfilled=st.integers(0, 3_000),
    data=st.data(),
)
def test_allocation_conserves_shares_and_cash_to_the_cent(
    fills: list[tuple[int, int]],
    accounts: int,
    method: AllocationMethod,
    side: Side,
    unfilled: int,
    data: st.DataObject,
) -> None:
    h = BrokerHarness()
    core = h.broker
    names = tuple(f"A{i}" for i in range(accounts))
    filled = sum(q for q, _ in fills)
    for index, name in enumerate(names):
        h.send(OpenAccount(name, "owner", AccountType.MARGIN, Registration.INDIVIDUAL))
        h.send(Deposit(name, f"d{index}", 10**12 * (index + 1)))
        if side is Side.SELL:  # the sellers hold what they may be allocated
            seed = RecordExecution(name, f"seed{index}", "AAPL", Side.BUY, filled, 10_000, DATE)
            _booked(core.ledger.handle(seed, h.tick()))
    h.send(OpenAccount(AVERAGE_PRICE_ACCOUNT, "firm", AccountType.MARGIN,
                       Registration.AVERAGE_PRICE))  # fmt: skip
    for index, (quantity, price) in enumerate(fills):
        fill = RecordExecution(AVERAGE_PRICE_ACCOUNT, f"street{index}", "AAPL", side,
                                 quantity, price, DATE, "B")  # fmt: skip
        _booked(core.ledger.handle(fill, h.tick()))
    weights: tuple[int, ...] = ()
    if method is AllocationMethod.RATIO:
        weights = tuple(data.draw(st.lists(st.integers(1, 1_000), min_size=accounts,
                                           max_size=accounts)))  # fmt: skip
    ledger = core.ledger
    before = {n: (ledger.account_values(n).cash, _held(h, n)) for n in names}
    whole = filled + unfilled
    stepped = data.draw(st.lists(st.integers(1, max(1, whole // 3)), max_size=min(3, whole)))
    brokers = tuple(f"BD{i}" for i in range(len(stepped)))
    block = Block("B", "G", names, "AAPL", side, whole, "pm", 0, method, weights,
                  [q for q, _ in fills], [p for _, p in fills],
                  step_out_brokers=brokers, step_out_quantities=tuple(stepped))  # fmt: skip
    events = core.blocks.allocate(block, h.tick())
    (allocated,) = [e for e in events if isinstance(e, BlockAllocated)]
    sign = 1 if side is Side.BUY else -1
    assert allocated.step_out_brokers == brokers
    if not unfilled:
        assert list(allocated.step_out_quantities) == stepped
    moved = 0
    paid = 0
    for broker, quantity in zip(brokers, allocated.step_out_quantities, strict=True):
        giveup = step_out_account(broker)
        assert _held(h, giveup) == sign * quantity
        principal = principal_of(quantity, allocated.average_price) if quantity else 0
        booked = [e for e in events if isinstance(e, ExecutionRecorded) and e.account == giveup]
        assert [e.principal for e in booked] == ([principal] if quantity else [])
        assert all(e.commission == e.sec_fee == e.taf_fee == 0 for e in booked)
        # The step-in broker owes the principal for a buy, is owed it for a sell.
        cash = ledger.account_values(giveup).cash if ledger.has_account(giveup) else 0
        assert cash == -sign * principal
        moved += quantity
        paid += principal
    for name, quantity in zip(names, allocated.quantities, strict=True):
        cash, held = before[name]
        assert _held(h, name) - held == sign * quantity
        principal = principal_of(quantity, allocated.average_price) if quantity else 0
        booked = [e for e in events if isinstance(e, ExecutionRecorded) and e.account == name]
        charges = sum(e.commission + e.sec_fee + e.taf_fee for e in booked)
        assert [e.principal for e in booked] == ([principal] if quantity else [])
        # A buyer pays the principal, a seller receives it; each pays its own charges.
        assert cash - ledger.account_values(name).cash == sign * principal + charges
        moved += quantity
        paid += principal
    assert moved == filled
    assert _held(h, AVERAGE_PRICE_ACCOUNT) == 0
    street = sum(principal_of(q, p) for q, p in fills)
    # Cash is conserved to the cent: the accounts' principal plus the average-price account's
    # remainder is exactly the street's principal.
    assert ledger.account_values(AVERAGE_PRICE_ACCOUNT).cash == sign * (paid - street)
    assert all(amount == 0 for amount in ledger.trial_balance().values())


def _booked(events: list[Event]) -> None:
    assert any(isinstance(e, ExecutionRecorded) for e in events), events


def _held(h: BrokerHarness, account: str) -> int:
    view = h.broker.ledger.position(account, "AAPL")
    return view.quantity if view is not None else 0
