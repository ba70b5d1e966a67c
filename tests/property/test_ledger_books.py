"""Properties of the ledger over random activity: the books balance after every batch, the
real-time positions and account values equal those rebuilt from the postings alone, snapshots
round-trip, replay is deterministic, and rejected commands change nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.adapters.calendar import SessionCalendar
from directbroker.domain.accounts import AccountType, Registration
from directbroker.domain.ledger_messages import (
    AdjustCash,
    Deposit,
    LedgerRejected,
    OpenAccount,
    RecordExecution,
    RecordPriorClose,
    ReleaseHold,
    SettleDue,
    StartBusinessDay,
    UpdateMark,
    Withdraw,
)
from directbroker.domain.messages import Command
from directbroker.domain.orders import Side
from directbroker.engines.ledger import CommissionSchedule, FeeSchedule, LedgerCore, rebuild

# Weekdays of March-April 2025 less Good Friday: enough calendar for a property run, built
# without exchange_calendars to keep the test quick.
_START = date(2025, 3, 3)
SESSIONS = [
    int(day.strftime("%Y%m%d"))
    for day in (_START + timedelta(days=n) for n in range(59))
    if day.weekday() < 5 and day != date(2025, 4, 18)
]
CALENDAR = SessionCalendar(SESSIONS)
FEES = FeeSchedule(CommissionSchedule(per_share=35, minimum=10_000))
ACCOUNTS = {
    "C1": AccountType.CASH,
    "C2": AccountType.CASH,
    "M1": AccountType.MARGIN,
    "M2": AccountType.MARGIN,
}
SYMBOLS = ["AAA", "BBB", "CCC"]

accounts = st.sampled_from(sorted(ACCOUNTS))
symbols = st.sampled_from(SYMBOLS)
prices = st.integers(1, 2_000).map(lambda cents: cents * 100) | st.integers(1, 99_999)
operations = st.one_of(
    st.tuples(
        st.just("deposit"),
        accounts,
        st.integers(1, 5_000_000) | st.integers(-100, 0),
        st.booleans(),
    ),
    st.tuples(st.just("withdraw"), accounts, st.integers(1, 3_000_000)),
    st.tuples(
        st.just("trade"),
        accounts,
        symbols,
        st.sampled_from(list(Side)),
        st.integers(1, 500),
        prices,
    ),
    st.tuples(st.just("mark"), symbols, prices),
    st.tuples(st.just("close"), symbols, prices),
    st.tuples(st.just("settle"), st.integers(0, 3)),
    st.tuples(st.just("day")),
    st.tuples(st.just("release"), st.integers(0, 20)),
    st.tuples(st.just("adjust"), accounts, st.integers(-500, 500)),
)


def to_commands(ops: list[tuple[Any, ...]]) -> list[Command]:
    """Turn drawn operations into commands, tracking the business day as the sequencer would."""
    day = 0
    commands: list[Command] = [
        OpenAccount(a, "owner", t, Registration.INDIVIDUAL) for a, t in sorted(ACCOUNTS.items())
    ]
    commands.append(StartBusinessDay(SESSIONS[0]))
    for n, op in enumerate(ops):
        kind = op[0]
        if kind == "deposit":
            _, account, cents, held = op
            hold = SESSIONS[min(day + 2, len(SESSIONS) - 1)] if held else None
            commands.append(Deposit(str(account), f"d{n}", int(cents) * 100, hold))
        elif kind == "withdraw":
            _, account, cents = op
            commands.append(Withdraw(str(account), f"w{n}", int(cents) * 100))
        elif kind == "trade":
            _, account, symbol, side, quantity, price = op
            commands.append(
                RecordExecution(
                    str(account), f"x{n}", str(symbol), side, quantity, price, SESSIONS[day]
                )
            )
        elif kind == "mark":
            commands.append(UpdateMark(str(op[1]), op[2]))
        elif kind == "close":
            commands.append(RecordPriorClose(str(op[1]), op[2]))
        elif kind == "settle":
            commands.append(SettleDue(SESSIONS[min(day + int(op[1]), len(SESSIONS) - 1)]))
        elif kind == "day" and day + 1 < len(SESSIONS):
            day += 1
            commands.append(StartBusinessDay(SESSIONS[day]))
        elif kind == "release":
            commands.append(ReleaseHold(f"d{op[1]}"))
        elif kind == "adjust":
            _, account, cents = op
            commands.append(AdjustCash(str(account), f"a{n}", int(cents) * 100, "correction"))
    return commands


def assert_books_match_postings(core: LedgerCore) -> None:
    assert set(core.trial_balance().values()) <= {0}
    for entry in core.postings():
        totals: dict[str, int] = {}
        for leg in entry.postings:
            totals[leg.asset] = totals.get(leg.asset, 0) + leg.amount
        assert set(totals.values()) <= {0}, entry
    state = core.state
    rebuilt = rebuild(
        core.postings(),
        {a: r.account_type for a, r in state.accounts.items()},
        core.marks(),
        core.prior_closes(),
        core.business_date,
        core.rules,
    )
    assert {k: v for k, v in rebuilt.balances.items() if v} == core.balances()
    live = {
        k: p.view()
        for k, p in state.positions.items()
        if p.quantity or p.realized_pnl or p.day_flow
    }
    again = {
        k: p.view()
        for k, p in rebuilt.positions.items()
        if p.quantity or p.realized_pnl or p.day_flow
    }
    assert again == live
    for account, record in state.accounts.items():
        assert rebuilt.values(account, record.account_type, record.status) == core.account_values(
            account
        )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(operations, max_size=12), min_size=1, max_size=5))
def test_books_balance_and_rebuild_after_every_batch(
    batches: list[list[tuple[Any, ...]]],
) -> None:
    core = LedgerCore(CALENDAR, FEES)
    flat = [op for batch in batches for op in batch]
    commands = to_commands(flat)
    boundaries = {4 + sum(len(b) for b in batches[: i + 1]) for i in range(len(batches))}
    for index, command in enumerate(commands):
        before = core.state_hash() if index % 3 == 0 else None
        events = core.handle(command, index + 1)
        if before is not None and any(isinstance(e, LedgerRejected) for e in events):
            assert len(events) == 1 and core.state_hash() == before
        if index in boundaries or index == len(commands) - 1:
            assert_books_match_postings(core)

    # Snapshot -> restore gives the same state and the same answers.
    restored = LedgerCore(CALENDAR, FEES)
    restored.restore(core.snapshot())
    assert restored.state_hash() == core.state_hash()
    for account in ACCOUNTS:
        assert restored.account_values(account) == core.account_values(account)
        assert restored.positions(account) == core.positions(account)
    # Replaying the same commands gives the same state hash.
    replay = LedgerCore(CALENDAR, FEES)
    for index, command in enumerate(commands, start=1):
        replay.handle(command, index)
    assert replay.state_hash() == core.state_hash()
    # A restored core carries on exactly like the original.
    tail = UpdateMark("AAA", 12_345)
    ts = len(commands) + 1
    assert restored.handle(tail, ts) == core.handle(tail, ts)
    assert restored.state_hash() == core.state_hash()
