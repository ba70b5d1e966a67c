"""Our FIX 4.2/4.4 dictionaries, cross-checked against the QuickFIX data dictionaries.

The reference XML files are shared test data read at test time (never part of the project);
the test skips when they are absent. For every message we define: the same fields and groups
in the same places, the same required flags, compatible types, and our enumerations a subset
of the reference's.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from directbroker.protocols.fix.dictionary import Dictionary, FieldType, Layout, parse_layout
from directbroker.protocols.fix.fix42 import FIX42
from directbroker.protocols.fix.fix44 import FIX44

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("DIRECTBROKER_SHARED_DIR", REPO_ROOT.parent / "shared"))
SPEC = SHARED / "fix-spec"

_COMPATIBLE: dict[str, set[FieldType]] = {
    "INT": {FieldType.INT, FieldType.LENGTH, FieldType.SEQNUM, FieldType.NUMINGROUP},
    "LENGTH": {FieldType.LENGTH},
    "SEQNUM": {FieldType.SEQNUM},
    "NUMINGROUP": {FieldType.NUMINGROUP},
    "DAYOFMONTH": {FieldType.DAYOFMONTH},
    "FLOAT": {FieldType.FLOAT},
    "QTY": {FieldType.QTY},
    "PRICE": {FieldType.PRICE},
    "PRICEOFFSET": {FieldType.PRICEOFFSET},
    "AMT": {FieldType.AMT},
    "PERCENTAGE": {FieldType.PERCENTAGE},
    "CHAR": {FieldType.CHAR},
    "BOOLEAN": {FieldType.BOOLEAN},
    "STRING": {FieldType.STRING},
    "MULTIPLEVALUESTRING": {FieldType.MULTIPLEVALUESTRING},
    "CURRENCY": {FieldType.CURRENCY},
    "EXCHANGE": {FieldType.EXCHANGE},
    "COUNTRY": {FieldType.COUNTRY},
    "UTCTIMESTAMP": {FieldType.UTCTIMESTAMP},
    "LOCALMKTDATE": {FieldType.LOCALMKTDATE},
    "MONTHYEAR": {FieldType.MONTHYEAR},
    "DATA": {FieldType.DATA},
}


def _reference(path: Path) -> tuple[ET.Element, dict[str, ET.Element], dict[str, ET.Element]]:
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    root = ET.parse(path).getroot()
    fields = {f.get("name", ""): f for f in root.findall("./fields/field")}
    components = {c.get("name", ""): c for c in root.findall("./components/component")}
    return root, fields, components


def _flatten(node: ET.Element, fields: dict[str, ET.Element], comps: dict[str, ET.Element]) -> str:
    parts: list[str] = []
    for child in node:
        name = child.get("name", "")
        mark = "!" if child.get("required") == "Y" else ""
        if child.tag == "field":
            parts.append(fields[name].get("number", "") + mark)
        elif child.tag == "group":
            inner = _flatten(child, fields, comps)
            parts.append(f"{fields[name].get('number')}{mark}[{inner}]")
        elif child.tag == "component":
            parts.append(_flatten(comps[name], fields, comps))
    return " ".join(parts)


def _shape(layout: Layout) -> list[object]:
    return [
        (tag, tag in layout.required, _shape(layout.groups[tag].layout))
        if tag in layout.groups
        else (tag, tag in layout.required)
        for tag in layout.order
    ]


@pytest.mark.parametrize(("ours", "file"), [(FIX42, "FIX42.xml"), (FIX44, "FIX44.xml")])
def test_messages_match_the_reference(ours: Dictionary, file: str) -> None:
    root, fields, comps = _reference(SPEC / file)
    by_type = {m.get("msgtype"): m for m in root.findall("./messages/message")}
    for msg_type, definition in ours.messages.items():
        reference = parse_layout(_flatten(by_type[msg_type], fields, comps))
        assert _shape(definition.body) == _shape(reference), definition.name
    header = parse_layout(_flatten(root.find("header") or ET.Element("x"), fields, comps))
    assert _shape(ours.header) == _shape(header)


@pytest.mark.parametrize(("ours", "file"), [(FIX42, "FIX42.xml"), (FIX44, "FIX44.xml")])
def test_field_types_and_enumerations_match_the_reference(ours: Dictionary, file: str) -> None:
    _, fields, _ = _reference(SPEC / file)
    by_number = {int(f.get("number", "0")): f for f in fields.values()}
    assert ours.known_tags == frozenset(by_number)
    for tag, definition in ours.fields.items():
        reference = by_number[tag]
        assert definition.type in _COMPATIBLE[reference.get("type", "")], (tag, definition)
        values = {value.get("enum") for value in reference.findall("value")}
        if definition.enums is not None and values:
            assert definition.enums <= values, (tag, definition.enums - values)


def test_layout_notation() -> None:
    layout = parse_layout("11! 78[79 80! 539[524 525]] 55")
    assert layout.order == (11, 78, 55)
    assert layout.required == frozenset({11})
    group = layout.groups[78]
    assert group.delimiter == 79
    assert group.layout.required == frozenset({80})
    assert group.layout.groups[539].delimiter == 524
    with pytest.raises(ValueError, match="not closed"):
        parse_layout("78[79")
