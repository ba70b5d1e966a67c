"""API keys: issue, verify and resolve to a :class:`Principal` with the accounts it may touch.

Secrets are never stored: each key keeps a per-key random salt and the PBKDF2-HMAC-SHA256 of
its secret, compared in constant time. API secrets are 240-bit random strings, not passwords,
so the stretching is modest; to keep per-request cost at microseconds a successful
verification is remembered as a keyed BLAKE2 digest (a process-local pepper, never the
secret), so a wrong secret still costs a full PBKDF2 run and the cache cannot be turned into a
verification oracle.

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

from directbroker.adapters.http.ports import Principal, Role

PBKDF2_ITERATIONS = 20_000
"""Stretching for stored secrets (see the module docstring for why this is enough)."""

_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass(frozen=True, slots=True)
class _KeyRecord:
    key_id: str
    user_id: str
    role: Role
    salt: bytes
    digest: bytes
    accounts: tuple[str, ...]
    groups: tuple[str, ...]


def hash_secret(secret: str, salt: bytes, iterations: int = PBKDF2_ITERATIONS) -> bytes:
    """The stored form of a secret."""
    return hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"), salt, iterations)


def new_key_id() -> str:
    """A fresh key id in Alpaca's style: 20 upper-case letters and digits."""
    return "DB" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(18))


def new_secret() -> str:
    """A fresh 240-bit secret, 40 URL-safe characters."""
    return base64.urlsafe_b64encode(secrets.token_bytes(30)).decode("ascii")


class ApiKeyStore:
    """An :class:`~directbroker.adapters.http.ports.AccountDirectory` over hashed API keys.

    Thread-safe: keys may be issued or revoked while the server authenticates requests.
    """

    def __init__(self, iterations: int = PBKDF2_ITERATIONS) -> None:
        self._iterations = iterations
        self._lock = threading.Lock()
        self._keys: dict[str, _KeyRecord] = {}
        self._groups: dict[str, frozenset[str]] = {}
        self._pepper = secrets.token_bytes(32)
        self._verified: dict[str, bytes] = {}

    def issue(
        self,
        user_id: str,
        role: Role,
        accounts: Iterable[str] = (),
        groups: Iterable[str] = (),
        key_id: str | None = None,
        secret: str | None = None,
    ) -> tuple[str, str]:
        """Create a key for ``user_id``; returns (key id, secret). The secret is shown once.

        ``accounts`` are the accounts a customer or trader holds (the first is the default);
        ``groups`` the account groups a portfolio manager manages.
        """
        key_id = key_id or new_key_id()
        secret = secret or new_secret()
        if not key_id or not secret:
            raise ValueError("key id and secret must be non-empty")
        account_list = tuple(accounts)
        group_list = tuple(groups)
        if role in (Role.CUSTOMER, Role.TRADER) and not account_list:
            raise ValueError(f"a {role.value} key needs at least one account")
        if role is Role.PORTFOLIO_MANAGER and not group_list:
            raise ValueError("a portfolio manager key needs at least one account group")
        salt = secrets.token_bytes(16)
        record = _KeyRecord(
            key_id, user_id, role, salt, hash_secret(secret, salt, self._iterations),
            account_list, group_list,
        )  # fmt: skip
        with self._lock:
            if key_id in self._keys:
                raise ValueError(f"key id {key_id!r} already exists")
            self._keys[key_id] = record
        return key_id, secret

    def revoke(self, key_id: str) -> None:
        """Stop accepting a key at once."""
        with self._lock:
            self._keys.pop(key_id, None)
            self._verified.pop(key_id, None)

    def set_group(self, group_id: str, accounts: Iterable[str]) -> None:
        """Define (or redefine) an account group's members."""
        with self._lock:
            self._groups[group_id] = frozenset(accounts)

    def _fingerprint(self, key_id: str, secret: str) -> bytes:
        data = f"{key_id}\x00{secret}".encode()
        return hashlib.blake2b(data, key=self._pepper, digest_size=32).digest()

    def authenticate(self, key_id: str, secret: str) -> Principal | None:
        """The principal for a key id and secret; None when either is wrong."""
        if not key_id or not secret or len(key_id) > 128 or len(secret) > 256:
            return None
        with self._lock:
            record = self._keys.get(key_id)
            remembered = self._verified.get(key_id)
        if record is None:
            # Spend the same time as for a known key so key ids cannot be probed by timing.
            hash_secret(secret, b"\x00" * 16, self._iterations)
            return None
        fingerprint = self._fingerprint(key_id, secret)
        if remembered is None or not hmac.compare_digest(remembered, fingerprint):
            computed = hash_secret(secret, record.salt, self._iterations)
            if not hmac.compare_digest(computed, record.digest):
                return None
            with self._lock:
                if key_id in self._keys:
                    self._verified[key_id] = fingerprint
        return self._principal(record)

    def _principal(self, record: _KeyRecord) -> Principal:
        if record.role is Role.OPERATIONS:
            default = record.accounts[0] if record.accounts else ""
            return Principal(
                record.user_id, record.key_id, record.role, frozenset(record.accounts),
                default, all_accounts=True,
            )  # fmt: skip
        accounts: set[str] = set(record.accounts)
        with self._lock:
            for group in record.groups:
                accounts |= self._groups.get(group, frozenset())
        default = record.accounts[0] if record.accounts else min(accounts, default="")
        return Principal(record.user_id, record.key_id, record.role, frozenset(accounts), default)
