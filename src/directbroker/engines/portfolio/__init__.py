"""Institutional portfolio management: account groups, block allocation (equal, percent, ratio,
shares, net liquidation value) at the block's average price, group views (exposure,
P&L by account, concentration), rebalancing proposals, and the records and rules of model
portfolios, subscriptions and rebalancing runs (:mod:`.models`; the broker core's rebalancing
desk joins them to the books).

Owns: how a block's fills are split across accounts, what orders a rebalance needs, when an
account has drifted out of its band, and what makes a model portfolio valid.
May import: ``directbroker.domain``, ``directbroker.engines.core``, the standard library and
``msgpack`` (snapshots). Never the ledger engine: positions arrive as domain ``PositionView``
values and net liquidation values as command inputs.
"""

from directbroker.engines.portfolio.allocation import (
    AllocationError,
    allocate,
    allocate_block,
    average_price,
    largest_remainder,
    step_out_split,
)
from directbroker.engines.portfolio.engine import AccountGroup, PortfolioCore
from directbroker.engines.portfolio.rebalance import rebalance
from directbroker.engines.portfolio.views import (
    AccountPnl,
    Concentration,
    Exposure,
    concentration,
    exposure_by_symbol,
    pnl_by_account,
)

__all__ = [
    "AccountGroup",
    "AccountPnl",
    "AllocationError",
    "Concentration",
    "Exposure",
    "PortfolioCore",
    "allocate",
    "allocate_block",
    "average_price",
    "concentration",
    "exposure_by_symbol",
    "largest_remainder",
    "pnl_by_account",
    "rebalance",
    "step_out_split",
]
