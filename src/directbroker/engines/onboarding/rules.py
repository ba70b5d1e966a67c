"""Eligibility: who the firm may open an account for, one small rule per function.

Every rule takes the applicant's KYC record (and the policy, the account type or the time
where it needs them) and returns None or the refusal: a stable code and a message naming the
field. :func:`first_refusal` runs them in a fixed order, so the same application always gets
the same answer. Rules read no clock: age is measured at the command's journal timestamp.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from directbroker.domain.accounts import AccountType
from directbroker.domain.rejects import RejectCode
from directbroker.engines.onboarding.kyc import Record, text_at

Refusal = tuple[RejectCode, str]

SANCTIONED_COUNTRIES = frozenset({"CUB", "IRN", "PRK", "SYR"})
"""Countries under comprehensive US (OFAC) sanctions programmes, refused whatever the policy
says (ISO 3166-1 alpha-3). Syria is kept while the firm's compliance reviews the 2025 easing."""

SELF_DIRECTED_AGREEMENT = "customer_agreement"
"""The agreement that carries the self-directed acknowledgement: the firm gives no advice."""

MARGIN_AGREEMENT = "margin_agreement"

DISCLOSURE_FLAGS = (
    "is_control_person",
    "is_affiliated_exchange_or_finra",
    "is_politically_exposed",
    "immediate_family_exposed",
)
"""Disclosures that are not disqualifying but need a person's review (ACTION_REQUIRED)."""

_NS_PER_DAY = 86_400 * 1_000_000_000


@dataclass(frozen=True, slots=True)
class Policy:
    """The firm's eligibility rules (the configuration's ``[onboarding]`` section)."""

    auto_approve: bool = True
    countries: tuple[str, ...] = ("USA",)
    blocked_countries: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    blocked_states: tuple[str, ...] = ()
    minimum_age: int = 18

    def to_plain(self) -> list[object]:
        """For the snapshot."""
        return [
            self.auto_approve, list(self.countries), list(self.blocked_countries),
            list(self.states), list(self.blocked_states), self.minimum_age,
        ]  # fmt: skip

    @classmethod
    def from_plain(cls, plain: list[Any]) -> Policy:
        """From :meth:`to_plain`."""
        auto, countries, blocked, states, blocked_states, age = plain
        return cls(
            bool(auto), tuple(countries), tuple(blocked),
            tuple(states), tuple(blocked_states), int(age),
        )  # fmt: skip


# --- the record's required fields --------------------------------------------------------------


def missing_field(record: Record) -> Refusal | None:
    """The first required KYC field that is absent or empty."""
    required = {
        "contact": ("email_address", "phone_number", "city"),
        "identity": ("given_name", "family_name", "date_of_birth", "country_of_tax_residence"),
    }
    for section, fields in required.items():
        for name in fields:
            if not text_at(record, section, name):
                return RejectCode.KYC_FIELD_MISSING, f"{section}.{name} is required"
    street = record["contact"].get("street_address")
    if not isinstance(street, list) or not any(isinstance(s, str) and s.strip() for s in street):
        return RejectCode.KYC_FIELD_MISSING, "contact.street_address is required"
    if residence(record) == "USA" and not text_at(record, "contact", "state"):
        return RejectCode.KYC_FIELD_MISSING, "contact.state is required for a US address"
    if text_at(record, "identity", "country_of_tax_residence") == "USA" and not text_at(
        record, "identity", "tax_id"
    ):
        return RejectCode.KYC_FIELD_MISSING, "identity.tax_id is required for US tax residents"
    disclosures = record.get("disclosures")
    if not isinstance(disclosures, dict):
        return RejectCode.KYC_FIELD_MISSING, "disclosures are required"
    for flag in DISCLOSURE_FLAGS:
        if type(disclosures.get(flag)) is not bool:
            return RejectCode.KYC_FIELD_MISSING, f"disclosures.{flag} (true or false) is required"
    return _agreements_form(record) or _trusted_contact_form(record)


def _agreements_form(record: Record) -> Refusal | None:
    agreements = record.get("agreements")
    if not isinstance(agreements, list) or not agreements:
        return RejectCode.KYC_FIELD_MISSING, "agreements are required"
    for index, item in enumerate(agreements):
        if not isinstance(item, dict):
            return RejectCode.KYC_FIELD_INVALID, f"agreements[{index}] must be an object"
        for name in ("agreement", "signed_at", "ip_address"):
            value = item.get(name)
            if not isinstance(value, str) or not value.strip():
                return RejectCode.KYC_FIELD_MISSING, f"agreements[{index}].{name} is required"
    return None


def _trusted_contact_form(record: Record) -> Refusal | None:
    contact = record.get("trusted_contact")
    if contact is None:
        return None
    if not isinstance(contact, dict):
        return RejectCode.KYC_FIELD_INVALID, "trusted_contact must be an object"
    for name in ("given_name", "family_name"):
        if not text_at(record, "trusted_contact", name):
            return RejectCode.KYC_FIELD_MISSING, f"trusted_contact.{name} is required"
    if not any(
        text_at(record, "trusted_contact", name)
        for name in ("email_address", "phone_number", "street_address")
    ):
        return (
            RejectCode.KYC_FIELD_MISSING,
            "trusted_contact needs an email address, a phone number or an address",
        )
    return None


# --- eligibility --------------------------------------------------------------------------------


