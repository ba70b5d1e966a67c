"""The key registry: every key the firm issued, and the checks before one is issued or revoked.

Validate fully, then mutate: a refused command changes nothing and is answered with a stable
code (5100-5149). Revoked keys stay in the registry (flagged) so a key id is never reissued and
the journal-derived state says who revoked what.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from directbroker.domain.access_messages import (
    CUSTOMER_ROLES,
    DIGEST_BYTES,
    KNOWN_ROLES,
    SALT_BYTES,
    STAFF_ROLES,
    ApiKeyIssued,
    ApiKeyRevoked,
    IssueApiKey,
    RevokeApiKey,
)
from directbroker.domain.messages import Event
from directbroker.domain.rejects import RejectCode

Refusal = tuple[RejectCode, str]

MAX_ID = 64
MAX_ITEMS = 256


def _text(value: object, most: int = MAX_ID) -> bool:
    return type(value) is str and 0 < len(value) <= most and value.isprintable()


def _texts(value: object) -> bool:
    return (
        type(value) is tuple
        and len(value) <= MAX_ITEMS
        and all(_text(item) for item in value)
        and len(set(value)) == len(value)
    )


@dataclass(slots=True)
class KeyFact:
    """One issued key as the core remembers it."""

    key_id: str
    user_id: str
    roles: tuple[str, ...]
    accounts: tuple[str, ...]
    groups: tuple[str, ...]
    salt: bytes
    digest: bytes
    issued_by: str
    issued_ns: int
    revoked_by: str = ""
    revoked_ns: int = 0

    @property
    def live(self) -> bool:
        """Whether the key is still accepted."""
        return not self.revoked_by

    def to_plain(self) -> list[Any]:
        return [
            self.key_id, self.user_id, list(self.roles), list(self.accounts),
            list(self.groups), self.salt, self.digest, self.issued_by, self.issued_ns,
            self.revoked_by, self.revoked_ns,
        ]  # fmt: skip

    @classmethod
    def from_plain(cls, plain: list[Any]) -> KeyFact:
        key_id, user, roles, accounts, groups, salt, digest, by, at, revoked_by, revoked = plain
        return cls(
            key_id, user, tuple(roles), tuple(accounts), tuple(groups), bytes(salt),
            bytes(digest), by, at, revoked_by, revoked,
        )  # fmt: skip


def check_issue(cmd: IssueApiKey, known: Callable[[str], bool]) -> Refusal | None:
    """Why ``cmd`` cannot issue a key; None when it can. ``known`` says whether an account
    exists."""
    if not _text(cmd.actor, 128):
        return RejectCode.ACTOR_REQUIRED, "Name who issues the key"
    if not _text(cmd.key_id) or not _text(cmd.user_id, 128):
        return RejectCode.INVALID_API_KEY, "The key id and user id must be short printable text"
    if not _texts(cmd.roles) or not _texts(cmd.accounts) or not _texts(cmd.groups):
        return RejectCode.INVALID_API_KEY, "Roles, accounts and groups must be lists of ids"
    if type(cmd.salt) is not bytes or len(cmd.salt) != SALT_BYTES:
        return RejectCode.INVALID_API_KEY, f"The salt must be {SALT_BYTES} bytes"
    if type(cmd.digest) is not bytes or len(cmd.digest) != DIGEST_BYTES:
        return RejectCode.INVALID_API_KEY, f"The digest must be {DIGEST_BYTES} bytes"
    roles = set(cmd.roles)
    unknown = sorted(roles - KNOWN_ROLES)
    if not roles or unknown:
        return RejectCode.INVALID_API_KEY, f"Unknown or missing roles: {', '.join(unknown)}"
    staff = bool(roles & STAFF_ROLES)
    if roles & (CUSTOMER_ROLES - {"portfolio_manager"}) and not staff and not cmd.accounts:
        return RejectCode.INVALID_API_KEY, "A customer or trader key needs at least one account"
    if "portfolio_manager" in roles and not cmd.groups:
        return RejectCode.INVALID_API_KEY, "A portfolio manager key needs an account group"
    missing = [account for account in cmd.accounts if not known(account)]
    if missing:
        return RejectCode.UNKNOWN_ACCOUNT, f"Unknown account {missing[0]!r}"
    return None


class AccessRegistry:
    """Every key issued, by id (part of the broker core's state and snapshot)."""

    def __init__(self) -> None:
        self.keys: dict[str, KeyFact] = {}

    def issue(
        self, cmd: IssueApiKey, ts: int, known: Callable[[str], bool]
    ) -> list[Event] | Refusal:
        """Issue a key, or refuse with a reason and change nothing."""
        refusal = check_issue(cmd, known)
        if refusal is not None:
            return refusal
        if cmd.key_id in self.keys:
            return RejectCode.DUPLICATE_API_KEY, f"Key {cmd.key_id} already exists"
        self.keys[cmd.key_id] = KeyFact(
            cmd.key_id, cmd.user_id, cmd.roles, cmd.accounts, cmd.groups, cmd.salt,
            cmd.digest, cmd.actor, ts,
        )  # fmt: skip
        return [
            ApiKeyIssued(
                cmd.key_id, cmd.user_id, cmd.roles, cmd.accounts, cmd.groups, cmd.salt,
                cmd.digest, cmd.actor, ts,
            )
        ]  # fmt: skip

    def revoke(self, cmd: RevokeApiKey, ts: int) -> list[Event] | Refusal:
        """Revoke a live key, or refuse with a reason and change nothing."""
        if not _text(cmd.actor, 128):
            return RejectCode.ACTOR_REQUIRED, "Name who revokes the key"
        if type(cmd.reason) is not str or len(cmd.reason) > 256:
            return RejectCode.MALFORMED, "The reason must be text of at most 256 characters"
        fact = self.keys.get(cmd.key_id) if type(cmd.key_id) is str else None
        if fact is None or not fact.live:
            return RejectCode.UNKNOWN_API_KEY, f"No live key {str(cmd.key_id)[:64]!r}"
        fact.revoked_by, fact.revoked_ns = cmd.actor, ts
        return [ApiKeyRevoked(fact.key_id, cmd.actor, cmd.reason, ts)]

    def live(self) -> list[KeyFact]:
        """Keys still accepted, by id."""
        return [fact for _, fact in sorted(self.keys.items()) if fact.live]

    def to_plain(self) -> list[Any]:
        return [fact.to_plain() for _, fact in sorted(self.keys.items())]

    @classmethod
    def from_plain(cls, plain: list[Any]) -> AccessRegistry:
        registry = cls()
        for item in plain:
            fact = KeyFact.from_plain(item)
            registry.keys[fact.key_id] = fact
        return registry


ACCESS_COMMANDS = (IssueApiKey, RevokeApiKey)
"""The commands the broker core hands to the registry."""
