"""Validate a parsed message against the data dictionary; answer the first problem found.

The checks run in one pass over the fields in wire order, so the problem reported is the one
a counterparty reading the message left to right meets first:

1. MsgType must be one the version defines (reason 11);
2. the message splits into header, body and trailer; a header or trailer tag met inside the
   body is out of order (14);
3. each field, in order: a tag the version defines (0), a value present (4), a tag this
   message allows (2), not repeated (13), in the right format (6), an allowed value (5);
   repeating groups must start with their delimiter (15) and carry as many instances as their
   NumInGroup says (16);
4. then the required fields of each level (1).

A MsgType the version defines but our dictionary does not lay out has its header and field
formats checked only; the application answers it (BusinessMessageReject).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from operator import call, eq, itemgetter

from directbroker.protocols.fix.dictionary import Dictionary, FieldDef, FieldType, GroupDef, Layout
from directbroker.protocols.fix.message import Field, FixMessage

INVALID_TAG_NUMBER = 0
REQUIRED_TAG_MISSING = 1
TAG_NOT_DEFINED_FOR_MESSAGE = 2
UNDEFINED_TAG = 3
TAG_WITHOUT_VALUE = 4
VALUE_OUT_OF_RANGE = 5
INCORRECT_DATA_FORMAT = 6
DECRYPTION_PROBLEM = 7
SIGNATURE_PROBLEM = 8
COMP_ID_PROBLEM = 9
SENDING_TIME_ACCURACY = 10
INVALID_MSG_TYPE = 11
XML_VALIDATION_ERROR = 12
TAG_APPEARS_MORE_THAN_ONCE = 13
TAG_OUT_OF_ORDER = 14
GROUP_FIELDS_OUT_OF_ORDER = 15
INCORRECT_NUM_IN_GROUP = 16
NON_DATA_VALUE_INCLUDES_SOH = 17
OTHER = 99

REASON_TEXT: dict[int, str] = {
    INVALID_TAG_NUMBER: "Invalid tag number",
    REQUIRED_TAG_MISSING: "Required tag missing",
    TAG_NOT_DEFINED_FOR_MESSAGE: "Tag not defined for this message type",
    UNDEFINED_TAG: "Undefined tag",
    TAG_WITHOUT_VALUE: "Tag specified without a value",
    VALUE_OUT_OF_RANGE: "Value is incorrect (out of range) for this tag",
    INCORRECT_DATA_FORMAT: "Incorrect data format for value",
    DECRYPTION_PROBLEM: "Decryption problem",
    SIGNATURE_PROBLEM: "Signature problem",
    COMP_ID_PROBLEM: "CompID problem",
    SENDING_TIME_ACCURACY: "SendingTime accuracy problem",
    INVALID_MSG_TYPE: "Invalid MsgType",
    XML_VALIDATION_ERROR: "XML Validation error",
    TAG_APPEARS_MORE_THAN_ONCE: "Tag appears more than once",
    TAG_OUT_OF_ORDER: "Tag specified out of required order",
    GROUP_FIELDS_OUT_OF_ORDER: "Repeating group fields out of order",
    INCORRECT_NUM_IN_GROUP: "Incorrect NumInGroup count for repeating group",
    NON_DATA_VALUE_INCLUDES_SOH: "Non data value includes field delimiter (SOH character)",
    OTHER: "Other",
}
"""SessionRejectReason (373) texts, as the specification words them."""

# BusinessRejectReason (380)
BUSINESS_OTHER = 0
UNKNOWN_ID = 1
UNKNOWN_SECURITY = 2
UNSUPPORTED_MESSAGE_TYPE = 3
APPLICATION_NOT_AVAILABLE = 4
CONDITIONALLY_REQUIRED_FIELD_MISSING = 5
NOT_AUTHORIZED = 6
DELIVER_TO_FIRM_NOT_AVAILABLE = 7

BUSINESS_REASON_TEXT: dict[int, str] = {
    BUSINESS_OTHER: "Other",
    UNKNOWN_ID: "Unknown ID",
    UNKNOWN_SECURITY: "Unknown Security",
    UNSUPPORTED_MESSAGE_TYPE: "Unsupported Message Type",
    APPLICATION_NOT_AVAILABLE: "Application not available",
    CONDITIONALLY_REQUIRED_FIELD_MISSING: "Conditionally Required Field Missing",
    NOT_AUTHORIZED: "Not authorized",
    DELIVER_TO_FIRM_NOT_AVAILABLE: "DeliverTo firm not available at this time",
}
"""BusinessRejectReason (380) texts."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a message is refused: a SessionRejectReason, the tag at fault and the text."""

    reason: int
    tag: int | None
    text: str


