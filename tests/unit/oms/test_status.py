"""The transition table is the only way a status changes, and it refuses illegal moves."""

from __future__ import annotations

import pytest

from directbroker.domain.order_status import TERMINAL_STATUSES, OrdStatus
from directbroker.engines.oms import TRANSITIONS, IllegalTransition, Trigger, advance, allowed


def test_every_status_has_its_fix_code() -> None:
    codes = {status: status.fix_code for status in OrdStatus}
    assert codes[OrdStatus.NEW] == "0"
    assert codes[OrdStatus.PENDING_CANCEL] == "6"
    assert codes[OrdStatus.PENDING_REPLACE] == "E"
    assert codes[OrdStatus.EXPIRED] == "C"
    assert len(set(codes.values())) == len(OrdStatus)


@pytest.mark.parametrize("status", sorted(TERMINAL_STATUSES))
@pytest.mark.parametrize("trigger", list(Trigger))
def test_terminal_statuses_never_move(status: OrdStatus, trigger: Trigger) -> None:
    assert allowed(status, trigger) == frozenset()
    with pytest.raises(IllegalTransition):
        advance(status, trigger, OrdStatus.NEW)


@pytest.mark.parametrize(
    ("status", "trigger", "target"),
    [
        (OrdStatus.NEW, Trigger.REPLACED, OrdStatus.REPLACED),  # needs pending replace first
        (OrdStatus.NEW, Trigger.CANCELLED, OrdStatus.FILLED),
        (OrdStatus.PENDING_NEW, Trigger.REPLACE_REQUESTED, OrdStatus.PENDING_REPLACE),
        (OrdStatus.SUSPENDED, Trigger.FILL, OrdStatus.PARTIALLY_FILLED),
        (OrdStatus.PENDING_CANCEL, Trigger.FILL, OrdStatus.PARTIALLY_FILLED),
        (OrdStatus.DONE_FOR_DAY, Trigger.FILL, OrdStatus.FILLED),
    ],
)
def test_illegal_moves_raise(status: OrdStatus, trigger: Trigger, target: OrdStatus) -> None:
    with pytest.raises(IllegalTransition):
        advance(status, trigger, target)


def test_a_fill_while_cancel_is_pending_stays_pending_or_ends_filled() -> None:
    assert allowed(OrdStatus.PENDING_CANCEL, Trigger.FILL) == {
        OrdStatus.PENDING_CANCEL,
        OrdStatus.FILLED,
    }
    assert advance(OrdStatus.PENDING_CANCEL, Trigger.FILL, OrdStatus.FILLED) is OrdStatus.FILLED


def test_every_non_terminal_status_can_end() -> None:
    for status in OrdStatus:
        if status.is_terminal:
            continue
        reachable = {t for (s, _), targets in TRANSITIONS.items() if s is status for t in targets}
        assert reachable & TERMINAL_STATUSES, status
