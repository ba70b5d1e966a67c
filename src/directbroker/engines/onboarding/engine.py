"""The onboarding engine: ``handle(command, ts_ns, books) -> events``.

Each handler validates everything first (the command's fields, the status table, the
eligibility rules, what the books say) and only then changes anything: a refusal is one
:class:`OnboardingRejected` event and no other trace. The books (the broker core's ledger) are
lent through :class:`Books`, so opening and closing the ledger account happen in the same
input as the status change that causes them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from directbroker.domain.accounts import AccountType
from directbroker.domain.messages import Event, Message
from directbroker.domain.onboarding_messages import (
    AccountApplicationSubmitted,
    AccountDetailsUpdated,
    CloseBrokerAccount,
    OnboardingPolicySet,
    OnboardingRejected,
    OnboardingStatus,
    OnboardingStatusChanged,
    ReviewAccountApplication,
    SetOnboardingPolicy,
    SubmitAccountApplication,
    UpdateAccountDetails,
)
from directbroker.domain.rejects import RejectCode
from directbroker.engines.onboarding import rules
from directbroker.engines.onboarding.kyc import (
    KycFormError,
    Record,
    merge_kyc,
    pack_kyc,
    text_at,
    unpack_kyc,
)
from directbroker.engines.onboarding.rules import Policy, Refusal
from directbroker.engines.onboarding.state import Application, OnboardingState
from directbroker.engines.onboarding.status import AWAITING_DECISION, UPDATABLE, may_move

S = OnboardingStatus

UPDATABLE_SECTIONS = frozenset({"contact", "identity", "disclosures", "trusted_contact"})
"""What a PATCH may change (Alpaca's UpdateAccountRequest); agreements are signed once."""

FIXED_IDENTITY = frozenset({"given_name", "family_name", "date_of_birth", "tax_id"})
"""Identity fields that are the person, not their circumstances: never changed by a PATCH."""

MAX_TEXT = 256
_HEX = frozenset("0123456789abcdef")


class Books(Protocol):
    """What onboarding needs from the ledger."""

    def has_account(self, account: str) -> bool:
        """Whether the books already hold an account with this id."""
        ...

    def open_account(self, account: str, account_type: AccountType, ts_ns: int) -> list[Event]:
        """Open the account (the caller checked it does not exist); its events."""
        ...

    def close_account(self, account: str, reason: str, ts_ns: int) -> list[Event] | Refusal:
        """Close an empty account; the refusal (nothing changed) when it is not empty."""
        ...


class OnboardingEngine:
    """Applications and their workflow. Deterministic: ids and time are inputs."""

    def __init__(self) -> None:
        self.state = OnboardingState()
        self._handlers: dict[type[Message], Callable[[Any, int, Books], list[Event]]] = {
            SubmitAccountApplication: self._submit,
            ReviewAccountApplication: self._review,
            UpdateAccountDetails: self._update,
            CloseBrokerAccount: self._close,
            SetOnboardingPolicy: self._set_policy,
        }

    def handle(self, command: Message, ts_ns: int, books: Books) -> list[Event]:
        """Apply one onboarding command."""
        return self._handlers[type(command)](command, ts_ns, books)

    def application(self, account_id: str) -> Application | None:
        """One application by account id."""
        return self.state.applications.get(account_id)

    # --- handlers ----------------------------------------------------------------------------

    def _submit(self, cmd: SubmitAccountApplication, ts: int, books: Books) -> list[Event]:
        account_id = cmd.account_id if is_account_id(cmd.account_id) else ""
        if not account_id:
            return [_refused(cmd, RejectCode.INVALID_ACCOUNT_ID, "account_id is not a UUID", ts)]
        if account_id in self.state.applications or books.has_account(account_id):
            return [_refused(cmd, RejectCode.DUPLICATE_ACCOUNT_ID, account_id, ts)]
        account_type: object = cmd.account_type
        if not isinstance(account_type, AccountType):
            return [_refused(cmd, RejectCode.KYC_FIELD_INVALID, "account type", ts)]
        actor = _text(cmd.actor)
        record = _record(cmd.kyc)
        if isinstance(record, tuple):
            return [_refused(cmd, *record, ts)]
        refusal = rules.first_refusal(record, self.state.policy, cmd.account_type, ts)
        if refusal is not None:
            return [_refused(cmd, *refusal, ts)]
        state = self.state
        state.numbers_issued += 1
        number = f"9{state.numbers_issued:08d}"
        kyc = pack_kyc(record)
        app = Application(account_id, number, cmd.account_type, S.SUBMITTED, kyc, ts, ts)
        state.applications[account_id] = app
        out: list[Event] = [
            AccountApplicationSubmitted(account_id, number, cmd.account_type, kyc, actor, ts),
            OnboardingStatusChanged(account_id, number, "", S.SUBMITTED, "", actor, ts),
        ]
        review = rules.needs_review(record)
        if review:
            out.append(self._move(app, S.ACTION_REQUIRED, review, actor, ts))
            return out
        out.append(self._move(app, S.APPROVAL_PENDING, "eligible", actor, ts))
        if state.policy.auto_approve:
            out.extend(books.open_account(account_id, app.account_type, ts))
            out.append(self._move(app, S.ACTIVE, "approved automatically", actor, ts))
        return out

    def _review(self, cmd: ReviewAccountApplication, ts: int, books: Books) -> list[Event]:
        app = self._known(cmd)
        if isinstance(app, tuple):
            return [_refused(cmd, *app, ts)]
        if app.status not in AWAITING_DECISION or type(cmd.approve) is not bool:
            message = f"the account is {app.status.value}, not waiting for a decision"
            return [_refused(cmd, RejectCode.INVALID_ACCOUNT_TRANSITION, message, ts)]
        reason, actor = _text(cmd.reason), _text(cmd.actor)
        if not cmd.approve:
            return [self._move(app, S.REJECTED, reason or "rejected", actor, ts)]
        if books.has_account(app.account_id):
            return [_refused(cmd, RejectCode.DUPLICATE_ACCOUNT_ID, app.account_id, ts)]
        out = books.open_account(app.account_id, app.account_type, ts)
        out.append(self._move(app, S.ACTIVE, reason or "approved", actor, ts))
        return out

    def _update(self, cmd: UpdateAccountDetails, ts: int, books: Books) -> list[Event]:
        app = self._known(cmd)
        if isinstance(app, tuple):
            return [_refused(cmd, *app, ts)]
        if app.status not in UPDATABLE:
            message = f"a {app.status.value} account cannot be changed"
            return [_refused(cmd, RejectCode.INVALID_ACCOUNT_TRANSITION, message, ts)]
        changes = _record(cmd.changes)
        if isinstance(changes, tuple):
            return [_refused(cmd, *changes, ts)]
        fixed = _fixed_field(changes)
        if fixed:
            return [_refused(cmd, RejectCode.FIELD_NOT_UPDATABLE, fixed, ts)]
        current = unpack_kyc(app.kyc)
        merged = merge_kyc(current, changes)
        refusal = _still_eligible(current, merged, self.state.policy)
        if refusal is not None:
            return [_refused(cmd, *refusal, ts)]
        app.kyc = pack_kyc(merged)
        app.updated_ns = ts
        return [AccountDetailsUpdated(app.account_id, app.kyc, _text(cmd.actor), ts)]

    def _close(self, cmd: CloseBrokerAccount, ts: int, books: Books) -> list[Event]:
        app = self._known(cmd)
        if isinstance(app, tuple):
            return [_refused(cmd, *app, ts)]
        if not may_move(app.status, S.ACCOUNT_CLOSED):
            message = f"a {app.status.value} account cannot be closed"
            return [_refused(cmd, RejectCode.INVALID_ACCOUNT_TRANSITION, message, ts)]
        reason, actor = _text(cmd.reason) or "closed", _text(cmd.actor)
        out: list[Event] = []
        if app.status is S.ACTIVE:
            closed = books.close_account(app.account_id, reason, ts)
            if isinstance(closed, tuple):
                return [_refused(cmd, *closed, ts)]
            out.extend(closed)
        out.append(self._move(app, S.ACCOUNT_CLOSED, reason, actor, ts))
        return out

    def _set_policy(self, cmd: SetOnboardingPolicy, ts: int, books: Books) -> list[Event]:
        policy = _policy(cmd)
        if isinstance(policy, tuple):
            return [_refused(cmd, *policy, ts)]
        self.state.policy = policy
        return [
            OnboardingPolicySet(
                policy.auto_approve, policy.countries, policy.blocked_countries, policy.states,
                policy.blocked_states, policy.minimum_age, _text(cmd.actor), ts,
            )
        ]  # fmt: skip

    # --- helpers -----------------------------------------------------------------------------

    def _known(self, cmd: Any) -> Application | Refusal:
        account_id: object = cmd.account_id
        app = self.state.applications.get(account_id) if type(account_id) is str else None
        if app is None:
            return RejectCode.UNKNOWN_ACCOUNT, f"no account {_text(account_id)}"
        return app

    def _move(self, app: Application, new: S, reason: str, actor: str, ts: int) -> Event:
        old = app.status
        assert may_move(old, new), f"{old} -> {new}"
        app.status, app.updated_ns = new, ts
        return OnboardingStatusChanged(
            app.account_id, app.account_number, old.value, new, reason, actor, ts
        )


def is_account_id(value: object) -> bool:
    """Whether ``value`` is a UUID in canonical lower-case text (no uuid module: pure)."""
    if type(value) is not str or len(value) != 36:
        return False
    groups = value.split("-")
    return [len(g) for g in groups] == [8, 4, 4, 4, 12] and all(set(g) <= _HEX for g in groups)


def _record(data: object) -> Record | Refusal:
    try:
        return unpack_kyc(data)
    except KycFormError as exc:
        return RejectCode.KYC_FIELD_INVALID, str(exc)


def _fixed_field(changes: Record) -> str:
    for section, value in changes.items():
        if section not in UPDATABLE_SECTIONS:
            return f"{section} cannot be changed"
        if section == "identity" and isinstance(value, dict):
            for name in sorted(FIXED_IDENTITY & set(value)):
                return f"identity.{name} cannot be changed"
        if not isinstance(value, dict):
            return f"{section} must be an object"
    return ""


def _still_eligible(before: Record, after: Record, policy: Policy) -> Refusal | None:
    """A change keeps every required field and never a sanctioned country; a move (a new
    residence, state or tax residence) must be to somewhere the firm serves today."""
    refusal = rules.missing_field(after) or rules.not_sanctioned(after)
    if refusal is not None:
        return refusal
    place = (
        ("contact", "country"), ("contact", "state"), ("identity", "country_of_tax_residence"),
    )  # fmt: skip
    if any(text_at(before, s, f) != text_at(after, s, f) for s, f in place):
        return rules.country_accepted(after, policy) or rules.state_accepted(after, policy)
    return None


def _policy(cmd: SetOnboardingPolicy) -> Policy | Refusal:
    lists = (cmd.countries, cmd.blocked_countries, cmd.states, cmd.blocked_states)
    for values in lists:
        if type(values) is not tuple or not all(
            type(v) is str and 2 <= len(v) <= 3 and v.isalpha() and v.isupper() for v in values
        ):
            return RejectCode.INVALID_ONBOARDING_POLICY, "codes must be upper-case letters"
    age = cmd.minimum_age
    if type(age) is not int or not 0 <= age <= 150 or type(cmd.auto_approve) is not bool:
        return RejectCode.INVALID_ONBOARDING_POLICY, "minimum_age must be 0..150"
    return Policy(cmd.auto_approve, *lists, age)


def _refused(command: Message, code: RejectCode, message: str, ts: int) -> OnboardingRejected:
    account: object = getattr(command, "account_id", "")
    return OnboardingRejected(type(command).__name__, _text(account)[:64], code, message, ts)


def _text(value: object) -> str:
    return value[:MAX_TEXT] if type(value) is str else repr(value)[:MAX_TEXT]
