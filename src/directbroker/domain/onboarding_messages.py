"""Commands and events of account opening (onboarding), which the broker core journals.

An application carries the applicant's KYC record (contact, identity, disclosures, agreements,
trusted contact, as in Alpaca's CreateAccountRequest) as ``kyc``: canonical MessagePack bytes
of the nested record, packed and read by :mod:`directbroker.engines.onboarding.kyc`. The
record is personal data: it lives in the broker journal (the system of record) and the staff
read models, never in anything a customer key can reach.

Ids come in as inputs: ``account_id`` is a UUID chosen by the gateway; the account number is
assigned by the engine from its own counter. ``actor`` names the staff user (or key) who asked.
Status values are Alpaca's account status strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from directbroker.domain.accounts import AccountType
from directbroker.domain.messages import Command, Event
from directbroker.domain.rejects import RejectCode


class OnboardingStatus(str, Enum):
    """Where an account is in its opening workflow (Alpaca's account status values)."""

    SUBMITTED = "SUBMITTED"
    APPROVAL_PENDING = "APPROVAL_PENDING"
    ACTION_REQUIRED = "ACTION_REQUIRED"
    ACTIVE = "ACTIVE"
    REJECTED = "REJECTED"
    ACCOUNT_CLOSED = "ACCOUNT_CLOSED"


# --- commands -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubmitAccountApplication(Command):
    """Apply for an account. Refused whole (nothing recorded) when a required KYC field is
    missing or the applicant is not eligible under the firm's onboarding policy."""

    account_id: str
    account_type: AccountType
    kyc: bytes
    actor: str


@dataclass(frozen=True, slots=True)
class ReviewAccountApplication(Command):
    """Staff decide an application that waits for them (APPROVAL_PENDING or
    ACTION_REQUIRED): approve (the books open the account) or reject."""

    account_id: str
    approve: bool
    reason: str
    actor: str


@dataclass(frozen=True, slots=True)
class UpdateAccountDetails(Command):
    """Change an account's contact, identity, disclosures or trusted contact: ``changes`` is
    a partial KYC record merged over the current one (Alpaca's PATCH). Refused when the
    result would not be eligible."""

    account_id: str
    changes: bytes
    actor: str


@dataclass(frozen=True, slots=True)
class CloseBrokerAccount(Command):
    """Close an account (an open one must hold no cash or positions) or withdraw an
    application still waiting for a decision."""

    account_id: str
    reason: str
    actor: str


@dataclass(frozen=True, slots=True)
class SetOnboardingPolicy(Command):
    """The firm's eligibility rules (from the configuration file, journaled when changed so
    replay never depends on today's file). Countries are ISO 3166-1 alpha-3, states USPS
    codes; empty ``countries``/``states`` mean every one not blocked."""

    auto_approve: bool
    countries: tuple[str, ...]
    blocked_countries: tuple[str, ...]
    states: tuple[str, ...]
    blocked_states: tuple[str, ...]
    minimum_age: int
    actor: str


# --- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountApplicationSubmitted(Event):
    """An application was recorded (its status follows in :class:`OnboardingStatusChanged`)."""

    account_id: str
    account_number: str
    account_type: AccountType
    kyc: bytes
    actor: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class OnboardingStatusChanged(Event):
    """An account moved in its opening workflow. ``old_status`` is empty for a new one."""

    account_id: str
    account_number: str
    old_status: str
    new_status: OnboardingStatus
    reason: str
    actor: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class AccountDetailsUpdated(Event):
    """The account's KYC record now reads ``kyc`` (the whole record after the change)."""

    account_id: str
    kyc: bytes
    actor: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class OnboardingPolicySet(Event):
    """The eligibility rules in force from now on."""

    auto_approve: bool
    countries: tuple[str, ...]
    blocked_countries: tuple[str, ...]
    states: tuple[str, ...]
    blocked_states: tuple[str, ...]
    minimum_age: int
    actor: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class OnboardingRejected(Event):
    """An onboarding command was refused; nothing changed."""

    command: str
    account_id: str
    code: RejectCode
    message: str
    ts_ns: int


ONBOARDING_COMMANDS = (
    SubmitAccountApplication,
    ReviewAccountApplication,
    UpdateAccountDetails,
    CloseBrokerAccount,
    SetOnboardingPolicy,
)
"""Every command the onboarding engine takes (the broker core dispatches them to it)."""
