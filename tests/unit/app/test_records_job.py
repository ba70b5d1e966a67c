"""The end-of-day records job under serve's back-office worker: each ended day's order tickets
and blotter filed, the tickets standing at that day's end, and the files the same when the
days are run again by a fresh worker."""

from __future__ import annotations

import json
from pathlib import Path

from directbroker.adapters.calendar import XnysCalendar
from directbroker.app.backoffice_runner import BackOfficeRunner
from directbroker.app.records_job import DayRecords
from directbroker.domain.accounts import AccountType
from directbroker.domain.broker_messages import (
    CancelCustomerOrder,
    EndBrokerDay,
    PlaceOrder,
    StartBrokerDay,
)
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.testing.broker_harness import BrokerHarness, dollars
from directbroker.testing.broker_journal import BrokerJournalWriter

DAYS = (20260601, 20260602)


def _write(data_dir: Path) -> None:
    """Day one: a market buy and a resting GTC buy; day two: the GTC buy cancelled."""
    h = BrokerHarness(date=DAYS[0])
    h.open_account("C1", "100000.00", AccountType.MARGIN)
    h.quote("AAPL", "199.99", "200.01")
    h.send(PlaceOrder("m1", "m1", "C1", "AAPL", Side.BUY, OrderType.MARKET, 10,
                      entered_by="key:K1"))  # fmt: skip
    h.send(PlaceOrder("g1", "g1", "C1", "AAPL", Side.BUY, OrderType.LIMIT, 5, dollars("150"),
                      time_in_force=TimeInForce.GTC, entered_by="key:K1"))  # fmt: skip
    h.send(EndBrokerDay(DAYS[0]))
    h.send(StartBrokerDay(DAYS[1]))
    h.send(CancelCustomerOrder("g1", "C1", actor="staff:S1"))
    h.send(EndBrokerDay(DAYS[1]))
    with BrokerJournalWriter(data_dir) as writer:
        writer.add_all(h.entries)


def _run(data_dir: Path) -> list[Path]:
    job = DayRecords(data_dir)
    runner = BackOfficeRunner(data_dir, XnysCalendar(), [job], folds=[job.tickets])
    runner.catch_up()
    assert runner.days_run == list(DAYS)
    folder = data_dir / "backoffice" / "records"
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_each_ended_day_is_filed_with_its_tickets_as_they_stood_at_its_end(
    tmp_path: Path,
) -> None:
    _write(tmp_path)
    files = _run(tmp_path)
    names = [p.relative_to(tmp_path / "backoffice" / "records").as_posix() for p in files]
    assert names == [
        "blotter/2026-06-01.csv", "blotter/2026-06-02.csv",
        "tickets/2026-06-01.csv", "tickets/2026-06-01.json",
        "tickets/2026-06-02.csv", "tickets/2026-06-02.json",
    ]  # fmt: skip
    records = tmp_path / "backoffice" / "records"
    first = json.loads((records / "tickets" / "2026-06-01.json").read_text(encoding="utf-8"))
    assert [t["order_id"] for t in first] == ["m1", "g1"]
    # At the end of day one the GTC order was still working: its cancel came the next day.
    assert first[1]["cancellation"] is None and first[1]["status"] != "canceled"
    assert json.loads((records / "tickets" / "2026-06-02.json").read_text(encoding="utf-8")) == []
    blotter = (records / "blotter" / "2026-06-01.csv").read_text(encoding="utf-8")
    assert ",m1\n" in blotter and "g1" not in blotter
    # A fresh worker (no progress kept) runs both days again: the same files, byte for byte.
    before = {p: p.read_bytes() for p in files}
    (tmp_path / "backoffice" / "progress.json").unlink()
    assert _run(tmp_path) == files
    assert {p: p.read_bytes() for p in files} == before
