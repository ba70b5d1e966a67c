"""Funding in the broker core, rule by rule: ACH relationships, transfers through the bank,
journals between accounts; every refusal has its code and leaves the state hash as it was."""

from __future__ import annotations

import pytest

from directbroker.domain.funding_messages import (
    AchRelationshipUpdated,
    BankReport,
    CancelJournal,
    CancelTransfer,
    CreateAchRelationship,
    DeleteAchRelationship,
    FundingRejected,
    JournalUpdated,
    RequestJournal,
    RequestTransfer,
    TransferUpdated,
)
from directbroker.domain.rejects import RejectCode
from directbroker.engines.broker import BrokerConfig, BrokerCore, DirectedRouting
from directbroker.engines.funding import is_valid_routing_number
from directbroker.engines.ledger import LedgerCore
from directbroker.testing.broker_harness import dollars, shared_calendar
from tests.unit.funding.desk import ROUTING, Desk


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("021000021", True),  # JPMorgan Chase, New York
        ("011000015", True),  # Federal Reserve Bank of Boston
        ("121000358", True),  # Bank of America, California
        ("021000022", False),  # checksum off by one
        ("000000000", False),  # passes the sum, no such district
        ("991000021", False),
        ("02100002", False),
        ("0210000211", False),
        ("02100002a", False),
        ("\uff10\uff12\uff11\uff10\uff10\uff10\uff10\uff12\uff11", False),  # full-width digits
    ],
)
def test_aba_routing_numbers(number: str, valid: bool) -> None:
    assert is_valid_routing_number(number) is valid


def test_a_relationship_is_queued_then_approved_by_the_bank() -> None:
    d = Desk()
    request = CreateAchRelationship(
        "r1", "A1", "Ann Lee", "CHECKING", "123456789", ROUTING, "main", "ops"
    )
    (created,) = d.send(request)
    assert isinstance(created, AchRelationshipUpdated)
    assert (created.status_from, created.status_to, created.actor) == ("", "QUEUED", "ops")
    (approved,) = d.send(BankReport("relationship", "r1", "APPROVED"))
    assert isinstance(approved, AchRelationshipUpdated) and approved.status_to == "APPROVED"
    assert approved.actor == "system:bank"
    # The same report again (a restart re-sending it) changes nothing.
    assert d.refused(BankReport("relationship", "r1", "APPROVED")).code is (
        RejectCode.UNEXPECTED_BANK_REPORT
    )


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"routing_number": "021000022"}, RejectCode.INVALID_ROUTING_NUMBER),
        ({"routing_number": "abc"}, RejectCode.INVALID_ROUTING_NUMBER),
        ({"bank_account_type": "BROKERAGE"}, RejectCode.INVALID_BANK_ACCOUNT),
        ({"bank_account_number": "12"}, RejectCode.INVALID_BANK_ACCOUNT),
        ({"bank_account_number": "12345x789"}, RejectCode.INVALID_BANK_ACCOUNT),
        ({"owner_name": "  "}, RejectCode.INVALID_BANK_ACCOUNT),
        ({"account": "NOPE"}, RejectCode.UNKNOWN_ACCOUNT),
        ({"relationship_id": ""}, RejectCode.INVALID_ID),
        ({"relationship_id": 7}, RejectCode.INVALID_ID),
    ],
)
def test_bad_relationships_are_refused(fields: dict[str, object], code: RejectCode) -> None:
    d = Desk()
    values: dict[str, object] = {
        "relationship_id": "r1", "account": "A1", "owner_name": "Ann Lee",
        "bank_account_type": "SAVINGS", "bank_account_number": "123456789",
        "routing_number": ROUTING,
    }  # fmt: skip
    values.update(fields)
    assert d.refused(CreateAchRelationship(**values)).code is code  # type: ignore[arg-type]


