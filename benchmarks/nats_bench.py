"""JetStream transport benchmark: journal entries per second from one core's outbox through
NATS JetStream to another core's inbox, beside an in-process ``asyncio.Queue`` peer.

Run: ``python benchmarks/nats_bench.py [--quick] [--entries N] [--url URL]``.

Both contenders move the same pre-built cash-engine journal entries (~150 bytes encoded) with
the same wire encoding, and the destination's handler does the same trivial work (record the
sequence), so the ratio is the price of the bus itself: a durable, acknowledged JetStream
publish (file storage, de-duplication by message id, the expected-last-sequence fence) and a
pull consumer with explicit acknowledgements, against a queue in one process that survives
nothing. The two run one after the other on the same event loop; the machine is shared and
noisy, so the load average is printed, and the ratio is the figure to read. The streams it
makes have unique names and are deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
import uuid

import nats.js.errors

from directbroker.adapters.nats import (
    InboxConsumer,
    NatsSettings,
    OutboxPublisher,
    connect,
    provision_stream,
    stream_name,
)
from directbroker.adapters.nats.streams import decode_entry, encode_entry
from directbroker.runtime.journal import JournalEntry
from directbroker.runtime.memory import InMemoryJournal
from directbroker.testing.storage import fill


async def _through_jetstream(settings: NatsSettings, journal: InMemoryJournal) -> float:
    """Seconds from the first publish until the consumer applied the last entry."""
    total = len(journal.entries)
    origin, dest = f"bvenue{uuid.uuid4().hex[:10]}", f"bbroker{uuid.uuid4().hex[:10]}"
    pub_nc, sub_nc = await connect(settings), await connect(settings)
    try:
        await provision_stream(pub_nc.jetstream(), settings, origin)
        applied: list[int] = []

        async def handle(entry: JournalEntry) -> None:
            applied.append(entry.seq)

        async def none_yet() -> int:
            return 0

        publisher = OutboxPublisher(pub_nc, settings, origin, journal, batch=1_000)
        consumer = InboxConsumer(
            sub_nc, settings, origin, dest, handle, none_yet, batch=500, fetch_wait=0.05
        )
        await consumer.start()
        started = time.perf_counter()
        publishing = asyncio.create_task(publisher.publish_pending())
        while consumer.applied < total:
            await consumer.poll()
        elapsed = time.perf_counter() - started
        await publishing
        assert applied == list(range(1, total + 1))
        await consumer.close()
        publisher.close()
        return elapsed
    finally:
        with contextlib.suppress(nats.js.errors.NotFoundError):
            await pub_nc.jetstream().delete_stream(stream_name(origin))
        await pub_nc.close()
        await sub_nc.close()


async def _through_queue(journal: InMemoryJournal) -> float:
    """The same entries through an in-process bounded queue, encoded and decoded alike."""
    total = len(journal.entries)
    queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=1_000)
    applied: list[int] = []

    async def produce() -> None:
        for entry in journal.read():
            await queue.put(encode_entry(entry))

    async def consume() -> None:
        while len(applied) < total:
            applied.append(decode_entry(await queue.get()).seq)

    started = time.perf_counter()
    await asyncio.gather(produce(), consume())
    return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 entries")
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument(
        "--url", default=os.environ.get("DIRECTBROKER_NATS_URL", "nats://127.0.0.1:4222")
    )
    args = parser.parse_args()
    total = 2_000 if args.quick else args.entries
    journal = InMemoryJournal()
    fill(journal, total, batch=1_000)
    settings = NatsSettings(url=args.url, request_timeout=10.0)
    print(f"load average before: {os.getloadavg()[0]:.2f}; {total:,} entries")
    queue_s = await _through_queue(journal)
    bus_s = await _through_jetstream(settings, journal)
    queue_rate, bus_rate = total / queue_s, total / bus_s
    print(f"asyncio.Queue (in process) : {queue_rate:>12,.0f} entries/s")
    print(f"JetStream outbox -> inbox  : {bus_rate:>12,.0f} entries/s")
    print(f"ratio (JetStream / queue)  : {bus_rate / queue_rate:.3f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
