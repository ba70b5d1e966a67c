"""The configuration file: defaults round-trip, strict loading, and the documented defaults
are the real ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from directbroker.app.config import ConfigError, FirmConfig, defaults_toml, load_config

DOCS = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"


def _load(tmp_path: Path, text: str) -> FirmConfig:
    path = tmp_path / "firm.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_the_printed_defaults_load_back_to_the_defaults(tmp_path: Path) -> None:
    assert _load(tmp_path, defaults_toml()) == FirmConfig()
    assert load_config(None) == FirmConfig()


def test_a_file_changes_only_what_it_names(tmp_path: Path) -> None:
    config = _load(tmp_path, '[api]\nport = 9000\nrate_per_second = 5\n[clock]\nmode = "sim"\n')
    assert config.api.port == 9000
    assert config.api.rate_per_second == 5.0
    assert config.clock.mode == "sim"
    assert config.market == FirmConfig().market


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[api]\nprot = 1\n", "'prot'"),
        ("[apis]\nport = 1\n", "'apis'"),
        ('[api]\nport = "80"\n', "api.port"),
        ("[market]\nsimulate = 1\n", "market.simulate"),
        ('[onboarding]\ncountries = "USA"\n', "onboarding.countries"),
        ('[onboarding]\ncountries = ["usa"]\n', "onboarding.countries"),
        ("[onboarding]\nminimum_age = -1\n", "onboarding.minimum_age"),
        ('[clock]\nmode = "fast"\n', "clock.mode"),
        ("[api]\nqueue_capacity = 0\n", "api.queue_capacity"),
        ("[api]\nport = 70000\n", "api.port"),
        ("[api]\nmax_requests_in_flight = 0\n", "api.max_requests_in_flight"),
        ("[api]\nmax_request_wait_seconds = 0\n", "api.max_request_wait_seconds"),
        ("[api]\nmax_commands_in_flight = 300\n", "api.max_commands_in_flight"),
        ("[api\nport = 1\n", "not valid TOML"),
    ],
)
def test_a_bad_setting_is_refused_by_name(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace("[", r"\[")):
        _load(tmp_path, text)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "nowhere.toml")


def test_the_documentation_shows_the_real_defaults() -> None:
    assert defaults_toml().strip() in DOCS.read_text(encoding="utf-8")


def test_a_simulated_start_needs_the_sim_clock_and_an_offset(tmp_path: Path) -> None:
    start = "2026-11-30T09:29:00-05:00"
    config = _load(tmp_path, f'[clock]\nmode = "sim"\nstart = "{start}"\n')
    assert config.clock.start_ns(123) == 1_796_048_940 * 1_000_000_000
    assert FirmConfig().clock.start_ns(123) == 123
    for body in (
        f'[clock]\nstart = "{start}"\n',  # the wall clock starts now
        '[clock]\nmode = "sim"\nstart = "2026-11-30T09:29:00"\n',  # no offset
        '[clock]\nmode = "sim"\nstart = "next monday"\n',
    ):
        with pytest.raises(ConfigError):
            _load(tmp_path, body)


def test_a_venue_can_be_reached_over_fix_and_bad_links_are_refused(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        '[[venues.links]]\nvenue = "ARCA"\nlink = "fix"\nport = 9101\nfeed_port = 9102\n'
        '[[venues.links]]\nvenue = "BATS"\n',
    )
    (arca,) = config.venues.remote()
    assert (arca.venue, arca.host, arca.port, arca.feed_port) == ("ARCA", "127.0.0.1", 9101, 9102)
    assert [link.link for link in config.venues.links] == ["fix", "in_process"]
    for body in (
        '[[venues.links]]\nvenue = "NOPE"\n',
        '[[venues.links]]\nvenue = "ARCA"\nlink = "fix"\n',  # no port
        '[[venues.links]]\nvenue = "ARCA"\nlink = "carrier-pigeon"\n',
        '[[venues.links]]\nvenue = "ARCA"\n[[venues.links]]\nvenue = "ARCA"\n',
        '[[venues.links]]\nvenue = "ARCA"\nport = "9101"\n',
    ):
        with pytest.raises(ConfigError):
            _load(tmp_path, body)


_FIX_EXAMPLE = """
[fix]
enabled = true
port = 9878
store = "postgresql://fix@db/firm"

