"""The opening workflow through the broker core: statuses, the books, refusals, snapshots."""

from __future__ import annotations

from typing import Any

import pytest

from directbroker.domain.accounts import AccountStatus, AccountType
from directbroker.domain.ledger_messages import AccountOpened, Deposit
from directbroker.domain.messages import Event
from directbroker.domain.onboarding_messages import (
    AccountApplicationSubmitted,
    AccountDetailsUpdated,
    CloseBrokerAccount,
    OnboardingRejected,
    OnboardingStatus,
    OnboardingStatusChanged,
    ReviewAccountApplication,
    SetOnboardingPolicy,
    SubmitAccountApplication,
    UpdateAccountDetails,
)
from directbroker.domain.rejects import RejectCode
from directbroker.engines.broker import BrokerCore, DirectedRouting
from directbroker.engines.ledger import LedgerCore
from directbroker.engines.onboarding import pack_kyc, unpack_kyc
from directbroker.testing.broker_harness import shared_calendar
from directbroker.testing.kyc import applicant, with_agreement

S = OnboardingStatus
TS = 20_254 * 86_400 * 1_000_000_000
ID = "0b7d9a54-5f7e-4c43-9a59-0c6c6b8a3d11"
OTHER = "4d3c2b1a-0000-4000-8000-000000000002"


def new_core(auto_approve: bool = True) -> BrokerCore:
    core = BrokerCore(LedgerCore(shared_calendar()), DirectedRouting(("NSDQ",)))
    policy = SetOnboardingPolicy(auto_approve, ("USA",), (), (), ("NY",), 18, "test")
    core.handle(policy, TS)
    return core


def submit(core: BrokerCore, record: dict[str, Any] | None = None, account: str = ID,
           kind: AccountType = AccountType.CASH) -> list[Event]:  # fmt: skip
    kyc = pack_kyc(applicant() if record is None else record)
    return core.handle(SubmitAccountApplication(account, kind, kyc, "ops"), TS)


def statuses(events: list[Event]) -> list[S]:
    return [e.new_status for e in events if isinstance(e, OnboardingStatusChanged)]


def rejected(events: list[Event]) -> RejectCode:
    assert len(events) == 1 and isinstance(events[0], OnboardingRejected), events
    return events[0].code


def test_an_eligible_applicant_is_approved_at_once_and_opened_in_the_books() -> None:
    core = new_core()
    events = submit(core)
    assert statuses(events) == [S.SUBMITTED, S.APPROVAL_PENDING, S.ACTIVE]
    assert any(isinstance(e, AccountOpened) for e in events)
    submitted = next(e for e in events if isinstance(e, AccountApplicationSubmitted))
    assert submitted.account_number == "900000001"
    assert unpack_kyc(submitted.kyc)["identity"]["given_name"] == "Ada"
    assert core.ledger.account_values(ID).account_type is AccountType.CASH


def test_without_auto_approval_staff_decide() -> None:
    core = new_core(auto_approve=False)
    assert statuses(submit(core)) == [S.SUBMITTED, S.APPROVAL_PENDING]
    assert not core.ledger.has_account(ID)
    events = core.handle(ReviewAccountApplication(ID, True, "looks fine", "compliance-1"), TS)
    assert statuses(events) == [S.ACTIVE]
    assert core.ledger.has_account(ID)
    change = next(e for e in events if isinstance(e, OnboardingStatusChanged))
    assert change.actor == "compliance-1"


def test_disclosures_require_action_and_staff_may_reject() -> None:
    core = new_core()
    record = applicant(disclosures={"is_control_person": True})
    assert statuses(submit(core, record)) == [S.SUBMITTED, S.ACTION_REQUIRED]
    assert statuses(core.handle(ReviewAccountApplication(ID, False, "no", "c"), TS)) == [S.REJECTED]
    assert not core.ledger.has_account(ID)
    again = core.handle(ReviewAccountApplication(ID, True, "", "c"), TS)
    assert rejected(again) is RejectCode.INVALID_ACCOUNT_TRANSITION


def test_ineligible_or_incomplete_applications_change_nothing() -> None:
    core = new_core()
    before = core.state_hash()
    cases = {
        RejectCode.KYC_FIELD_MISSING: applicant(contact={"email_address": None}),
        RejectCode.SANCTIONED_COUNTRY: applicant(identity={"country_of_citizenship": "IRN"}),
        RejectCode.STATE_NOT_ACCEPTED: applicant(contact={"state": "NY"}),
        RejectCode.UNDER_MINIMUM_AGE: applicant(identity={"date_of_birth": "2010-01-01"}),
    }
    for code, record in cases.items():
        assert rejected(submit(core, record)) is code
    margin = submit(core, kind=AccountType.MARGIN)
    assert rejected(margin) is RejectCode.MARGIN_AGREEMENT_REQUIRED
    assert rejected(submit(core, account="not-a-uuid")) is RejectCode.INVALID_ACCOUNT_ID
    junk = core.handle(SubmitAccountApplication(ID, AccountType.CASH, b"\xc1", "x"), TS)
    assert rejected(junk) is RejectCode.KYC_FIELD_INVALID
    assert core.state_hash() == before


