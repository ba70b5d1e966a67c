"""Every report the broker builds conforms to the FIX 4.2 and 4.4 data dictionaries (the
QuickFIX ones in ``../shared/fix-spec``): each body tag belongs to the message, the required
body fields are there, and every enumerated value is one the dictionary lists."""

from __future__ import annotations

import dataclasses
import functools
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from directbroker.adapters.fix.reports import (
    STATUS,
    CancelRefused,
    Execution,
    OrderFacts,
    Outbound,
    business_reject,
    cancel_reject,
    execution_report,
    refused_order_report,
)
from directbroker.adapters.fix.terms import BusinessReason, FixVersion
from directbroker.adapters.http.ports import TradeEvent
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from tests.unit.fix_orders.messages import new_order_fields

SPEC = Path(__file__).resolve().parents[3].parent / "shared" / "fix-spec"
"""The dictionaries are test data beside the repository, never copied into it."""
FILES = {FixVersion.FIX42: "FIX42.xml", FixVersion.FIX44: "FIX44.xml"}


@dataclass(frozen=True)
class Dictionary:
    tags: dict[str, int]
    enums: dict[int, frozenset[str]]
    messages: dict[str, tuple[frozenset[int], frozenset[int]]]
    """MsgType -> (every tag the body may hold, the required top-level tags)."""


def _load(version: FixVersion) -> Dictionary:
    path = SPEC / FILES[version]
    if not path.exists():
        pytest.skip(f"the FIX dictionaries are not at {SPEC}")
    return _parse(path)


@functools.cache
def _parse(path: Path) -> Dictionary:
    root = ET.parse(path).getroot()
    tags = {f.get("name", ""): int(f.get("number", "0")) for f in root.iter("field")
            if f.get("number")}  # fmt: skip
    enums = {
        int(f.get("number", "0")): frozenset(v.get("enum", "") for v in f.iter("value"))
        for f in root.find("fields") or []
        if f.find("value") is not None
    }
    components = {c.get("name", ""): c for c in root.find("components") or []}

    def walk(node: ET.Element, allowed: set[int], required: set[int] | None) -> None:
        for child in node:
            name = child.get("name", "")
            top_required = required is not None and child.get("required") == "Y"
            if child.tag == "field":
                allowed.add(tags[name])
                if top_required and required is not None:
                    required.add(tags[name])
            elif child.tag == "group":
                allowed.add(tags[name])
                walk(child, allowed, None)
            elif child.tag == "component":
                walk(components[name], allowed, required if top_required else None)

    messages = {}
    for message in root.find("messages") or []:
        allowed: set[int] = set()
        required: set[int] = set()
        walk(message, allowed, required)
        messages[message.get("msgtype", "")] = (frozenset(allowed), frozenset(required))
    return Dictionary(tags, enums, messages)


def conforms(version: FixVersion, outbound: Outbound) -> None:
    dictionary = _load(version)
    msg_type, body = outbound
    allowed, required = dictionary.messages[msg_type]
    tags = [tag for tag, _ in body]
    assert not set(tags) - allowed, f"{version.value} {msg_type}: {set(tags) - allowed}"
    assert not required - set(tags), f"{version.value} {msg_type} lacks {required - set(tags)}"
    for tag, value in body:
        values = dictionary.enums.get(tag)
        if values and tag != 18:  # ExecInst is a space-separated list of values
            assert value in values, f"{version.value} {msg_type}: {tag}={value!r}"


FACTS = OrderFacts(
    order_id="o1",
    cl_ord_id="c2",
    account="A1",
    symbol="AAPL",
    side=Side.SELL_SHORT_EXEMPT,
    order_type=OrderType.PEG_MIDPOINT,
    time_in_force=TimeInForce.DAY,
    quantity=100,
    cum_quantity=40,
    leaves_quantity=60,
    avg_price=2_312_345,
    status=OrdStatus.PARTIALLY_FILLED,
    limit_price=2_312_500,
    stop_price=2_300_000,
    display_quantity=10,
    orig_cl_ord_id="c1",
)
VERSIONS = pytest.mark.parametrize("version", list(FixVersion), ids=lambda v: v.value)


@VERSIONS
@pytest.mark.parametrize("event", [*TradeEvent, STATUS])
def test_execution_reports(version: FixVersion, event: TradeEvent | str) -> None:
    if event is TradeEvent.RESTATED or event is TradeEvent.PENDING_REPLACE:
        facts = FACTS
    else:
        facts = dataclasses.replace(FACTS, order_type=OrderType.LIMIT_ON_CLOSE)
    trade = event in (TradeEvent.FILL, TradeEvent.PARTIAL_FILL)
    execution = Execution(
        event,
        "e1",
        1,
        last_quantity=40 if trade else 0,
        last_price=2_312_345,
        venue="ARCA",
        text="3001 halted",
        ord_rej_reason="0" if event is TradeEvent.REJECTED else "",
    )
    conforms(version, execution_report(version, facts, execution))


@VERSIONS
@pytest.mark.parametrize("code", list(RejectCode))
def test_rejects(version: FixVersion, code: RejectCode) -> None:
    request = new_order_fields(t54="6", t99="230")
    conforms(version, refused_order_report(version, request, "x", code, f"{code.number} t", 1))
    conforms(
        version,
        refused_order_report(version, request, "x", code, "t", 1, status_request=True),
    )
    conforms(version, cancel_reject(version, CancelRefused("c", "o", True, code, "t")))
    conforms(version, cancel_reject(version, CancelRefused("c", "o", False, code, "t", "o1")))


@VERSIONS
@pytest.mark.parametrize("reason", list(BusinessReason))
def test_business_rejects(version: FixVersion, reason: BusinessReason) -> None:
    conforms(version, business_reject(version, 3, "D", reason, "t", "c1"))
