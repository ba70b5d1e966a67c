"""Every venue command and execution report survives the trip through FIX 4.2 unchanged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from directbroker.adapters.venues.fix_mapping import (
    Answering,
    OrderFacts,
    OrderRef,
    command_from_fix,
    command_to_fix,
    exec_id_of,
    report_from_fix,
    report_to_fix,
)
from directbroker.adapters.venues.fix_mapping.reports import avg_px_text
from directbroker.domain.orders import (
    CancelReason,
    Liquidity,
    OrderType,
    PostOnly,
    Side,
    TimeInForce,
)
from directbroker.domain.rejects import RejectCode
from directbroker.domain.venue_messages import (
    CancelOrder,
    ExecutionReport,
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderRejected,
    OrderReplaced,
    ReplaceOrder,
    SubmitOrder,
)
from directbroker.protocols.fix.message import FixMessage

# FIX text is printable ASCII without SOH; ids and symbols are never empty.
text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=20)
maybe_text = st.one_of(st.just(""), text)
prices = st.integers(min_value=-(10**12), max_value=10**12)
positive_prices = st.integers(min_value=1, max_value=10**12)
quantities = st.integers(min_value=0, max_value=10**9)
times = st.integers(min_value=0, max_value=2**62)
venues = st.sampled_from(["ARCA", "BATS", "IEX"])

submits = st.builds(
    SubmitOrder,
    order_id=text,
    participant=text,
    symbol=text,
    side=st.sampled_from(Side),
    order_type=st.sampled_from(OrderType),
    quantity=quantities,
    price=st.none() | prices,
    time_in_force=st.sampled_from(TimeInForce),
    display_quantity=st.none() | quantities,
    hidden=st.booleans(),
    post_only=st.sampled_from(PostOnly),
)
cancels = st.builds(CancelOrder, order_id=text, participant=text)
replaces = st.builds(
    ReplaceOrder, order_id=text, participant=text, quantity=quantities, price=st.none() | prices
)
refs = st.none() | st.builds(
    OrderRef, symbol=text, side=st.sampled_from(Side), order_type=st.sampled_from(OrderType)
)


@given(st.one_of(submits, cancels, replaces), text, times, refs)
def test_a_venue_command_round_trips_through_fix(
    command: SubmitOrder | CancelOrder | ReplaceOrder,
    request_id: str,
    ts_ns: int,
    ref: OrderRef | None,
) -> None:
    msg_type, body = command_to_fix(command, request_id, ts_ns, ref)
    assert all("\x01" not in value and value for _, value in body)
    assert command_from_fix(msg_type, body, command.participant) == command


def _reports(venue: str) -> st.SearchStrategy[ExecutionReport]:
    common = {"venue": st.just(venue), "order_id": text, "participant": text, "ts_ns": times}
    return st.one_of(
        st.builds(
            OrderAccepted,
            **common,
            symbol=text,
            side=st.sampled_from(Side),
            order_type=st.sampled_from(OrderType),
            quantity=quantities,
            price=st.none() | prices,
            time_in_force=st.sampled_from(TimeInForce),
        ),
        st.builds(OrderRejected, **common, code=st.sampled_from(RejectCode), detail=maybe_text),
        st.builds(
            OrderCancelled,
            **common,
            symbol=text,
            cancelled_quantity=quantities,
            reason=st.sampled_from(CancelReason),
        ),
        st.builds(
            OrderReplaced,
            **common,
            symbol=text,
            quantity=quantities,
            leaves_quantity=quantities,
            price=st.none() | prices,
            kept_priority=st.booleans(),
        ),
        st.builds(
            OrderFilled,
            **common,
            symbol=text,
            side=st.sampled_from(Side),
            trade_id=st.integers(min_value=0, max_value=2**63),
            price=positive_prices,
            quantity=quantities,
            leaves_quantity=quantities,
            cumulative_quantity=quantities,
            liquidity=st.sampled_from(Liquidity),
            fee=st.integers(min_value=-(10**12), max_value=10**12),
        ),
    )


answers = st.none() | st.builds(Answering, msg_type=st.sampled_from("DFG"), request_id=text)
facts = st.none() | st.builds(
    OrderFacts,
    symbol=text,
    side=st.sampled_from(Side),
    order_type=st.sampled_from(OrderType),
    quantity=quantities,
    cumulative_quantity=quantities,
    notional=st.integers(min_value=0, max_value=10**18),
)


@given(venues.flatmap(lambda v: st.tuples(st.just(v), _reports(v))), text, answers, facts)
def test_an_execution_report_round_trips_through_fix(
    pair: tuple[str, ExecutionReport],
    exec_id: str,
    answering: Answering | None,
    known: OrderFacts | None,
) -> None:
    venue, report = pair
    msg_type, body = report_to_fix(report, exec_id, answering, known)
    assert all("\x01" not in value and value for _, value in body)
    assert report_from_fix(msg_type, body, venue) == report
    assert exec_id_of(msg_type, body) == exec_id
    # The fields FIX 4.2 requires are always there.
    tags = {tag for tag, _ in body}
    required = (
        {37, 11, 41, 39, 434} if msg_type == "9" else {37, 17, 20, 150, 39, 55, 54, 151, 14, 6}
    )
    assert required <= tags
    assert FixMessage.of(body).get(37) == report.order_id


def test_the_average_price_is_plain_decimal_text() -> None:
    assert avg_px_text(10_000_000, 100) == "10"
    assert avg_px_text(1_005_000, 100) == "1.005"
    assert avg_px_text(1, 3) == "0.000033"
    assert avg_px_text(0, 0) == "0"
