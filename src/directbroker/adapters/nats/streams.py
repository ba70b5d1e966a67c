"""Names, wire format and provisioning of the per-core journal streams.

One stream per origin core (``DBRK_<core>`` on subject ``dbrk.<core>.journal``), holding
nothing but that core's journal entries in journal order. Keeping a core alone in its stream
is what lets the publisher fence every publish with ``Nats-Expected-Last-Sequence`` (a stream
sequence: in a shared stream other cores' messages would interleave) and lets a consumer turn
"after journal seq N" into a stream position by arithmetic, since stream and journal sequence
then differ by a constant.

A message is the whole :class:`JournalEntry` (msgpack of its six fields), hash included, so a
consumer can check the chain it receives exactly as recovery checks a journal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import msgpack
import nats.js.errors
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig

from directbroker.adapters.nats.connection import NatsSettings, NatsTransportError, bounded
from directbroker.runtime.journal import JournalEntry

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

MSG_ID = "Nats-Msg-Id"
EXPECTED_LAST_SEQUENCE = "Nats-Expected-Last-Sequence"
WRONG_LAST_SEQUENCE = 10071
"""JetStream's error code when ``Nats-Expected-Last-Sequence`` does not match the stream."""


class WireError(NatsTransportError):
    """A stream message that is not a journal entry of this format."""


def _checked(name: str, what: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"{what} {name!r} must be 1-64 letters, digits, '_' or '-'")
    return name


def stream_name(core: str, namespace: str = "dbrk") -> str:
    """The stream that holds ``core``'s journal."""
    return f"{_checked(namespace, 'namespace').upper()}_{_checked(core, 'core name')}"


def subject_for(core: str, namespace: str = "dbrk") -> str:
    """The subject ``core``'s outbox publishes to."""
    return f"{_checked(namespace, 'namespace')}.{_checked(core, 'core name')}.journal"


def consumer_name(destination: str, origin: str) -> str:
    """The durable consumer through which ``destination`` reads ``origin``'s stream."""
    return f"{_checked(destination, 'core name')}-from-{_checked(origin, 'core name')}"


def message_id(core: str, seq: int) -> str:
    """``<core>:<seq>``: JetStream drops a second publish of it within the duplicate window."""
    return f"{core}:{seq}"


def encode_entry(entry: JournalEntry) -> bytes:
    """The message body of one journal entry."""
    packed: bytes = msgpack.packb(tuple(entry), use_bin_type=True)
    return packed


def decode_entry(data: bytes) -> JournalEntry:
    """A message body back as the entry, or :class:`WireError`."""
    try:
        fields: Any = msgpack.unpackb(data, raw=False, use_list=False)
        seq, ts_ns, client_id, command, events, digest = fields
    except (ValueError, TypeError, msgpack.UnpackException) as exc:
        raise WireError(f"not a journal entry message: {exc}") from exc
    if not (
        isinstance(seq, int)
        and isinstance(ts_ns, int)
        and (client_id is None or isinstance(client_id, str))
        and isinstance(command, bytes)
        and isinstance(events, bytes)
        and isinstance(digest, bytes)
    ):
        raise WireError("a journal entry message has fields of the wrong type")
    return JournalEntry(seq, ts_ns, client_id, command, events, digest)


@dataclass(frozen=True, slots=True)
class StreamLimits:
    """How much of a core's journal the bus keeps, and how long it remembers message ids.

    The journal, not the stream, is the system of record: the stream is a window onto it. Old
    entries go by age (``discard=old``); a consumer that was away longer than ``max_age_s``
    finds its next entry gone and stops with a clear error rather than skipping it.
    """

    duplicate_window_s: float = 120.0
    max_age_s: float = 7 * 24 * 3600.0
    max_bytes: int = -1
    max_msg_size: int = -1
    """-1: up to the server's max_payload (1 MiB by default)."""
    replicas: int = 1


def stream_config(core: str, limits: StreamLimits, namespace: str = "dbrk") -> StreamConfig:
    """File storage, limits retention, one subject: the core's journal."""
    return StreamConfig(
        name=stream_name(core, namespace),
        description=f"committed journal entries of core {core}",
        subjects=[subject_for(core, namespace)],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        duplicate_window=limits.duplicate_window_s,
        max_age=limits.max_age_s,
        max_bytes=limits.max_bytes,
        max_msg_size=limits.max_msg_size,
        num_replicas=limits.replicas,
    )


async def provision_stream(
    js: JetStreamContext,
    settings: NatsSettings,
    core: str,
    limits: StreamLimits | None = None,
    namespace: str = "dbrk",
) -> None:
    """Create ``core``'s stream, or bring an existing one's limits up to ``limits``.

    Idempotent, so every process that touches a stream may call it at start-up.
    """
    config = stream_config(core, limits or StreamLimits(), namespace)
    assert config.name is not None
    try:
        await bounded(js.stream_info(config.name), settings, f"stream info {config.name}")
    except nats.js.errors.NotFoundError:
        await bounded(js.add_stream(config), settings, f"creating stream {config.name}")
    else:
        await bounded(js.update_stream(config), settings, f"updating stream {config.name}")
