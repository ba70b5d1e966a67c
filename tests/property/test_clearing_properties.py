"""Properties of the clearing hand-off: any records written to a clearing file read back as
themselves; and over random trading, funding and adjustments through the real ledger, a
clearing firm that books the firm's daily files without faults ends every day with exactly
the positions and cash of the firm's books."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.backoffice.clearing_files import (
    ACTIVITY,
    BALANCES,
    LAYOUTS,
    MONEY,
    POSITIONS,
    TRADES,
    FileKind,
    parse_file,
    write_file,
)
from directbroker.backoffice.clearing_firm import clear_day
from directbroker.backoffice.clearing_records import (
    ActivityRecord,
    BalanceRecord,
    MoneyRecord,
    PositionRecord,
    ShortMarking,
    TradeRecord,
)
from directbroker.domain.accounts import AccountType, Registration
from directbroker.domain.ledger_messages import (
    AdjustCash,
    Deposit,
    OpenAccount,
    RecordExecution,
    ReleaseHold,
    SettleDue,
    Withdraw,
)
from directbroker.domain.messages import Command
from directbroker.domain.orders import Side
from tests.unit.backoffice.ledger_books import SESSIONS, LedgerBooks

DATE = 20261130
texts = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters=',"'), max_size=12
).filter(lambda text: text == text.strip())
names = texts.filter(bool)
cash = st.integers(-(10**15), 10**15)
prices = st.integers(0, 10**12)
dates = st.sampled_from([20261130, 20261201, 20270104])


@st.composite
def trades(draw: st.DrawFn) -> TradeRecord:
    side = draw(st.sampled_from(["buy", "sell"]))
    marking = (
        ShortMarking.NONE
        if side == "buy"
        else draw(st.sampled_from([m for m in ShortMarking if m is not ShortMarking.NONE]))
    )
    return TradeRecord(
        draw(names), draw(texts), draw(names), side, marking, draw(st.integers(1, 10**9)),
        draw(prices.filter(bool)), draw(names), draw(st.sampled_from(["A", "P"])), draw(cash),
        draw(cash), draw(cash), draw(cash), DATE, draw(dates), draw(texts),
    )  # fmt: skip


STRATEGIES: dict[FileKind, Any] = {
    FileKind.TRADES: trades(),
    FileKind.MONEY: st.builds(MoneyRecord, names, names, names, cash, st.just(DATE)),
    FileKind.ACTIVITY: st.builds(
        ActivityRecord,
        names,
        names,
        names,
        texts,
        st.sampled_from(["", "buy", "sell"]),
        st.integers(-(10**9), 10**9),
        prices,
        cash,
        st.just(DATE),
    ),
    FileKind.POSITIONS: st.builds(
        PositionRecord, names, names, st.integers(-(10**9), 10**9), st.just(DATE)
    ),
    FileKind.BALANCES: st.builds(BalanceRecord, names, cash, st.just(DATE)),
}


def _key_of(key: tuple[str, ...]) -> Callable[[Any], tuple[object, ...]] | None:
    if not key:
        return None
    return lambda record: tuple(getattr(record, part) for part in key)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_writing_then_parsing_any_file_is_the_identity(data: st.DataObject) -> None:
    for kind, layout in LAYOUTS.items():
        key = tuple(layout.key)
        records = data.draw(
            st.lists(
                STRATEGIES[kind],
                max_size=6,
                unique_by=_key_of(key),
            )
        )
        number = data.draw(st.from_regex(r"\A[0-9A-Z]{1,10}\Z"))
        parsed = parse_file(layout, write_file(layout, number, DATE, records), "f")
        assert (parsed.kind, parsed.clearing_number, parsed.business_date) == (kind, number, DATE)
        assert list(parsed.records) == records


ACCOUNTS = {"C1": AccountType.CASH, "C2": AccountType.CASH, "M1": AccountType.MARGIN}
accounts = st.sampled_from(sorted(ACCOUNTS))
operations = st.one_of(
    st.tuples(st.just("deposit"), accounts, st.integers(1, 5_000_000), st.booleans()),
    st.tuples(st.just("withdraw"), accounts, st.integers(1, 3_000_000)),
    st.tuples(
        st.just("trade"),
        accounts,
        st.sampled_from(["AAA", "BBB"]),
        st.sampled_from(list(Side)),
        st.integers(1, 300),
        st.integers(1, 2_000).map(lambda cents: cents * 100) | st.integers(1, 9_999),
    ),
    st.tuples(st.just("adjust"), accounts, st.integers(-50_000, 50_000)),
    st.tuples(
        st.just("settle"),
    ),
    st.tuples(st.just("release"), st.integers(0, 20)),
)


def _commands(ops: list[tuple[Any, ...]], day: int, prefix: str) -> list[Command]:
    date = SESSIONS[day]
    commands: list[Command] = []
    for n, op in enumerate(ops):
        tag = f"{prefix}{day}.{n}"
        if op[0] == "deposit":
            hold = SESSIONS[day + 1] if op[3] else None
            commands.append(Deposit(op[1], f"d{tag}", op[2] * 100, hold))
        elif op[0] == "withdraw":
            commands.append(Withdraw(op[1], f"w{tag}", op[2] * 100))
        elif op[0] == "trade":
            _, account, symbol, side, quantity, price = op
            commands.append(
                RecordExecution(account, f"x{tag}", symbol, side, quantity, price, date, f"o{tag}")
            )
        elif op[0] == "adjust":
            commands.append(AdjustCash(op[1], f"a{tag}", op[2] * 100, "correction"))
        elif op[0] == "settle":
            commands.append(SettleDue(date))
        else:
            commands.append(ReleaseHold(f"d{prefix}{day}.{op[1]}"))
    return commands


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(operations, max_size=12), st.lists(operations, max_size=3)),
        min_size=1,
        max_size=4,
    )
)
def test_a_clean_clearing_firm_ends_every_day_with_the_books_positions_and_cash(
    days: list[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]],
) -> None:
    firm = LedgerBooks()
    firm.run(OpenAccount(a, "owner", t, Registration.INDIVIDUAL) for a, t in ACCOUNTS.items())
    positions: tuple[PositionRecord, ...] = ()
    balances: tuple[BalanceRecord, ...] = ()
    for day, (ops, evening) in enumerate(days):
        date = SESSIONS[day]
        firm.start(date)
        firm.run(_commands(ops, day, ""))
        firm.end()
        # After the day's end, before the next starts: these go with the next day's files.
        firm.run(_commands(evening, day, "e"))
        handed = firm.handoff.days[date]
        # Through the files, as the clearing firm gets them and sends them back.
        sent_trades = parse_file(
            TRADES, write_file(TRADES, "0158", date, handed.trades), "t"
        ).records
        sent_money = parse_file(MONEY, write_file(MONEY, "0158", date, handed.money), "m").records
        booked = clear_day(date, positions, balances, sent_trades, sent_money)
        positions = parse_file(
            POSITIONS, write_file(POSITIONS, "0158", date, booked.positions), "p"
        ).records
        balances = parse_file(
            BALANCES, write_file(BALANCES, "0158", date, booked.balances), "b"
        ).records
        write_file(ACTIVITY, "0158", date, booked.activity)
        assert len(booked.activity) == len(sent_trades) + len(sent_money)
        close = firm.closes[date]
        theirs_cash = {b.account: b.cash for b in balances}
        theirs_shares = {(p.account, p.symbol): p.quantity for p in positions}
        ours_shares = {}
        for account in ACCOUNTS:
            ours = close.of(account)
            assert theirs_cash.get(account, 0) == ours.cash, (date, account)
            ours_shares.update({(account, s): q for s, q in ours.positions.items()})
        assert theirs_shares == ours_shares, date
    # Every execution the books recorded was sent once (the last evening's wait for its day).
    sent = [t.execution_id for d in firm.handoff.days.values() for t in d.trades]
    recorded = [e.execution_id for d in firm.books.executions.values() for e in d]
    assert len(sent) == len(set(sent))
    assert set(recorded) - set(sent) <= {f"xe{len(days) - 1}.{n}" for n in range(3)}
