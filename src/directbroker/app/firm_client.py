"""The simulated firm's customers' side of the wire: the Broker API calls the driver makes.

``directbroker simulate-firm`` reaches the firm only as any broker-dealer's software would:
over HTTP with the staff credential (``admin.key``), opening accounts (``POST /v1/accounts``),
linking banks and moving money (``/v1/accounts/{id}/ach_relationships``, ``.../transfers``),
trading on behalf (``/v1/trading/accounts/{id}/...``), and reading the clock and the quotes.
Amounts cross the wire as Alpaca's dollar strings and are cents here (the driver sizes orders
in whole cents; the platform's own units never leak out of it).
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from directbroker.app.firm_growth import Customer, CustomerKind
from directbroker.sim.universe import LISTINGS

TIMEOUT_S = 30.0
RETRIES = 8
RETRY_PAUSE_S = 0.1


class FirmApiError(RuntimeError):
    """The firm answered something the driver cannot go on from (its status and body)."""


@dataclass(frozen=True, slots=True)
class Clock:
    """The firm's market clock as ``/v2/clock`` tells it."""

    now: datetime
    is_open: bool

    @property
    def day(self) -> date:
        """The date in New York (the clock's timestamps carry New York's offset)."""
        return self.now.date()


@dataclass(frozen=True, slots=True)
class Placed:
    """What the firm said to one order."""

    accepted: bool
    status: str


@dataclass(frozen=True, slots=True)
class Order:
    """One order an agent sends: a DAY limit order (marketable when it is sent)."""

    symbol: str
    side: str
    qty: int
    limit_cents: int
    client_id: str


def cents(text: object) -> int:
    """Alpaca's dollar text (or number) as whole cents, rounded toward zero."""
    return int(Decimal(str(text)) * 100)


def dollars(amount_cents: int) -> str:
    """Whole cents as Alpaca's dollar text."""
    return f"{amount_cents // 100}.{amount_cents % 100:02d}"


def application(customer: Customer) -> dict[str, Any]:
    """The account application of ``customer`` (margin for traders and institutions)."""
    signed = "2024-01-01T00:00:00Z"
    agreements = [
        {"agreement": name, "signed_at": signed, "ip_address": "127.0.0.1"}
        for name in ("customer_agreement", "account_agreement")
    ]
    if customer.kind is not CustomerKind.INVESTOR:
        agreements.append(
            {"agreement": "margin_agreement", "signed_at": signed, "ip_address": "127.0.0.1"}
        )
    number = customer.index
    return {
        "contact": {
            "email_address": f"customer{number:05d}@example.com",
            "phone_number": f"+1555{number % 10_000_000:07d}",
            "street_address": [f"{number + 1} Market St"], "city": "San Francisco",
            "state": "CA", "postal_code": "94105", "country": "USA",
        },
        "identity": {
            "given_name": customer.kind.value.capitalize(), "family_name": customer.name,
            "date_of_birth": "1980-01-01",
            "tax_id": f"666-{number % 100:02d}-{number % 10_000:04d}",
            "tax_id_type": "USA_SSN", "country_of_citizenship": "USA",
            "country_of_birth": "USA", "country_of_tax_residence": "USA",
            "funding_source": ["employment_income"],
        },
        "disclosures": {
            "is_control_person": False, "is_affiliated_exchange_or_finra": False,
            "is_politically_exposed": False, "immediate_family_exposed": False,
        },
        "agreements": agreements,
    }  # fmt: skip


