"""API keys: verify a key id and secret and resolve them to a :class:`Principal`.

Secrets are never stored. Each key keeps a per-key random salt and ``HMAC-SHA256(salt,
secret)``, compared in constant time. API secrets are 240-bit random strings, not passwords:
nobody can search that space, so stretching (PBKDF2 and friends) would buy nothing but cost,
and that cost is what made a flood of wrong secrets slow every other client. A verification
now costs about a microsecond, for a right secret or a wrong one, for a known key id or an
unknown one.

:class:`ApiKeyStore` is a read model: in the platform every key is a journaled fact
(``ApiKeyIssued``/``ApiKeyRevoked`` from the broker core), and the store follows the committed
events through :meth:`ApiKeyStore.add` and :meth:`ApiKeyStore.remove`. :meth:`ApiKeyStore.issue`
makes a key locally, for tests and the in-memory fakes.

Account access is resolved at authentication time: a portfolio manager's accounts are the
current members of its groups, so a group change applies on the next request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from directbroker.adapters.http.ports import STAFF_ROLES, Principal, Role

_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_NO_SALT = b"\x00" * 16

SALT_BYTES = 16
"""Length of each key's random salt."""


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A key as the store holds it: who, which roles and accounts, and the secret's digest."""

    key_id: str
    user_id: str
    roles: frozenset[Role]
    salt: bytes
    digest: bytes
    accounts: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    @property
    def role(self) -> Role:
        """The role that decides account access on the Trading API (see :func:`access_role`)."""
        return access_role(self.roles)


def access_role(roles: Iterable[Role]) -> Role:
    """The one role that decides which accounts a key reaches on the Trading API.

    Operations staff (and administrators) reach every account; risk and compliance staff reach
    only accounts named on their key: their work is the Broker API's ``/v1/firm``.
    """
    held = frozenset(roles)
    if held & {Role.ADMINISTRATOR, Role.OPERATIONS}:
        return Role.OPERATIONS
    for role in (Role.PORTFOLIO_MANAGER, Role.TRADER, Role.CUSTOMER, Role.RISK, Role.COMPLIANCE):
        if role in held:
            return role
    raise ValueError("a key needs at least one role")


def hash_secret(secret: str, salt: bytes) -> bytes:
    """The stored form of a secret: HMAC-SHA256 keyed by the key's salt."""
    return hmac.new(salt, secret.encode("utf-8"), hashlib.sha256).digest()


def new_key_id() -> str:
    """A fresh key id in Alpaca's style: 20 upper-case letters and digits."""
    return "DB" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(18))


def new_secret() -> str:
    """A fresh 240-bit secret, 40 URL-safe characters."""
    return base64.urlsafe_b64encode(secrets.token_bytes(30)).decode("ascii")


def new_salt() -> bytes:
    """A fresh per-key salt."""
    return secrets.token_bytes(SALT_BYTES)


def check_key_shape(
    roles: Iterable[Role], accounts: Iterable[str], groups: Iterable[str]
) -> str | None:
    """Why a key with these roles, accounts and groups cannot exist; None when it can."""
    held, account_list, group_list = frozenset(roles), tuple(accounts), tuple(groups)
    if not held:
        return "a key needs at least one role"
    staff = bool(held & STAFF_ROLES)
    if not staff and held & {Role.CUSTOMER, Role.TRADER} and not account_list:
        role = Role.TRADER if Role.TRADER in held else Role.CUSTOMER
        return f"a {role.value} key needs at least one account"
    if Role.PORTFOLIO_MANAGER in held and not group_list:
        return "a portfolio manager key needs at least one account group"
    return None


class ApiKeyStore:
    """An :class:`~directbroker.adapters.http.ports.AccountDirectory` over hashed API keys.

    Thread-safe: keys may be added or removed while the server authenticates requests.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, KeyRecord] = {}
        self._groups: dict[str, frozenset[str]] = {}

    def issue(
        self,
        user_id: str,
        role: Role,
        accounts: Iterable[str] = (),
        groups: Iterable[str] = (),
        key_id: str | None = None,
        secret: str | None = None,
        *,
        roles: Iterable[Role] = (),
    ) -> tuple[str, str]:
        """Make a key locally (tests, fakes); returns (key id, secret), the secret shown once.

        ``accounts`` are the accounts a customer or trader holds (the first is the default);
        ``groups`` the account groups a portfolio manager manages; ``roles`` further roles.
        """
        key_id = key_id or new_key_id()
        secret = secret or new_secret()
        if not key_id or not secret:
            raise ValueError("key id and secret must be non-empty")
        held = frozenset({role, *roles})
        account_list, group_list = tuple(accounts), tuple(groups)
        problem = check_key_shape(held, account_list, group_list)
        if problem:
            raise ValueError(problem)
        salt = new_salt()
        record = KeyRecord(
            key_id, user_id, held, salt, hash_secret(secret, salt), account_list, group_list
        )
        self.add(record)
        return key_id, secret

    def add(self, record: KeyRecord) -> None:
        """Accept a key (an issued key's committed event); a key id is never reused."""
        with self._lock:
            if record.key_id in self._keys:
                raise ValueError(f"key id {record.key_id!r} already exists")
            self._keys[record.key_id] = record

    def remove(self, key_id: str) -> None:
        """Stop accepting a key at once (a revocation's committed event)."""
        with self._lock:
            self._keys.pop(key_id, None)

    revoke = remove

    def get(self, key_id: str) -> KeyRecord | None:
        """A live key by id."""
        with self._lock:
            return self._keys.get(key_id)

    def records(self) -> list[KeyRecord]:
        """Every live key, by key id."""
        with self._lock:
            return sorted(self._keys.values(), key=lambda r: r.key_id)

    def group(self, group_id: str) -> frozenset[str]:
        """A group's members (empty for a group not known)."""
        with self._lock:
            return self._groups.get(group_id, frozenset())

    def set_group(self, group_id: str, accounts: Iterable[str]) -> None:
        """Define (or redefine) an account group's members."""
        with self._lock:
            self._groups[group_id] = frozenset(accounts)

    def authenticate(self, key_id: str, secret: str) -> Principal | None:
        """The principal for a key id and secret; None when either is wrong."""
        if not key_id or not secret or len(key_id) > 128 or len(secret) > 256:
            return None
        with self._lock:
            record = self._keys.get(key_id)
        # An unknown key id costs the same hash, so key ids cannot be probed by timing.
        computed = hash_secret(secret, record.salt if record else _NO_SALT)
        if record is None or not hmac.compare_digest(computed, record.digest):
            return None
        return self._principal(record)

    def _principal(self, record: KeyRecord) -> Principal:
        role = record.role
        if role is Role.OPERATIONS:
            default = record.accounts[0] if record.accounts else ""
            return Principal(
                record.user_id, record.key_id, role, frozenset(record.accounts),
                default, all_accounts=True, roles=record.roles,
            )  # fmt: skip
        accounts: set[str] = set(record.accounts)
        with self._lock:
            for group in record.groups:
                accounts |= self._groups.get(group, frozenset())
        default = record.accounts[0] if record.accounts else min(accounts, default="")
        return Principal(
            record.user_id, record.key_id, role, frozenset(accounts), default,
            roles=record.roles, groups=frozenset(record.groups),
        )  # fmt: skip
