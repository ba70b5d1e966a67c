"""What every route shares: the ports, the rate limiter, and who is asking for which account.

Authorisation happens here and only here: :meth:`ApiContext.principal` authenticates the
request and charges its rate limit; :meth:`ApiContext.acting_account` decides which account an
Alpaca-style request acts on and refuses one the key may not touch; :meth:`ApiContext.owned`
hides other accounts' orders as "not found" so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Header, Request

from directbroker.adapters.calendar import SessionCalendar
from directbroker.adapters.http.errors import ApiError, forbidden, rate_limited, unauthorized
from directbroker.adapters.http.ports import OrderView, Ports, Principal
from directbroker.adapters.http.prefs import InMemoryPreferences, PreferencesStore
from directbroker.adapters.http.ratelimit import RateLimit, RateLimiter
from directbroker.domain.instruments import Instrument
from directbroker.domain.rejects import RejectCode

STREAM_BUFFER = 1_000
"""Frames a stream client may fall behind (beyond what the sockets hold) before it is dropped."""

FAILED_LOGIN_COST = 5.0
"""Tokens a failed authentication takes from its address's bucket (at most the burst)."""

ACCOUNT_HEADER = "DirectBroker-Account"
"""Names the account a request acts on, for keys that hold several (our extension)."""

SESSION_CREDENTIALS = "directbroker.session_credentials"
"""The ASGI scope entry where the web session middleware leaves a signed-in browser's key
(``(key id, secret)``) on a WebSocket handshake from the server's own origin."""


def session_credentials(scope: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The key a signed-in browser's stream acts with; ``(None, None)`` for other clients.

    Browsers cannot send a key on a WebSocket, and a browser's page never holds one: the
    streams take this instead when an ``auth`` message names no key."""
    found = scope.get(SESSION_CREDENTIALS)
    if isinstance(found, tuple) and len(found) == 2:
        return found[0], found[1]
    return None, None


@dataclass
class ApiContext:
    """Shared state of one app instance (the event loop thread owns it)."""

    ports: Ports
    limits: RateLimit = field(default_factory=RateLimit)
    prefs: PreferencesStore = field(default_factory=InMemoryPreferences)
    calendar_factory: Callable[[], SessionCalendar] | None = None
    stream_buffer: int = STREAM_BUFFER
    """Frames a WebSocket client may leave unsent before it is dropped as not reading."""
    limiter: RateLimiter = field(init=False)
    trade_listeners: int = field(default=0, init=False)
    """How many trade_updates connections are listening (for health checks and tests)."""
    dropped_streams: int = field(default=0, init=False)
    """How many WebSocket clients were dropped for not reading (for monitoring and tests)."""
    _calendar: SessionCalendar | None = field(default=None, init=False)
    _instruments: dict[str, Instrument] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.limits)

    @property
    def now_ns(self) -> int:
        """The edge's wall clock."""
        return self.ports.now_ns()

    def calendar(self) -> SessionCalendar:
        """The exchange calendar, built on first use (building XNYS takes a while)."""
        if self._calendar is None:
            if self.calendar_factory is None:
                from directbroker.adapters.calendar import XnysCalendar

                self._calendar = XnysCalendar()
            else:
                self._calendar = self.calendar_factory()
        return self._calendar

    def instruments(self) -> dict[str, Instrument]:
        """The asset master by symbol (read once: the universe does not change intraday)."""
        if self._instruments is None:
            self._instruments = {i.symbol: i for i in self.ports.market_data.instruments()}
        return self._instruments

    def instrument(self, symbol_or_id: str) -> Instrument | None:
        """An instrument by symbol or asset UUID."""
        from directbroker.adapters.http.ids import asset_id

        known = self.instruments()
        found = known.get(symbol_or_id) or known.get(symbol_or_id.upper())
        if found is None and len(symbol_or_id) == 36:
            found = next((i for s, i in known.items() if asset_id(s) == symbol_or_id), None)
        return found

    def authenticate(self, key_id: str | None, secret: str | None, peer: str) -> Principal:
        """The principal for a key pair, charging the rate limits; raises 401 or 429."""
        if not key_id or not secret:
            raise unauthorized()
        # The limits are checked before the secret is verified: a client over its limit, or
        # an address that keeps guessing, costs no hashing at all (only the successful path
        # below takes a token from the key, so guessing cannot exhaust another's key).
        peer_bucket = f"peer:{peer}"
        failure_cost = min(FAILED_LOGIN_COST, float(self.limits.burst))
        if not self.limiter.has(peer_bucket, failure_cost) or not self.limiter.has(f"key:{key_id}"):
            raise rate_limited()
        principal = self.ports.directory.authenticate(key_id, secret)
        if principal is None:
            # Failed attempts are charged to the address, so guessing is slowed down too.
            if not self.limiter.allow(peer_bucket, cost=failure_cost):
                raise rate_limited()
            raise unauthorized()
        if not self.limiter.allow(f"key:{principal.key_id}"):
            raise rate_limited()
        return principal

    def account_for(self, principal: Principal, named: str | None) -> str:
        """The account a request acts on: the named one, else the key's default."""
        account = named or principal.default_account
        if not account:
            raise ApiError.invalid(
                f"this key holds several accounts: name one in the {ACCOUNT_HEADER} header",
                RejectCode.UNKNOWN_ACCOUNT,
            )
        if not principal.may_access(account):
            raise forbidden()
        return account

    def entered_by(self, principal: Principal) -> str:
        """Who a request's orders are entered by, for the order ticket: the API key."""
        return f"key:{principal.key_id}"

    def owned(self, principal: Principal, view: OrderView | None, shown_id: str) -> OrderView:
        """The order if the caller may see it; otherwise 404, exactly as for no order."""
        if view is None or not principal.may_access(view.account):
            raise ApiError.not_found(f"order not found for {shown_id}")
        return view

    async def who(
        self,
        request: Request,
        key_id: Annotated[str | None, Header(alias="APCA-API-KEY-ID")] = None,
        secret: Annotated[str | None, Header(alias="APCA-API-SECRET-KEY")] = None,
    ) -> Principal:
        """FastAPI dependency: the authenticated caller."""
        peer = request.client.host if request.client else "unknown"
        return self.authenticate(key_id, secret, peer)

    async def acting(
        self,
        request: Request,
        key_id: Annotated[str | None, Header(alias="APCA-API-KEY-ID")] = None,
        secret: Annotated[str | None, Header(alias="APCA-API-SECRET-KEY")] = None,
        account: Annotated[str | None, Header(alias=ACCOUNT_HEADER)] = None,
    ) -> Acting:
        """FastAPI dependency: the caller and the account the request acts on."""
        principal = await self.who(request, key_id, secret)
        return Acting(principal, self.account_for(principal, account))


@dataclass(frozen=True, slots=True)
class Acting:
    """An authenticated caller acting on one account it may touch."""

    principal: Principal
    account: str