class BrokerApi:
    """The staff's HTTP client of one running firm (thread-safe: one pool, many threads)."""

    def __init__(self, url: str, credential: str) -> None:
        key_id, secret = credential.strip().split(":", 1)
        basic = base64.b64encode(f"{key_id}:{secret}".encode()).decode()
        headers = {
            "Authorization": f"Basic {basic}",
            "APCA-API-KEY-ID": key_id,
            "APCA-API-SECRET-KEY": secret,
        }
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
        self._http = httpx.Client(base_url=url, headers=headers, timeout=TIMEOUT_S, limits=limits)

    @classmethod
    def for_data_dir(cls, url: str, data_dir: Path) -> BrokerApi:
        """The client with the firm's staff credential from ``data_dir/admin.key``."""
        return cls(url, (data_dir / "admin.key").read_text(encoding="utf-8"))

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; a busy firm's 429 or 503 is tried again after a pause."""
        for attempt in range(RETRIES):
            answer = self._http.request(method, path, **kwargs)
            if answer.status_code not in (429, 503):
                break
            time.sleep(RETRY_PAUSE_S * (attempt + 1))
        return answer

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self._send(method, path, **kwargs)
        if answer.status_code >= 400:
            raise FirmApiError(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
        return answer.json()

    # --- the market -------------------------------------------------------------------------

    def clock(self) -> Clock:
        """The firm's clock."""
        body = self._json("GET", "/v2/clock")
        return Clock(datetime.fromisoformat(body["timestamp"]), bool(body["is_open"]))

    def prices(self, symbols: tuple[str, ...]) -> dict[str, int]:
        """Each symbol's price now, in cents: the quote's midpoint (or its one side), else the
        last sale (in a thin market it can be stale: a limit through it may fall outside the
        price collar), else the listing's reference price."""
        wanted = {"symbols": ",".join(symbols)}
        quotes = self._json("GET", "/v2/stocks/quotes/latest", params=wanted).get("quotes") or {}
        trades = self._json("GET", "/v2/stocks/trades/latest", params=wanted).get("trades") or {}
        reference = {item.symbol: item.reference_price // 100 for item in LISTINGS}
        prices: dict[str, int] = {}
        for symbol in symbols:
            quote = quotes.get(symbol) or {}
            ask, bid = cents(quote.get("ap") or 0), cents(quote.get("bp") or 0)
            middle = (ask + bid) // 2 if ask and bid else ask or bid
            last = cents((trades.get(symbol) or {}).get("p") or 0)
            price = middle or last or reference.get(symbol, 0)
            if price > 0:
                prices[symbol] = price
        return prices

    # --- accounts and money -----------------------------------------------------------------

    def accounts(self) -> dict[str, str]:
        """Every account the driver opened: family name -> account id."""
        body = self._json("GET", "/v1/accounts", params={"query": "Customer", "sort": "asc"})
        found: dict[str, str] = {}
        for account in body:
            name = (account.get("identity") or {}).get("family_name") or ""
            if name.startswith("Customer"):
                found[name] = str(account["id"])
        return found

    def open_account(self, customer: Customer) -> str:
        """Open ``customer``'s account; its id."""
        body = self._json("POST", "/v1/accounts", json=application(customer))
        return str(body["id"])

    def link_bank(self, account: str, customer: Customer) -> str:
        """Link a checking account for ACH; the relationship's id."""
        body = {
            "account_owner_name": f"{customer.kind.value.capitalize()} {customer.name}",
            "bank_account_type": "CHECKING",
            "bank_account_number": f"{10_000_000 + customer.index}",
            "bank_routing_number": "121000358",
        }
        made = self._json("POST", f"/v1/accounts/{account}/ach_relationships", json=body)
        return str(made["id"])

    def relationships(self, account: str) -> list[tuple[str, str]]:
        """The account's ACH relationships: (id, status)."""
        body = self._json("GET", f"/v1/accounts/{account}/ach_relationships")
        return [(str(item["id"]), str(item["status"])) for item in body]

    def deposit(self, account: str, relationship: str, amount_cents: int) -> str:
        """An incoming ACH transfer; its id."""
        body = {
            "amount": dollars(amount_cents),
            "direction": "INCOMING",
            "timing": "immediate",
            "relationship_id": relationship,
        }
        made = self._json("POST", f"/v1/accounts/{account}/transfers", json=body)
        return str(made["id"])

    def transfers(self, account: str) -> list[dict[str, Any]]:
        """The account's transfers as the API lists them."""
        found: list[dict[str, Any]] = self._json("GET", f"/v1/accounts/{account}/transfers")
        return found

    # --- trading on behalf ------------------------------------------------------------------

    def buying_power(self, account: str) -> int:
        """The account's buying power, in cents."""
        body = self._json("GET", f"/v1/trading/accounts/{account}/account")
        return cents(body["buying_power"])

    def positions(self, account: str) -> dict[str, int]:
        """Shares held per symbol (long positions only)."""
        body = self._json("GET", f"/v1/trading/accounts/{account}/positions")
        held = {str(p["symbol"]): int(Decimal(str(p["qty"]))) for p in body}
        return {symbol: qty for symbol, qty in held.items() if qty > 0}

    def place(self, account: str, order: Order) -> Placed:
        """A DAY limit order on behalf of ``account``; refusals are answers, not errors."""
        body = {
            "symbol": order.symbol, "qty": str(order.qty), "side": order.side, "type": "limit",
            "limit_price": dollars(order.limit_cents), "time_in_force": "day",
            "client_order_id": order.client_id,
        }  # fmt: skip
        answer = self._send("POST", f"/v1/trading/accounts/{account}/orders", json=body)
        if answer.status_code >= 500:
            raise FirmApiError(f"order for {account}: {answer.status_code} {answer.text[:300]}")
        if answer.status_code >= 400:
            return Placed(False, answer.text[:200])
        return Placed(True, str(answer.json().get("status", "")))
