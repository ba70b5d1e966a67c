"""Building client FIX messages for the order entry tests."""

from __future__ import annotations

from directbroker.adapters.fix.terms import FixVersion, SessionKind, SessionTerms
from directbroker.protocols.fix.message import FixMessage

VERSIONS = (FixVersion.FIX42, FixVersion.FIX44)


def terms(version: FixVersion, *accounts: str) -> SessionTerms:
    """An order entry session on ``accounts`` (A1 when none are named)."""
    return SessionTerms("S", SessionKind.ORDER_ENTRY, version, frozenset(accounts or ("A1",)))


def message(version: FixVersion, msg_type: str, *body: tuple[int, str], seq: int = 7) -> FixMessage:
    """A message with the header a session would have validated."""
    header = ((8, version.value), (35, msg_type), (34, str(seq)), (49, "CLIENT"), (56, "BROKER"))
    return FixMessage.of((*header, *body))


def new_order_fields(**changes: str | None) -> list[tuple[int, str]]:
    """A valid limit NewOrderSingle body; ``t<tag>=value`` changes a tag, None removes it."""
    fields = {
        11: "c1",
        1: "A1",
        21: "1",
        55: "AAPL",
        54: "1",
        60: "20261207-15:00:00.000",
        38: "100",
        40: "2",
        44: "231.25",
        59: "0",
    }
    for key, value in changes.items():
        tag = int(key.removeprefix("t"))
        if value is None:
            fields.pop(tag, None)
        else:
            fields[tag] = value
    return list(fields.items())
