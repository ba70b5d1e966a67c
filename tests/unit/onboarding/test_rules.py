"""Each eligibility rule on its own."""

from __future__ import annotations

import pytest

from directbroker.domain.accounts import AccountType
from directbroker.domain.rejects import RejectCode
from directbroker.engines.onboarding import rules
from directbroker.engines.onboarding.rules import Policy
from directbroker.testing.kyc import applicant, with_agreement

DAY_NS = 86_400 * 1_000_000_000
TS_2025_06_15 = 20_254 * DAY_NS  # 2025-06-15 00:00 UTC


def test_civil_date_matches_the_calendar() -> None:
    assert rules.civil_date(0) == (1970, 1, 1)
    assert rules.civil_date(TS_2025_06_15) == (2025, 6, 15)
    assert rules.civil_date(TS_2025_06_15 - 1) == (2025, 6, 14)
    assert rules.civil_date(11_016 * DAY_NS) == (2000, 2, 29)


@pytest.mark.parametrize("text", ["1990-02-30", "1990-13-01", "90-01-01", "1990/01/01", "", "x"])
def test_bad_dates_do_not_parse(text: str) -> None:
    assert rules.parse_date(text) is None


def test_a_complete_record_has_no_missing_field() -> None:
    assert rules.missing_field(applicant()) is None


@pytest.mark.parametrize(
    ("sections", "field"),
    [
        ({"contact": {"email_address": None}}, "contact.email_address"),
        ({"contact": {"phone_number": " "}}, "contact.phone_number"),
        ({"contact": {"street_address": []}}, "contact.street_address"),
        ({"contact": {"state": None}}, "contact.state"),
        ({"identity": {"date_of_birth": None}}, "identity.date_of_birth"),
        ({"identity": {"tax_id": None}}, "identity.tax_id"),
        ({"disclosures": {"is_politically_exposed": None}}, "disclosures.is_politically_exposed"),
        ({"agreements": []}, "agreements"),
        ({"trusted_contact": {"email_address": None}}, "trusted_contact"),
        ({"identity": None}, "identity.given_name"),
    ],
)
def test_a_missing_kyc_field_is_named(sections: dict[str, object], field: str) -> None:
    refusal = rules.missing_field(applicant(**sections))
    assert refusal is not None
    assert refusal[0] is RejectCode.KYC_FIELD_MISSING
    assert field in refusal[1]


def test_the_trusted_contact_is_optional() -> None:
    assert rules.missing_field(applicant(trusted_contact=None)) is None


@pytest.mark.parametrize(
    "sections",
    [
        {"contact": {"country": "IRN", "state": None}},
        {"identity": {"country_of_tax_residence": "CUB", "tax_id": None}},
        {"identity": {"country_of_citizenship": "PRK"}},
    ],
)
def test_sanctioned_countries_are_refused(sections: dict[str, object]) -> None:
    refusal = rules.not_sanctioned(applicant(**sections))
    assert refusal is not None and refusal[0] is RejectCode.SANCTIONED_COUNTRY


def test_sanctioned_countries_are_refused_even_when_the_policy_lists_them() -> None:
    record = applicant(contact={"country": "IRN"}, identity={"country_of_tax_residence": "IRN"})
    policy = Policy(countries=("USA", "IRN"))
    refusal = rules.first_refusal(record, policy, AccountType.CASH, TS_2025_06_15)
    assert refusal is not None and refusal[0] is RejectCode.SANCTIONED_COUNTRY


def test_countries_must_be_accepted_and_not_blocked() -> None:
    canadian = applicant(contact={"country": "CAN", "state": None},
                         identity={"country_of_tax_residence": "CAN"})  # fmt: skip
    assert rules.country_accepted(canadian, Policy())[0] is RejectCode.COUNTRY_NOT_ACCEPTED  # type: ignore[index]
    assert rules.country_accepted(canadian, Policy(countries=("USA", "CAN"))) is None
    assert rules.country_accepted(canadian, Policy(countries=())) is None
    blocked = Policy(countries=(), blocked_countries=("CAN",))
    assert rules.country_accepted(canadian, blocked) is not None


def test_states_must_be_accepted_and_not_blocked() -> None:
    record = applicant(contact={"state": "NY"})
    assert rules.state_accepted(record, Policy()) is None
    assert rules.state_accepted(record, Policy(states=("CA",))) is not None
    assert rules.state_accepted(record, Policy(blocked_states=("NY",))) is not None
    assert rules.state_accepted(record, Policy(states=("NY",))) is None


def test_the_minimum_age_is_measured_on_the_command_day() -> None:
    policy = Policy(minimum_age=18)
    birthday_today = applicant(identity={"date_of_birth": "2007-06-15"})
    birthday_tomorrow = applicant(identity={"date_of_birth": "2007-06-16"})
    assert rules.old_enough(birthday_today, policy, TS_2025_06_15) is None
    refusal = rules.old_enough(birthday_tomorrow, policy, TS_2025_06_15)
    assert refusal is not None and refusal[0] is RejectCode.UNDER_MINIMUM_AGE
    future = applicant(identity={"date_of_birth": "2030-01-01"})
    assert rules.old_enough(future, policy, TS_2025_06_15)[0] is RejectCode.KYC_FIELD_INVALID  # type: ignore[index]


def test_the_self_directed_acknowledgement_is_required() -> None:
    record = applicant(agreements=[{"agreement": "account_agreement", "signed_at": "x",
                                    "ip_address": "::1"}])  # fmt: skip
    refusal = rules.self_directed(record)
    assert refusal is not None and refusal[0] is RejectCode.SELF_DIRECTED_NOT_ACKNOWLEDGED
    assert rules.self_directed(applicant()) is None


def test_margin_needs_the_margin_agreement() -> None:
    record = applicant()
    refusal = rules.margin_allowed(record, AccountType.MARGIN)
    assert refusal is not None and refusal[0] is RejectCode.MARGIN_AGREEMENT_REQUIRED
    assert rules.margin_allowed(record, AccountType.CASH) is None
    signed = with_agreement(record, "margin_agreement")
    assert rules.margin_allowed(signed, AccountType.MARGIN) is None


def test_disclosures_send_the_application_to_a_person() -> None:
    assert rules.needs_review(applicant()) == ""
    flagged = applicant(disclosures={"is_politically_exposed": True})
    assert "is_politically_exposed" in rules.needs_review(flagged)
