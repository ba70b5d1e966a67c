"""API keys are facts of the broker core: checked in full, never reused, and in the snapshot."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from hypothesis import given
from hypothesis import strategies as st

from directbroker.domain.access_messages import (
    ApiKeyIssued,
    ApiKeyRevoked,
    IssueApiKey,
    RevokeApiKey,
)
from directbroker.domain.broker_messages import (
    BrokerCommandRejected,
    KillSwitchChanged,
    PlaceOrder,
    SetKillSwitch,
)
from directbroker.domain.order_status import KillSwitchScope
from directbroker.domain.orders import OrderType, Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.access import AccessRegistry
from directbroker.engines.broker.core import BrokerCore
from directbroker.protocols.codec import decode, encode
from directbroker.testing.broker_harness import BrokerHarness

SALT = bytes(range(16))
DIGEST = hmac.new(SALT, b"secret", hashlib.sha256).digest()


def issue(key_id: str = "K1", **changes: object) -> IssueApiKey:
    fields: dict[str, object] = {
        "key_id": key_id, "user_id": "alice", "roles": ("customer",), "accounts": ("A1",),
        "groups": (), "salt": SALT, "digest": DIGEST, "actor": "ops:olga",
    }  # fmt: skip
    fields.update(changes)
    return IssueApiKey(**fields)  # type: ignore[arg-type]


def harness() -> BrokerHarness:
    made = BrokerHarness()
    made.open_account("A1", "10000")
    return made


def rejected(events: Sequence[object]) -> RejectCode:
    (event,) = events
    assert isinstance(event, BrokerCommandRejected)
    return event.code


def test_issue_and_revoke_are_facts_with_who_did_it() -> None:
    h = harness()
    (issued,) = h.send(issue())
    assert isinstance(issued, ApiKeyIssued) and issued.actor == "ops:olga"
    assert issued.digest == DIGEST and issued.accounts == ("A1",)
    (revoked,) = h.send(RevokeApiKey("K1", "ops:otto", "left the firm"))
    assert isinstance(revoked, ApiKeyRevoked) and revoked.actor == "ops:otto"
    fact = h.broker.access.keys["K1"]
    assert fact.issued_by == "ops:olga" and fact.revoked_by == "ops:otto"
    assert h.broker.access.live() == []
    # Revoked ids stay taken; revoking twice is refused.
    assert rejected(h.send(issue())) is RejectCode.DUPLICATE_API_KEY
    assert rejected(h.send(RevokeApiKey("K1", "ops:otto"))) is RejectCode.UNKNOWN_API_KEY


def test_bad_keys_are_refused_and_change_nothing() -> None:
    h = harness()
    before = h.broker.state_hash()
    cases = {
        RejectCode.ACTOR_REQUIRED: issue(actor=""),
        RejectCode.INVALID_API_KEY: issue(roles=("superuser",)),
        RejectCode.UNKNOWN_ACCOUNT: issue(accounts=("NOPE",)),
    }
    for code, command in cases.items():
        assert rejected(h.send(command)) is code
    for bad in (
        issue(roles=()),
        issue(accounts=()),
        issue(roles=("portfolio_manager",), accounts=()),
        issue(salt=b"short"),
        issue(digest=b"x" * 5),
        issue(key_id=""),
        issue(key_id="K\n1"),
        issue(accounts=("A1", "A1")),
    ):
        assert rejected(h.send(bad)) is RejectCode.INVALID_API_KEY
    assert rejected(h.send(RevokeApiKey("K1", ""))) is RejectCode.ACTOR_REQUIRED
    assert rejected(h.send(RevokeApiKey("NOPE", "ops"))) is RejectCode.UNKNOWN_API_KEY
    assert h.broker.state_hash() == before


def test_staff_keys_need_no_account() -> None:
    h = harness()
    (issued,) = h.send(issue("S1", roles=("administrator",), accounts=()))
    assert isinstance(issued, ApiKeyIssued)


def test_keys_survive_snapshot_and_replay() -> None:
    h = harness()
    h.send(issue("K1"))
    h.send(issue("K2", roles=("risk", "compliance"), accounts=()))
    h.send(RevokeApiKey("K1", "ops"))
    assert h.replay().state_hash() == h.broker.state_hash()
    restored = h.new_core()
    restored.restore(h.broker.snapshot())
    assert restored.state_hash() == h.broker.state_hash()
    assert [fact.key_id for fact in restored.access.live()] == ["K2"]


def test_old_snapshots_without_keys_restore_empty() -> None:
    import msgpack

    h = harness()
    plain = msgpack.unpackb(h.broker.snapshot(), raw=False, strict_map_key=False)
    core: BrokerCore = h.new_core()
    core.restore(msgpack.packb(plain[:8], use_bin_type=True))
    assert core.access.keys == {}


def test_commands_round_trip_and_old_entries_decode_without_actor() -> None:
    assert decode(encode(issue())) == issue()
    # An entry journaled before `actor` existed: four fields only.
    import msgpack

    legacy = msgpack.packb(["SetKillSwitch", "firm", "", True, "old"], use_bin_type=True)
    restored = decode(legacy)
    assert isinstance(restored, SetKillSwitch) and restored.actor == "" and restored.symbol == ""


def test_symbol_kill_switch_stops_one_symbol_with_who_did_it() -> None:
    h = BrokerHarness(symbols=(("AAPL", "200.00"), ("MSFT", "400.00")))
    h.open_account("A1", "100000")
    h.quote("AAPL", "199.99", "200.01")
    h.quote("MSFT", "399.99", "400.01")
    events = h.send(
        SetKillSwitch(KillSwitchScope.SYMBOL, engaged=True, reason="halt", actor="risk:rita",
                      symbol="AAPL")
    )  # fmt: skip
    (changed,) = h.of_type(KillSwitchChanged, events)
    assert changed.actor == "risk:rita" and changed.symbol == "AAPL"

    def order(order_id: str, symbol: str) -> PlaceOrder:
        return PlaceOrder(order_id, order_id, "A1", symbol, Side.BUY, OrderType.LIMIT, 10,
                          limit_price=1_000_000)  # fmt: skip

    from directbroker.domain.broker_messages import CustomerOrderRejected, OrderReceived

    (refused,) = h.of_type(CustomerOrderRejected, h.send(order("o1", "AAPL")))
    assert refused.code is RejectCode.KILL_SWITCH and "AAPL" in refused.message
    assert h.of_type(OrderReceived, h.send(order("o2", "MSFT")))
    h.send(SetKillSwitch(KillSwitchScope.SYMBOL, engaged=False, actor="risk", symbol="AAPL"))
    assert h.of_type(OrderReceived, h.send(order("o3", "AAPL")))
    assert h.replay().state_hash() == h.broker.state_hash()


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 4)), max_size=30))
def test_registry_plain_form_round_trips(steps: list[tuple[bool, int]]) -> None:
    registry = AccessRegistry()
    for ts, (is_issue, n) in enumerate(steps):
        if is_issue:
            registry.issue(issue(f"K{n}"), ts, lambda _: True)
        else:
            registry.revoke(RevokeApiKey(f"K{n}", "ops"), ts)
    again = AccessRegistry.from_plain(registry.to_plain())
    assert again.to_plain() == registry.to_plain()
    assert len({fact.key_id for fact in again.live()}) == len(again.live())
