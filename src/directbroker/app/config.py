"""The firm's configuration file (TOML): every setting, its default, and strict loading.

``directbroker serve --config FILE`` reads it; ``directbroker serve --print-config`` prints
every setting with its default, which is also the documentation (docs/configuration.md says
the same in prose). An unknown section or key, or a value of the wrong type, stops the start
with a message naming it: a typo never silently falls back to a default.

Settings that are firm policy (eligibility, risk limits) are handed to the cores as journaled
commands when they differ from what the cores hold, so the journal says when policy changed
and replay never depends on today's file.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from directbroker.app.config_fix import FixConfigError, FixSection, check_fix
from directbroker.app.config_storage import StorageConfigError, StorageSection, check_storage


class ConfigError(ValueError):
    """The configuration file is not valid; the message names the setting."""


@dataclass(frozen=True, slots=True)
class FirmSection:
    """Who the firm is (shown on statements, confirmations and the API)."""

    name: str = "DirectBroker Securities LLC"
    participant: str = "DBRK"
    """The firm's id (MPID) on its child orders at the venues."""
    address: str = "1 Liberty Plaza, New York, NY 10006"
    phone: str = "+1 212 555 0100"
    email: str = "support@directbroker.example"
    easy_to_borrow: tuple[str, ...] = (
        "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "AMD", "INTC", "QQQ", "SPY",
        "IWM", "JPM", "BAC", "XOM", "KO", "WMT", "F", "T",
    )  # fmt: skip
    """Symbols customers may sell short without a locate, put on the firm's easy-to-borrow
    list when the firm is created (staff change it later through /v1/firm/easy-to-borrow)."""


@dataclass(frozen=True, slots=True)
class ApiSection:
    """The client and Broker API's HTTP server."""

    host: str = "127.0.0.1"
    port: int = 8470
    """0 picks a free port; a taken port falls back to a free one and says so."""
    rate_per_second: float = 50.0
    """Requests a key may make per second, sustained."""
    burst: int = 200
    """Requests a key may make at once."""
    queue_capacity: int = 2_000
    """Commands that may wait for the platform at once; beyond it clients get 503."""
    admission_deadline_seconds: float = 1.5
    """Longest a command waits for the platform to take it; not taken by then, it is dropped
    unexecuted and answered 503 with Retry-After (and refused at once when the work already
    waiting would take longer)."""
    answer_timeout_seconds: float = 10.0
    """Longest a command the platform has taken waits for its durable outcome before 503
    (only a platform that stopped making progress takes that long)."""
    max_requests_in_flight: int = 256
    """Requests the server handles at once; beyond it a request is answered 503 with
    Retry-After at once, unhandled."""
    max_commands_in_flight: int = 128
    """Of those, orders and other changes (the rest is kept for reads such as /v2/clock)."""
    max_request_wait_seconds: float = 0.5
    """Longest a request may wait in the server, from its arrival to the start of its
    handling, when the server is behind; later, it is answered 503 with Retry-After,
    unhandled."""


@dataclass(frozen=True, slots=True)
class MarketSection:
    """The simulated venues and their order flow."""

    simulate: bool = True
    """Whether simulated participants trade on the venues (off: only clients trade)."""
    seed: int = 7
    rate: float = 400.0
    """Simulated order-flow events per wall-clock second."""
    max_lag_seconds: float = 0.2
    """When the simulation falls this far behind the clock it skips ahead (sheds flow).
    Short, so that what a screen shows is never much older than the clock says: on a busy
    machine the market thins out instead of printing its trades late."""
    symbols: tuple[str, ...] = ()
    """Symbols listed (empty: the whole built-in universe)."""


@dataclass(frozen=True, slots=True)
class VenueLinkSection:
    """How the firm reaches one venue (``[[venues.links]]``; a venue not listed is in
    process)."""

    venue: str = ""
    """The venue's name (one of the built-in venues, e.g. ARCA)."""
    link: str = "in_process"
    """``in_process``: the venue runs inside the firm; ``fix``: it is a separate process
    (``directbroker venue``) reached over FIX 4.2."""
    host: str = "127.0.0.1"
    """Where the venue's FIX acceptor (and feed) listen (``fix`` only)."""
    port: int = 0
    """The venue's FIX port (``fix`` only)."""
    feed_port: int = 0
    """The venue's public feed port, for market data (0: the venue contributes no depth)."""
    sender_comp_id: str = ""
    """Our CompID on the session (empty: the firm's participant id)."""
    target_comp_id: str = ""
    """The venue's CompID (empty: the venue's name)."""
    heartbeat_seconds: int = 30


