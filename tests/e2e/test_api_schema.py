"""The OpenAPI document tells the truth: schemathesis generates requests for every operation
from it (valid and invalid ones), sends them to the app with a real key, and checks every
answer with its default checks: no server error, every status and header documented, bodies
matching their schemas, invalid data refused and valid data accepted.

The app is built as the other tests build it, over the fake platform, with a real API key in
the authentication headers. Examples per operation are few so the suite stays quick; a
finding is a bug in the app (or in what it documents), never a reason to weaken a check.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from directbroker.adapters.http import RateLimit, create_app
from tests.e2e.conftest import PLATFORMS, _calendar

pytestmark = pytest.mark.timeout(600)


# Built at import: schemathesis parametrises the test from the app's schema at collection.
# (Its lazy fixture loader does not work with this pytest.)
PLATFORM = PLATFORMS["fake"]()
APP = create_app(
    PLATFORM.ports,
    rate_limit=RateLimit(rate_per_second=100_000, burst=100_000),
    calendar=_calendar,
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


TIMEFRAME_SECONDS = {"1Min": 60, "5Min": 300, "15Min": 900, "1H": 3_600, "1D": 86_400}
PERIOD_DAYS = {"D": 1, "W": 7, "M": 30, "A": 365}


def respect_dependencies(case: Any) -> None:
    """Apply to a schema-valid case the rules between values that OpenAPI cannot state:
    page tokens are the server's own (never drawn), client order ids are not reused, a
    window's start is not after its end (each defaults: the start to today, the end to now), a
    close takes qty or percentage, and a portfolio history has at most 100,000 points.
    Invalid cases are sent as drawn."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    body = case.body
    if case.operation.label == "POST /v2/orders" and isinstance(body, dict):
        drawn = body.get("client_order_id")
        if isinstance(drawn, str):  # unique per account, as Alpaca wants (else 422)
            body["client_order_id"] = drawn[:96] + uuid.uuid4().hex
    if not case.query:
        return
    query = case.query
    query.pop("page_token", None)
    if case.operation.path == "/v2/account/portfolio/history":
        for name in ("start", "end", "date_end"):
            query.pop(name, None)
        period = query.get("period") or "1M"
        days = int(period[:-1]) * PERIOD_DAYS[period[-1]]
        frame = query.get("timeframe")
        if frame and days * 86_400 // TIMEFRAME_SECONDS[frame] > 100_000:
            query.pop("timeframe")
        if not frame and days >= 30 and days * 86_400 // 86_400 > 100_000:
            query.pop("period")
    elif "qty" in query and "percentage" in query:
        query.pop("percentage")
    if not case.operation.path.startswith("/v2/stocks/"):
        return
    start, end = query.get("start"), query.get("end")
    if start and end and _instant(start) > _instant(end):
        query["start"], query["end"] = end, start
    elif start and not end and _instant(start) > datetime.now(UTC):
        query["end"] = start  # the end defaults to now
    elif end and not start and _instant(end) < datetime.now(UTC) - timedelta(days=1):
        query["start"] = end  # the start defaults to today's midnight in New York


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.fixture(scope="module", autouse=True)
def _close_platform() -> Iterator[None]:
    yield
    PLATFORM.close()


@pytest.fixture(scope="module")
def auth_headers() -> dict[str, str]:
    key, secret = PLATFORM.keys["alice"]
    return {"APCA-API-KEY-ID": key, "APCA-API-SECRET-KEY": secret}


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,  # the same cases every run: a finding reproduces, CI never flips
)
def test_every_operation_answers_as_documented(case: Any, auth_headers: dict[str, str]) -> None:
    respect_dependencies(case)
    case.call_and_validate(headers=auth_headers)


DESK = schema.include(path_regex="^/v2/(blocks|groups)")


@pytest.fixture(scope="module")
def manager_headers() -> dict[str, str]:
    key, secret = PLATFORM.keys["pm"]
    return {"APCA-API-KEY-ID": key, "APCA-API-SECRET-KEY": secret}


def for_the_manager(case: Any) -> None:
    """Valid block requests name the manager's own group and a listed symbol, and leave the
    allocation out (weights that fit the group are a rule between values OpenAPI cannot
    state), so the desk's successful answers are checked too."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    if case.operation.label == "POST /v2/blocks" and isinstance(case.body, dict):
        case.body.update(group_id="G", symbol="AAPL")
        case.body.pop("allocation", None)


@DESK.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,
)
def test_the_desk_answers_its_manager_as_documented(
    case: Any, manager_headers: dict[str, str]
) -> None:
    for_the_manager(case)
    case.call_and_validate(headers=manager_headers)
