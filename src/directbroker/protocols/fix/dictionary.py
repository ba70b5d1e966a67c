"""Our own FIX data dictionary: field types, enumerations, message layouts, repeating groups.

Written in Python for the messages this project speaks (the session messages, order entry,
execution reports, cancel rejects, business rejects and security definitions) in FIX 4.2
and 4.4. The layouts are given in a compact notation, parsed once at import:

    "11! 1 78[79 80!] 55!"

is ClOrdID (required), Account, the NoAllocs group whose members are AllocAccount
(the delimiter, always the first member) and AllocShares (required within an instance),
then Symbol (required). A message whose type is a valid FIX MsgType but is not defined here
is answered by the application layer (BusinessMessageReject), not validated field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class FieldType(Enum):
    """The FIX data types, grouped by how a value is checked."""

    INT = "int"
    LENGTH = "Length"
    SEQNUM = "SeqNum"
    NUMINGROUP = "NumInGroup"
    DAYOFMONTH = "day-of-month"
    FLOAT = "float"
    QTY = "Qty"
    PRICE = "Price"
    PRICEOFFSET = "PriceOffset"
    AMT = "Amt"
    PERCENTAGE = "Percentage"
    CHAR = "char"
    BOOLEAN = "Boolean"
    STRING = "String"
    MULTIPLEVALUESTRING = "MultipleValueString"
    CURRENCY = "Currency"
    EXCHANGE = "Exchange"
    COUNTRY = "Country"
    UTCTIMESTAMP = "UTCTimestamp"
    UTCDATE = "UTCDate"
    UTCTIMEONLY = "UTCTimeOnly"
    LOCALMKTDATE = "LocalMktDate"
    MONTHYEAR = "month-year"
    DATA = "data"


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field: its tag, its type and, when the dictionary closes it, its allowed values."""

    tag: int
    type: FieldType
    enums: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class GroupDef:
    """A repeating group: the NumInGroup tag, the delimiter (first member) and its layout."""

    count_tag: int
    delimiter: int
    layout: Layout


@dataclass(frozen=True, slots=True, eq=False)
class Layout:
    """The fields of a message body, a header or a group instance, in their defined order.

    Compared and hashed by identity, so that validation can cache per layout.
    """

    order: tuple[int, ...]
    required: frozenset[int]
    groups: dict[int, GroupDef] = field(default_factory=dict)
    members: frozenset[int] = frozenset()
    """Every tag of this level (a group's count tag, not its members)."""


@dataclass(frozen=True, slots=True)
class MessageDef:
    """One message type: its MsgType, name and body layout."""

    msg_type: str
    name: str
    body: Layout
    admin: bool


@dataclass(frozen=True, slots=True, eq=False)
class Dictionary:
    """Everything validation needs to know about one FIX version.

    Compared and hashed by identity, so that validation can cache per dictionary.
    """

    begin_string: str
    fields: dict[int, FieldDef]
    header: Layout
    trailer: Layout
    messages: dict[str, MessageDef]
    msg_types: frozenset[str]
    """Every MsgType value the version defines (we lay out only some of them)."""
    session_reject_reasons: frozenset[int]
    """SessionRejectReason (373) values the version defines; others are not sent."""
    known_tags: frozenset[int]
    """Every tag number the version defines, laid out here or not (others are invalid)."""

    def field_type(self, tag: int) -> FieldType | None:
        """The type of ``tag``, or ``None`` when the version does not define it."""
        definition = self.fields.get(tag)
        return None if definition is None else definition.type


def parse_layout(spec: str) -> Layout:
    """Parse the compact layout notation (see the module docstring)."""
    tokens = spec.replace("[", " [ ").replace("]", " ] ").split()
    layout, position = _parse_level(tokens, 0)
    if position != len(tokens):
        raise ValueError(f"unbalanced ']' in layout at token {position}")
    return layout


def _parse_level(tokens: list[str], position: int) -> tuple[Layout, int]:
    order: list[int] = []
    required: set[int] = set()
    groups: dict[int, GroupDef] = {}
    while position < len(tokens):
        token = tokens[position]
        if token == "]":
            break
        if token == "[":
            raise ValueError("a group must follow its NumInGroup tag")
        is_required = token.endswith("!")
        tag = int(token.rstrip("!"))
        order.append(tag)
        if is_required:
            required.add(tag)
        position += 1
        if position < len(tokens) and tokens[position] == "[":
            inner, position = _parse_level(tokens, position + 1)
            if position >= len(tokens) or tokens[position] != "]":
                raise ValueError(f"group {tag} is not closed")
            position += 1
            groups[tag] = GroupDef(tag, inner.order[0], inner)
    return Layout(tuple(order), frozenset(required), groups, frozenset(order)), position


def build_fields(
    types: dict[FieldType, str], enums: dict[int, str], booleans_closed: bool = True
) -> dict[int, FieldDef]:
    """Fields from ``{type: "tag tag ..."}`` and ``{tag: "value value ..."}``."""
    fields: dict[int, FieldDef] = {}
    for field_type, tags in types.items():
        for text in tags.split():
            tag = int(text)
            if tag in fields:
                raise ValueError(f"tag {tag} given two types")
            closed = enums.get(tag)
            values = frozenset(closed.split()) if closed is not None else None
            if values is None and field_type is FieldType.BOOLEAN and booleans_closed:
                values = frozenset({"Y", "N"})
            fields[tag] = FieldDef(tag, field_type, values)
    missing = set(enums) - set(fields)
    if missing:
        raise ValueError(f"enumerations for untyped tags {sorted(missing)}")
    return fields


ADMIN_MSG_TYPES = frozenset({"0", "1", "2", "3", "4", "5", "A"})
"""The session-level messages; everything else is an application message."""
