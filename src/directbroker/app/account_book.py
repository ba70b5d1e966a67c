"""The accounts' read model: each account's values, buying power, configuration and positions
as of its last commit.

Account values (equity, buying power, margin) are the ledger's to compute, over marks that
move with every print. So the platform thread values the accounts a broker commit touched
right after that commit (the core is quiescent then) and publishes the result;
:class:`AccountBook` keeps the latest of each on the edge's side. Accounts whose positions
were only re-marked by the market are re-valued at most every ``interval_ns``, so a busy tape
costs a bounded amount of work however many accounts hold the symbol.

Buying power is computed here by the same function pre-trade risk checks orders with
(:func:`~directbroker.engines.broker.account_buying_power`: the books' figure net of working
orders, with the holder's margin multiplier), so ``/v2/account`` never shows room the check
would refuse. An order, a fill or a configuration change names its account in its events, so
the account is published again in the same commit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from directbroker.adapters.history.equity import MINUTE_NS, EquitySample, SqliteEquityStore
from directbroker.domain.accounts import AccountValues, PositionView
from directbroker.domain.block_messages import (
    AVERAGE_PRICE_ACCOUNT,
    BlockAllocationInstructed,
    BlockFinished,
    BlockOrderPlaced,
)
from directbroker.domain.broker_messages import (
    AccountConfiguration,
    BrokerDayEnded,
    BrokerDayStarted,
)
from directbroker.domain.ledger_messages import BusinessDayStarted, RecordPriorClose
from directbroker.domain.marketdata_messages import TradePrinted
from directbroker.domain.messages import Message
from directbroker.domain.portfolio_messages import BlockAllocated
from directbroker.engines.broker import BrokerCore, account_buying_power
from directbroker.engines.risk.buying_power import BuyingPower
from directbroker.runtime.sequencer import Outcome

REMARK_INTERVAL_NS = 250_000_000
"""How often at most an account is re-valued because the market moved its positions."""
SAVE_INTERVAL_S = 2.0
"""How often the equity samples are written to the store (derived data: a crash loses at
most these seconds of portfolio history, never anything in the books)."""

_BLOCK_EVENTS = (BlockOrderPlaced, BlockAllocationInstructed, BlockFinished)
"""Block events after which the block's members' buying power may have changed."""
_EVERY_ACCOUNT = (BusinessDayStarted, BrokerDayStarted, BrokerDayEnded)
"""Events after which every account's values may have changed (day roll, settlement)."""


@dataclass(frozen=True, slots=True)
class AccountState:
    """An account as the books saw it at ``ts_ns``: its values and open positions, its buying
    power as risk sees it and its holder's configuration."""

    values: AccountValues
    positions: tuple[PositionView, ...]
    ts_ns: int
    power: BuyingPower | None = None
    configuration: AccountConfiguration = AccountConfiguration()


Publish = Callable[[Sequence[AccountState]], None]


