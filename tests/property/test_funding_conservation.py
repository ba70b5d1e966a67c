"""Property: across any sequence of deposits, withdrawals, bank answers (cleared or returned),
cancels and journals, cash is conserved (what the customers hold equals what came in from the
bank less what went back) and every entry balances; refusals change nothing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.domain.funding_messages import (
    BankReport,
    CancelJournal,
    CancelTransfer,
    FundingRejected,
    RequestJournal,
    RequestTransfer,
)
from directbroker.domain.messages import Message
from directbroker.engines.ledger import chart
from tests.unit.funding.desk import Desk

ACCOUNTS = ("A1", "A2")
amounts = st.integers(min_value=1, max_value=2_000).map(lambda dollars: dollars * 10_000)
ids = st.integers(min_value=0, max_value=7).map(lambda n: f"i{n}")

steps = st.one_of(
    st.builds(
        lambda i, a, d, n: RequestTransfer(i, a, f"r-{a}", d, n),
        ids, st.sampled_from(ACCOUNTS), st.sampled_from(("INCOMING", "OUTGOING")), amounts,
    ),
    st.builds(CancelTransfer, ids, st.sampled_from(ACCOUNTS)),
    st.builds(
        lambda i, s: BankReport("transfer", i, s),
        ids, st.sampled_from(("SENT_TO_CLEARING", "COMPLETE", "RETURNED", "REJECTED")),
    ),
    st.builds(
        lambda i, f, n: RequestJournal(i, "JNLC", f, "A2" if f == "A1" else "A1", n),
        ids, st.sampled_from(ACCOUNTS), amounts,
    ),
    st.builds(CancelJournal, ids),
    st.builds(lambda i: BankReport("journal", i, "executed"), ids),
)  # fmt: skip


def customer_cash(d: Desk) -> int:
    ledger = d.core.ledger
    return sum(
        ledger.balance(book(account))
        for account in ("A1", "A2", "M1")
        for book in (chart.customer_cash, chart.customer_held, chart.customer_unsettled)
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(steps, max_size=40))
def test_cash_is_conserved_and_entries_balance(commands: list[Message]) -> None:
    d = Desk()
    d.link("A1", "r-A1", "11112222")
    d.link("A2", "r-A2", "33334444")
    for command in commands:
        before = d.core.state_hash()
        events = d.send(command)
        if len(events) == 1 and isinstance(events[0], FundingRejected):
            assert d.core.state_hash() == before
        assert d.balanced()
        # Customers hold exactly what the bank sent in less what went back out.
        assert customer_cash(d) == -d.core.ledger.balance(chart.EXTERNAL_BANK)
