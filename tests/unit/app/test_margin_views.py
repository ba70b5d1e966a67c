"""Margin calls as the edge shows them: the read model follows the ledger's committed
``MarginCallIssued`` / ``MarginCallMet`` events; the account shows the open call as the
``margin_call`` extension (alpaca-py still parses it); the call stream numbers its events."""

from __future__ import annotations

import datetime
import warnings
from dataclasses import replace

from directbroker.adapters.http.broker.accounts_port import AccountView
from directbroker.adapters.http.broker.accounts_shapes import render_account as broker_account
from directbroker.adapters.http.broker.event_shapes import MARGIN_CALL_EVENT
from directbroker.adapters.http.broker.funding_shapes import render_stream_event
from directbroker.adapters.http.ports import AccountSnapshot, MarginCallUpdate
from directbroker.adapters.http.shapes import render_account
from directbroker.app.margin_views import MARGIN_CALL_DUE_DAYS, MarginCalls, Weekdays
from directbroker.domain.accounts import AccountValues
from directbroker.domain.ledger_messages import MarginCallIssued, MarginCallMet
from directbroker.runtime.sequencer import Outcome
from tests.unit.risk.risk_helpers import values as risk_values

with warnings.catch_warnings():
    # alpaca-py imports websockets' legacy client, deprecated upstream.
    warnings.simplefilter("ignore", DeprecationWarning)
    from alpaca.trading.models import TradeAccount


def _ns(year: int, month: int, day: int, hour: int = 15) -> int:
    moment = datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC)
    return int(moment.timestamp()) * 1_000_000_000


THU = _ns(2026, 11, 26)  # Thanksgiving: no session
WED = _ns(2026, 11, 25)
FRI_LATE_UTC = _ns(2026, 11, 28, 2)  # Friday 21:00 in New York, Saturday in UTC


def _issued(account: str, ts: int, deficiency: int = 1_000_000) -> Outcome:
    return Outcome(1, ts, (MarginCallIssued(account, deficiency, 33_000_000, 34_000_000, ts),))


def _met(account: str, ts: int) -> Outcome:
    return Outcome(2, ts, (MarginCallMet(account, 35_000_000, ts),))


class _Holidays:
    """Weekdays without Thanksgiving 2026."""

    def add_business_days(self, date: int, days: int) -> int:
        current = date
        for _ in range(days):
            current = Weekdays().add_business_days(current, 1)
            if current == 20261126:
                current = Weekdays().add_business_days(current, 1)
        return current


def test_an_issued_call_is_open_until_met_and_each_is_one_numbered_event() -> None:
    calls = MarginCalls()
    calls.apply([_issued("M1", WED)])
    call = calls.call("M1")
    assert call is not None and call.amount == 1_000_000 and call.issued_ns == WED
    assert call.due_date == 20261127  # Wednesday + 2 weekdays
    assert calls.call("M2") is None
    calls.apply([_met("M1", WED + 1)])
    assert calls.call("M1") is None
    events = list(calls.events.after(0))
    assert [e.event_id for e in events] == [1, 2]
    payloads = [e.payload for e in events]
    assert all(isinstance(p, MarginCallUpdate) for p in payloads)
    assert [p.met for p in payloads if isinstance(p, MarginCallUpdate)] == [False, True]


def test_duplicates_and_a_met_without_a_call_change_nothing() -> None:
    calls = MarginCalls()
    calls.apply([_issued("M1", WED)._replace(duplicate=True), _met("M2", WED)])
    assert calls.open == {} and list(calls.events.after(0)) == []


def test_the_due_date_counts_exchange_sessions_from_the_new_york_date() -> None:
    assert MARGIN_CALL_DUE_DAYS == 2
    calls = MarginCalls(_Holidays())
    assert calls.due_date(WED) == 20261130  # Fri, then Mon (Thanksgiving skipped)
    # 21:00 Friday in New York is Friday's call, though UTC says Saturday.
    assert MarginCalls().due_date(FRI_LATE_UTC) == 20261201
    assert Weekdays().add_business_days(20261129, 1) == 20261130  # Sunday counts from Friday


def test_a_replayed_journal_gives_the_same_calls() -> None:
    batch = [_issued("M1", WED), _issued("M2", THU), _met("M1", THU + 5)]
    first, second = MarginCalls(), MarginCalls()
    first.apply(batch)
    for outcome in batch:
        second.apply([outcome])
    assert first.open == second.open
    assert list(first.events.after(0)) == list(second.events.after(0))


def _values(deficiency: int) -> AccountValues:
    return replace(risk_values(), account="M1", margin_deficiency=deficiency)


def test_the_account_shows_the_open_call_and_alpaca_py_still_parses_it() -> None:
    calls = MarginCalls()
    calls.apply([_issued("M1", WED)])
    snapshot = AccountSnapshot(_values(600_000), "M1", WED, 0, margin_call=calls.call("M1"))
    body = render_account(snapshot)
    assert body["margin_call"] == {
        "amount": "100.00",
        "deficiency": "60.00",
        "equity_at_call": "3300.00",
        "maintenance_requirement": "3400.00",
        "issued_at": body["margin_call"]["issued_at"],
        "due_date": "2026-11-27",
    }
    assert body["margin_call"]["issued_at"].startswith("2026-11-25T15:00:00")
    parsed = TradeAccount(**body)
    assert str(parsed.account_number) == "M1"
    quiet = render_account(AccountSnapshot(_values(0), "M1", WED, 0))
    assert quiet["margin_call"] is None
    TradeAccount(**quiet)


def test_the_broker_api_account_shows_the_call_too() -> None:
    calls = MarginCalls()
    calls.apply([_issued("M1", WED)])
    view = AccountView("M1", "M1", "margin", "ACTIVE", {}, WED, WED,
                       margin_call=calls.call("M1"), margin_deficiency=1_000_000)  # fmt: skip
    assert broker_account(view)["margin_call"]["amount"] == "100.00"
    assert (
        broker_account(AccountView("M1", "M1", "margin", "ACTIVE", {}, WED, WED))["margin_call"]
        is None
    )


def test_a_stream_event_has_exactly_the_documented_fields() -> None:
    calls = MarginCalls()
    calls.apply([_issued("M1", WED), _met("M1", THU)])
    issued, met = (render_stream_event(e) for e in calls.events.after(0))
    documented = set(MARGIN_CALL_EVENT["properties"])
    assert set(issued) == documented == set(MARGIN_CALL_EVENT["required"])
    assert set(met) == documented
    assert (issued["event"], met["event"]) == ("margin_call", "margin_call_met")
    assert (issued["event_id"], met["event_id"]) == (1, 2)
    assert issued["amount"] == met["amount"] == "100.00"
    assert met["equity"] == "3500.00" and met["due_date"] == "2026-11-27"