def problem(reason: int, tag: int | None, text: str | None = None) -> Problem:
    """A problem with the standard text for ``reason`` unless ``text`` is given."""
    return Problem(reason, tag, text if text is not None else REASON_TEXT[reason])


_MONTH = r"(?:0[1-9]|1[0-2])"
_DAY = r"(?:0[1-9]|[12]\d|3[01])"
_CLOCK = r"(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d{3}(?:\d{3}){0,2})?"
_DATE = rf"\d{{4}}{_MONTH}{_DAY}"
_INT = r"-?\d+"
_UNSIGNED = r"\d+"
_FLOAT = r"-?(?:\d+(?:\.\d*)?|\.\d+)"

_FORMATS: dict[FieldType, str] = {
    FieldType.INT: _INT,
    FieldType.LENGTH: _UNSIGNED,
    FieldType.SEQNUM: _UNSIGNED,
    FieldType.NUMINGROUP: _UNSIGNED,
    FieldType.DAYOFMONTH: _UNSIGNED,
    FieldType.FLOAT: _FLOAT,
    FieldType.QTY: _FLOAT,
    FieldType.PRICE: _FLOAT,
    FieldType.PRICEOFFSET: _FLOAT,
    FieldType.AMT: _FLOAT,
    FieldType.PERCENTAGE: _FLOAT,
    FieldType.CHAR: r".",
    FieldType.UTCTIMESTAMP: rf"{_DATE}-{_CLOCK}",
    FieldType.UTCDATE: _DATE,
    FieldType.LOCALMKTDATE: _DATE,
    FieldType.UTCTIMEONLY: _CLOCK,
    FieldType.MONTHYEAR: rf"\d{{4}}{_MONTH}(?:{_DAY}|w[1-5])?",
}
"""Each checked type's format as one anchored pattern (ranges of dates and times included)."""

_Matcher = Callable[[str], object]
_MATCHERS: dict[FieldType, _Matcher] = {
    field_type: re.compile(pattern, re.DOTALL).fullmatch for field_type, pattern in _FORMATS.items()
}


def well_formed(field_type: FieldType, value: str) -> bool:
    """Whether ``value`` is in the format ``field_type`` requires."""
    matcher = _MATCHERS.get(field_type)
    return matcher is None or matcher(value) is not None


_FieldCheck = tuple[_Matcher | None, frozenset[str] | None, bool]
_CHECKS: dict[Dictionary, dict[int, _FieldCheck]] = {}


def _checks(dictionary: Dictionary) -> dict[int, _FieldCheck]:
    """Per tag: its format matcher, its allowed values, whether it is multi-valued (cached)."""
    checks = _CHECKS.get(dictionary)
    if checks is None:
        checks = {
            tag: (
                _MATCHERS.get(definition.type),
                definition.enums,
                definition.type is FieldType.MULTIPLEVALUESTRING,
            )
            for tag, definition in dictionary.fields.items()
        }
        _CHECKS[dictionary] = checks
    return checks


def check_field(dictionary: Dictionary, tag: int, value: str) -> Problem | None:
    """The problem with one field on its own (tag number, empty value, format, enumeration)."""
    if tag not in dictionary.known_tags:
        return problem(INVALID_TAG_NUMBER, tag)
    if not value:
        return problem(TAG_WITHOUT_VALUE, tag)
    check = _checks(dictionary).get(tag)
    if check is None:
        return None
    matcher, enums, multiple = check
    if matcher is not None and matcher(value) is None:
        return problem(
            INCORRECT_DATA_FORMAT, tag, f"{REASON_TEXT[INCORRECT_DATA_FORMAT]}, field={tag}"
        )
    if enums is not None:
        if multiple:
            if any(part not in enums for part in value.split()):
                return problem(VALUE_OUT_OF_RANGE, tag)
        elif value not in enums:
            return problem(VALUE_OUT_OF_RANGE, tag)
    return None


