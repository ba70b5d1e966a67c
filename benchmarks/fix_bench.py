"""FIX engine benchmark: codec speed beside simplefix, and order round trips between two full
sessions over loopback TCP.

    .venv/bin/python benchmarks/fix_bench.py            # about 40 seconds
    .venv/bin/python benchmarks/fix_bench.py --quick    # a few seconds, small counts
    .venv/bin/python benchmarks/fix_bench.py --json report.json

1. **Codec**: parse (frame + parse of a byte stream of NewOrderSingle and ExecutionReport
   messages) and encode (fields to bytes with BodyLength and CheckSum), ours and simplefix's on
   the same messages in the same run; the ratio is ours over theirs.
2. **Round trips**: an initiator session sends NewOrderSingle, an acceptor session answers
   each with an ExecutionReport; both are the full engine (framing, dictionary validation,
   sequence numbers, an in-memory store) behind a minimal asyncio transport. Pipelined keeps 100
   orders outstanding; ping-pong sends the next order when the report of the last arrives.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import simplefix  # type: ignore[import-untyped]

from directbroker.protocols.fix.codec import FrameDecoder, encode_fields, parse
from directbroker.protocols.fix.effects import ApplicationMessage, LoggedOn, ResendWanted, Step
from directbroker.protocols.fix.message import Field
from directbroker.protocols.fix.session import Session
from directbroker.protocols.fix.session_config import Role, SessionConfig

BEGIN = "FIX.4.2"
ORDER_FIELDS: list[Field] = [
    (35, "D"),
    (34, "1234"),
    (49, "CLIENT"),
    (52, "20261207-14:30:00.123"),
    (56, "BROKER"),
    (11, "ORD-000001"),
    (21, "1"),
    (55, "AAPL"),
    (54, "1"),
    (60, "20261207-14:30:00.123"),
    (38, "100"),
    (40, "2"),
    (44, "187.25"),
    (59, "0"),
    (1, "ACCT-42"),
]
REPORT_FIELDS: list[Field] = [
    (35, "8"),
    (34, "1235"),
    (49, "BROKER"),
    (52, "20261207-14:30:00.125"),
    (56, "CLIENT"),
    (37, "O-77"),
    (11, "ORD-000001"),
    (17, "E-991"),
    (20, "0"),
    (150, "2"),
    (39, "2"),
    (55, "AAPL"),
    (54, "1"),
    (38, "100"),
    (40, "2"),
    (44, "187.25"),
    (32, "100"),
    (31, "187.25"),
    (151, "0"),
    (14, "100"),
    (6, "187.25"),
    (60, "20261207-14:30:00.125"),
]


def _rate(work: Callable[[], int], seconds: float) -> float:
    """Messages per second of ``work`` (which returns how many it handled) over ``seconds``."""
    done = 0
    start = time.perf_counter()
    end = start + seconds
    while time.perf_counter() < end:
        done += work()
    return done / (time.perf_counter() - start)


def codec(seconds: float) -> dict[str, float]:
    """Parse and encode rates, ours and simplefix's."""
    stream = (
        b"".join(
            encode_fields(BEGIN, fields[:1] + fields[1:])
            for fields in (ORDER_FIELDS, REPORT_FIELDS)
        )
        * 50
    )

    def ours_parse() -> int:
        decoder = FrameDecoder()
        return len([parse(frame.data) for frame in decoder.feed(stream)])

    def theirs_parse() -> int:
        parser = simplefix.FixParser()
        parser.append_buffer(stream)
        count = 0
        while parser.get_message() is not None:
            count += 1
        return count

    def ours_encode() -> int:
        for _ in range(50):
            encode_fields(BEGIN, ORDER_FIELDS)
            encode_fields(BEGIN, REPORT_FIELDS)
        return 100

    def theirs_encode() -> int:
        for _ in range(50):
            for fields in (ORDER_FIELDS, REPORT_FIELDS):
                message = simplefix.FixMessage()
                message.append_pair(8, BEGIN, header=True)
                for tag, value in fields:
                    message.append_pair(tag, value, header=tag in (35, 34, 49, 52, 56))
                message.encode()
        return 100

    # The machine is shared and its speed drifts: alternate short slices of each contender
    # so that both see the same conditions, and add the slices up.
    contenders = {
        "parse_per_s": ours_parse,
        "simplefix_parse_per_s": theirs_parse,
        "encode_per_s": ours_encode,
        "simplefix_encode_per_s": theirs_encode,
    }
    counts = dict.fromkeys(contenders, 0.0)
    spent = dict.fromkeys(contenders, 0.0)
    rounds = 10
    for _ in range(rounds):
        for name, work in contenders.items():
            slice_s = seconds / rounds
            start = time.perf_counter()
            counts[name] += _rate(work, slice_s) * slice_s
            spent[name] += time.perf_counter() - start
    figures = {name: counts[name] / spent[name] for name in contenders}
    figures["parse_ratio"] = figures["parse_per_s"] / figures["simplefix_parse_per_s"]
    figures["encode_ratio"] = figures["encode_per_s"] / figures["simplefix_encode_per_s"]
    return figures


