"""The order vocabulary: sides, order types, times in force and the words used in executions.

Enum values are the stable strings written to journals and wire formats; never renumber them.
"""

from __future__ import annotations

from enum import Enum


class Side(str, Enum):
    """What the customer does. Short sales are sells on the book but carry Reg SHO marking."""

    BUY = "buy"
    SELL = "sell"
    SELL_SHORT = "sell_short"
    SELL_SHORT_EXEMPT = "sell_short_exempt"

    @property
    def book_side(self) -> BookSide:
        """The side of the book this order rests on."""
        return BookSide.BID if self is Side.BUY else BookSide.ASK


class BookSide(str, Enum):
    """A side of a limit order book."""

    BID = "bid"
    ASK = "ask"

    @property
    def opposite(self) -> BookSide:
        """The side an order on this side trades against."""
        return BookSide.ASK if self is BookSide.BID else BookSide.BID


class OrderType(str, Enum):
    """How an order's price is determined. Reserve, hidden and post-only are attributes of
    limit orders (display quantity, hidden flag, post-only mode), as in FIX."""

    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"
    TRAILING_STOP = "trailing_stop"
    MARKET_ON_OPEN = "market_on_open"
    LIMIT_ON_OPEN = "limit_on_open"
    MARKET_ON_CLOSE = "market_on_close"
    LIMIT_ON_CLOSE = "limit_on_close"
    PEG_PRIMARY = "peg_primary"
    PEG_MIDPOINT = "peg_midpoint"
    PEG_MARKET = "peg_market"

    @property
    def is_auction(self) -> bool:
        """Whether the order only executes in an opening or closing cross."""
        return self in _AUCTION_TYPES

    @property
    def needs_limit_price(self) -> bool:
        """Whether a limit price is required."""
        return self in _PRICED_TYPES

    @property
    def auction(self) -> AuctionKind | None:
        """The cross this order is for, if any."""
        if self in (OrderType.MARKET_ON_OPEN, OrderType.LIMIT_ON_OPEN):
            return AuctionKind.OPEN
        if self in (OrderType.MARKET_ON_CLOSE, OrderType.LIMIT_ON_CLOSE):
            return AuctionKind.CLOSE
        return None


_AUCTION_TYPES = frozenset(
    {
        OrderType.MARKET_ON_OPEN,
        OrderType.LIMIT_ON_OPEN,
        OrderType.MARKET_ON_CLOSE,
        OrderType.LIMIT_ON_CLOSE,
    }
)
_PRICED_TYPES = frozenset(
    {OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.LIMIT_ON_OPEN, OrderType.LIMIT_ON_CLOSE}
)


class TimeInForce(str, Enum):
    """How long an order works."""

    DAY = "day"
    GTC = "gtc"
    IOC = "ioc"
    FOK = "fok"
    OPG = "opg"
    CLS = "cls"
    DAY_PLUS = "day_plus"
    """DAY including the pre-market and after-hours sessions (limit orders only)."""


class PostOnly(str, Enum):
    """What a post-only order does when it would take liquidity on arrival."""

    NO = "no"
    REJECT = "reject"
    REPRICE = "reprice"
    """Slide one tick away from the contra side's best price and rest there."""


class Liquidity(str, Enum):
    """Which side of the trade an execution was on, for the maker-taker fee schedule."""

    MAKER = "maker"
    TAKER = "taker"
    AUCTION = "auction"


class AuctionKind(str, Enum):
    """The single-price crosses a listing venue runs each day."""

    OPEN = "open"
    CLOSE = "close"


class CancelReason(str, Enum):
    """Why an order (or what was left of it) stopped working."""

    REQUESTED = "requested"
    IOC_REMAINDER = "ioc_remainder"
    NO_LIQUIDITY = "no_liquidity"
    FOK_UNFILLED = "fok_unfilled"
    AUCTION_UNFILLED = "auction_unfilled"
    EXPIRED = "expired"
    PEG_UNAVAILABLE = "peg_unavailable"
