"""NATS JetStream between cores: each core's committed journal leaves through an outbox
publisher and reaches other cores through idempotent inbox consumers (ADR 0033).

Owns: the connection with bounded timeouts (``connection``), the stream names, wire format and
provisioning (``streams``), the publisher that follows a journal (``outbox``) and the durable
pull consumer that applies another core's entries once (``inbox``).

May import: ``runtime`` (the journal entry, its hash chain), ``protocols`` and ``domain`` types,
the standard library and ``nats`` (nats-py). Nothing in ``app``; the roles that wire these
pieces to cores live there.
"""

from directbroker.adapters.nats.connection import (
    NatsSettings,
    NatsTransportError,
    NatsUnavailableError,
    connect,
)
from directbroker.adapters.nats.inbox import (
    EntryHandler,
    InboxConsumer,
    InboxError,
    LastApplied,
    last_applied_from_keys,
)
from directbroker.adapters.nats.outbox import JournalSource, OutboxError, OutboxPublisher
from directbroker.adapters.nats.streams import (
    StreamLimits,
    consumer_name,
    provision_stream,
    stream_name,
    subject_for,
)

__all__ = [
    "EntryHandler",
    "InboxConsumer",
    "InboxError",
    "JournalSource",
    "LastApplied",
    "NatsSettings",
    "NatsTransportError",
    "NatsUnavailableError",
    "OutboxError",
    "OutboxPublisher",
    "StreamLimits",
    "connect",
    "consumer_name",
    "last_applied_from_keys",
    "provision_stream",
    "stream_name",
    "subject_for",
]