class _Endpoint:
    """A session behind a minimal asyncio transport (in-memory store, no timers needed).

    What one read produces is written with one ``write`` (as any serious transport coalesces
    writes): a reply per message would cost a system call per message.
    """

    def __init__(self, session: Session, on_app: Callable[[ApplicationMessage], None]) -> None:
        self.session = session
        self.on_app = on_app
        self.store: dict[int, bytes] = {}
        self.writer: asyncio.StreamWriter | None = None
        self.logged_on = asyncio.Event()
        self.pending: list[bytes] = []

    def flush(self) -> None:
        if self.writer is not None and self.pending:
            self.writer.write(b"".join(self.pending))
            self.pending.clear()

    def carry(self, step: Step) -> None:
        for seq, data in step.sent:
            self.store[seq] = data
        self.pending.extend(step.outgoing)
        for event in step.events:
            if isinstance(event, ApplicationMessage):
                self.on_app(event)
            elif isinstance(event, LoggedOn):
                self.logged_on.set()
            elif isinstance(event, ResendWanted):
                stored = [(s, self.store[s]) for s in range(event.begin_seq, event.end_seq + 1)]
                self.carry(self.session.resend([m for m in stored if m[0] in self.store], 0))

    async def pump(self, reader: asyncio.StreamReader) -> None:
        while True:
            try:
                data = await reader.read(262144)
            except ConnectionError:
                return
            if not data:
                return
            self.carry(self.session.received(data, time.time_ns()))
            self.flush()


