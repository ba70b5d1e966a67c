"""FIX 4.2/4.4 at the edge: the transport around the sans-I/O session, and what client order
entry and drop copy messages mean to the broker.

Owns: the transport (the acceptor, one port for many counterparties routed by CompIDs; the
initiators, reconnecting with backoff; each connection's read loop and timer, carrying out each
session step in order, persist before write; the limits that keep one connection from hurting
the others; session schedules; the message stores, memory, SQLite and PostgreSQL, that keep
sequence numbers and sent messages across restarts), and the pure mapping between FIX
application messages and the client API's trading port values (:mod:`.order_entry`,
:mod:`.terms`, :mod:`.reports`; a group's order as a block command, :mod:`.block_entry`: no
socket, no clock, no id generator), and the small
acceptor of the session conformance test application (:mod:`.acceptance`).
May import: ``directbroker.domain``, ``directbroker.protocols.fix`` (the session's contract),
the client API's port values in ``directbroker.adapters.http.ports``, ``adapters.storage``'s
migration helper, the standard library and ``psycopg`` (only in ``store_postgres``).

The session itself is injected (a :class:`~directbroker.adapters.fix.ports.SessionFactory`),
so the transport does not import ``protocols.fix.session``. The PostgreSQL store is imported
only when a DSN is configured, so an embedded process never loads the driver.
"""

from directbroker.adapters.fix.acceptor import FixAcceptor
from directbroker.adapters.fix.connection import Connection, SessionUnavailable
from directbroker.adapters.fix.framing import FramingError, read_message
from directbroker.adapters.fix.initiator import Backoff, FixInitiator
from directbroker.adapters.fix.ports import (
    FixApplication,
    MessageStore,
    MessageStores,
    SessionFactory,
    SessionLike,
)
from directbroker.adapters.fix.registry import SessionRegistry
from directbroker.adapters.fix.schedule import SessionSchedule
from directbroker.adapters.fix.settings import (
    BEGIN_STRINGS,
    SessionID,
    SessionSettings,
    TransportLimits,
)
from directbroker.adapters.fix.store_memory import MemoryMessageStore, MemoryMessageStores
from directbroker.adapters.fix.transport import FixTransport, open_stores

__all__ = [
    "BEGIN_STRINGS",
    "Backoff",
    "Connection",
    "FixAcceptor",
    "FixApplication",
    "FixInitiator",
    "FixTransport",
    "FramingError",
    "MemoryMessageStore",
    "MemoryMessageStores",
    "MessageStore",
    "MessageStores",
    "SessionFactory",
    "SessionID",
    "SessionLike",
    "SessionRegistry",
    "SessionSchedule",
    "SessionSettings",
    "SessionUnavailable",
    "TransportLimits",
    "open_stores",
    "read_message",
]