@dataclass(frozen=True, slots=True)
class VenuesSection:
    """How the firm reaches its venues."""

    links: tuple[VenueLinkSection, ...] = ()
    """One ``[[venues.links]]`` table per venue that is not in process (see docs)."""

    def remote(self) -> tuple[VenueLinkSection, ...]:
        """The links to venues in other processes."""
        return tuple(link for link in self.links if link.link == "fix")


@dataclass(frozen=True, slots=True)
class ClockSection:
    """Which clock the market runs on."""

    mode: str = "real"
    """``real``: the wall clock; ``sim``: a simulated clock ``speed`` times faster that skips
    nights, weekends and holidays."""
    speed: float = 60.0
    """Simulated seconds per wall-clock second (``sim`` only)."""
    start: str = ""
    """Where a new firm's simulated clock starts (``sim`` only): an ISO 8601 time with its UTC
    offset, e.g. ``2026-03-02T09:25:00-05:00``; empty: now. A resumed firm goes on from its
    journals."""

    def start_ns(self, now_ns: int) -> int:
        """The simulated clock's first instant (``now_ns`` unless ``start`` says otherwise)."""
        if not self.start:
            return now_ns
        return int(datetime.fromisoformat(self.start).timestamp()) * 1_000_000_000


@dataclass(frozen=True, slots=True)
class OnboardingSection:
    """Who may open an account (handed to the broker core as its journaled eligibility policy)."""

    auto_approve: bool = True
    """Approve eligible applications at once (off: staff approve each)."""
    countries: tuple[str, ...] = ("USA",)
    """Countries of residence and tax residence accepted (ISO 3166-1 alpha-3; empty: all)."""
    blocked_countries: tuple[str, ...] = ()
    """Countries refused besides the sanctioned ones (CUB, IRN, PRK, SYR: always refused)."""
    states: tuple[str, ...] = ()
    """US states accepted (USPS codes; empty: all)."""
    blocked_states: tuple[str, ...] = ()
    """US states refused."""
    minimum_age: int = 18
    """Youngest applicant accepted, in whole years on the day of the application."""


@dataclass(frozen=True, slots=True)
class RebalancingSection:
    """When the platform executes rebalancing runs and checks drift bands."""

    review_seconds: float = 1.0
    """How long a computed run waits (QUEUED, its orders shown) before it is executed."""
    retry_seconds: float = 5.0
    """How often a run the broker could not execute yet (market closed) is tried again."""
    drift_check_seconds: float = 60.0
    """How often subscriptions are checked against their portfolios' drift bands."""


@dataclass(frozen=True, slots=True)
class BackOfficeSection:
    """The back office: the clearing hand-off, books and records, the customer documents."""

    enabled: bool = True
    """Run the end-of-day and end-of-month jobs in ``serve`` (trade file, the clearing firm's
    files, reconciliation, confirmations, statements)."""
    clearing_firm: str = "Liberty Street Clearing Corp. (simulated)"
    """The clearing firm that carries the customers' accounts, named on every document."""
    clearing_number: str = "0158"
    """The firm's number at the clearing firm (the trade file's header carries it)."""
    drop_copy: bool = True
    """The simulated clearing firm takes a real-time FIX drop copy of every execution."""
    retention_years: int = 6
    """How long generated books and records are kept (17a-4: six years for the longest)."""