def test_one_active_relationship_per_account_and_delete_frees_it() -> None:
    d = Desk()
    d.link()
    second = CreateAchRelationship("r2", "A1", "Ann", "CHECKING", "99999999", ROUTING)
    assert d.refused(second).code is RejectCode.RELATIONSHIP_EXISTS
    assert d.refused(DeleteAchRelationship("r1", "A2")).code is RejectCode.UNKNOWN_RELATIONSHIP
    (deleted,) = d.send(DeleteAchRelationship("r1", "A1"))
    assert isinstance(deleted, AchRelationshipUpdated) and deleted.status_to == "CANCELED"
    assert d.refused(DeleteAchRelationship("r1", "A1")).code is RejectCode.UNKNOWN_RELATIONSHIP
    assert isinstance(d.send(second)[0], AchRelationshipUpdated)
    # Ids are unique across relationships, transfers and journals.
    again = CreateAchRelationship("r1", "A2", "Bo", "CHECKING", "1234", ROUTING)
    assert d.refused(again).code is RejectCode.DUPLICATE_FUNDING_ID


def test_a_deposit_is_held_until_it_clears() -> None:
    d = Desk()
    d.link("A2")
    (queued,) = d.send(RequestTransfer("t1", "A2", "r1", "INCOMING", dollars("500.00"), "ops"))
    assert isinstance(queued, TransferUpdated) and queued.status_to == "QUEUED"
    assert d.values("A2").cash == 0
    sent = d.send(BankReport("transfer", "t1", "SENT_TO_CLEARING"))
    assert isinstance(sent[-1], TransferUpdated) and sent[-1].status_to == "SENT_TO_CLEARING"
    values = d.values("A2")
    assert values.held_cash == dollars("500.00") and values.withdrawable_cash == 0
    assert values.buying_power == dollars("500.00")
    done = d.send(BankReport("transfer", "t1", "COMPLETE"))
    assert isinstance(done[-1], TransferUpdated) and done[-1].status_to == "COMPLETE"
    values = d.values("A2")
    assert values.held_cash == 0 and values.withdrawable_cash == dollars("500.00")
    assert d.balanced()


def test_a_returned_deposit_takes_the_held_cash_back() -> None:
    d = Desk()
    d.link("A2")
    d.send(RequestTransfer("t1", "A2", "r1", "INCOMING", dollars("500.00")))
    d.send(BankReport("transfer", "t1", "SENT_TO_CLEARING"))
    returned = d.send(BankReport("transfer", "t1", "RETURNED", "R01 insufficient funds"))
    assert isinstance(returned[-1], TransferUpdated)
    assert returned[-1].status_to == "RETURNED"
    assert d.values("A2").cash == 0 and d.balanced()
    bad = d.refused(BankReport("transfer", "t1", "COMPLETE"))
    assert bad.code is RejectCode.UNEXPECTED_BANK_REPORT


def test_transfers_need_an_approved_relationship_of_the_account() -> None:
    d = Desk()
    d.send(CreateAchRelationship("r1", "A1", "Ann", "CHECKING", "1234567", ROUTING))
    early = d.refused(RequestTransfer("t1", "A1", "r1", "INCOMING", dollars(10)))
    assert early.code is RejectCode.RELATIONSHIP_NOT_APPROVED
    d.send(BankReport("relationship", "r1", "APPROVED"))
    other = d.refused(RequestTransfer("t1", "A2", "r1", "INCOMING", dollars(10)))
    assert other.code is RejectCode.UNKNOWN_RELATIONSHIP
    for amount in (0, -100, 12345, "10.00"):
        bad = d.refused(RequestTransfer("t1", "A1", "r1", "INCOMING", amount))  # type: ignore[arg-type]
        assert bad.code is RejectCode.INVALID_AMOUNT
    sideways = d.refused(RequestTransfer("t1", "A1", "r1", "SIDEWAYS", dollars(10)))
    assert sideways.code is RejectCode.INVALID_TRANSFER


def test_withdrawals_are_limited_to_withdrawable_cash() -> None:
    d = Desk()
    d.link("A1")
    too_much = d.refused(RequestTransfer("t1", "A1", "r1", "OUTGOING", dollars("1000.01")))
    assert too_much.code is RejectCode.WITHDRAWAL_EXCEEDS_WITHDRAWABLE
    assert "$1,000.00" in too_much.message
    d.send(RequestTransfer("t1", "A1", "r1", "OUTGOING", dollars("600.00")))
    # The queued withdrawal reserves its cash: a second one cannot spend it again.
    second = d.refused(RequestTransfer("t2", "A1", "r1", "OUTGOING", dollars("500.00")))
    assert second.code is RejectCode.WITHDRAWAL_EXCEEDS_WITHDRAWABLE
    sent = d.send(BankReport("transfer", "t1", "SENT_TO_CLEARING"))
    assert isinstance(sent[-1], TransferUpdated) and sent[-1].status_to == "SENT_TO_CLEARING"
    assert d.values("A1").cash == dollars("400.00")
    d.send(BankReport("transfer", "t1", "COMPLETE"))
    assert d.values("A1").cash == dollars("400.00") and d.balanced()