[[fix.sessions]]
sender_comp_id = "DBRK"
target_comp_id = "ALPHACAP"
accounts = ["ALPHA-01"]

[fix.sessions.schedule]
start = "07:30"
end = "18:00"
timezone = "America/New_York"
days = ["mon", "fri"]

[[fix.sessions]]
sender_comp_id = "DBRK"
target_comp_id = "VENUE"
version = "4.2"
role = "initiator"
host = "127.0.0.1"
port = 9001
kind = "drop_copy"
"""


def test_fix_sessions_are_an_array_of_tables_and_become_transport_settings(
    tmp_path: Path,
) -> None:
    from directbroker.adapters.fix import SessionID
    from directbroker.app.config_fix import session_settings

    config = _load(tmp_path, _FIX_EXAMPLE)
    assert config.fix.enabled
    first, second = config.fix.sessions
    assert first.schedule.days == ("mon", "fri")
    assert second.schedule.start == ""  # no schedule: non-stop
    settings = session_settings(config.fix)
    assert settings[0].session_id == SessionID("FIX.4.4", "DBRK", "ALPHACAP")
    assert settings[0].accounts == ("ALPHA-01",)
    assert settings[0].schedule.zone == "America/New_York"
    assert settings[1].session_id == SessionID("FIX.4.2", "DBRK", "VENUE")
    venue = settings[1]
    assert (venue.role, venue.port, venue.kind) == ("initiator", 9001, "drop_copy")
    assert config.fix.limits().max_message_bytes == 1_048_576


def test_the_documented_fix_example_loads(tmp_path: Path) -> None:
    text = DOCS.read_text(encoding="utf-8")
    example = text.split("## FIX sessions", 1)[1].split("```toml", 1)[1].split("```", 1)[0]
    config = _load(tmp_path, example)
    assert [s.target_comp_id for s in config.fix.sessions] == ["ALPHACAP", "ALPHACAP-DC"]
    assert config.fix.sessions[0].groups == ("alpha-desk",)


_SESSION = '[[fix.sessions]]\nsender_comp_id = "DBRK"\ntarget_comp_id = "A"\n'


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[fix]\nstore = "mysql://x"\n', "fix.store"),
        ("[fix]\nport = -1\n", "fix.port"),
        ("[fix]\nmax_message_bytes = 0\n", "max_message_bytes"),
        ('[[fix.sessions]]\nsender_comp_id = "DBRK"\n', r"fix.sessions\[0\] needs"),
        (_SESSION + 'version = "5.0"\n', r"fix.sessions\[0\].version"),
        (_SESSION + 'role = "both"\n', "role"),
        (_SESSION + 'role = "initiator"\n', "needs a host and a port"),
        (_SESSION + 'kind = "quotes"\n', "kind"),
        (_SESSION + "heartbeat = 0\n", "heartbeat"),
        (_SESSION + 'kind = "drop_copy"\ngroups = ["G"]\n', "only an order entry session"),
        (_SESSION + 'accounts = ["G"]\ngroups = ["G"]\n', "both an account and a group"),
        (_SESSION + _SESSION, r"fix.sessions\[1\] repeats"),
        (_SESSION + 'colour = "red"\n', "'colour'"),
        (_SESSION + '[fix.sessions.schedule]\nstart = "08:00"\n', "both a start and an end"),
        (_SESSION + '[fix.sessions.schedule]\ntimezone = "Nowhere/At_All"\n', "time zone"),
        (_SESSION + '[fix.sessions.schedule]\ndays = ["someday"]\n', "unknown day"),
        ("[fix]\nsessions = [1]\n", r"fix.sessions\[0\] must be a table"),
    ],
)
def test_a_bad_fix_setting_is_refused_by_name(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        _load(tmp_path, text)
