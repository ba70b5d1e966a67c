"""The mypyc-compiled fast engine behaves exactly like the pure reference engine (docs/adr/0009).

The modules listed in ``compiled_modules.py`` (the same list ``setup.py`` compiles) are compiled
into a temporary copy of the package. A subprocess that imports the package from there runs
seeded random command sequences (every command kind, garbage in any field now and then) through
the compiled ``VenueEngine`` and the pure ``ReferenceVenueEngine`` side by side: after every
command both must have emitted identical events and reached the same state hash. The matching
unit tests and the property test then run against the compiled build too.

Without a C compiler (or Python headers, or mypyc) the tests skip with the reason, unless
``DIRECTBROKER_REQUIRE_SERVICES=1`` (CI), where they fail.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

from directbroker.domain.instruments import Instrument
from directbroker.domain.messages import Command
from directbroker.domain.orders import AuctionKind, OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.venue_config import FeeSchedule, VenueConfig
from directbroker.domain.venue_messages import (
    CancelOrder,
    HaltTrading,
    ReplaceOrder,
    ResumeTrading,
    RunAuction,
    SubmitOrder,
)
from directbroker.engines.matching.compiled_modules import COMPILED_MODULES, GROUP_NAME

REPO = Path(__file__).resolve().parents[2]
SEQUENCES = 1000
BUILD_SCRIPT = """
import sys
from mypyc.build import mypycify
from setuptools import setup

