"""Admission is bounded in time: a command the platform has not taken within the deadline is
never executed and its client hears so; taken commands must be answered."""

from __future__ import annotations

from concurrent.futures import CancelledError

import pytest

from directbroker.app.admission import Admission, Overloaded
from directbroker.domain.ledger_messages import Deposit


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _command(n: int) -> Deposit:
    return Deposit("DEMO-1", f"ref-{n}", 100)


def _admission(clock: FakeClock, **kwargs: float) -> Admission:
    return Admission(capacity=int(kwargs.pop("capacity", 100)), clock=clock, **kwargs)


def test_a_command_taken_within_the_deadline_is_handed_over_running() -> None:
    clock = FakeClock()
    admission = _admission(clock, deadline_s=1.5)
    reply = admission.offer("broker", _command(1))
    clock.now += 1.5
    (item,) = admission.take_all()
    assert item.command == _command(1)
    assert reply.running()
    assert not reply.cancel(), "a taken command can no longer be withdrawn"


def test_a_command_past_the_deadline_is_dropped_and_answered_busy() -> None:
    clock = FakeClock()
    admission = _admission(clock, deadline_s=1.5)
    late = admission.offer("broker", _command(1))
    clock.now += 1.0
    fresh = admission.offer("broker", _command(2))
    clock.now += 0.6
    taken = admission.take_all()
    assert [item.command for item in taken] == [_command(2)]
    assert fresh.running()
    with pytest.raises(Overloaded) as busy:
        late.result(0)
    assert busy.value.retry_after > 0
    assert admission.expired == 1
    assert len(admission) == 0


def test_a_withdrawn_command_is_never_taken() -> None:
    clock = FakeClock()
    admission = _admission(clock)
    withdrawn = admission.offer("broker", _command(1))
    kept = admission.offer("broker", _command(2))
    assert withdrawn.cancel()
    taken = admission.take_all()
    assert [item.command for item in taken] == [_command(2)]
    assert kept.running()
    assert admission.withdrawn == 1
    with pytest.raises(CancelledError):
        withdrawn.result(0)


def test_full_inbox_refuses_at_once() -> None:
    admission = _admission(FakeClock(), capacity=2)
    admission.offer("broker", _command(1))
    admission.offer("broker", _command(2))
    with pytest.raises(Overloaded):
        admission.offer("broker", _command(3))
    assert admission.refused == 1


def test_refuses_when_the_work_waiting_exceeds_the_deadline() -> None:
    clock = FakeClock()
    admission = _admission(clock, deadline_s=1.0)
    admission.served(10, 1.0)  # 0.1 s per command
    for n in range(11):
        admission.offer("broker", _command(n))
    assert admission.expected_wait_s() == pytest.approx(1.1)
    with pytest.raises(Overloaded, match="too much work"):
        admission.offer("broker", _command(11))
    assert admission.refused == 1
    admission.take_all()
    admission.offer("broker", _command(12))


def test_an_empty_inbox_admits_whatever_the_last_pace() -> None:
    admission = _admission(FakeClock(), deadline_s=1.0)
    admission.served(1, 5.0)  # one very slow step
    admission.offer("broker", _command(1))
    with pytest.raises(Overloaded):
        admission.offer("broker", _command(2))
    admission.take_all()
    admission.served(1, 0.001)
    admission.offer("broker", _command(3))


def test_the_pace_follows_recent_batches() -> None:
    admission = _admission(FakeClock(), deadline_s=1.0)
    assert admission.expected_wait_s() == 0.0, "unmeasured: nothing is refused for pace"
    admission.offer("broker", _command(1))
    admission.served(1, 0.5)
    assert admission.expected_wait_s() == pytest.approx(0.5)
    for _ in range(50):
        admission.served(100, 0.1)
    assert admission.expected_wait_s() == pytest.approx(0.001, rel=0.01)
    admission.served(0, 5.0)
    assert admission.expected_wait_s() == pytest.approx(0.001, rel=0.01)


def test_close_fails_what_waits_and_refuses_the_rest() -> None:
    admission = _admission(FakeClock())
    reply = admission.offer("broker", _command(1))
    withdrawn = admission.offer("broker", _command(2))
    withdrawn.cancel()
    admission.close(RuntimeError("stopping"))
    with pytest.raises(RuntimeError, match="stopping"):
        reply.result(0)
    with pytest.raises(RuntimeError, match="stopping"):
        admission.offer("broker", _command(3))


def test_deadline_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Admission(deadline_s=0)


def test_the_platform_keeps_the_admission_it_is_given() -> None:
    """An empty inbox has length 0: the platform must not take it for "none given"."""
    from directbroker.app.journals import MemoryJournals
    from directbroker.app.platform import Platform
    from directbroker.sim.simulation import SimulationConfig
    from directbroker.sim.universe import LISTINGS

    given = Admission(capacity=3, deadline_s=0.25)
    start_ns = 1_780_300_800_000_000_000  # a Monday session in June 2026
    config = SimulationConfig(seed=1)
    platform = Platform(MemoryJournals(), config, start_ns, listings=LISTINGS[:1], admission=given)
    assert platform.admission is given
