"""``directbroker simulate-firm``: grow a firm month by month, so its reports have a history.

It creates a firm on a data directory with a configuration of its own
(``DIR/simulate-firm.toml``: a simulated clock starting the evening before the first month, a
light market simulation on a few symbols, an API without per-key throttling), runs it with
``directbroker serve`` in a child process, and drives it only through the Broker API as the
firm's customers would (:mod:`~directbroker.app.firm_driver`): accounts open on a growth curve
ending at ``--accounts`` (:mod:`~directbroker.app.firm_growth`), each deposits by ACH, and
agent customers of three kinds trade (:mod:`~directbroker.app.firm_agents`). When the firm's
clock leaves the last month it stops the server cleanly; the journals hold the whole history.

Running it again on the same directory resumes: the server goes on from its journals and the
driver from its state file, with the plan of ``DIR/simulate-firm.json`` (asking for another
plan on that directory is refused). A finished firm is left as it is.

Speed: a simulated day's wall time is its regular session (23,400 simulated seconds over
``--speed``; closed time is skipped) plus the driver's work, during which the firm's clock is
held still (``serve``'s SIGUSR1/SIGUSR2), so no day is cut short however many customers
there are. The market simulation's rate follows the speed, so every simulated day gets the
same light flow and the broker journal stays small (about 600 entries a day before the
customers' own).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from rich.console import Console

from directbroker.app.firm_client import BrokerApi
from directbroker.app.firm_driver import FirmDriver, Tally
from directbroker.app.firm_growth import GrowthPlan, growth_plan
from directbroker.app.firm_process import FirmProcess, FirmProcessError

PLAN_FILE = "simulate-firm.json"
STATE_FILE = "simulate-firm.state.json"
CONFIG_FILE = "simulate-firm.toml"
SYMBOLS = ("AAPL", "MSFT", "NVDA", "AMZN", "SPY", "QQQ", "JPM", "XOM")
DEFAULT_START = "2024-01-01"
DEFAULT_SPEED = 100_000.0
SPEED_PER_FLOW_EVENT = 800.0
"""The market simulation's rate is per wall second; it is set to ``speed`` over this, so every
simulated day gets the same flow (about 30 events: quotes enough for the customers' orders,
a broker journal of about 600 entries a day before theirs) whatever the clock's speed."""
NEW_YORK = ZoneInfo("America/New_York")


class PlanMismatch(ValueError):
    """The data directory holds another plan (or a firm that was not simulated)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What the firm was planned with (kept in ``simulate-firm.json``)."""

    start: str
    months: int
    accounts: int
    seed: int
    speed: float

    def plan(self) -> GrowthPlan:
        """The growth plan these settings make."""
        return growth_plan(date.fromisoformat(self.start), self.months, self.accounts, self.seed)


def clock_start(plan: GrowthPlan) -> str:
    """The firm's first instant: 20:00 in New York on the eve of the plan's first day."""
    eve = datetime.combine(plan.start - timedelta(days=1), day_time(20), NEW_YORK)
    return eve.isoformat()


def firm_toml(settings: Settings, plan: GrowthPlan) -> str:
    """The configuration the simulated firm runs with."""
    symbols = ", ".join(f'"{s}"' for s in SYMBOLS)
    return "\n".join([
        "# Written by directbroker simulate-firm: the firm it grows runs on this.",
        "[api]", "rate_per_second = 1000000.0", "burst = 1000000",
        "[market]", f"rate = {settings.speed / SPEED_PER_FLOW_EVENT}", f"symbols = [{symbols}]",
        "[clock]", 'mode = "sim"', f"speed = {settings.speed}", f'start = "{clock_start(plan)}"',
        "[rebalancing]", "drift_check_seconds = 3600.0", "",
    ])  # fmt: skip


def prepare(data_dir: Path, wanted: Settings, asked: set[str]) -> Settings:
    """The settings to run with: ``wanted`` on a new directory; on one grown before, its own
    settings (those ``asked`` for explicitly must agree). Writes the plan and the config."""
    plan_file = data_dir / PLAN_FILE
    if plan_file.exists():
        kept = Settings(**json.loads(plan_file.read_text(encoding="utf-8")))
        for name in sorted(asked):
            if getattr(kept, name) != getattr(wanted, name):
                raise PlanMismatch(
                    f"{data_dir} was planned with --{name} {getattr(kept, name)}, not "
                    f"{getattr(wanted, name)}: run again without it (or with that value) to "
                    "resume, or use a new data directory"
                )
        return kept
    if (data_dir / "journals").exists():
        raise PlanMismatch(f"{data_dir} holds a firm that simulate-firm did not create")
    wanted.plan()  # refuses impossible plans before anything is written
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / CONFIG_FILE).write_text(firm_toml(wanted, wanted.plan()), encoding="utf-8")
    plan_file.write_text(json.dumps(asdict(wanted), indent=1) + "\n", encoding="utf-8")
    return wanted