@dataclass(frozen=True, slots=True)
class FirmConfig:
    """The whole configuration file."""

    firm: FirmSection = field(default_factory=FirmSection)
    api: ApiSection = field(default_factory=ApiSection)
    market: MarketSection = field(default_factory=MarketSection)
    clock: ClockSection = field(default_factory=ClockSection)
    onboarding: OnboardingSection = field(default_factory=OnboardingSection)
    venues: VenuesSection = field(default_factory=VenuesSection)
    fix: FixSection = field(default_factory=FixSection)
    rebalancing: RebalancingSection = field(default_factory=RebalancingSection)
    backoffice: BackOfficeSection = field(default_factory=BackOfficeSection)
    storage: StorageSection = field(default_factory=StorageSection)

    def check(self) -> FirmConfig:
        """Refuse values that parse but make no sense."""
        if self.clock.mode not in ("real", "sim"):
            raise ConfigError(f"clock.mode must be 'real' or 'sim', not {self.clock.mode!r}")
        _check_start(self.clock)
        positive = {
            "clock.speed": self.clock.speed,
            "market.rate": self.market.rate,
            "market.max_lag_seconds": self.market.max_lag_seconds,
            "api.rate_per_second": self.api.rate_per_second,
            "api.burst": self.api.burst,
            "api.queue_capacity": self.api.queue_capacity,
            "api.admission_deadline_seconds": self.api.admission_deadline_seconds,
            "api.answer_timeout_seconds": self.api.answer_timeout_seconds,
            "api.max_requests_in_flight": self.api.max_requests_in_flight,
            "api.max_commands_in_flight": self.api.max_commands_in_flight,
            "api.max_request_wait_seconds": self.api.max_request_wait_seconds,
            "rebalancing.retry_seconds": self.rebalancing.retry_seconds,
            "rebalancing.drift_check_seconds": self.rebalancing.drift_check_seconds,
            "backoffice.retention_years": self.backoffice.retention_years,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ConfigError(f"{name} must be positive, not {value}")
        onboarding = self.onboarding
        codes = {
            "onboarding.countries": (onboarding.countries, 3),
            "onboarding.blocked_countries": (onboarding.blocked_countries, 3),
            "onboarding.states": (onboarding.states, 2),
            "onboarding.blocked_states": (onboarding.blocked_states, 2),
        }
        for name, (values, size) in codes.items():
            for code in values:
                if len(code) != size or not code.isalpha() or not code.isupper():
                    raise ConfigError(f"{name}: {code!r} is not a {size}-letter upper-case code")
        if not 0 <= onboarding.minimum_age <= 150:
            raise ConfigError(
                f"onboarding.minimum_age must be 0..150, not {onboarding.minimum_age}"
            )
        if self.rebalancing.review_seconds < 0:
            raise ConfigError("rebalancing.review_seconds cannot be negative")
        if self.api.max_commands_in_flight > self.api.max_requests_in_flight:
            raise ConfigError("api.max_commands_in_flight cannot exceed api.max_requests_in_flight")
        if not 0 <= self.api.port <= 65_535:
            raise ConfigError(f"api.port must be 0..65535, not {self.api.port}")
        _check_venue_links(self.venues)
        try:
            check_fix(self.fix)
        except FixConfigError as exc:
            raise ConfigError(str(exc)) from None
        try:
            check_storage(self.storage)
        except StorageConfigError as exc:
            raise ConfigError(str(exc)) from None
        return self


def load_config(path: Path | None) -> FirmConfig:
    """The configuration in ``path`` over the defaults (the defaults alone without a path)."""
    if path is None:
        return FirmConfig().check()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    config = _build(FirmConfig, data, "")
    assert isinstance(config, FirmConfig)
    return config.check()


def _build(cls: type[Any], data: object, where: str) -> object:
    if not isinstance(data, dict):
        raise ConfigError(f"{where or 'the file'} must be a table")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        place = f"[{where}]" if where else "the top level"
        raise ConfigError(f"unknown setting {unknown[0]!r} in {place}")
    values = {}
    for name, raw in data.items():
        key = f"{where}.{name}" if where else name
        values[name] = _value(hints[name], raw, key)
    return cls(**values)


def _value(kind: Any, raw: object, key: str) -> object:
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return _build(kind, raw, key)
    origin = typing.get_origin(kind)
    if origin is tuple:
        (item,) = typing.get_args(kind)[:1]
        if not isinstance(raw, list):
            raise ConfigError(f"{key} must be a list")
        return tuple(_value(item, element, f"{key}[{i}]") for i, element in enumerate(raw))
    if origin in (typing.Union, types.UnionType):
        raise ConfigError(f"{key}: unsupported setting type")
    if kind is float and type(raw) in (int, float):
        return float(raw)  # type: ignore[arg-type]
    if type(raw) is not kind:
        raise ConfigError(f"{key} must be {_kind_name(kind)}, not {raw!r}")
    return raw


def _kind_name(kind: Any) -> str:
    return {bool: "true or false", int: "a whole number", float: "a number", str: "text"}.get(
        kind, str(kind)
    )


def defaults_toml() -> str:
    """Every setting with its default, as a TOML file with the docstrings as comments."""
    lines = ["# DirectBroker configuration: every setting, with its default.", ""]
    config = FirmConfig()
    for section in dataclasses.fields(FirmConfig):
        value = getattr(config, section.name)
        doc = (type(value).__doc__ or "").strip()
        lines.append(f"# {doc}")
        lines.append(f"[{section.name}]")
        notes = _field_notes(type(value))
        tables = []
        for item in dataclasses.fields(value):
            note = notes.get(item.name)
            if note:
                lines.extend(f"# {line}" for line in note.splitlines())
            kind = _table_array_item(type(value), item.name)
            if kind is None:
                lines.append(f"{item.name} = {_toml(getattr(value, item.name))}")
            else:
                lines.append(f"# {item.name}: none by default; each is a table like this:")
                tables.append((f"{section.name}.{item.name}", kind))
        for name, kind in tables:
            lines.append("")
            lines.extend(_example_table(name, kind, array=True))
        lines.append("")
    return "\n".join(lines)


def _table_array_item(cls: type[Any], name: str) -> type[Any] | None:
    """The dataclass of a field that is a tuple of dataclasses (an array of tables), if so."""
    kind = typing.get_type_hints(cls)[name]
    if typing.get_origin(kind) is tuple:
        item = typing.get_args(kind)[0]
        if dataclasses.is_dataclass(item) and isinstance(item, type):
            return item
    return None


def _example_table(name: str, cls: type[Any], *, array: bool) -> list[str]:
    """A table of defaults, commented out (an example the reader copies and fills in)."""
    lines = [f"# [[{name}]]" if array else f"# [{name}]"]
    notes = _field_notes(cls)
    nested = []
    default = cls()
    for item in dataclasses.fields(cls):
        value = getattr(default, item.name)
        if dataclasses.is_dataclass(value):
            nested.append((f"{name}.{item.name}", type(value)))
            continue
        note = notes.get(item.name)
        if note:
            lines.extend(f"#   # {line}" for line in note.splitlines())
        lines.append(f"#   {item.name} = {_toml(value)}")
    for nested_name, kind in nested:
        lines.extend(_example_table(nested_name, kind, array=False))
    return lines


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return repr(value)


def _field_notes(cls: type[Any]) -> dict[str, str]:
    """The attribute docstrings of a settings class (the string after each field)."""
    import ast
    import inspect
    import itertools
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    notes: dict[str, str] = {}
    body = tree.body[0].body  # type: ignore[attr-defined]
    for current, following in itertools.pairwise(body):
        if (
            isinstance(current, ast.AnnAssign)
            and isinstance(current.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            notes[current.target.id] = " ".join(following.value.value.split())
    return notes


def _check_venue_links(venues: VenuesSection) -> None:
    from directbroker.sim.universe import VENUE_FEES

    seen: set[str] = set()
    for link in venues.links:
        where = f"venues.links[{link.venue or '?'}]"
        if link.venue not in VENUE_FEES:
            known = ", ".join(VENUE_FEES)
            raise ConfigError(f"{where}: venue must be one of {known}, not {link.venue!r}")
        if link.venue in seen:
            raise ConfigError(f"{where}: the venue is listed twice")
        seen.add(link.venue)
        if link.link not in ("in_process", "fix"):
            raise ConfigError(f"{where}: link must be 'in_process' or 'fix', not {link.link!r}")
        if link.link == "fix":
            if not 0 < link.port <= 65_535:
                raise ConfigError(f"{where}: a FIX link needs port 1..65535, not {link.port}")
            if not 0 <= link.feed_port <= 65_535:
                raise ConfigError(f"{where}: feed_port must be 0..65535, not {link.feed_port}")
            if not link.host:
                raise ConfigError(f"{where}: a FIX link needs a host")
            if link.heartbeat_seconds <= 0:
                raise ConfigError(f"{where}: heartbeat_seconds must be positive")


def _check_start(clock: ClockSection) -> None:
    if not clock.start:
        return
    if clock.mode != "sim":
        raise ConfigError("clock.start needs clock.mode = 'sim' (the wall clock starts now)")
    try:
        start = datetime.fromisoformat(clock.start)
    except ValueError:
        raise ConfigError(f"clock.start is not an ISO 8601 time: {clock.start!r}") from None
    if start.tzinfo is None:
        raise ConfigError(f"clock.start needs its UTC offset, e.g. -05:00: {clock.start!r}")