class AccountPublisher:
    """Values accounts on the platform thread after broker commits and publishes them; with
    an equity store, also keeps each account's equity by minute there (portfolio history)."""

    def __init__(
        self,
        broker: BrokerCore,
        publish: Publish,
        interval_ns: int = REMARK_INTERVAL_NS,
        equity_store: SqliteEquityStore | None = None,
    ) -> None:
        self._broker = broker
        self._publish_states = publish
        self._interval = interval_ns
        self._remark: set[str] = set()
        self._last_remark_ns = 0
        self._store = equity_store
        self._unsaved: dict[tuple[str, int], EquitySample] = {}
        self._saved_at = time.monotonic()

    def _publish(self, states: Sequence[AccountState]) -> None:
        self._publish_states(states)
        if self._store is None:
            return
        for state in states:
            sample = EquitySample(state.values.account, state.ts_ns, state.values.equity)
            self._unsaved[(sample.account, sample.ts_ns // MINUTE_NS)] = sample

    def save(self) -> None:
        """Write the equity samples taken since the last save (platform thread, or any
        thread once the platform has stopped)."""
        if self._store is not None and self._unsaved:
            samples = list(self._unsaved.values())
            self._unsaved.clear()
            self._store.write(samples)
        self._saved_at = time.monotonic()

    def everything(self, ts_ns: int) -> list[AccountState]:
        """Every account now (start-up, before the platform thread runs)."""
        return self._value(self._broker.ledger.accounts(), ts_ns)

    def on_commit(self, inputs: Sequence[Message], outcomes: Sequence[Outcome]) -> None:
        """Broker listener: publish the accounts this batch touched; note the re-marked."""
        touched: set[str] = set()
        everyone = False
        marked: set[str] = set()
        for message in inputs:
            if isinstance(message, TradePrinted):
                marked.add(message.symbol)
            elif isinstance(message, RecordPriorClose):
                everyone = True
        for outcome in outcomes:
            for event in outcome.events:
                account = getattr(event, "account", None)
                if type(account) is str and account:
                    touched.add(account)
                elif isinstance(event, _EVERY_ACCOUNT):
                    everyone = True
        touched.update(self._block_accounts(outcomes, AVERAGE_PRICE_ACCOUNT in touched))
        ledger = self._broker.ledger
        if everyone:
            touched.update(ledger.accounts())
        for symbol in marked:
            self._remark.update(p.account for p in ledger.positions_in(symbol))
        if touched:
            self._remark -= touched
            stamp = outcomes[-1].ts_ns if outcomes else 0
            self._publish(self._value(sorted(touched), stamp))

    def _block_accounts(self, outcomes: Sequence[Outcome], parent_moved: bool) -> set[str]:
        """The members of blocks this batch placed, instructed or finished, and, when a block's
        parent moved (its account is the average-price account), of every unfinished block:
        their shares' reservations changed."""
        book = self._broker.blocks.book
        ids: set[str] = set(book.unfinished) if parent_moved else set()
        for outcome in outcomes:
            for event in outcome.events:
                if isinstance(event, _BLOCK_EVENTS):
                    ids.add(event.block_id)
                elif isinstance(event, BlockAllocated):
                    ids.add(event.allocation_id)
        return {a for b in ids if b in book.blocks for a in book.blocks[b].accounts}

    def on_tick(self, now_ns: int) -> None:
        """Tick listener: publish the re-marked accounts when they are due; save equity."""
        if time.monotonic() - self._saved_at >= SAVE_INTERVAL_S:
            self.save()
        if not self._remark or now_ns - self._last_remark_ns < self._interval:
            return
        self._last_remark_ns = now_ns
        due = sorted(self._remark)
        self._remark.clear()
        self._publish(self._value(due, now_ns))

    def _value(self, accounts: Iterable[str], ts_ns: int) -> list[AccountState]:
        broker = self._broker
        ledger = broker.ledger
        states = []
        for account in accounts:
            if not ledger.has_account(account):
                continue
            positions = tuple(p for p in ledger.positions(account) if p.quantity)
            values = ledger.account_values(account)
            power = account_buying_power(
                ledger, broker.risk, values, broker.oms.book.open_orders(account),
                broker.blocks.reserved(account),
            )  # fmt: skip
            config = broker.risk.state.configuration(account)
            states.append(AccountState(values, positions, ts_ns, power, config))
        return states


class AccountBook:
    """The edge's copy of every account's latest :class:`AccountState` (event loop only)."""

    def __init__(self) -> None:
        self._states: dict[str, AccountState] = {}

    def apply(self, states: Iterable[AccountState]) -> None:
        """Take published states in (the feed delivers them in the order they were taken)."""
        for state in states:
            self._states[state.values.account] = state

    def state(self, account: str) -> AccountState | None:
        """The account's latest state, or None for an unknown account."""
        return self._states.get(account)

    def accounts(self) -> list[str]:
        """Every account known."""
        return sorted(self._states)

    def __contains__(self, account: object) -> bool:
        return account in self._states