async def round_trips(seconds: float, window: int) -> dict[str, Any]:
    """Orders answered per second and round-trip latency with ``window`` orders in flight."""
    acceptor = _Endpoint(
        Session(SessionConfig(BEGIN, "BROKER", "CLIENT", Role.ACCEPTOR, reset_on_logon=True)),
        lambda event: None,
    )
    exec_ids = iter(range(1, 1 << 62))

    def answer(event: ApplicationMessage) -> None:
        order = event.message
        body: list[Field] = [
            (37, "O-" + (order.get(11) or "")),
            (11, order.get(11) or ""),
            (17, f"E-{next(exec_ids)}"),
            (20, "0"),
            (150, "0"),
            (39, "0"),
            (55, order.get(55) or ""),
            (54, order.get(54) or "1"),
            (38, order.get(38) or "0"),
            (151, order.get(38) or "0"),
            (14, "0"),
            (6, "0"),
        ]
        acceptor.carry(acceptor.session.send("8", body, time.time_ns()))

    acceptor.on_app = answer

    served = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        acceptor.writer = writer
        acceptor.carry(acceptor.session.connected(time.time_ns()))
        acceptor.flush()
        try:
            await acceptor.pump(reader)
        finally:
            writer.close()
            served.set()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sent_at: dict[str, int] = {}
    latencies: list[int] = []
    finished = asyncio.Event()
    sending = True
    initiator = _Endpoint(
        Session(
            SessionConfig(BEGIN, "CLIENT", "BROKER", Role.INITIATOR, reset_on_logon=True),
        ),
        lambda event: None,
    )

    def received(event: ApplicationMessage) -> None:
        started = sent_at.pop(event.message.get(11) or "", None)
        if started is not None:
            latencies.append(time.perf_counter_ns() - started)
            if sending:
                send_order()
            elif not sent_at:
                finished.set()

    initiator.on_app = received
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    initiator.writer = writer
    pump = asyncio.create_task(initiator.pump(reader))
    initiator.carry(initiator.session.connected(time.time_ns()))
    initiator.flush()
    await asyncio.wait_for(initiator.logged_on.wait(), 5)
    counter = 0

    def send_order() -> None:
        nonlocal counter
        counter += 1
        order_id = f"C{counter}"
        body: list[Field] = [
            (11, order_id),
            (21, "1"),
            (55, "AAPL"),
            (54, "1"),
            (60, "20261207-14:30:00.000"),
            (38, "100"),
            (40, "2"),
            (44, "187.25"),
        ]
        sent_at[order_id] = time.perf_counter_ns()
        initiator.carry(initiator.session.send("D", body, time.time_ns()))

    start = time.perf_counter()
    for _ in range(window):
        send_order()
    initiator.flush()
    await asyncio.sleep(seconds)
    sending = False
    await asyncio.wait_for(finished.wait(), 30)
    elapsed = time.perf_counter() - start
    done = len(latencies)
    writer.close()
    await asyncio.wait_for(served.wait(), 10)
    await pump
    server.close()
    await server.wait_closed()
    ordered = sorted(latencies) or [0]

    def percentile(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] / 1e6

    return {
        "window": window,
        "round_trips": done,
        "round_trips_per_s": done / elapsed,
        "p50_ms": percentile(0.50),
        "p90_ms": percentile(0.90),
        "p99_ms": percentile(0.99),
        "max_ms": ordered[-1] / 1e6,
        "mean_ms": statistics.fmean(ordered) / 1e6,
    }


QUICKFIX_PIPELINED = 3800
QUICKFIX_PING_PONG = 2250


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds, small counts")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    seconds = 0.3 if args.quick else 3.0
    trip_seconds = 0.5 if args.quick else 8.0
    figures = codec(seconds)
    print("Codec (messages/s; ours / simplefix 1.0.17 in the same run)")
    for name in ("parse", "encode"):
        ours = figures[f"{name}_per_s"]
        theirs = figures[f"simplefix_{name}_per_s"]
        print(f"  {name:<7} {ours:>12,.0f}  simplefix {theirs:>10,.0f}  x{ours / theirs:.1f}")
    pipelined = asyncio.run(round_trips(trip_seconds, 100))
    ping_pong = asyncio.run(round_trips(trip_seconds, 1))
    print("Round trips NewOrderSingle -> ExecutionReport, two sessions over loopback")
    for name, row, reference in (
        ("pipelined (100 in flight)", pipelined, QUICKFIX_PIPELINED),
        ("ping-pong", ping_pong, QUICKFIX_PING_PONG),
    ):
        print(
            f"  {name:<26} {row['round_trips_per_s']:>8,.0f}/s  p50 {row['p50_ms']:.2f} ms"
            f"  p99 {row['p99_ms']:.2f} ms  max {row['max_ms']:.2f} ms"
            f"  (QuickFIX 1.16: {reference:,}/s, x{row['round_trips_per_s'] / reference:.2f})"
        )
    report = {
        "quick": args.quick,
        "codec": figures,
        "pipelined": pipelined,
        "ping_pong": ping_pong,
        "quickfix_reference": {"pipelined": QUICKFIX_PIPELINED, "ping_pong": QUICKFIX_PING_PONG},
    }
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
