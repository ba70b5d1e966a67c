"""Step-outs: the part of a block given up to another broker-dealer, booked as a give-up.

A manager may give part of a block to another broker-dealer, which clears it for its own
customer (a step-out: we executed, they step in). Those shares are not any of our customers':
each is booked, at the block's average price, from the average-price account to that broker's
give-up account (``STEPOUT-<broker>``, registration ``step_out``), opened by the core the first
time the broker is named. The give-up account's position is what the broker takes (or, for a
sell block, delivers) and its cash what it owes (or is owed) for them; both legs are ordinary
ledger executions, so every entry balances and the settlement cycle applies. Like the
average-price account it is transit: no commission or fees (the step-in broker charges its
customer), no position check, no margin call. Settling it with the broker is the clearing
hand-off's business, not the core's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from directbroker.domain.accounts import AccountType, Registration
from directbroker.domain.block_messages import AVERAGE_PRICE_ACCOUNT, step_out_account
from directbroker.domain.ledger_messages import LedgerRejected, OpenAccount, RecordExecution
from directbroker.domain.messages import Event
from directbroker.domain.rejects import RejectCode
from directbroker.engines.broker.blocks import Block, Refusal, opposite
from directbroker.engines.ledger import LedgerCore


def step_out_refusal(ledger: LedgerCore, brokers: Sequence[str]) -> Refusal | None:
    """Why the give-ups cannot be booked: an account of that name that is not a give-up."""
    for broker in brokers:
        registration = ledger.registration(step_out_account(broker))
        if registration is not None and registration is not Registration.STEP_OUT:
            text = f"Account {step_out_account(broker)} exists and is not a give-up account"
            return RejectCode.INVALID_STEP_OUT, text
    return None


def book_step_outs(
    ledger: LedgerCore,
    block: Block,
    average: int,
    quantities: Sequence[int],
    trade_date: int,
    ts: int,
    failed: Callable[[list[Event]], None],
) -> list[Event]:
    """Give each step-out its shares at ``average``: the average-price account hands them on,
    the broker's give-up account takes them (``failed`` is called with a refused booking,
    which the desk treats as an impossible state)."""
    out: list[Event] = []
    for index, (broker, quantity) in enumerate(
        zip(block.step_out_brokers, quantities, strict=True)
    ):
        if not quantity:
            continue
        account = step_out_account(broker)
        if not ledger.has_account(account):
            opening = OpenAccount(account, broker, AccountType.MARGIN, Registration.STEP_OUT)
            out.extend(_checked(ledger.handle(opening, ts), failed))
        give = RecordExecution(AVERAGE_PRICE_ACCOUNT, f"{block.block_id}.y{index}",
                               block.symbol, opposite(block.side), quantity, average,
                               trade_date, block.block_id)  # fmt: skip
        out.extend(_checked(ledger.handle(give, ts), failed))
        take = RecordExecution(account, f"{block.block_id}.s{index}", block.symbol, block.side,
                               quantity, average, trade_date, block.block_id)  # fmt: skip
        out.extend(_checked(ledger.handle(take, ts), failed))
    return out


def _checked(events: list[Event], failed: Callable[[list[Event]], None]) -> list[Event]:
    if any(type(e) is LedgerRejected for e in events):
        failed(events)
    return events
