"""The venue link's FIX 4.2 vocabulary: venue commands and execution reports as FIX messages
and back, exactly (a round trip gives the same message), with no I/O and no clock.

Owns: the tag and enum choices of the venue link (ADR 0022).
May import: ``directbroker.domain`` and ``directbroker.protocols.fix.message``.
"""

from directbroker.adapters.venues.fix_mapping.orders import (
    NEW_ORDER_SINGLE,
    ORDER_CANCEL_REPLACE_REQUEST,
    ORDER_CANCEL_REQUEST,
    ORDER_MSG_TYPES,
    OrderRef,
    VenueOrderCommand,
    command_from_fix,
    command_to_fix,
    ref_of,
    request_id_of,
    values_of,
)
from directbroker.adapters.venues.fix_mapping.reports import (
    EXECUTION_REPORT,
    ORDER_CANCEL_REJECT,
    REPORT_MSG_TYPES,
    Answering,
    OrderFacts,
    exec_id_of,
    report_from_fix,
    report_to_fix,
)

__all__ = [
    "EXECUTION_REPORT",
    "NEW_ORDER_SINGLE",
    "ORDER_CANCEL_REJECT",
    "ORDER_CANCEL_REPLACE_REQUEST",
    "ORDER_CANCEL_REQUEST",
    "ORDER_MSG_TYPES",
    "REPORT_MSG_TYPES",
    "Answering",
    "OrderFacts",
    "OrderRef",
    "VenueOrderCommand",
    "command_from_fix",
    "command_to_fix",
    "exec_id_of",
    "ref_of",
    "report_from_fix",
    "report_to_fix",
    "request_id_of",
    "values_of",
]
