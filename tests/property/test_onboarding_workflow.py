"""Whatever staff and clients send, the opening workflow keeps its invariants:

- no path leads from REJECTED or ACCOUNT_CLOSED to any other status;
- an account is ACTIVE only after an approval, and the books hold an account exactly when its
  application is ACTIVE or was closed after being active;
- every status change is one the table allows;
- a refused command changes nothing (the state hash is unchanged).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.domain.accounts import AccountType
from directbroker.domain.ledger_messages import Deposit
from directbroker.domain.messages import Command
from directbroker.domain.onboarding_messages import (
    CloseBrokerAccount,
    OnboardingRejected,
    OnboardingStatus,
    OnboardingStatusChanged,
    ReviewAccountApplication,
    SetOnboardingPolicy,
    SubmitAccountApplication,
    UpdateAccountDetails,
)
from directbroker.engines.broker import BrokerCore, DirectedRouting
from directbroker.engines.ledger import LedgerCore
from directbroker.engines.onboarding import may_move, pack_kyc
from directbroker.testing.broker_harness import shared_calendar
from directbroker.testing.kyc import applicant

S = OnboardingStatus
TS = 20_254 * 86_400 * 1_000_000_000
IDS = [f"00000000-0000-4000-8000-00000000000{n}" for n in range(3)]
FINAL = {S.REJECTED, S.ACCOUNT_CLOSED}

records = st.sampled_from(
    [
        applicant(),
        applicant(disclosures={"is_control_person": True}),
        applicant(contact={"state": "NY"}),
        applicant(identity={"country_of_citizenship": "IRN"}),
        applicant(contact={"email_address": None}),
    ]
)
ids = st.sampled_from(IDS)
commands = st.one_of(
    st.builds(
        SubmitAccountApplication,
        ids,
        st.sampled_from(list(AccountType)),
        records.map(pack_kyc),
        st.just("ops"),
    ),
    st.builds(ReviewAccountApplication, ids, st.booleans(), st.just(""), st.just("c")),
    st.builds(CloseBrokerAccount, ids, st.just("bye"), st.just("o")),
    st.builds(
        UpdateAccountDetails,
        ids,
        st.sampled_from(
            [
                {"contact": {"state": "TX"}},
                {"contact": {"state": "NY"}},
                {"identity": {"tax_id": "1"}},
            ]
        ).map(pack_kyc),
        st.just("o"),
    ),
    st.builds(
        SetOnboardingPolicy,
        st.booleans(),
        st.just(("USA",)),
        st.just(()),
        st.just(()),
        st.just(("NY",)),
        st.just(18),
        st.just("cfg"),
    ),
    st.builds(Deposit, ids, st.uuids().map(str), st.just(10_000)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(commands, max_size=25))
def test_no_path_leaves_a_final_status_or_skips_approval(sequence: list[Command]) -> None:
    core = BrokerCore(LedgerCore(shared_calendar()), DirectedRouting(("NSDQ",)))
    seen: dict[str, list[S]] = {}
    for command in sequence:
        before = core.state_hash()
        events = core.handle(command, TS)
        if any(isinstance(e, OnboardingRejected) for e in events):
            assert core.state_hash() == before
        for event in events:
            if isinstance(event, OnboardingStatusChanged):
                history = seen.setdefault(event.account_id, [])
                if history:
                    assert history[-1] not in FINAL
                    assert may_move(history[-1], event.new_status)
                else:
                    assert event.new_status is S.SUBMITTED
                history.append(event.new_status)
    for account, history in seen.items():
        if S.ACTIVE in history:
            assert S.APPROVAL_PENDING in history or S.ACTION_REQUIRED in history
        was_active = S.ACTIVE in history
        assert core.ledger.has_account(account) == was_active
        app = core.onboarding.application(account)
        assert app is not None and app.status is history[-1]
