"""/v1/firm routes: roles decide who may change what, a refusal changes nothing, commands
carry the actor; the firm read model follows accepted commands only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from directbroker.adapters.http.broker.firm_port import (
    HouseMarginView,
    KeyView,
    KillSwitchView,
    LimitsView,
    LocateView,
    SymbolEntry,
)
from directbroker.adapters.http.ports import PortRejection, Role
from directbroker.app.firm_views import FirmViews
from directbroker.domain.access_messages import IssueApiKey, RevokeApiKey
from directbroker.domain.broker_messages import (
    BrokerCommandRejected,
    KillSwitchChanged,
    RestrictSymbol,
    RiskSettingChanged,
    SetEasyToBorrow,
    SetKillSwitch,
)
from directbroker.domain.messages import Command, Event
from directbroker.domain.order_status import KillSwitchScope
from directbroker.domain.rejects import RejectCode
from directbroker.runtime.sequencer import Outcome
from directbroker.testing.broker_api import BrokerTestApp, broker_test_app


class FakeFirm:
    """Records commands; refuses revoking an unknown key like the core does."""

    def __init__(self) -> None:
        self.commands: list[Command] = []
        self.views = FirmViews()

    async def command(self, command: Command) -> None:
        if isinstance(command, RevokeApiKey):
            raise PortRejection(RejectCode.UNKNOWN_API_KEY, "no live key")
        self.commands.append(command)

    def firm_limits(self) -> LimitsView:
        return self.views.firm

    def account_limits(self, account: str) -> LimitsView | None:
        return self.views.accounts.get(account)

    def kill_switches(self) -> list[KillSwitchView]:
        return list(self.views.kills.values())

    def restricted(self) -> list[SymbolEntry]:
        return list(self.views.restricted.values())

    def easy_to_borrow(self) -> list[SymbolEntry]:
        return list(self.views.easy_to_borrow.values())

    def locates(self) -> list[LocateView]:
        return list(self.views.locates.values())

    def house_margin(self) -> list[HouseMarginView]:
        return list(self.views.house_margin.values())

    def api_keys(self, include_revoked: bool = False) -> list[KeyView]:
        return list(self.views.keys.values())


@pytest.fixture
def setup() -> Iterator[tuple[BrokerTestApp, FakeFirm]]:
    firm = FakeFirm()
    with broker_test_app(firm=firm) as kit:
        yield kit, firm


def test_roles_gate_changes_and_refusals_change_nothing(
    setup: tuple[BrokerTestApp, FakeFirm],
) -> None:
    kit, firm = setup
    compliance = kit.client(Role.COMPLIANCE, user_id="comp:cara")
    assert compliance.put("/v1/firm/limits", json={"max_order_quantity": 5}).status_code == 403
    ops = kit.client(Role.OPERATIONS, user_id="ops:olga")
    staff_key = ops.post("/v1/firm/keys", json={"user_id": "x", "roles": ["risk"]})
    assert staff_key.status_code == 403  # only an administrator issues staff keys
    assert firm.commands == []
    assert compliance.put("/v1/firm/restricted/tsla", json={"reason": "news"}).status_code == 200
    (restrict,) = firm.commands
    assert restrict == RestrictSymbol("TSLA", True, "news", "comp:cara")
    made = ops.post(
        "/v1/firm/keys", json={"user_id": "c", "roles": ["customer"], "accounts": ["A1"]}
    )
    assert made.status_code == 201 and len(made.json()["secret"]) == 40
    issued = firm.commands[-1]
    assert isinstance(issued, IssueApiKey) and issued.actor == "ops:olga"
    assert made.json()["secret"] not in repr(issued)  # only the digest travels
    gone = ops.delete("/v1/firm/keys/NOPE")
    assert gone.status_code == 404 and gone.json()["code"] == 404 * 100_000 + 5100


def test_bad_input_is_refused_at_the_edge(setup: tuple[BrokerTestApp, FakeFirm]) -> None:
    kit, firm = setup
    admin = kit.client(Role.ADMINISTRATOR)
    for method, path, body in (
        ("PUT", "/v1/firm/kill-switch", {"scope": "account"}),
        ("PUT", "/v1/firm/kill-switch", {"scope": "planet"}),
        ("PUT", "/v1/firm/easy-to-borrow/%20", None),
        ("PUT", "/v1/firm/limits", {"max_order_quantity": -1}),
        ("PUT", "/v1/firm/accounts/A1/limits", {"market_buffer_bps": 5}),
        ("POST", "/v1/firm/keys", {"user_id": "u", "roles": ["root"]}),
        ("POST", "/v1/firm/locates", {"account": "A1", "symbol": "X", "quantity": 0}),
        ("PUT", "/v1/firm/house-margin/AAPL", {"maintenance_bps": 10_001}),
    ):
        answer = admin.request(method, path, json=body)
        assert answer.status_code == 422, (path, answer.text)
        assert set(answer.json()) == {"code", "message"}
    assert firm.commands == []


def test_firm_views_follow_accepted_commands_only() -> None:
    views = FirmViews()
    kill = SetKillSwitch(KillSwitchScope.SYMBOL, "", True, "halt", "risk:rita", "AAPL")
    etb = SetEasyToBorrow("AAPL", True, "comp")
    refused = SetEasyToBorrow("MSFT", True, "comp")
    stopped = KillSwitchChanged(KillSwitchScope.SYMBOL, "", True, "halt", 5, "risk:rita", "AAPL")
    no = BrokerCommandRejected("SetEasyToBorrow", "MSFT", RejectCode.MALFORMED, "", 7)
    events: list[tuple[Command, tuple[Event, ...]]] = [
        (kill, (stopped,)),
        (etb, (RiskSettingChanged("easy_to_borrow", "AAPL", "true", 6, "comp"),)),
        (refused, (no,)),
    ]
    views.apply_batch(
        [command for command, _ in events],
        [Outcome(n, n, produced) for n, (_, produced) in enumerate(events)],
    )
    assert list(views.kills) == [("symbol", "AAPL")]
    assert views.kills[("symbol", "AAPL")].changed.actor == "risk:rita"
    assert views.is_easy_to_borrow("AAPL") and not views.is_easy_to_borrow("MSFT")
