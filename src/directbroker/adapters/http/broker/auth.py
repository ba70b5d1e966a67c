"""Staff authentication for the Broker API: HTTP Basic with a staff key, and role checks.

alpaca-py's ``BrokerClient`` sends ``Authorization: Basic base64(KEY_ID:SECRET)``. The key is
verified by the same :class:`~directbroker.adapters.http.ports.AccountDirectory` as the
Trading API's keys (one key registry for the firm), then the route's roles are checked:

    actor: Annotated[StaffPrincipal, Depends(staff(Role.OPERATIONS))]
    actor: OperationsStaff        # the same, spelled with an alias defined below

Any one of the listed roles suffices, and ADMINISTRATOR holds every staff role. A wrong or
missing credential is 401; a valid key without the role is 403, and nothing runs. Failed
attempts are charged to the caller's address (429 once over the limit); a verification is one
HMAC, so guessing cannot slow anyone else down.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from directbroker.adapters.http.broker.errors import BrokerApiError
from directbroker.adapters.http.ports import STAFF_ROLES, AccountDirectory, Role
from directbroker.adapters.http.ratelimit import RateLimit, RateLimiter

FAILED_LOGIN_COST = 5.0
"""Tokens a failed login takes from its address's bucket (a success takes one from the key's)."""


@dataclass(frozen=True, slots=True)
class StaffPrincipal:
    """An authenticated staff member: the key, the person and the staff roles it holds."""

    key_id: str
    user_id: str
    roles: frozenset[Role]

    @property
    def actor(self) -> str:
        """Who the journal says did it: the user id (a key's user, e.g. ``ops:olga``)."""
        return self.user_id or self.key_id

    def holds(self, *roles: Role) -> bool:
        """Whether the key holds any of ``roles`` (an administrator holds them all)."""
        return Role.ADMINISTRATOR in self.roles or bool(self.roles & set(roles))


@dataclass
class BrokerAuth:
    """What staff authentication needs from the app (``app.state.broker_auth``)."""

    directory: AccountDirectory
    limiter: RateLimiter

    @classmethod
    def for_directory(
        cls, directory: AccountDirectory, limiter: RateLimiter | None = None
    ) -> BrokerAuth:
        """Auth over ``directory``, sharing the Trading API's limiter when given one."""
        return cls(directory, limiter or RateLimiter(RateLimit()))


def basic_auth_header(key_id: str, secret: str) -> dict[str, str]:
    """The ``Authorization`` header a Broker API client sends (for tests and the CLI)."""
    token = base64.b64encode(f"{key_id}:{secret}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """``(key id, secret)`` from an ``Authorization: Basic ...`` header; None if malformed."""
    if not header or len(header) > 1024:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    key_id, sep, secret = decoded.partition(":")
    if not sep or not key_id or not secret:
        return None
    return key_id, secret


def authenticate_staff(
    auth: BrokerAuth, header: str | None, peer: str, roles: tuple[Role, ...]
) -> StaffPrincipal:
    """The staff member behind ``header`` if the key holds one of ``roles``; raises 401, 403
    or 429 otherwise."""
    peer_bucket = f"peer:{peer}"
    pair = parse_basic(header)
    if pair is None:
        raise BrokerApiError.unauthorized()
    principal = auth.directory.authenticate(*pair)
    if principal is None:
        if not auth.limiter.allow(peer_bucket, cost=FAILED_LOGIN_COST):
            raise BrokerApiError.rate_limited()
        raise BrokerApiError.unauthorized()
    if not auth.limiter.allow(f"key:{principal.key_id}"):
        raise BrokerApiError.rate_limited()
    held = (principal.roles or frozenset({principal.role})) & STAFF_ROLES
    member = StaffPrincipal(principal.key_id, principal.user_id, frozenset(held))
    if not held or (roles and not member.holds(*roles)):
        needed = ", ".join(r.value for r in roles) or "a staff role"
        raise BrokerApiError.forbidden(f"forbidden: this key lacks the role ({needed})")
    return member


def staff(*roles: Role) -> Callable[..., Awaitable[StaffPrincipal]]:
    """A FastAPI dependency: the staff member calling, who must hold one of ``roles`` (any
    staff role when none are listed)."""

    async def dependency(
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
    ) -> StaffPrincipal:
        auth = getattr(request.app.state, "broker_auth", None)
        if not isinstance(auth, BrokerAuth):
            raise RuntimeError("mount_broker_api() was not called on this app")
        peer = request.client.host if request.client else "unknown"
        return authenticate_staff(auth, authorization, peer, roles)

    return dependency


AnyStaff = Annotated[StaffPrincipal, Depends(staff())]
"""A route parameter type: any staff member (``actor: AnyStaff``)."""
OperationsStaff = Annotated[StaffPrincipal, Depends(staff(Role.OPERATIONS))]
"""A route parameter type: operations staff (or an administrator)."""
RiskStaff = Annotated[StaffPrincipal, Depends(staff(Role.RISK))]
"""A route parameter type: risk staff (or an administrator)."""
ComplianceStaff = Annotated[StaffPrincipal, Depends(staff(Role.COMPLIANCE))]
"""A route parameter type: compliance staff (or an administrator)."""