def test_held_deposits_cannot_be_withdrawn() -> None:
    d = Desk()
    d.link("A2")
    d.send(RequestTransfer("t1", "A2", "r1", "INCOMING", dollars("500.00")))
    d.send(BankReport("transfer", "t1", "SENT_TO_CLEARING"))
    refused = d.refused(RequestTransfer("t2", "A2", "r1", "OUTGOING", dollars("1.00")))
    assert refused.code is RejectCode.WITHDRAWAL_EXCEEDS_WITHDRAWABLE


def test_a_withdrawal_that_no_longer_fits_when_sent_is_rejected() -> None:
    d = Desk()
    d.link("A1")
    d.send(RequestTransfer("t1", "A1", "r1", "OUTGOING", dollars("600.00")))
    d.send(RequestTransfer("j-out", "A1", "r1", "OUTGOING", dollars("100.00")))
    d.send(CancelTransfer("j-out", "A1"))
    d.buy("A1", "AAPL", 5, "100.00")  # spends $500 of the reserved cash (settles later)
    sent = d.send(BankReport("transfer", "t1", "SENT_TO_CLEARING"))
    assert isinstance(sent[-1], TransferUpdated) and sent[-1].status_to == "REJECTED"
    assert "withdrawable" in sent[-1].reason
    assert d.values("A1").settled_cash == dollars("1000.00")


def test_only_queued_transfers_can_be_canceled() -> None:
    d = Desk()
    d.link("A1")
    d.send(RequestTransfer("t1", "A1", "r1", "INCOMING", dollars(5)))
    assert d.refused(CancelTransfer("t1", "A2")).code is RejectCode.UNKNOWN_TRANSFER
    (canceled,) = d.send(CancelTransfer("t1", "A1"))
    assert isinstance(canceled, TransferUpdated) and canceled.status_to == "CANCELED"
    assert d.refused(CancelTransfer("t1", "A1")).code is RejectCode.TRANSFER_NOT_CANCELABLE
    stale = d.refused(BankReport("transfer", "t1", "SENT_TO_CLEARING"))
    assert stale.code is RejectCode.UNEXPECTED_BANK_REPORT


def test_cash_journals_move_withdrawable_cash_and_balance() -> None:
    d = Desk()
    (queued,) = d.send(RequestJournal("j1", "JNLC", "A1", "A2", dollars("250.00"), actor="ops"))
    assert isinstance(queued, JournalUpdated) and queued.status_to == "queued"
    over = d.refused(RequestJournal("j2", "JNLC", "A1", "A2", dollars("800.00")))
    assert over.code is RejectCode.JOURNAL_OVERDRAWS_CASH
    executed = d.send(BankReport("journal", "j1", "executed"))
    assert isinstance(executed[-1], JournalUpdated) and executed[-1].status_to == "executed"
    assert d.values("A1").cash == dollars("750.00")
    assert d.values("A2").withdrawable_cash == dollars("250.00")
    assert d.balanced()
    assert d.refused(CancelJournal("j1")).code is RejectCode.JOURNAL_NOT_CANCELABLE


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"to_account": "A1"}, RejectCode.JOURNAL_SAME_ACCOUNT),
        ({"to_account": "ZZ"}, RejectCode.UNKNOWN_ACCOUNT),
        ({"from_account": "ZZ"}, RejectCode.UNKNOWN_ACCOUNT),
        ({"entry_type": "JNLX"}, RejectCode.INVALID_JOURNAL),
        ({"amount": 0}, RejectCode.INVALID_AMOUNT),
        ({"symbol": "AAPL"}, RejectCode.INVALID_JOURNAL),
        (
            {"entry_type": "JNLS", "amount": 0, "symbol": "AAPL", "quantity": 0},
            RejectCode.INVALID_JOURNAL,
        ),
        (
            {"entry_type": "JNLS", "amount": 0, "symbol": "AAPL", "quantity": 1},
            RejectCode.JOURNAL_EXCEEDS_POSITION,
        ),
        ({"amount": dollars("1000.01")}, RejectCode.JOURNAL_OVERDRAWS_CASH),
    ],
)
def test_bad_journals_are_refused(fields: dict[str, object], code: RejectCode) -> None:
    d = Desk()
    values: dict[str, object] = {
        "journal_id": "j1", "entry_type": "JNLC", "from_account": "A1", "to_account": "A2",
        "amount": dollars(10),
    }  # fmt: skip
    values.update(fields)
    assert d.refused(RequestJournal(**values)).code is code  # type: ignore[arg-type]


