"""Pre-trade risk: the checks a broker-dealer with market access runs before any order leaves
(SEC Rule 15c3-5), and the customer protections of Regulation T, Regulation SHO and FINRA's
margin rules.

Owns: limits per firm and account, the kill switches, the restricted and easy-to-borrow lists,
locates, house margin rates, and the counters checks depend on (duplicate window, order rates,
day trades, cash-account funding and violations, the daily-loss close-only switch). Each rule is
a small pure function over plain facts (:mod:`facts`) returning a code and an actionable message.
May import: ``directbroker.domain``, ``directbroker.engines.core`` and the standard library.
The facts (account values, positions, working orders, the NBBO) are assembled by the broker core.
"""

from directbroker.engines.risk.admin import ADMIN_HANDLERS
from directbroker.engines.risk.engine import RiskEngine
from directbroker.engines.risk.facts import AccountFacts, MarketFacts, OrderTicket
from directbroker.engines.risk.limits import FirmLimits, Limits, RiskPolicy, effective
from directbroker.engines.risk.money import add_days, dollars, price_text
from directbroker.engines.risk.rules import Refusal, estimate_price
from directbroker.engines.risk.state import RiskState

__all__ = [
    "ADMIN_HANDLERS",
    "AccountFacts",
    "FirmLimits",
    "Limits",
    "MarketFacts",
    "OrderTicket",
    "Refusal",
    "RiskEngine",
    "RiskPolicy",
    "RiskState",
    "add_days",
    "dollars",
    "effective",
    "estimate_price",
    "price_text",
]
