"""A simulated clock held still: time stops where it is and goes on from there when released."""

from __future__ import annotations

from directbroker.runtime.clocks import SimClock


def held(clock: SimClock) -> bool:
    return clock.held


def test_a_held_clock_stands_still_and_goes_on_from_there() -> None:
    wall = [1_000]
    clock = SimClock(5_000, 10.0, lambda: wall[0])
    wall[0] += 100
    clock.hold()
    assert held(clock) and clock.now_ns() == 6_000
    wall[0] += 500
    assert clock.now_ns() == 6_000
    clock.skip_to(90_000)  # nothing skips a held clock
    assert clock.now_ns() == 6_000
    clock.hold()  # again: no change
    clock.release()
    assert not held(clock) and clock.now_ns() == 6_000
    wall[0] += 10
    assert clock.now_ns() == 6_100
    clock.release()  # not held: no change
    assert clock.now_ns() == 6_100


def test_a_restart_while_held_stays_held_at_the_journals_time() -> None:
    wall = [0]
    clock = SimClock(0, 2.0, lambda: wall[0])
    clock.hold()
    clock.resume_at(1_000)
    wall[0] += 50
    assert held(clock) and clock.now_ns() == 1_000
    clock.release()
    wall[0] += 50
    assert clock.now_ns() == 1_100