def count_fills(data_dir: Path, seen: dict[str, int]) -> int:
    """Executions the broker journal recorded since the last call (read-only)."""
    from directbroker.app.broker_journal import broker_entries
    from directbroker.domain.ledger_messages import ExecutionRecorded

    fills = 0
    for seq, (_, events, _) in broker_entries(data_dir, seen.get("seq", 0)):
        seen["seq"] = seq
        fills += sum(1 for e in events if isinstance(e, ExecutionRecorded))
    return fills


def run(data_dir: Path, settings: Settings, console: Console) -> int:
    """Grow (or go on growing) the firm in ``data_dir``; the exit status."""
    plan = settings.plan()
    state_file = data_dir / STATE_FILE
    if state_file.exists() and json.loads(state_file.read_text(encoding="utf-8"))["complete"]:
        console.print(f"{data_dir}: the firm's {settings.months} months are already simulated.")
        return 0
    console.print(
        f"Growing a firm to {settings.accounts} accounts over {settings.months} months from "
        f"{plan.start:%Y-%m} in {data_dir} (seed {settings.seed}, clock speed {settings.speed:g}).",
        soft_wrap=True,
    )
    started = time.monotonic()
    seen: dict[str, int] = {}
    last = [started]

    def report(month: int, tally: Tally, accounts: int) -> None:
        now = time.monotonic()
        fills = count_fills(data_dir, seen)
        label = plan.month_start(month).strftime("%Y-%m")
        console.print(
            f"{label}  accounts {accounts:>6}  opened {tally.opened:>5}  deposits "
            f"{tally.deposits:>5}  orders {tally.orders:>7}  refused {tally.refused:>5}  "
            f"fills {fills:>7}  days {tally.days:>2} (late {tally.late})  "
            f"busy {tally.busy_s:5.1f}s  wall {now - last[0]:6.1f}s",
            soft_wrap=True,
        )
        last[0] = now

    with FirmProcess(data_dir, data_dir / CONFIG_FILE).start() as firm:
        api = BrokerApi.for_data_dir(firm.url, data_dir)
        try:
            driver = FirmDriver(
                api, plan, SYMBOLS, state_file, report, firm.check, firm.hold, firm.release
            )
            driver.run()
        except httpx.TransportError as error:
            firm.check(wait_s=10.0)  # the firm stopped: say why, with its last lines
            raise FirmProcessError(f"the firm does not answer: {error}") from error
        finally:
            api.close()
        status = firm.stop()
    if status != 0:
        raise FirmProcessError(f"the firm stopped with status {status}:\n{firm.output}")
    console.print(
        f"Done in {time.monotonic() - started:.0f}s: the firm's journals are in {data_dir}."
    )
    return 0


def _command(args: argparse.Namespace) -> int:
    console, errors = Console(), Console(stderr=True)
    defaults = Settings(DEFAULT_START, 24, 100, 1, DEFAULT_SPEED)
    asked = {name for name in asdict(defaults) if getattr(args, name) is not None}
    wanted = replace(defaults, **{name: getattr(args, name) for name in asked})
    try:
        date.fromisoformat(wanted.start)
        if wanted.months < 1 or wanted.accounts < 1 or wanted.speed <= 0:
            raise ValueError("--months and --accounts must be at least 1, --speed positive")
        settings = prepare(Path(args.data_dir), wanted, asked)
    except ValueError as error:
        errors.print(f"[red]{error}[/red]")
        return 2
    try:
        return run(Path(args.data_dir), settings, console)
    except FirmProcessError as error:
        errors.print(f"[red]{error}[/red]")
        return 1
    except KeyboardInterrupt:
        errors.print("Stopped; run the same command again to resume.")
        return 130


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``directbroker simulate-firm``."""
    parser = subparsers.add_parser(
        "simulate-firm",
        help="grow a simulated firm month by month on a data directory (resumable)",
        description=(
            "Create a firm on a simulated clock and grow it through the Broker API: accounts "
            "open month by month, deposit and trade (active traders, investors, "
            "institutions). Run again on the same directory to resume."
        ),
    )
    parser.add_argument("--data-dir", required=True, help="the firm's data directory")
    parser.add_argument("--months", type=int, default=None, help="months to simulate (24)")
    parser.add_argument("--accounts", type=int, default=None, help="accounts at the end (100)")
    parser.add_argument("--start", default=None, help=f"first month, YYYY-MM-DD ({DEFAULT_START})")
    parser.add_argument("--seed", type=int, default=None, help="the customers' seed (1)")
    parser.add_argument(
        "--speed", type=float, default=None,
        help=f"simulated seconds per wall second ({DEFAULT_SPEED:g})",
    )  # fmt: skip
    parser.set_defaults(handler=_command)
