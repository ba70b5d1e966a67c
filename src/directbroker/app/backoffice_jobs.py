"""The back office's jobs in ``serve``, composed: what runs at each day end and month end.

:func:`back_office_for` builds the :class:`~directbroker.app.backoffice_runner.BackOfficeRunner`
of a firm's data directory with the jobs its ``[backoffice]`` section asks for, and wakes it
on every broker commit (a cheap signal: the worker reads the journal itself, on its thread).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from directbroker.app.backoffice_runner import BackOfficeRunner, DayJob, MonthJob
from directbroker.app.config import FirmConfig
from directbroker.app.platform import Platform
from directbroker.domain.messages import Message
from directbroker.runtime.schedule import BusinessCalendar
from directbroker.runtime.sequencer import Outcome


def back_office_for(
    data_dir: Path, config: FirmConfig, platform: Platform, calendar: BusinessCalendar
) -> BackOfficeRunner | None:
    """The firm's back office (None when ``[backoffice] enabled`` is off)."""
    if not config.backoffice.enabled:
        return None
    day_jobs: list[DayJob] = []
    month_jobs: list[MonthJob] = []
    runner = BackOfficeRunner(data_dir, calendar, day_jobs, month_jobs)

    def wake(_inputs: Sequence[Message], _outcomes: Sequence[Outcome]) -> None:
        runner.wake()

    platform.on_broker_commit(wake)
    return runner
