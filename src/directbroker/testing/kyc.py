"""A complete, eligible KYC record (Alpaca's CreateAccountRequest shape) for tests."""

from __future__ import annotations

import copy
from typing import Any

_APPLICANT: dict[str, Any] = {
    "contact": {
        "email_address": "ada@example.com",
        "phone_number": "+1 555 666 7788",
        "street_address": ["20 N San Mateo Dr"],
        "city": "San Mateo",
        "state": "CA",
        "postal_code": "94401",
        "country": "USA",
    },
    "identity": {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": "1990-01-01",
        "tax_id": "666-55-4321",
        "tax_id_type": "USA_SSN",
        "country_of_citizenship": "USA",
        "country_of_birth": "USA",
        "country_of_tax_residence": "USA",
        "funding_source": ["employment_income"],
    },
    "disclosures": {
        "is_control_person": False,
        "is_affiliated_exchange_or_finra": False,
        "is_politically_exposed": False,
        "immediate_family_exposed": False,
    },
    "agreements": [
        {
            "agreement": "customer_agreement",
            "signed_at": "2024-01-01T00:00:00Z",
            "ip_address": "127.0.0.1",
        },
        {
            "agreement": "account_agreement",
            "signed_at": "2024-01-01T00:00:00Z",
            "ip_address": "127.0.0.1",
        },
    ],
    "trusted_contact": {
        "given_name": "Charles",
        "family_name": "Babbage",
        "email_address": "charles@example.com",
    },
}


def applicant(**sections: Any) -> dict[str, Any]:
    """A fresh copy of the eligible applicant; each keyword merges into that section (a
    value of None removes the field), or replaces it when it is not a mapping."""
    record = copy.deepcopy(_APPLICANT)
    for name, value in sections.items():
        if isinstance(value, dict) and isinstance(record.get(name), dict):
            for key, item in value.items():
                if item is None:
                    record[name].pop(key, None)
                else:
                    record[name][key] = item
        elif value is None:
            record.pop(name, None)
        else:
            record[name] = value
    return record


def with_agreement(record: dict[str, Any], agreement: str) -> dict[str, Any]:
    """The record with one more signed agreement."""
    signed = {"agreement": agreement, "signed_at": "2024-01-01T00:00:00Z", "ip_address": "::1"}
    return {**record, "agreements": [*record["agreements"], signed]}
