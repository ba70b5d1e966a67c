"""Whatever the venue link writes passes FIX validation against the venue link's dictionary
(FIX 4.2 plus the venue tags), so the session at the other end never refuses it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from directbroker.adapters.venues.fix_mapping import (
    Answering,
    OrderFacts,
    OrderRef,
    command_to_fix,
    report_to_fix,
)
from directbroker.adapters.venues.fix_mapping.dictionary import venue_dictionary
from directbroker.domain.orders import OrderType, Side
from directbroker.domain.venue_messages import (
    CancelOrder,
    ExecutionReport,
    ReplaceOrder,
    SubmitOrder,
)
from directbroker.protocols.fix.message import Field, FixMessage
from directbroker.protocols.fix.validation import validate
from directbroker.protocols.fix.versions import dictionary_for
from tests.property.test_venue_fix_mapping import (
    _reports,
    answers,
    cancels,
    facts,
    refs,
    replaces,
    submits,
    text,
    times,
)

DICTIONARY = venue_dictionary(dictionary_for("FIX.4.2"))
BASE = dictionary_for("FIX.4.2")


def framed(msg_type: str, body: list[Field]) -> FixMessage:
    header: list[Field] = [
        (8, "FIX.4.2"),
        (9, "0"),
        (35, msg_type),
        (49, "DBRK"),
        (56, "ARCA"),
        (34, "7"),
        (52, "20260601-14:30:00.000"),
    ]
    return FixMessage.of([*header, *body, (10, "000")])


@given(st.one_of(submits, cancels, replaces), text, times, refs)
def test_every_request_is_valid_fix(
    command: SubmitOrder | CancelOrder | ReplaceOrder,
    request_id: str,
    ts_ns: int,
    ref: OrderRef | None,
) -> None:
    msg_type, body = command_to_fix(command, request_id, ts_ns, ref)
    assert validate(framed(msg_type, body), DICTIONARY) is None


@given(_reports("ARCA"), text, answers, facts)
def test_every_report_is_valid_fix(
    report: ExecutionReport, exec_id: str, answering: Answering | None, known: OrderFacts | None
) -> None:
    msg_type, body = report_to_fix(report, exec_id, answering, known)
    assert validate(framed(msg_type, body), DICTIONARY) is None


def test_plain_fix_refuses_the_venue_tags_the_venue_dictionary_admits() -> None:
    hidden = SubmitOrder("c1", "DBRK", "AAPL", Side.BUY, OrderType.LIMIT, 100, 10_000, hidden=True)
    msg_type, body = command_to_fix(hidden, "c1", 0)
    assert validate(framed(msg_type, body), BASE) is not None
    assert validate(framed(msg_type, body), DICTIONARY) is None


def test_the_report_request_is_valid_fix_for_the_venue_link_only() -> None:
    request = framed("U1", [(9113, "42")])
    assert validate(request, DICTIONARY) is None
    assert validate(request, BASE) is not None
