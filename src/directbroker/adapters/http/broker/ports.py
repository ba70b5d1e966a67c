"""The ports the Broker API is built against: one optional port per family.

Each family defines its own Protocol in ``broker/<family>_port.py`` and its router in
``broker/<family>_routes.py`` (``def <family>_router(ports: BrokerPorts) -> APIRouter``);
:func:`~directbroker.adapters.http.broker.app.mount_broker_api` mounts the families whose port
is set. ``directory`` verifies staff keys (the firm's one key registry, the same object as the
Trading API's :attr:`Ports.directory`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from directbroker.adapters.http.ports import AccountDirectory

if TYPE_CHECKING:
    from directbroker.adapters.http.blocks_port import BlocksPort
    from directbroker.adapters.http.broker.accounts_port import AccountsPort
    from directbroker.adapters.http.broker.breaks_port import BreaksPort
    from directbroker.adapters.http.broker.firm_port import FirmPort
    from directbroker.adapters.http.broker.funding_port import FundingPort
    from directbroker.adapters.http.broker.rebalancing_port import RebalancingPort
    from directbroker.adapters.http.broker.records_port import RecordsPort
    from directbroker.adapters.http.broker.reports_port import ReportsPort
    from directbroker.adapters.http.broker.trading_on_behalf_port import OnBehalfPorts


@dataclass(frozen=True, slots=True)
class BrokerPorts:
    """Everything the Broker API needs from the platform; a family is mounted iff its port is
    set. Families not yet built are typed ``Any`` until their Protocol exists."""

    directory: AccountDirectory
    firm: FirmPort | None = None
    """Staff work under ``/v1/firm``: limits, kill switch, lists, locates, margin, keys."""
    accounts: AccountsPort | None = None
    """Account opening and maintenance (``broker/accounts_port.py``)."""
    funding: FundingPort | None = None
    """Bank relationships, transfers and journals (``broker/funding_port.py``)."""
    trading_on_behalf: OnBehalfPorts | None = None
    """Trading on behalf of an account: the Trading API ports with an account-scoped principal."""
    groups: BlocksPort | None = None
    """Account groups (``/v1/groups``): the institutional desk's port."""
    rebalancing: RebalancingPort | None = None
    """Model portfolios, subscriptions and rebalancing runs (``broker/rebalancing_port.py``)."""
    reports: ReportsPort | None = None
    """Staff reports: Rule 606 routing, Rule 605-style execution quality, monthly activity."""
    records: RecordsPort | None = None
    """Books and records under ``/v1/firm/records``: order tickets."""
    breaks: BreaksPort | None = None
    """The daily reconciliations with the clearing firm under ``/v1/firm/breaks``."""
    now_ns: Callable[[], int] = field(default=time.time_ns)
    """The edge's wall clock."""