def residence(record: Record) -> str:
    """Where the applicant lives: the contact's country, else the tax residence."""
    return (
        text_at(record, "contact", "country")
        or text_at(record, "identity", "country_of_tax_residence")
    ).upper()


def not_sanctioned(record: Record) -> Refusal | None:
    """Residence, tax residence and citizenship must not be comprehensively sanctioned."""
    places = {
        "contact.country": residence(record),
        "identity.country_of_tax_residence": text_at(
            record, "identity", "country_of_tax_residence"
        ).upper(),
        "identity.country_of_citizenship": text_at(
            record, "identity", "country_of_citizenship"
        ).upper(),
    }
    for name, country in places.items():
        if country in SANCTIONED_COUNTRIES:
            return RejectCode.SANCTIONED_COUNTRY, f"{name} {country} is sanctioned"
    return None


def country_accepted(record: Record, policy: Policy) -> Refusal | None:
    """Residence and tax residence must be accepted and not blocked by the policy."""
    places = {
        "contact.country": residence(record),
        "identity.country_of_tax_residence": text_at(
            record, "identity", "country_of_tax_residence"
        ).upper(),
    }
    for name, country in places.items():
        if country in policy.blocked_countries or (
            policy.countries and country not in policy.countries
        ):
            return RejectCode.COUNTRY_NOT_ACCEPTED, f"{name} {country} is not accepted"
    return None


def state_accepted(record: Record, policy: Policy) -> Refusal | None:
    """A US resident's state must be accepted and not blocked by the policy."""
    if residence(record) != "USA":
        return None
    state = text_at(record, "contact", "state").upper()
    if state in policy.blocked_states or (policy.states and state not in policy.states):
        return RejectCode.STATE_NOT_ACCEPTED, f"contact.state {state} is not accepted"
    return None


def old_enough(record: Record, policy: Policy, ts_ns: int) -> Refusal | None:
    """The applicant must have reached the minimum age on the day of the command."""
    born = parse_date(text_at(record, "identity", "date_of_birth"))
    if born is None:
        return RejectCode.KYC_FIELD_INVALID, "identity.date_of_birth must be YYYY-MM-DD"
    today = civil_date(ts_ns)
    if born > today:
        return RejectCode.KYC_FIELD_INVALID, "identity.date_of_birth is in the future"
    age = today[0] - born[0] - (1 if (today[1], today[2]) < (born[1], born[2]) else 0)
    if age < policy.minimum_age:
        return RejectCode.UNDER_MINIMUM_AGE, f"the applicant must be at least {policy.minimum_age}"
    return None


def signed(record: Record) -> frozenset[str]:
    """The agreements the applicant signed."""
    agreements = record.get("agreements")
    if not isinstance(agreements, list):
        return frozenset()
    return frozenset(
        item["agreement"]
        for item in agreements
        if isinstance(item, dict) and isinstance(item.get("agreement"), str)
    )


def self_directed(record: Record) -> Refusal | None:
    """The customer agreement, which acknowledges the firm gives no advice, is signed."""
    if SELF_DIRECTED_AGREEMENT not in signed(record):
        return RejectCode.SELF_DIRECTED_NOT_ACKNOWLEDGED, f"sign the {SELF_DIRECTED_AGREEMENT}"
    return None


def margin_allowed(record: Record, account_type: AccountType) -> Refusal | None:
    """A margin account needs the signed margin agreement."""
    if account_type is AccountType.MARGIN and MARGIN_AGREEMENT not in signed(record):
        return RejectCode.MARGIN_AGREEMENT_REQUIRED, f"sign the {MARGIN_AGREEMENT}"
    return None


def first_refusal(
    record: Record, policy: Policy, account_type: AccountType, ts_ns: int
) -> Refusal | None:
    """The first reason the record cannot be an account, in a fixed order; None if eligible."""
    checks: tuple[Callable[[], Refusal | None], ...] = (
        lambda: missing_field(record),
        lambda: not_sanctioned(record),
        lambda: country_accepted(record, policy),
        lambda: state_accepted(record, policy),
        lambda: old_enough(record, policy, ts_ns),
        lambda: self_directed(record),
        lambda: margin_allowed(record, account_type),
    )
    for check in checks:
        refusal = check()
        if refusal is not None:
            return refusal
    return None


def needs_review(record: Record) -> str:
    """Why a person must look at the application ('' when nothing needs review)."""
    disclosures = record.get("disclosures")
    flags = [f for f in DISCLOSURE_FLAGS if isinstance(disclosures, dict) and disclosures.get(f)]
    return ("disclosed: " + ", ".join(flags)) if flags else ""


# --- dates without a clock ----------------------------------------------------------------------


def parse_date(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) for a valid YYYY-MM-DD, else None."""
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        return None
    year, month, day = (int(p) for p in parts)
    if not 1 <= month <= 12 or not 1 <= day <= _days_in(year, month):
        return None
    return year, month, day


def _days_in(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def civil_date(ts_ns: int) -> tuple[int, int, int]:
    """The UTC calendar date of a timestamp (Howard Hinnant's days-to-civil algorithm)."""
    days = ts_ns // _NS_PER_DAY + 719_468
    era = days // 146_097
    doe = days - era * 146_097
    yoe = (doe - doe // 1_460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (1 if month <= 2 else 0), month, day
