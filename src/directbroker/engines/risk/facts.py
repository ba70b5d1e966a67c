"""What a pre-trade check looks at, as plain values the broker core assembles: the order, the
account (from the ledger and the OMS's working orders) and the market (from market data)."""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.domain.accounts import AccountValues
from directbroker.domain.orders import OrderType, Side


@dataclass(frozen=True, slots=True)
class OrderTicket:
    """The order (or the open part of a replace) being checked.

    ``quantity`` is what the order may still add: the order quantity for a new order, the new
    open quantity for a replace.
    """

    account: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: int
    limit_price: int | None
    stop_price: int | None
    trail_offset: int = 0
    is_replace: bool = False

    @property
    def fingerprint(self) -> tuple[str, str, str, str, int, int, int]:
        """What makes two orders duplicates of each other."""
        return (
            self.account,
            self.symbol,
            self.side.value,
            self.order_type.value,
            self.quantity,
            self.limit_price or 0,
            self.stop_price or 0,
        )


@dataclass(frozen=True, slots=True)
class MarketFacts:
    """The consolidated market for the order's symbol."""

    bid: int | None = None
    ask: int | None = None
    last: int | None = None
    halted: bool = False
    short_sale_restricted: bool = False


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """The account as the checks see it.

    ``position`` is signed shares in the symbol; ``open_*`` are shares of working orders in the
    symbol (long sales of one OCO group counted once); ``reserved`` is buying power held by
    working orders that add to positions; ``house_addon`` is the maintenance the house adds
    over FINRA's on existing positions.
    """

    values: AccountValues
    position: int = 0
    open_buy: int = 0
    open_sell: int = 0
    open_short: int = 0
    reserved: int = 0
    house_addon: int = 0
