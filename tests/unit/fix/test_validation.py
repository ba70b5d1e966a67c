"""Dictionary validation: each SessionRejectReason, and which problem wins when several."""

from __future__ import annotations

import pytest

from directbroker.protocols.fix.dictionary import FieldType
from directbroker.protocols.fix.fix42 import FIX42
from directbroker.protocols.fix.fix44 import FIX44
from directbroker.protocols.fix.message import Field, FixMessage
from directbroker.protocols.fix.validation import validate, well_formed

HEADER: list[Field] = [
    (8, "FIX.4.4"),
    (9, "100"),
    (35, "D"),
    (34, "2"),
    (49, "TW"),
    (52, "20261201-10:00:00.000"),
    (56, "ISLD"),
]
ORDER: list[Field] = [
    (11, "A"),
    (54, "1"),
    (55, "IBM"),
    (38, "100"),
    (40, "2"),
    (44, "10.25"),
    (60, "20261201-10:00:00"),
]
TRAILER: list[Field] = [(10, "000")]


def _check(body: list[Field], header: list[Field] = HEADER) -> tuple[int, int | None] | None:
    found = validate(FixMessage.of([*header, *body, *TRAILER]), FIX44)
    return None if found is None else (found.reason, found.tag)


def test_a_valid_order_passes() -> None:
    assert _check(ORDER) is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ([*ORDER, (9999, "x")], (0, 9999)),
        ([*ORDER[1:]], (1, 11)),
        ([*ORDER, (112, "x")], (2, 112)),
        ([*ORDER, (58, "")], (4, 58)),
        ([*ORDER[:4], (40, "Z"), *ORDER[5:]], (5, 40)),
        ([*ORDER[:3], (38, "1,000"), *ORDER[4:]], (6, 38)),
        ([*ORDER, (60, "20261201-10:00:00")], (13, 60)),
        ([*ORDER, (34, "3")], (14, 34)),
        ([*ORDER, (78, "1"), (80, "5"), (79, "X")], (15, 80)),
        ([*ORDER, (78, "2"), (79, "X"), (80, "5")], (16, 78)),
        ([*ORDER, (78, "1"), (79, "X"), (661, "99"), (80, "5")], None),
    ],
)
def test_each_reason(body: list[Field], expected: tuple[int, int | None] | None) -> None:
    assert _check(body) == expected


def test_invalid_msg_type_and_the_order_of_problems() -> None:
    header = [*HEADER[:2], (35, "ZZ"), *HEADER[3:]]
    assert _check(ORDER, header) == (11, 35)
    # An undefined tag before an empty value: the one met first wins.
    assert _check([(9999, "x"), (58, ""), *ORDER]) == (0, 9999)
    # A field that is both misplaced and badly formed: out of order is reported.
    assert _check([*ORDER, (52, "yesterday")]) == (14, 52)
    # A missing required field is reported only when every present field is fine.
    assert _check([*ORDER[1:3], (38, "x"), *ORDER[4:]]) == (6, 38)


def test_versions_differ() -> None:
    four_two = [(8, "FIX.4.2"), *HEADER[1:]]
    order_42 = [(21, "1"), *ORDER]
    assert validate(FixMessage.of([*four_two, *order_42, *TRAILER]), FIX42) is None
    # HandlInst is required in 4.2, not in 4.4; ExecTransType is gone in 4.4.
    found = validate(FixMessage.of([*four_two, *ORDER, *TRAILER]), FIX42)
    assert found is not None and (found.reason, found.tag) == (1, 21)
    assert _check([*ORDER, (20, "0")]) == (0, 20)


@pytest.mark.parametrize(
    ("field_type", "good", "bad"),
    [
        (FieldType.INT, ["0", "-5", "0012"], ["", "+1", "1.0", "1 "]),
        (FieldType.SEQNUM, ["1", "007"], ["-1"]),
        (FieldType.PRICE, ["10", "10.", ".5", "-0.25", "002000.00"], ["+2", "1e3", "."]),
        (FieldType.CHAR, ["Y", "1"], ["YY"]),
        (
            FieldType.UTCTIMESTAMP,
            ["20261201-23:59:60", "20261201-00:00:00.123", "20261201-00:00:00.123456789"],
            ["20261301-00:00:00", "20261232-00:00:00", "20261201-24:00:00", "20261201"],
        ),
        (FieldType.LOCALMKTDATE, ["20261231"], ["2026123", "20260001"]),
        (FieldType.MONTHYEAR, ["202612", "20261215", "202612w2"], ["202613", "202612w9"]),
        (FieldType.UTCTIMEONLY, ["23:59:59", "00:00:00.001"], ["24:00:00"]),
        (FieldType.STRING, ["anything at all"], []),
    ],
)
def test_formats(field_type: FieldType, good: list[str], bad: list[str]) -> None:
    assert all(well_formed(field_type, value) for value in good)
    assert not any(well_formed(field_type, value) for value in bad)