def test_security_journals_move_free_shares_with_their_cost() -> None:
    d = Desk()
    d.buy("A1", "AAPL", 10, "50.00")
    too_many = d.refused(RequestJournal("j1", "JNLS", "A1", "A2", symbol="AAPL", quantity=11))
    assert too_many.code is RejectCode.JOURNAL_EXCEEDS_POSITION
    d.send(RequestJournal("j1", "JNLS", "A1", "A2", symbol="AAPL", quantity=4))
    # Six shares are left free while the journal of four is queued.
    more = d.refused(RequestJournal("j2", "JNLS", "A1", "A2", symbol="AAPL", quantity=7))
    assert more.code is RejectCode.JOURNAL_EXCEEDS_POSITION
    executed = d.send(BankReport("journal", "j1", "executed"))
    assert isinstance(executed[-1], JournalUpdated) and executed[-1].status_to == "executed"
    sender = d.core.ledger.position("A1", "AAPL")
    receiver = d.core.ledger.position("A2", "AAPL")
    assert sender is not None and receiver is not None
    assert (sender.quantity, receiver.quantity) == (6, 4)
    assert receiver.cost_basis == 4 * dollars("50.00") and receiver.realized_pnl == 0
    assert d.balanced()


def test_queued_journals_can_be_canceled_and_release_their_reservation() -> None:
    d = Desk()
    d.send(RequestJournal("j1", "JNLC", "A1", "A2", dollars("900.00")))
    assert d.refused(CancelJournal("nope")).code is RejectCode.UNKNOWN_JOURNAL
    (canceled,) = d.send(CancelJournal("j1", "ops"))
    assert isinstance(canceled, JournalUpdated) and canceled.status_to == "canceled"
    d.send(RequestJournal("j2", "JNLC", "A1", "A2", dollars("900.00")))
    stale = d.refused(BankReport("journal", "j1", "executed"))
    assert stale.code is RejectCode.UNEXPECTED_BANK_REPORT


def test_unknown_reports_are_refused() -> None:
    d = Desk()
    for report, code in (
        (BankReport("transfer", "zz", "COMPLETE"), RejectCode.UNKNOWN_TRANSFER),
        (BankReport("journal", "zz", "executed"), RejectCode.UNKNOWN_JOURNAL),
        (BankReport("relationship", "zz", "APPROVED"), RejectCode.UNKNOWN_RELATIONSHIP),
        (BankReport("wire", "zz", "APPROVED"), RejectCode.MALFORMED),
    ):
        assert d.refused(report).code is code


def test_funding_survives_a_snapshot() -> None:
    d = Desk()
    d.link("A2")
    d.send(RequestTransfer("t1", "A2", "r1", "INCOMING", dollars(5)))
    d.send(RequestJournal("j1", "JNLC", "A1", "A2", dollars(5)))
    copy = BrokerCore(
        LedgerCore(shared_calendar()), DirectedRouting(("NSDQ",), {"AAPL": "NSDQ"}), BrokerConfig()
    )
    copy.restore(d.core.snapshot())
    assert copy.state_hash() == d.core.state_hash()
    assert copy.funding.book.transfers["t1"].status == "QUEUED"
    assert isinstance(copy.handle(CancelTransfer("t1", "A2"), 99)[0], TransferUpdated)
    assert isinstance(copy.handle(CancelTransfer("t1", "A2"), 99)[0], FundingRejected)
