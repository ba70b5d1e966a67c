"""Helpers of the JetStream tests: a destination core's durable record, and the stream's
content read back."""

from __future__ import annotations

import asyncio

from nats.aio.client import Client

from directbroker.adapters.nats import (
    NatsSettings,
    last_applied_from_keys,
    stream_name,
)
from directbroker.adapters.nats.streams import decode_entry
from directbroker.runtime.journal import GENESIS_HASH, JournalEntry, make_entry
from directbroker.runtime.memory import InMemoryJournal


class Crash(Exception):
    """A simulated process death at a chosen point."""


class Destination:
    """A destination core: each origin entry is journaled under ``origin:seq:0`` (as ADR 0010
    keys carried messages), and every call of the handler is recorded, so a test sees an entry
    applied twice even where the journal's idempotency index would have refused it."""

    def __init__(self, origin: str, crash_after: set[int] | None = None) -> None:
        self.origin = origin
        self.journal = InMemoryJournal()
        self.calls: list[int] = []
        self.crash_after = set(crash_after or ())

    async def apply(self, entry: JournalEntry) -> None:
        """Journal the entry durably, then maybe die before the consumer acknowledges it."""
        self.calls.append(entry.seq)
        tail = self.journal.tail()
        seq, prev = (0, GENESIS_HASH) if tail is None else (tail.seq, tail.hash)
        key = f"{self.origin}:{entry.seq}:0"
        self.journal.append([make_entry(prev, seq + 1, entry.ts_ns, key, entry.command, b"")])
        if entry.seq in self.crash_after:
            self.crash_after.discard(entry.seq)
            raise Crash(f"died after applying entry {entry.seq}")

    async def last_applied(self) -> int:
        """The position, recovered from the keys in the destination's own journal."""
        return await asyncio.to_thread(last_applied_from_keys, self.journal, self.origin)

    def applied(self) -> list[int]:
        """The origin sequences in the destination's journal, in order."""
        return [int((e.client_id or "").split(":")[1]) for e in self.journal.entries]


async def stream_entries(nc: Client, settings: NatsSettings, core: str) -> list[JournalEntry]:
    """Every entry the core's stream holds, in stream order."""
    js = nc.jetstream(timeout=settings.request_timeout)
    info = await js.stream_info(stream_name(core))
    out = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        raw = await js.get_msg(stream_name(core), seq)
        out.append(decode_entry(raw.data or b""))
    return out
