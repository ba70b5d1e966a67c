"""The session store: idle and absolute expiry, the bound on sessions, CSRF comparison,
tickets, and ending every session of a key."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from directbroker.adapters.web import WebSessions


def test_a_session_is_found_by_its_token_and_touched_on_use() -> None:
    store = WebSessions(idle_s=10, lifetime_s=100)
    session = store.open("K1", "secret", "alice", now_s=0.0)
    assert store.get(session.token, 9.0) is not None
    assert store.get(session.token, 18.0) is not None  # touched at 9: idle 9 s
    assert store.get(session.token, 28.5) is None  # idle 10.5 s: ended
    assert store.get(session.token, 29.0) is None  # and stays ended


def test_a_busy_session_still_ends_at_its_lifetime() -> None:
    store = WebSessions(idle_s=10, lifetime_s=30)
    session = store.open("K1", "secret", "alice", now_s=0.0)
    for now in range(5, 31, 5):
        assert store.get(session.token, float(now)) is not None
    assert store.get(session.token, 31.0) is None


def test_unknown_empty_and_oversized_tokens_find_nothing() -> None:
    store = WebSessions()
    store.open("K1", "secret", "alice", now_s=0.0)
    assert store.get(None, 1.0) is None
    assert store.get("", 1.0) is None
    assert store.get("x" * 500, 1.0) is None
    assert store.get("not-a-token", 1.0) is None


def test_the_least_recently_used_session_ends_beyond_capacity() -> None:
    store = WebSessions(capacity=2)
    first = store.open("K1", "s", "a", 0.0)
    second = store.open("K2", "s", "b", 1.0)
    assert store.get(first.token, 2.0) is not None  # first is now the most recent
    store.open("K3", "s", "c", 3.0)
    assert store.get(second.token, 4.0) is None
    assert store.get(first.token, 4.0) is not None
    assert len(store) == 2


def test_logout_ends_that_session_only() -> None:
    store = WebSessions()
    one = store.open("K1", "s", "a", 0.0)
    two = store.open("K1", "s", "a", 0.0)
    store.close(one.token)
    assert store.get(one.token, 1.0) is None
    assert store.get(two.token, 1.0) is not None


def test_tickets_stand_for_their_key_and_unknown_ones_for_nothing() -> None:
    store = WebSessions()
    ticket = store.ticket("K1", "secret")
    assert store.redeem(ticket) == ("K1", "secret")
    assert store.redeem(ticket) == ("K1", "secret")  # valid while the process runs
    assert store.redeem("nope") is None
    assert store.redeem("x" * 500) is None


@given(st.text(max_size=80))
def test_only_the_sessions_own_csrf_token_matches(offered: str) -> None:
    session = WebSessions().open("K1", "s", "a", 0.0)
    assert session.csrf_matches(session.csrf)
    assert session.csrf_matches(offered) == (offered == session.csrf)
    assert not session.csrf_matches(None)


def test_tokens_and_csrf_tokens_are_distinct_and_unpredictable() -> None:
    store = WebSessions()
    sessions = [store.open("K1", "s", "a", 0.0) for _ in range(200)]
    values = {s.token for s in sessions} | {s.csrf for s in sessions}
    assert len(values) == 400
    assert all(len(s.token) >= 43 for s in sessions)  # 256 bits, URL-safe base64
