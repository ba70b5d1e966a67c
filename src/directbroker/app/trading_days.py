"""Trading days in the running platform: the schedule, the clock and each day's simulated flow.

The platform asks :class:`DayPlan` what the market looks like on a session date; the rules for
which core takes which input when a phase starts are :mod:`directbroker.runtime.days`, and the
boundaries are :mod:`directbroker.runtime.schedule` on the XNYS calendar. The simulated flow
follows the phases: pre-open auction orders shortly before the open, the opening cross at
09:30, continuous trading with a closing window, the closing cross at the close, and nothing
while the market is closed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from directbroker.runtime.clocks import FirmClock
from directbroker.runtime.schedule import SessionTimes, TradingSchedule
from directbroker.sim.session import DaySchedule
from directbroker.sim.simulation import SimulationConfig

NS = 1_000_000_000
PRE_OPEN_WALL_S = 3.0
"""Wall seconds of pre-open auction orders before each opening cross."""
CLOSING_WINDOW_WALL_S = 30.0
"""Wall seconds of on-close orders before each closing cross (at most ten simulated minutes)."""


@dataclass(frozen=True, slots=True)
class DayPlan:
    """What the platform needs to run day after day."""

    schedule: TradingSchedule
    clock: FirmClock
    simulation: SimulationConfig
    """The flow's seed and rates; ``events_per_second`` is per wall-clock second."""
    speed: float = 1.0
    """Simulated seconds per wall second (1 on the wall clock)."""
    max_lag_s: float = 0.2
    """Wall seconds the flow may fall behind the clock before it sheds what is late."""

    @property
    def max_lag_ns(self) -> int:
        """The lag allowed, in the clock's (simulated) nanoseconds."""
        return int(self.max_lag_s * self.speed * NS)

    def flow_for(self, times: SessionTimes) -> tuple[SimulationConfig, int]:
        """The simulated flow of one session date, and when it starts."""
        market_ns = times.open_ns - times.pre_market_ns
        pre_open = min(market_ns, int(PRE_OPEN_WALL_S * self.speed * NS))
        continuous = times.close_ns - times.open_ns
        closing = min(600 * NS, continuous // 4, int(CLOSING_WINDOW_WALL_S * self.speed * NS))
        schedule = DaySchedule(
            pre_open_seconds=pre_open / NS,
            continuous_seconds=continuous / NS,
            closing_window_seconds=closing / NS,
        )
        config = dataclasses.replace(
            self.simulation,
            schedule=schedule,
            events_per_second=self.simulation.events_per_second / self.speed,
        )
        return config, times.open_ns - pre_open
