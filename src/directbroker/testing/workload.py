"""Workloads for the crash harness: an engine factory, a deterministic command generator and
an end-state check, named by a ``module:attribute`` path so a child process can load them.

A new engine joins the crash test by adding one :class:`Workload` (a few lines) and passing its
path to the harness.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from directbroker.domain.messages import Command
from directbroker.engines.core import Core
from directbroker.testing.cash import CashDeposit, CashEngine, CashTransfer


@dataclass(frozen=True)
class Workload:
    """How to build a core, which command is number ``i``, and what must hold at the end.

    ``command(i)`` must be a pure function of ``i`` (parent and child both compute it).
    ``check(core, applied)`` receives the final core and every distinct command index that was
    applied, and raises ``AssertionError`` if the state contradicts exactly-once application.
    """

    new_core: Callable[[], Core]
    command: Callable[[int], Command]
    check: Callable[[Core, Sequence[int]], None]


def load_workload(path: str) -> Workload:
    """Resolve ``"package.module:name"`` to a :class:`Workload`."""
    module_name, _, attribute = path.partition(":")
    if not attribute:
        raise ValueError(f"workload path {path!r} must look like 'package.module:name'")
    workload = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(workload, Workload):
        raise TypeError(f"{path} is not a Workload")
    return workload


_ACCOUNTS = 50


def _mix(i: int) -> int:
    # A cheap integer hash (splitmix-style) so commands look random yet are a pure function of i.
    x = (i * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


def cash_command(i: int) -> Command:
    """Command number ``i``: one deposit in four, otherwise a transfer (some refused)."""
    r = _mix(i)
    account = f"acct-{r % _ACCOUNTS:03d}"
    if r % 4 == 0:
        return CashDeposit(account, 1 + (r >> 8) % 10_000)
    other = f"acct-{(r >> 16) % _ACCOUNTS:03d}"
    if other == account:
        other = f"acct-{(r % _ACCOUNTS + 1) % _ACCOUNTS:03d}"
    return CashTransfer(account, other, 1 + (r >> 24) % 5_000)


def cash_check(core: Core, applied: Sequence[int]) -> None:
    """Money is conserved: the total is exactly the deposits of the applied commands."""
    assert isinstance(core, CashEngine)
    expected = 0
    for i in applied:
        command = cash_command(i)
        if isinstance(command, CashDeposit):
            expected += command.amount
    assert core.total == expected, f"total {core.total} != deposits applied once {expected}"
    assert all(balance >= 0 for balance in core.balances.values())


cash_workload = Workload(new_core=CashEngine, command=cash_command, check=cash_check)
"""The default crash-test workload: ``directbroker.testing.workload:cash_workload``."""
