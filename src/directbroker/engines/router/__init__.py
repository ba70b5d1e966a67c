"""The router: directed and smart order routing across venues, Reg NMS aware.

Owns: the consolidated displayed book as the router sees it, venue status (up/down, halted),
routing decisions (directed, sweep, post, ping, re-route), each parent's children and their
lifecycle, execution-quality statistics per venue and per route, and the Rule 606-style
routing report over its history.
May import: ``directbroker.domain``, ``directbroker.engines.core``, the standard library and
msgpack (snapshots). No I/O, clock or randomness; venue replies and time arrive as inputs.
"""

from directbroker.engines.router.engine import MarketInput, RouterEngine, VenueReport
from directbroker.engines.router.oms_port import SmartRouting
from directbroker.engines.router.planner import eligible_venues, plan, posting_venue, price_inside
from directbroker.engines.router.policy import ONE_SECOND_NS, PostingPolicy, RouterConfig
from directbroker.engines.router.report606 import (
    OrderCategory,
    RoutedOrder,
    Rule606Report,
    VenueRow,
    VenueShare,
    categorize,
    quarter_bounds_ns,
    render_csv,
    render_text,
    rule606_report,
)
from directbroker.engines.router.stats import ExecutionStats
from directbroker.engines.router.views import ChildView, ParentView

__all__ = [
    "ONE_SECOND_NS",
    "ChildView",
    "ExecutionStats",
    "MarketInput",
    "OrderCategory",
    "ParentView",
    "PostingPolicy",
    "RoutedOrder",
    "RouterConfig",
    "RouterEngine",
    "Rule606Report",
    "SmartRouting",
    "VenueReport",
    "VenueRow",
    "VenueShare",
    "categorize",
    "eligible_venues",
    "plan",
    "posting_venue",
    "price_inside",
    "quarter_bounds_ns",
    "render_csv",
    "render_text",
    "rule606_report",
]
