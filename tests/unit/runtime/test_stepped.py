"""SteppedCore: a core behind its sequencer, driven from the caller's thread, with optional
client ids so a message carried between cores is applied once however often it is re-sent."""

from __future__ import annotations

import pytest

from directbroker.runtime import CoreHaltedError, InMemoryJournal
from directbroker.runtime.stepped import SteppedCore
from directbroker.testing.cash import CashDeposit, CashDeposited, CashEngine, CashTransfer


def test_outcomes_carry_the_journal_seq_of_each_command() -> None:
    stepped = SteppedCore(CashEngine, InMemoryJournal())
    outcomes = stepped.apply_outcomes([CashDeposit("a", 5), CashDeposit("b", 7)], 100)
    assert [outcome.seq for outcome in outcomes] == [1, 2]
    assert not any(outcome.duplicate for outcome in outcomes)
    assert stepped.last_seq == 2
    tail = stepped.journal.tail()
    assert tail is not None and tail.seq == 2


def test_a_resent_command_is_answered_from_the_journal_not_applied_again() -> None:
    journal = InMemoryJournal()
    stepped = SteppedCore(CashEngine, journal)
    first = stepped.apply_outcomes([CashDeposit("a", 5)], 100, ["ARCA:7:0"])
    again = stepped.apply_outcomes(
        [CashDeposit("a", 5), CashDeposit("b", 1)], 200, ["ARCA:7:0", "ARCA:7:1"]
    )
    assert again[0].duplicate and again[0].seq == first[0].seq
    assert again[0].events == first[0].events == (CashDeposited("a", 5, 5),)
    assert not again[1].duplicate and again[1].seq == 2
    assert stepped.core.balances == {"a": 5, "b": 1}
    assert len(journal.entries) == 2


def test_a_command_resent_within_one_batch_is_applied_once() -> None:
    stepped = SteppedCore(CashEngine, InMemoryJournal())
    outcomes = stepped.apply_outcomes([CashDeposit("a", 5)] * 2, 100, ["x:1:0", "x:1:0"])
    assert [o.seq for o in outcomes] == [1, 1] and outcomes[1].duplicate
    assert stepped.core.balances == {"a": 5}


def test_the_plain_call_still_returns_events_and_ids_may_be_partial() -> None:
    stepped = SteppedCore(CashEngine, InMemoryJournal())
    events = stepped.apply([CashDeposit("a", 5), CashDeposit("a", 1)], 100, [None, "k"])
    assert events == [(CashDeposited("a", 5, 5),), (CashDeposited("a", 1, 6),)]
    assert [e.client_id for e in stepped.journal.read()] == [None, "k"]


def test_more_commands_than_the_inbox_holds_do_not_deadlock() -> None:
    stepped = SteppedCore(CashEngine, InMemoryJournal(), max_batch=2)  # inbox of 8
    outcomes = stepped.apply_outcomes([CashDeposit("a", 1)] * 50, 100)
    assert [o.seq for o in outcomes] == list(range(1, 51))
    assert stepped.core.balances == {"a": 50}


def test_a_client_id_reused_for_another_command_is_a_bug_and_raises() -> None:
    stepped = SteppedCore(CashEngine, InMemoryJournal())
    stepped.apply([CashDeposit("a", 5)], 100, ["k"])
    with pytest.raises(CoreHaltedError, match="CLIENT_ID_REUSED"):
        stepped.apply([CashTransfer("a", "b", 1)], 200, ["k"])
    assert stepped.core.balances == {"a": 5}


def test_client_ids_must_run_parallel_to_commands() -> None:
    stepped = SteppedCore(CashEngine, InMemoryJournal())
    with pytest.raises(ValueError, match="client ids"):
        stepped.apply([CashDeposit("a", 5)], 100, ["k", "l"])
    assert stepped.last_seq == 0


def test_a_resumed_core_still_knows_what_it_applied() -> None:
    journal = InMemoryJournal()
    SteppedCore(CashEngine, journal).apply([CashDeposit("a", 5)], 100, ["broker:3:1"])
    resumed = SteppedCore(CashEngine, journal)
    [outcome] = resumed.apply_outcomes([CashDeposit("a", 5)], 200, ["broker:3:1"])
    assert outcome.duplicate and outcome.seq == 1
    assert resumed.core.balances == {"a": 5}
