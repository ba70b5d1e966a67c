"""FIX 4.2 and 4.4: framing, our own data dictionary, validation and the session state machine.

Owns: the wire format of FIX messages and the session layer, free of sockets and clocks (a
session is fed bytes and time and answers with bytes to write, facts to persist and events).
May import: the standard library and ``directbroker.domain``; never adapters or the app.
"""

from directbroker.protocols.fix.codec import (
    Frame,
    FrameDecoder,
    GarbledMessage,
    encode,
    encode_fields,
    parse,
)
from directbroker.protocols.fix.dictionary import Dictionary, FieldType
from directbroker.protocols.fix.effects import (
    ApplicationMessage,
    LoggedOn,
    LoggedOut,
    ResendWanted,
    SequenceState,
    SessionEvent,
    SessionRejected,
    Step,
)
from directbroker.protocols.fix.fix42 import FIX42
from directbroker.protocols.fix.fix44 import FIX44
from directbroker.protocols.fix.message import Field, FixMessage
from directbroker.protocols.fix.session import Session
from directbroker.protocols.fix.session_config import Role, SessionConfig, Status
from directbroker.protocols.fix.validation import Problem, validate
from directbroker.protocols.fix.versions import dictionary_for

__all__ = [
    "FIX42",
    "FIX44",
    "ApplicationMessage",
    "Dictionary",
    "Field",
    "FieldType",
    "FixMessage",
    "Frame",
    "FrameDecoder",
    "GarbledMessage",
    "LoggedOn",
    "LoggedOut",
    "Problem",
    "ResendWanted",
    "Role",
    "SequenceState",
    "Session",
    "SessionConfig",
    "SessionEvent",
    "SessionRejected",
    "Status",
    "Step",
    "dictionary_for",
    "encode",
    "encode_fields",
    "parse",
    "validate",
]