config, group, *paths = sys.argv[1:]
setup(
    name="directbroker-compiled-test",
    ext_modules=mypycify(["--config-file", config, *paths], group_name=group),
    script_args=["build_ext", "--inplace", "--build-temp", "../build-temp"],
)
"""


def _missing_toolchain() -> str | None:
    """Why the compiled engine cannot be built here, or None when it can."""
    for module in ("mypyc", "setuptools"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (it comes with the dev extra)"
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler!r} is not on PATH)"
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not headers.exists():
        return f"no Python headers ({headers} is missing)"
    return None


@pytest.fixture(scope="module")
def compiled_src(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of ``src`` with the listed modules compiled beside their ``.py`` files."""
    reason = _missing_toolchain()
    if reason is not None:
        if os.environ.get("DIRECTBROKER_REQUIRE_SERVICES") == "1":
            pytest.fail(f"cannot build the compiled engine: {reason} (REQUIRE_SERVICES=1)")
        pytest.skip(f"cannot build the compiled engine: {reason}")
    root = tmp_path_factory.mktemp("compiled")
    src = root / "src"
    shutil.copytree(
        REPO / "src" / "directbroker",
        src / "directbroker",
        ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd"),
    )
    paths = [f"{name.replace('.', '/')}.py" for name in COMPILED_MODULES]
    build = subprocess.run(
        [sys.executable, "-c", BUILD_SCRIPT, str(REPO / "pyproject.toml"), GROUP_NAME, *paths],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert build.returncode == 0, f"mypyc build failed:\n{build.stdout[-4000:]}{build.stderr}"
    yield src


def _run_with(src: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run Python with the package imported from ``src`` (and this repo's tests importable)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(REPO)])}
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_compiled_engine_matches_the_reference_engine(compiled_src: Path) -> None:
    code = (
        "from tests.integration.test_compiled_matching import differential_run\n"
        f"differential_run(range({SEQUENCES}))\n"
    )
    result = _run_with(compiled_src, "-c", code)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-8000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["compiled"] == sorted(COMPILED_MODULES)
    assert summary["commands"] > SEQUENCES * 20
    assert summary["trades"] > 0 and summary["rejects"] > 0


def test_matching_tests_pass_on_the_compiled_engine(compiled_src: Path) -> None:
    """The unit tests (both engines) and the fast-versus-reference property test, compiled."""
    suites = ["tests/unit/matching", "tests/property/test_matching_properties.py"]
    result = _run_with(compiled_src, "-m", "pytest", "-q", "-p", "no:cacheprovider", *suites)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout


# --- what the subprocess runs -----------------------------------------------------------------

CONFIG = VenueConfig(
    "COMP",
    "XCMP",
    fees=FeeSchedule(maker=-2_000, taker=3_000, auction=1_000),
    instruments=(Instrument("XYZ"), Instrument("ABC")),
)
PRICES = [9_997, 9_998, 9_999, 10_000, 10_100, 10_200, 10_300]
"""Around $1.00, where the tick changes and midpoints can fall between $0.0001 units."""
GARBAGE: list[object] = [None, 0, -1, True, 1.5, "x", "", 10**12, 10_050, [1], ("t",), object()]
TIFS = {
    OrderType.LIMIT: [TimeInForce.DAY] * 4 + [TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK],
    OrderType.MARKET: [TimeInForce.DAY, TimeInForce.IOC, TimeInForce.FOK],
    OrderType.PEG_MIDPOINT: [TimeInForce.DAY, TimeInForce.DAY, TimeInForce.IOC],
    OrderType.MARKET_ON_OPEN: [TimeInForce.OPG],
    OrderType.LIMIT_ON_OPEN: [TimeInForce.OPG, TimeInForce.DAY],
    OrderType.MARKET_ON_CLOSE: [TimeInForce.CLS],
    OrderType.LIMIT_ON_CLOSE: [TimeInForce.CLS, TimeInForce.DAY],
}
ORDER_TYPES = [OrderType.LIMIT] * 8 + [OrderType.MARKET, OrderType.PEG_MIDPOINT] * 2
ORDER_TYPES += [OrderType.MARKET_ON_OPEN, OrderType.LIMIT_ON_OPEN]
ORDER_TYPES += [OrderType.MARKET_ON_CLOSE, OrderType.LIMIT_ON_CLOSE]


class _Unknown(Command):
    """A command no venue handles (it must be rejected as malformed, not crash)."""

    __slots__ = ()


def _garble(rng: random.Random, values: dict[str, object]) -> dict[str, object]:
    """Now and then, one field replaced by a value of the wrong type or out of range."""
    if rng.random() < 0.1:
        values[rng.choice(list(values))] = rng.choice(GARBAGE)
    return values


def _submit(rng: random.Random, order_id: str) -> SubmitOrder:
    order_type = rng.choice(ORDER_TYPES)
    tif = rng.choice(TIFS[order_type])
    price: int | None = rng.choice(PRICES)
    display: int | None = None
    hidden = False
    post_only = PostOnly.NO
    if order_type in (OrderType.MARKET, OrderType.MARKET_ON_OPEN, OrderType.MARKET_ON_CLOSE):
        price = None
    elif order_type is OrderType.PEG_MIDPOINT:
        price = rng.choice([None, None, price])
        hidden = rng.random() < 0.2
    elif order_type is OrderType.LIMIT and tif not in (TimeInForce.IOC, TimeInForce.FOK):
        display = rng.choice([None] * 4 + [1, 5, 20])
        hidden = display is None and rng.random() < 0.2
        post_only = rng.choice([PostOnly.NO] * 5 + [PostOnly.REJECT, PostOnly.REPRICE])
    quantity = rng.randint(1, 60)
    if display is not None and display >= quantity:
        display = None
    values: dict[str, object] = {
        "order_id": order_id,
        "participant": rng.choice(["p1", "p2", "p1"]),
        "symbol": rng.choice(["XYZ"] * 6 + ["ABC", "NOPE"]),
        "side": rng.choice([Side.BUY, Side.BUY, Side.SELL, Side.SELL_SHORT]),
        "order_type": order_type,
        "quantity": quantity,
        "price": price,
        "time_in_force": tif,
        "display_quantity": display,
        "hidden": hidden,
        "post_only": post_only,
    }
    return SubmitOrder(**_garble(rng, values))  # type: ignore[arg-type]


def random_commands(seed: int) -> list[Command]:
    """One seeded sequence: mostly orders, cancels and replaces of recent orders, some venue
    control, and garbage in any field of any command now and then."""
    rng = random.Random(seed)
    out: list[Command] = []
    for index in range(rng.randint(20, 90)):
        kind = rng.choice(["submit"] * 8 + ["cancel"] * 2 + ["replace"] * 4 + ["other"])
        target = f"o{rng.randint(max(index - 12, 0), max(index - 1, 0))}"
        who = rng.choice(["p1", "p2", "p1", "p2"])
        symbol = rng.choice(["XYZ", "XYZ", "ABC"])
        if kind == "submit":
            out.append(_submit(rng, f"o{index}"))
        elif kind == "cancel":
            out.append(CancelOrder(**_garble(rng, {"order_id": target, "participant": who})))  # type: ignore[arg-type]
        elif kind == "replace":
            values: dict[str, object] = {
                "order_id": target,
                "participant": who,
                "quantity": rng.randint(0, 70),
                "price": rng.choice([None, None, *PRICES, 10_050]),
            }
            out.append(ReplaceOrder(**_garble(rng, values)))  # type: ignore[arg-type]
        else:
            reference = rng.choice(PRICES)
            kind_of_cross = rng.choice([AuctionKind.OPEN, AuctionKind.CLOSE, AuctionKind.CLOSE])
            control: list[Command] = [
                HaltTrading(**_garble(rng, {"symbol": symbol, "reason": "test"})),  # type: ignore[arg-type]
                ResumeTrading(**_garble(rng, {"symbol": symbol})),  # type: ignore[arg-type]
                ResumeTrading(symbol),
                RunAuction(
                    **_garble(  # type: ignore[arg-type]
                        rng, {"symbol": symbol, "kind": kind_of_cross, "reference_price": reference}
                    )
                ),
                RunAuction(symbol, AuctionKind.CLOSE, reference),
                _Unknown(),
            ]
            out.append(rng.choice(control))
    return out


def differential_run(seeds: range) -> None:
    """Run each seed's sequence through both engines; print a JSON summary on success."""
    from directbroker.engines.matching import ReferenceVenueEngine, VenueEngine, fastevents
    from directbroker.engines.matching.views import OrderView

    compiled = sorted(
        name
        for name in COMPILED_MODULES
        if (getattr(sys.modules.get(name), "__file__", None) or "").endswith(".so")
    )
    assert fastevents.COMPILED, "the fast engine was imported uncompiled"
    assert compiled == sorted(COMPILED_MODULES), f"only {compiled} are compiled"
    commands = trades = rejects = 0
    for seed in seeds:
        fast, reference = VenueEngine(CONFIG), ReferenceVenueEngine(CONFIG)
        cmds = random_commands(seed)
        for step, cmd in enumerate(cmds):
            ts = 1_000 + step
            fast_events = fast.handle(cmd, ts)
            reference_events = reference.handle(cmd, ts)
            where = f"seed {seed} step {step}: {cmd!r}"
            assert fast_events == reference_events, f"{where}\n{fast_events}\n{reference_events}"
            assert fast.state_hash() == reference.state_hash(), where
            trades += sum(type(e).__name__ == "TradeReported" for e in fast_events)
            rejects += sum(type(e).__name__ == "OrderRejected" for e in fast_events)
            if step == len(cmds) // 2:
                # Snapshots are shared: each engine takes up the other's state and goes on.
                restored = VenueEngine(CONFIG)
                restored.restore(reference.snapshot())
                assert restored.state_hash() == fast.state_hash(), where
                fast = restored
        for symbol in ("XYZ", "ABC"):
            assert fast.depth(symbol, 10) == reference.depth(symbol, 10), f"seed {seed}"
            assert fast.best_bid_offer(symbol) == reference.best_bid_offer(symbol)
        for index in range(len(cmds)):
            view: OrderView | None = fast.order(f"o{index}")
            assert view == reference.order(f"o{index}"), f"seed {seed} o{index}"
        commands += len(cmds)
    summary = {"compiled": compiled, "commands": commands, "trades": trades, "rejects": rejects}
    print(json.dumps(summary))
