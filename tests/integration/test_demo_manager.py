"""The demo's portfolio manager: made through the journal on a new data directory (its group
over the demo accounts and a manager key for it), and the same key after a restart."""

from __future__ import annotations

from pathlib import Path

from directbroker.adapters.http.ports import Role
from directbroker.app.config import ApiSection, FirmConfig, MarketSection
from directbroker.app.demo_manager import DEMO_GROUP, MANAGER_FILE, ensure_demo_manager
from directbroker.app.firm import open_firm
from directbroker.app.platform import DEMO_ACCOUNTS


def test_the_demo_manager_is_journaled_once_and_kept(tmp_path: Path) -> None:
    config = FirmConfig(market=MarketSection(simulate=False), api=ApiSection(port=0))
    root = tmp_path / "firm"
    with open_firm(root, config, accounts=DEMO_ACCOUNTS) as firm:
        key = ensure_demo_manager(firm.data, firm.api, DEMO_ACCOUNTS)
        principal = firm.api.keys.authenticate(key.key_id, key.secret)
        assert principal is not None and principal.role is Role.PORTFOLIO_MANAGER
        assert principal.groups == frozenset({DEMO_GROUP})
        assert principal.accounts == frozenset({"DEMO-1", "DEMO-2"})
        group = firm.api.platform.broker.blocks.groups.group(DEMO_GROUP)
        assert group is not None and tuple(group.accounts) == ("DEMO-1", "DEMO-2")
    assert (root / MANAGER_FILE).stat().st_mode & 0o077 == 0
    with open_firm(root, config, accounts=DEMO_ACCOUNTS) as again:
        same = ensure_demo_manager(again.data, again.api, DEMO_ACCOUNTS)
        assert (same.key_id, same.secret) == (key.key_id, key.secret)
        assert again.api.keys.authenticate(key.key_id, key.secret) is not None
