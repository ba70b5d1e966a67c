"""The venue link's data dictionary: FIX 4.2 (or 4.4) plus the venue tags, where they go.

A FIX session validates every message against its dictionary and refuses a tag it does not
know or that its message does not define; both ends of a venue link therefore run with this
extension, which defines the 9100 block (see ``fields``), admits each tag in the messages
that carry it, and defines the link's own request for reports again (MsgType U1). Nothing
else changes, so a venue session still refuses what FIX refuses.
"""

from __future__ import annotations

import dataclasses

from directbroker.adapters.venues.fix_mapping import fields as f
from directbroker.protocols.fix.dictionary import (
    Dictionary,
    FieldDef,
    FieldType,
    Layout,
    MessageDef,
)

VENUE_FIELDS: dict[int, FieldType] = {
    f.VENUE_ORDER_TYPE: FieldType.STRING,
    f.VENUE_TIME_IN_FORCE: FieldType.STRING,
    f.POST_ONLY_MODE: FieldType.STRING,
    f.HIDDEN: FieldType.BOOLEAN,
    f.TRANSACT_TIME_NS: FieldType.INT,
    f.REJECT_CODE: FieldType.INT,
    f.CANCELLED_QTY: FieldType.INT,
    f.CANCEL_REASON: FieldType.STRING,
    f.KEPT_PRIORITY: FieldType.BOOLEAN,
    f.TRADE_ID: FieldType.INT,
    f.LIQUIDITY: FieldType.STRING,
    f.FEE: FieldType.INT,
    f.REPORT_ID: FieldType.STRING,
    f.AFTER_SEQ: FieldType.INT,
}

_ORDER = (f.VENUE_ORDER_TYPE, f.VENUE_TIME_IN_FORCE, f.TRANSACT_TIME_NS)
_CARRIED_BY: dict[str, tuple[int, ...]] = {
    "D": (*_ORDER, f.POST_ONLY_MODE, f.HIDDEN),
    "F": (f.TRANSACT_TIME_NS,),
    "G": _ORDER,
    "8": (
        *_ORDER,
        f.REJECT_CODE,
        f.CANCELLED_QTY,
        f.CANCEL_REASON,
        f.KEPT_PRIORITY,
        f.TRADE_ID,
        f.LIQUIDITY,
        f.FEE,
    ),
    "9": (f.TRANSACT_TIME_NS, f.REJECT_CODE, f.REPORT_ID),
}
"""Which message carries which venue tag (optional everywhere)."""


def _extended(layout: Layout, tags: tuple[int, ...]) -> Layout:
    return dataclasses.replace(
        layout, order=layout.order + tags, members=layout.members | frozenset(tags)
    )


def venue_dictionary(base: Dictionary) -> Dictionary:
    """``base`` with the venue tags defined and admitted where the venue link sends them."""
    fields = dict(base.fields)
    for tag, kind in VENUE_FIELDS.items():
        enums = frozenset({"Y", "N"}) if kind is FieldType.BOOLEAN else None
        fields[tag] = FieldDef(tag, kind, enums)
    messages = dict(base.messages)
    for msg_type, tags in _CARRIED_BY.items():
        message = messages[msg_type]
        messages[msg_type] = dataclasses.replace(message, body=_extended(message.body, tags))
    msg_type_field = fields[35]
    if msg_type_field.enums is not None:
        enums = msg_type_field.enums | {f.REPORT_REQUEST}
        fields[35] = dataclasses.replace(msg_type_field, enums=enums)
    request = Layout((f.AFTER_SEQ,), frozenset({f.AFTER_SEQ}), {}, frozenset({f.AFTER_SEQ}))
    messages[f.REPORT_REQUEST] = MessageDef(f.REPORT_REQUEST, "VenueReportRequest", request, False)
    return dataclasses.replace(
        base,
        fields=fields,
        messages=messages,
        msg_types=base.msg_types | {f.REPORT_REQUEST},
        known_tags=base.known_tags | frozenset(VENUE_FIELDS),
    )
