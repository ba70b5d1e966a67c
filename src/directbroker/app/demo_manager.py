"""The demo's portfolio manager: an account group over the demo customers and a manager key.

On the first start on a data directory the demo journals, before the platform runs, the
group ``DEMO-GROUP`` (the demo's accounts, in the order that breaks allocation ties) and a
``portfolio_manager`` key managing it, exactly as staff would with ``directbroker admin
groups`` and ``admin managers``; the key's secret is kept in ``demo-manager`` (0600) so later
starts print the same one-click link. A group already journaled (a crash before the file was
written) is reused; only a new key is issued.
"""

from __future__ import annotations

from collections.abc import Sequence

from directbroker.adapters.http.ports import Role
from directbroker.app.api import ApiKey, PlatformApi, key_command
from directbroker.app.firm import BOOTSTRAP_ACTOR, DataDir, write_secret_file
from directbroker.app.platform import DemoAccount
from directbroker.domain.portfolio_messages import AccountGroupCreated, CreateAccountGroup

DEMO_GROUP = "DEMO-GROUP"
DEMO_GROUP_NAME = "Demo model accounts"
DEMO_MANAGER = "demo-pm"
MANAGER_FILE = "demo-manager"
"""``USER KEY_ID SECRET`` of the demo's manager key, under the data directory."""


def ensure_demo_manager(data: DataDir, api: PlatformApi, accounts: Sequence[DemoAccount]) -> ApiKey:
    """The demo manager's key, its group made and the key issued on first use."""
    path = data.root / MANAGER_FILE
    if path.exists():
        parts = path.read_text(encoding="utf-8").split()
        if len(parts) == 3:
            return ApiKey(parts[0], parts[1], parts[2], ())
    members = tuple(demo.account for demo in accounts)
    if api.platform.broker.blocks.groups.group(DEMO_GROUP) is None:
        command = CreateAccountGroup(DEMO_GROUP, members, DEMO_GROUP_NAME, BOOTSTRAP_ACTOR)
        (events,) = api.platform.apply_before_start([command])
        api.feed.drain_now()
        if not any(isinstance(event, AccountGroupCreated) for event in events):
            raise RuntimeError(f"the broker refused the demo group: {events!r}")
    issue, key = key_command(
        DEMO_MANAGER, [Role.PORTFOLIO_MANAGER], groups=[DEMO_GROUP], actor=BOOTSTRAP_ACTOR
    )
    api.issue_keys_before_start([issue])
    write_secret_file(path, f"{key.user_id} {key.key_id} {key.secret}\n")
    return key
