"""Accounts as Alpaca's Broker API shows them, and the request body made ready for the core.

Requests arrive as Alpaca's CreateAccountRequest / UpdateAccountRequest JSON. Numbers with
fractions (income and net-worth ranges) become decimal text before the core sees them, so no
binary float is ever journaled; uploaded identity documents are not kept in the KYC record.
Responses leave the tax id out: it is recorded, never shown again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from directbroker.adapters.http.broker.accounts_port import AccountView
from directbroker.adapters.http.shapes import Json, iso, money_text, render_margin_call

KYC_SECTIONS = ("contact", "identity", "disclosures", "agreements", "trusted_contact")
HIDDEN_IDENTITY = frozenset({"tax_id"})
_KEPT_EXTRAS = ("account_type", "account_sub_type", "currency", "enabled_assets")


def exact(value: Any) -> Any:
    """``value`` with every float turned into its shortest decimal text (recursively)."""
    if isinstance(value, float):
        return str(Decimal(repr(value)).normalize())
    if isinstance(value, list):
        return [exact(item) for item in value]
    if isinstance(value, dict):
        return {str(key): exact(item) for key, item in value.items()}
    return value


def application_record(body: dict[str, Any]) -> dict[str, Any]:
    """The KYC record to journal from a create request (sections and a few plain fields)."""
    record = {name: body[name] for name in KYC_SECTIONS if name in body}
    record.update({name: body[name] for name in _KEPT_EXTRAS if body.get(name) is not None})
    return exact(record)  # type: ignore[no-any-return]


def trading_type(body: dict[str, Any]) -> str:
    """Cash or margin: Alpaca grants margin to holders who signed the margin agreement;
    the firm extension ``trading_type`` asks for one explicitly (the core checks it)."""
    asked = body.get("trading_type")
    if asked in ("cash", "margin"):
        return str(asked)
    agreements = body.get("agreements")
    signed = {
        item.get("agreement")
        for item in (agreements if isinstance(agreements, list) else [])
        if isinstance(item, dict)
    }
    return "margin" if "margin_agreement" in signed else "cash"


def render_account(view: AccountView) -> Json:
    """Alpaca's Account object."""
    kyc = view.kyc
    body: Json = {
        "id": view.account_id,
        "account_number": view.account_number,
        "status": view.status,
        "crypto_status": None,
        "currency": "USD",
        "last_equity": money_text(view.last_equity),
        "created_at": iso(view.created_ns),
        "updated_at": iso(view.updated_ns),
        "account_type": kyc.get("account_type") or "trading",
        "trading_type": view.account_type,
        "enabled_assets": kyc.get("enabled_assets") or ["us_equity"],
        "kyc_results": None,
        "margin_call": render_margin_call(view.margin_call, view.margin_deficiency),
    }
    for name in KYC_SECTIONS:
        if name in kyc:
            body[name] = kyc[name]
    identity = body.get("identity")
    if isinstance(identity, dict):
        body["identity"] = {k: v for k, v in identity.items() if k not in HIDDEN_IDENTITY}
    return body
