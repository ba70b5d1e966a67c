"""API keys are stored hashed and resolve to the right accounts; rate limits are buckets."""

from __future__ import annotations

import pytest

from directbroker.adapters.http import ApiKeyStore, Role
from directbroker.adapters.http.auth import hash_secret
from directbroker.adapters.http.ratelimit import RateLimit, RateLimiter


def test_secrets_are_stored_only_as_salted_hashes() -> None:
    store = ApiKeyStore()
    key, secret = store.issue("alice", Role.CUSTOMER, ["A1"])
    other_key, _ = store.issue("bob", Role.CUSTOMER, ["B1"], secret=secret)
    records = store._keys
    assert secret not in repr(records)
    assert records[key].digest == hash_secret(secret, records[key].salt)
    # Same secret, different salt: different stored hashes.
    assert records[key].digest != records[other_key].digest
    assert len(key) == 20 and key.startswith("DB") and len(secret) == 40


def test_authenticate_checks_key_and_secret() -> None:
    store = ApiKeyStore()
    key, secret = store.issue("alice", Role.CUSTOMER, ["A1", "A2"])
    principal = store.authenticate(key, secret)
    assert principal is not None
    assert principal.accounts == {"A1", "A2"} and principal.default_account == "A1"
    assert store.authenticate(key, secret) == principal
    assert store.authenticate(key, secret + "x") is None
    assert store.authenticate(key, secret[:-1]) is None
    assert store.authenticate("DBNOSUCHKEY", secret) is None
    assert store.authenticate("", "") is None
    assert store.authenticate(key, "x" * 10_000) is None
    store.revoke(key)
    assert store.authenticate(key, secret) is None


def test_roles_resolve_accounts() -> None:
    store = ApiKeyStore()
    store.set_group("G", ["G1", "G2"])
    pm_key, pm_secret = store.issue("pat", Role.PORTFOLIO_MANAGER, groups=["G"])
    ops_key, ops_secret = store.issue("olga", Role.OPERATIONS)
    pm = store.authenticate(pm_key, pm_secret)
    assert pm is not None and pm.accounts == {"G1", "G2"} and pm.default_account == "G1"
    assert pm.may_access("G2") and not pm.may_access("A1")
    store.set_group("G", ["G3"])  # membership changes apply on the next request
    assert store.authenticate(pm_key, pm_secret).accounts == {"G3"}  # type: ignore[union-attr]
    ops = store.authenticate(ops_key, ops_secret)
    assert ops is not None and ops.may_access("anything") and ops.default_account == ""


def test_issue_refuses_incomplete_keys() -> None:
    store = ApiKeyStore()
    with pytest.raises(ValueError, match="account"):
        store.issue("c", Role.CUSTOMER)
    with pytest.raises(ValueError, match="group"):
        store.issue("p", Role.PORTFOLIO_MANAGER)
    key, _ = store.issue("c", Role.CUSTOMER, ["A"])
    with pytest.raises(ValueError, match="exists"):
        store.issue("d", Role.CUSTOMER, ["B"], key_id=key)


def test_token_bucket_allows_bursts_then_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(RateLimit(rate_per_second=2, burst=3), clock=lambda: now[0])
    assert [limiter.allow("k") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("other")
    now[0] += 0.5
    assert limiter.allow("k") and not limiter.allow("k")
    now[0] += 100
    assert [limiter.allow("k") for _ in range(4)] == [True, True, True, False]


def test_rate_limiter_forgets_idle_buckets() -> None:
    now = [0.0]
    limiter = RateLimiter(RateLimit(rate_per_second=1, burst=1), clock=lambda: now[0])
    limiter.MAX_BUCKETS = 10
    for i in range(10):
        limiter.allow(f"k{i}")
    now[0] += 5
    limiter.allow("new")
    assert len(limiter._buckets) == 1
    with pytest.raises(ValueError):
        RateLimiter(RateLimit(rate_per_second=0))