def test_margin_with_the_agreement_opens_a_margin_account() -> None:
    core = new_core()
    submit(core, with_agreement(applicant(), "margin_agreement"), kind=AccountType.MARGIN)
    assert core.ledger.account_values(ID).account_type is AccountType.MARGIN


def test_the_same_id_cannot_apply_twice() -> None:
    core = new_core()
    submit(core)
    assert rejected(submit(core)) is RejectCode.DUPLICATE_ACCOUNT_ID


def test_updates_merge_and_keep_the_applicant_eligible() -> None:
    core = new_core()
    submit(core)
    change = pack_kyc({"contact": {"phone_number": "+1 555 000 0000"}})
    events = core.handle(UpdateAccountDetails(ID, change, "ops"), TS + 1)
    (updated,) = events
    assert isinstance(updated, AccountDetailsUpdated)
    record = unpack_kyc(updated.kyc)
    assert record["contact"]["phone_number"] == "+1 555 000 0000"
    assert record["contact"]["email_address"] == "ada@example.com"
    before = core.state_hash()
    cases: list[tuple[dict[str, Any], RejectCode]] = [
        ({"contact": {"state": "NY"}}, RejectCode.STATE_NOT_ACCEPTED),
        ({"identity": {"country_of_citizenship": "CUB"}}, RejectCode.SANCTIONED_COUNTRY),
        ({"identity": {"date_of_birth": "2000-01-01"}}, RejectCode.FIELD_NOT_UPDATABLE),
        ({"agreements": []}, RejectCode.FIELD_NOT_UPDATABLE),
        ({"contact": {"email_address": None}}, RejectCode.KYC_FIELD_MISSING),
    ]
    for bad, code in cases:
        assert rejected(core.handle(UpdateAccountDetails(ID, pack_kyc(bad), "o"), TS)) is code
    unknown = core.handle(UpdateAccountDetails(OTHER, change, "o"), TS)
    assert rejected(unknown) is RejectCode.UNKNOWN_ACCOUNT
    assert core.state_hash() == before


def test_closing_needs_an_empty_account_and_is_final() -> None:
    core = new_core()
    submit(core)
    core.handle(Deposit(ID, "t1", 100 * 10_000), TS)
    before = core.state_hash()
    assert rejected(core.handle(CloseBrokerAccount(ID, "bye", "o"), TS)) is (
        RejectCode.ACCOUNT_NOT_FLAT
    )
    assert core.state_hash() == before
    core2 = new_core()
    submit(core2)
    assert statuses(core2.handle(CloseBrokerAccount(ID, "bye", "o"), TS)) == [S.ACCOUNT_CLOSED]
    assert core2.ledger.account_values(ID).status is AccountStatus.CLOSED
    again = core2.handle(CloseBrokerAccount(ID, "bye", "o"), TS)
    assert rejected(again) is RejectCode.INVALID_ACCOUNT_TRANSITION


def test_a_pending_application_may_be_withdrawn_without_touching_the_books() -> None:
    core = new_core(auto_approve=False)
    submit(core)
    assert statuses(core.handle(CloseBrokerAccount(ID, "withdrawn", "o"), TS)) == [S.ACCOUNT_CLOSED]
    assert not core.ledger.has_account(ID)


def test_snapshot_and_restore_keep_the_applications() -> None:
    core = new_core(auto_approve=False)
    submit(core)
    submit(core, account=OTHER)
    copy = BrokerCore(LedgerCore(shared_calendar()), DirectedRouting(("NSDQ",)))
    copy.restore(core.snapshot())
    assert copy.state_hash() == core.state_hash()
    app = copy.onboarding.application(OTHER)
    assert app is not None and app.account_number == "900000002"


@pytest.mark.parametrize(
    "policy",
    [
        SetOnboardingPolicy(True, ("usa",), (), (), (), 18, "x"),
        SetOnboardingPolicy(True, ("USA",), (), (), (), -1, "x"),
        SetOnboardingPolicy(True, ["USA"], (), (), (), 18, "x"),  # type: ignore[arg-type]
    ],
)
def test_a_bad_policy_is_refused(policy: SetOnboardingPolicy) -> None:
    core = new_core()
    before = core.state_hash()
    assert rejected(core.handle(policy, TS)) is RejectCode.INVALID_ONBOARDING_POLICY
    assert core.state_hash() == before