_Shape = tuple[Dictionary, str, tuple[int, ...]]
_Check = Callable[[str], object]
_SHAPES: dict[_Shape, tuple[_Check, ...]] = {}
"""Tag sequences already found valid, with a value check for each of their positions."""
_SHAPES_LIMIT = 4096


def validate(message: FixMessage, dictionary: Dictionary) -> Problem | None:
    """The first problem with ``message`` under ``dictionary``, or ``None`` when it is valid.

    Whether a message is well built (tags known and allowed, in order, not repeated, groups
    well formed, required fields present) depends only on its MsgType, its sequence of tags
    and its NumInGroup values; a counterparty sends the same few shapes again and again. So
    a shape found valid once is remembered with one check per position (a NumInGroup must
    keep its value, every other field must pass its own format and enumeration), and the
    next message of that shape runs only those checks, in C (``map`` over ``operator.call``).
    Any failure takes the full walk, which names the problem.
    """
    fields = message.fields
    msg_type = message.get(35) or ""
    key = (dictionary, msg_type, tuple([field[0] for field in fields]))
    checks = _SHAPES.get(key)
    if checks is not None and all(map(call, checks, map(_value, fields))):
        return None
    found = _validate_fully(message, dictionary)
    if found is None:
        if len(_SHAPES) >= _SHAPES_LIMIT:
            _SHAPES.clear()
        _SHAPES[key] = _shape_checks(fields, dictionary)
    return found


_value = itemgetter(1)


def _shape_checks(fields: Sequence[Field], dictionary: Dictionary) -> tuple[_Check, ...]:
    """One predicate per position of a valid message: true when a value there is valid."""
    checks: list[_Check] = []
    for tag, value in fields:
        definition = dictionary.fields.get(tag)
        if definition is None:
            checks.append(bool)
        elif definition.type is FieldType.NUMINGROUP:
            checks.append(partial(eq, value))
        else:
            checks.append(_value_check(definition))
    return tuple(checks)


_VALUE_CHECKS: dict[FieldDef, _Check] = {}


def _value_check(definition: FieldDef) -> _Check:
    """A predicate for one field's values (format and enumeration; never empty)."""
    cached = _VALUE_CHECKS.get(definition)
    if cached is not None:
        return cached
    matcher = _MATCHERS.get(definition.type)
    enums = definition.enums
    check: _Check
    if enums is None:
        check = bool if matcher is None else matcher
    elif definition.type is FieldType.MULTIPLEVALUESTRING:
        check = partial(_all_in, enums)
    elif matcher is None:
        check = enums.__contains__
    else:
        check = partial(_matches_and_in, matcher, enums)
    _VALUE_CHECKS[definition] = check
    return check


def _all_in(enums: frozenset[str], value: str) -> bool:
    return bool(value) and all(part in enums for part in value.split())


def _matches_and_in(matcher: _Matcher, enums: frozenset[str], value: str) -> bool:
    return value in enums and matcher(value) is not None


def _validate_fully(message: FixMessage, dictionary: Dictionary) -> Problem | None:
    msg_type = message.get(35)
    if msg_type is None:
        return problem(REQUIRED_TAG_MISSING, 35)
    if msg_type not in dictionary.msg_types:
        return problem(INVALID_MSG_TYPE, 35)
    fields = message.fields
    header = dictionary.header
    trailer = dictionary.trailer
    header_tags = _all_tags(header)
    end = len(fields)
    start = 0
    while start < end and fields[start][0] in header_tags:
        start += 1
    body_end = end
    while body_end > start and fields[body_end - 1][0] in trailer.members:
        body_end -= 1
    for position in range(start, body_end):
        tag = fields[position][0]
        if tag in header_tags or tag in trailer.members:
            return problem(TAG_OUT_OF_ORDER, tag)
    found = _walk(fields, 0, start, header, dictionary, check_unknown=True)
    if found is not None:
        return found
    definition = dictionary.messages.get(msg_type)
    if definition is None:
        for position in range(start, body_end):
            tag, value = fields[position]
            found = check_field(dictionary, tag, value)
            if found is not None:
                return found
    else:
        found = _walk(fields, start, body_end, definition.body, dictionary, check_unknown=True)
        if found is not None:
            return found
    return _walk(fields, body_end, end, trailer, dictionary, check_unknown=True)


