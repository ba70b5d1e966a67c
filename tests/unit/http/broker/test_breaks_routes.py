"""``GET /v1/firm/breaks`` and ``/v1/firm/breaks/days`` over reports the real reconciliation
wrote: operations and compliance staff read them; filters by status and code; a bad date is
422 and a day not reconciled 404, both with the INVALID_DATE number; customers and other staff
roles are refused."""

from __future__ import annotations

from pathlib import Path

from directbroker.adapters.http.ports import Role
from directbroker.app.breaks_ports import RecordedBreaks
from directbroker.testing.broker_api import broker_test_app
from tests.unit.app.recon_days import reconcile_three_days


def test_staff_read_the_days_and_a_days_breaks(tmp_path: Path) -> None:
    missing = reconcile_three_days(tmp_path)
    with broker_test_app(breaks=RecordedBreaks(tmp_path)) as kit:
        with kit.client(Role.OPERATIONS) as operations:
            days = operations.get("/v1/firm/breaks/days")
            assert days.status_code == 200, days.text
            assert [d["date"] for d in days.json()["days"]] == [
                "2026-06-03", "2026-06-02", "2026-06-01",
            ]  # fmt: skip
            latest = operations.get("/v1/firm/breaks").json()
            assert (latest["date"], latest["clean"], latest["breaks"]) == ("2026-06-03", True, [])
            resolved = operations.get("/v1/firm/breaks", params={"status": "resolved"}).json()
            assert {b["status"] for b in resolved["breaks"]} == {"resolved"}
            assert resolved["totals"] == {
                "MISSING_AT_CLEARING": 1, "POSITION_BREAK": 1, "CASH_BREAK": 1,
            }  # fmt: skip
            day = operations.get("/v1/firm/breaks", params={"date": "2026-06-02"}).json()
            assert day["status"] == "open" and len(day["breaks"]) == 3
            assert [b["age_days"] for b in day["breaks"]] == [1, 1, 1]
            only = operations.get(
                "/v1/firm/breaks", params={"date": "2026-06-02", "kind": "MISSING_AT_CLEARING"}
            ).json()
            assert [(b["reference"], b["carried"]) for b in only["breaks"]] == [(missing, True)]
            assert only["totals"] == {"MISSING_AT_CLEARING": 1}
        with kit.client(Role.COMPLIANCE) as compliance:
            assert compliance.get("/v1/firm/breaks/days").status_code == 200


def test_bad_input_and_other_callers_are_refused(tmp_path: Path) -> None:
    reconcile_three_days(tmp_path)
    with broker_test_app(breaks=RecordedBreaks(tmp_path)) as kit:
        with kit.client(Role.OPERATIONS) as operations:
            bad = operations.get("/v1/firm/breaks", params={"date": "2026-13-01"})
            assert (bad.status_code, bad.json()["code"]) == (422, 42205011)
            unknown = operations.get("/v1/firm/breaks", params={"date": "2026-06-04"})
            assert (unknown.status_code, unknown.json()["code"]) == (404, 40405011)
            assert "2026-06-04" in unknown.json()["message"]
            assert operations.get("/v1/firm/breaks", params={"status": "x"}).status_code == 422
            assert operations.get("/v1/firm/breaks", params={"kind": "NOPE"}).status_code == 422
        with kit.client() as customer:
            assert customer.get("/v1/firm/breaks/days").status_code == 403
            assert customer.get("/v1/firm/breaks").status_code == 403
        with kit.client(Role.RISK) as risk:
            assert risk.get("/v1/firm/breaks").status_code == 403
        with kit.anonymous() as nobody:
            assert nobody.get("/v1/firm/breaks/days").status_code == 401


def test_no_day_reconciled_yet_is_404(tmp_path: Path) -> None:
    kit = broker_test_app(breaks=RecordedBreaks(tmp_path))
    with kit, kit.client(Role.ADMINISTRATOR) as admin:
        assert admin.get("/v1/firm/breaks/days").json() == {"days": []}
        none = admin.get("/v1/firm/breaks")
        assert (none.status_code, none.json()["code"]) == (404, 40405011)
