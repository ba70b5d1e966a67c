"""API keys as journaled facts: who may use the firm's APIs, with which roles and accounts,
and who issued or revoked each key.

A key's secret never enters a command, an event or a journal: the edge that makes the key
keeps only ``digest = HMAC-SHA256(salt, secret)`` and hands the secret to its user once.
Roles are the text values of the API's roles (``customer``, ``trader``,
``portfolio_manager``, ``operations``, ``risk``, ``compliance``, ``administrator``).
"""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.domain.messages import Command, Event

CUSTOMER_ROLES = frozenset({"customer", "trader", "portfolio_manager"})
"""Roles that reach accounts through the Trading API."""
STAFF_ROLES = frozenset({"operations", "risk", "compliance", "administrator"})
"""The firm's own staff roles (the Broker API); ``administrator`` holds all of them."""
KNOWN_ROLES = CUSTOMER_ROLES | STAFF_ROLES

SALT_BYTES = 16
DIGEST_BYTES = 32


@dataclass(frozen=True, slots=True)
class IssueApiKey(Command):
    """Make ``key_id`` a key of ``user_id`` with ``roles``; ``accounts`` a customer or trader
    holds (the first is its default), ``groups`` a portfolio manager's account groups.
    ``actor`` is who issued it (a staff user id, or ``system:...``)."""

    key_id: str
    user_id: str
    roles: tuple[str, ...]
    accounts: tuple[str, ...]
    groups: tuple[str, ...]
    salt: bytes
    digest: bytes
    actor: str


@dataclass(frozen=True, slots=True)
class RevokeApiKey(Command):
    """Stop accepting ``key_id`` from now on; ``actor`` is who revoked it."""

    key_id: str
    actor: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ApiKeyIssued(Event):
    """A key exists from now on (the read models that authenticate take it in)."""

    key_id: str
    user_id: str
    roles: tuple[str, ...]
    accounts: tuple[str, ...]
    groups: tuple[str, ...]
    salt: bytes
    digest: bytes
    actor: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class ApiKeyRevoked(Event):
    """A key is no longer accepted; its id is never used again."""

    key_id: str
    actor: str
    reason: str
    ts_ns: int