_TAG_CACHE: dict[Layout, frozenset[int]] = {}


def _all_tags(layout: Layout) -> frozenset[int]:
    """Every tag of a layout, group members included (cached per layout)."""
    cached = _TAG_CACHE.get(layout)
    if cached is None:
        tags = set(layout.members)
        for group in layout.groups.values():
            tags |= _all_tags(group.layout)
        cached = frozenset(tags)
        _TAG_CACHE[layout] = cached
    return cached


def _walk(
    fields: Sequence[Field],
    position: int,
    end: int,
    layout: Layout,
    dictionary: Dictionary,
    *,
    check_unknown: bool,
) -> Problem | None:
    # The hot loop of every received message: check_field inlined, lookups bound locally.
    checks = _checks(dictionary)
    known = dictionary.known_tags
    seen: set[int] = set()
    members = layout.members
    groups = layout.groups
    while position < end:
        tag, value = fields[position]
        if tag not in known:
            return problem(INVALID_TAG_NUMBER, tag)
        if not value:
            return problem(TAG_WITHOUT_VALUE, tag)
        if check_unknown and tag not in members:
            return problem(TAG_NOT_DEFINED_FOR_MESSAGE, tag)
        if tag in seen:
            return problem(TAG_APPEARS_MORE_THAN_ONCE, tag)
        seen.add(tag)
        check = checks.get(tag)
        if check is not None:
            matcher, enums, multiple = check
            if matcher is not None and matcher(value) is None:
                text = f"{REASON_TEXT[INCORRECT_DATA_FORMAT]}, field={tag}"
                return problem(INCORRECT_DATA_FORMAT, tag, text)
            if enums is not None and (
                any(part not in enums for part in value.split()) if multiple else value not in enums
            ):
                return problem(VALUE_OUT_OF_RANGE, tag)
        position += 1
        if groups:
            group = groups.get(tag)
            if group is not None:
                position, found = _walk_group(fields, position, end, group, int(value), dictionary)
                if found is not None:
                    return found
    return _missing(layout, seen)


def _missing(layout: Layout, seen: set[int]) -> Problem | None:
    if layout.required <= seen:
        return None
    for tag in layout.order:
        if tag in layout.required and tag not in seen:
            return problem(REQUIRED_TAG_MISSING, tag)
    return None  # pragma: no cover - required is a subset of order


def _walk_group(
    fields: Sequence[Field],
    position: int,
    end: int,
    group: GroupDef,
    count: int,
    dictionary: Dictionary,
) -> tuple[int, Problem | None]:
    layout = group.layout
    members = layout.members
    delimiter = group.delimiter
    instances = 0
    seen: set[int] | None = None
    while position < end:
        tag, value = fields[position]
        if tag not in members:
            break
        if tag == delimiter:
            if seen is not None:
                found = _missing(layout, seen)
                if found is not None:
                    return position, found
            instances += 1
            seen = set()
        elif seen is None:
            text = f"The group {group.count_tag} must set the delimiter field {delimiter}"
            return position, problem(GROUP_FIELDS_OUT_OF_ORDER, tag, text)
        elif tag in seen:
            return position, problem(GROUP_FIELDS_OUT_OF_ORDER, tag)
        found = check_field(dictionary, tag, value)
        if found is not None:
            return position, found
        seen.add(tag)
        position += 1
        nested = layout.groups.get(tag)
        if nested is not None:
            position, found = _walk_group(fields, position, end, nested, int(value), dictionary)
            if found is not None:
                return position, found
    if seen is not None:
        found = _missing(layout, seen)
        if found is not None:
            return position, found
    if instances != count:
        return position, problem(INCORRECT_NUM_IN_GROUP, group.count_tag)
    return position, None
