"""Margin calls: issued when a margin account's equity falls below its maintenance requirement,
met when it is back at or above it. While a call is open the account is liquidation-only
(``AccountValues.liquidation_only``; buying power is zero)."""

from __future__ import annotations

from collections.abc import Iterable

from directbroker.domain.accounts import TRANSIT_REGISTRATIONS, ceil_to
from directbroker.domain.ledger_messages import MarginCallIssued, MarginCallMet
from directbroker.domain.messages import Event
from directbroker.engines.ledger.state import LedgerState


def _deficiency(state: LedgerState, account: str) -> int:
    """Maintenance less equity (the same figure ``AccountValues`` reports), computed without
    building the whole value object: this runs for every margin position on every quote."""
    totals = state.totals[account]
    if not (totals.long_mv or totals.short_mv):
        return 0
    cash = state.cash(account)
    equity = cash.settled + cash.unsettled + cash.held + totals.long_mv - totals.short_mv
    return max(0, ceil_to(totals.maintenance) - equity)


def check_margin_calls(state: LedgerState, accounts: Iterable[str], ts_ns: int) -> list[Event]:
    """Issue or clear calls for ``accounts`` (each account's values are O(1) to compute)."""
    events: list[Event] = []
    for account in accounts:
        record = state.accounts.get(account)
        if record is None or record.registration in TRANSIT_REGISTRATIONS:
            # The average-price account carries the street's fills only until they are
            # allocated: its debit is the customers' to meet, not a call on the firm.
            continue
        in_call = account in state.margin_calls
        if not in_call and not _deficiency(state, account):
            continue
        values = state.values(account)
        if values.margin_deficiency and not in_call:
            state.margin_calls.add(account)
            events.append(
                MarginCallIssued(
                    account,
                    values.margin_deficiency,
                    values.equity,
                    values.maintenance_requirement,
                    ts_ns,
                )
            )
        elif in_call and not values.margin_deficiency:
            state.margin_calls.discard(account)
            events.append(MarginCallMet(account, values.equity, ts_ns))
    return events
