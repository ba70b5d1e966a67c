"""Routing decisions as pure functions of a request and the router's view of the market.

Directed: the order goes to the chosen venue as it is, or is refused with the reason.

Smart (the rules, also in docs/adr/0005-routing.md):

1. Eligible venues are live (up, trading the symbol, not halted), allowed for the account and
   not excluded for this parent (a venue that rejected one of its children).
2. Protected quotes are the best displayed prices of every venue that is not down or halted,
   eligible or not, connected or not (odd lots included: stricter than the rule, never in
   breach of it). A venue the account may
   not use still caps the sweep: we never execute at a price worse than its quote (Rule 611).
3. The sweep merges the eligible venues' displayed levels best price first; at one price, the
   lower taker fee goes first, then the larger displayed size, then the venue name. Consecutive
   levels of one venue become one immediate-or-cancel child limited at the last level's price;
   children are listed in that order, so sending them in order never trades through a better
   displayed quote (and each would be an intermarket sweep order on a FIX link).
4. What the sweep cannot fill rests (DAY/GTC limit orders) at the venue the posting policy
   chooses, at the limit price or, if that would lock or cross a protected quote the sweep
   did not take, one tick inside it. Market and immediate-or-cancel remainders go as one IOC
   (capped at rule 2's price) to the venue with the lowest taker fee, to find hidden size
   (purpose PING: it probes undisplayed liquidity).
5. Post-only orders never sweep: if marketable they are refused (REJECT) or posted one tick
   inside the contra quote (REPRICE). Fill-or-kill cannot be promised across venues: it must
   be directed. Auction orders go to the listing venue; pegs go whole to one venue that
   carries them (:mod:`pegs`); other types post as they are.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction
from heapq import merge

from directbroker.domain.instruments import tick_size
from directbroker.domain.numbers import MAX_PRICE
from directbroker.domain.orders import BookSide, OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import SMART, ChildInstruction, ChildPurpose, RouteRequest
from directbroker.engines.router.market import MarketView
from directbroker.engines.router.pegs import PEG_TYPES, check_directed_peg, smart_peg
from directbroker.engines.router.policy import PostingPolicy, RouterConfig

Refusal = tuple[RejectCode, str]
FillHistory = Mapping[str, tuple[int, int]]
"""Venue -> (shares posted, shares of those filled), for the fill-rate posting policy."""

_RESTING = frozenset({TimeInForce.DAY, TimeInForce.GTC, TimeInForce.DAY_PLUS})
_SweepKey = tuple[int, int, int, str, int, int]


def price_inside(price: int, bids: bool) -> int:
    """The nearest legal price strictly better for the other side than ``price``: one tick
    below an ask (for a bid that must not lock it) or one tick above a bid."""
    if bids:
        return price - tick_size(price - 1)
    return price + tick_size(price)


def better_or_equal(price: int, bound: int, buying: bool) -> bool:
    """Whether ``price`` is at or inside ``bound`` for a taker on this side."""
    return price <= bound if buying else price >= bound


def plan(
    request: RouteRequest,
    market: MarketView,
    policy: RouterConfig,
    fills: FillHistory,
    *,
    exclude: frozenset[str] = frozenset(),
    pings_done: int = 0,
) -> list[ChildInstruction] | Refusal:
    """The children for a request, or why there are none. Pure: nothing is changed."""
    refusal = _check(request)
    if refusal is not None:
        return refusal
    if not any(market.trades(venue, request.symbol) for venue in market.configs):
        return RejectCode.UNKNOWN_SYMBOL, request.symbol
    if request.route != SMART:
        return _directed(request, market)
    return _smart(request, market, policy, fills, exclude, pings_done)


def _check(request: RouteRequest) -> Refusal | None:
    if type(request.quantity) is not int or request.quantity <= 0:
        return RejectCode.QUANTITY_NOT_POSITIVE, f"quantity {request.quantity!r}"
    limit = request.limit_price
    if limit is not None and (type(limit) is not int or not 0 < limit <= MAX_PRICE):
        return RejectCode.PRICE_OUT_OF_RANGE, f"price {limit!r}"
    if request.order_type is OrderType.LIMIT and limit is None:
        return RejectCode.PRICE_REQUIRED, "a limit order needs a price"
    return None


def _directed(request: RouteRequest, market: MarketView) -> list[ChildInstruction] | Refusal:
    venue, symbol = request.route, request.symbol
    if venue not in market.configs:
        return RejectCode.ROUTE_UNKNOWN_VENUE, venue
    if request.allowed_venues and venue not in request.allowed_venues:
        return RejectCode.ROUTE_NOT_ALLOWED, venue
    if not market.trades(venue, symbol):
        return RejectCode.SYMBOL_NOT_TRADED_HERE, f"{venue} {symbol}"
    if venue in market.down:
        return RejectCode.ROUTE_VENUE_DOWN, f"{venue}: {market.down[venue]}"
    if market.is_halted(venue, symbol):
        return RejectCode.ROUTE_VENUE_HALTED, f"{venue} {symbol}"
    peg_refusal = check_directed_peg(request, market)
    if peg_refusal is not None:
        return peg_refusal
    return [_child(request, venue, request.quantity, request.limit_price, ChildPurpose.DIRECTED)]


def eligible_venues(
    request: RouteRequest, market: MarketView, exclude: frozenset[str] = frozenset()
) -> list[str]:
    """Live venues the account may use and the parent has not excluded, by name."""
    allowed = request.allowed_venues
    return [
        venue
        for venue in market.live_venues(request.symbol)
        if venue not in exclude and (not allowed or venue in allowed)
    ]


def _smart(
    request: RouteRequest,
    market: MarketView,
    policy: RouterConfig,
    fills: FillHistory,
    exclude: frozenset[str],
    pings_done: int,
) -> list[ChildInstruction] | Refusal:
    eligible = eligible_venues(request, market, exclude)
    if not eligible:
        return RejectCode.ROUTE_NO_VENUE, request.symbol
    kind = request.order_type
    if request.time_in_force is TimeInForce.FOK:
        return _fill_or_kill(request, market, eligible)
    if kind.is_auction:
        primary = market.primary_venue(request.symbol)
        if primary not in eligible:
            return RejectCode.ROUTE_NO_VENUE, f"listing venue {primary or '?'} unavailable"
        return [_child(request, primary, request.quantity, request.limit_price, _POST)]
    if kind in PEG_TYPES:
        return smart_peg(request, market, eligible)
    if kind not in (OrderType.LIMIT, OrderType.MARKET):
        venue = posting_venue(request, market, policy, fills, eligible, request.limit_price)
        return [_child(request, venue, request.quantity, request.limit_price, _POST)]
    buying = request.side is Side.BUY
    contra = BookSide.ASK if buying else BookSide.BID
    protected = set(market.protected_venues(request.symbol))
    blocked = _best(market, request.symbol, contra, protected)
    if request.post_only is not PostOnly.NO:
        return _post_only(request, market, policy, fills, eligible, blocked, buying)
    away = _best(market, request.symbol, contra, protected - set(eligible))
    cap = _tighter(request.limit_price, away, buying)
    if policy.ping_venues and pings_done < len(policy.ping_venues):
        ping = _ping(request, market, eligible, pings_done, cap, contra, buying, policy)
        if ping is not None:
            return [ping]
    return _sweep_and_rest(request, market, policy, fills, eligible, contra, cap, away, buying)


_POST = ChildPurpose.POST


def _fill_or_kill(
    request: RouteRequest, market: MarketView, eligible: list[str]
) -> list[ChildInstruction] | Refusal:
    """A fill-or-kill order goes whole to the one venue whose displayed liquidity at the
    order's limit, without trading through a protected quote elsewhere, covers it now; the
    venue's own FOK then fills it all or nothing. Children at several venues could not be
    all-or-nothing together (one may fill while another finds its liquidity gone), so when no
    single venue can take it all, the order is refused and nothing is sent
    (docs/adr/0014-account-configurations-and-alpaca-replace.md)."""
    buying = request.side is Side.BUY
    contra = BookSide.ASK if buying else BookSide.BID
    protected = set(market.protected_venues(request.symbol))
    candidates: list[tuple[int, str, int | None]] = []
    for venue in eligible:
        away = _best(market, request.symbol, contra, protected - {venue})
        cap = _tighter(request.limit_price, away, buying)
        side = market.book.side(request.symbol, venue, contra)
        available = 0
        first: int | None = None
        for price, size in side.levels() if side is not None else ():
            if cap is not None and not better_or_equal(price, cap, buying):
                break
            first = price if first is None else first
            available += size
        if first is not None and available >= request.quantity:
            rank = first if buying else -first
            candidates.append((rank, venue, cap))
    if not candidates:
        return (
            RejectCode.FOK_NO_SINGLE_VENUE,
            f"no venue shows {request.quantity} {request.symbol} within the limit",
        )
    _, venue, cap = min(candidates)
    # A market FOK goes as a limit at the protected price, so it cannot trade through.
    kind = OrderType.LIMIT if cap is not None else request.order_type
    return [
        ChildInstruction(venue, request.quantity, kind, cap, TimeInForce.FOK, ChildPurpose.DIRECTED)
    ]


def _sweep_and_rest(
    request: RouteRequest,
    market: MarketView,
    policy: RouterConfig,
    fills: FillHistory,
    eligible: list[str],
    contra: BookSide,
    cap: int | None,
    away: int | None,
    buying: bool,
) -> list[ChildInstruction]:
    children: list[ChildInstruction] = []
    remaining = request.quantity
    next_price: int | None = None
    venue, quantity, price = "", 0, 0
    for _, _, _, level_venue, level_price, size in _merged(
        market, request.symbol, contra, eligible
    ):
        if cap is not None and not better_or_equal(level_price, cap, buying):
            next_price = level_price
            break
        take = min(size, remaining)
        if level_venue != venue and quantity:
            children.append(_sweep(venue, quantity, price))
            quantity = 0
        venue, price = level_venue, level_price
        quantity += take
        remaining -= take
        if remaining == 0:
            break
    if quantity:
        children.append(_sweep(venue, quantity, price))
    if remaining == 0:
        return children
    if request.order_type is OrderType.LIMIT and request.time_in_force in _RESTING:
        limit = request.limit_price
        assert limit is not None
        wall = _tighter(next_price, away, buying)
        post = limit
        if wall is not None and better_or_equal(wall, limit, buying):
            post = price_inside(wall, buying)
        if post > 0:
            where = posting_venue(request, market, policy, fills, eligible, post)
            children.append(_child(request, where, remaining, post, _POST))
        return children
    where = min(eligible, key=lambda v: (market.taker_fee(v), v))
    kind = OrderType.MARKET if cap is None else OrderType.LIMIT
    children.append(
        ChildInstruction(where, remaining, kind, cap, TimeInForce.IOC, ChildPurpose.PING)
    )
    return children


def _post_only(
    request: RouteRequest,
    market: MarketView,
    policy: RouterConfig,
    fills: FillHistory,
    eligible: list[str],
    blocked: int | None,
    buying: bool,
) -> list[ChildInstruction] | Refusal:
    limit = request.limit_price
    if limit is None:
        return RejectCode.INVALID_ATTRIBUTES, "post-only needs a limit price"
    post = limit
    if blocked is not None and better_or_equal(blocked, limit, buying):
        if request.post_only is PostOnly.REJECT:
            return RejectCode.POST_ONLY_WOULD_TAKE, f"contra quote at {blocked}"
        post = price_inside(blocked, buying)
        if post <= 0:
            return RejectCode.POST_ONLY_WOULD_TAKE, f"no price inside {blocked}"
    venue = posting_venue(request, market, policy, fills, eligible, post)
    return [_child(request, venue, request.quantity, post, _POST)]


def _ping(
    request: RouteRequest,
    market: MarketView,
    eligible: list[str],
    pings_done: int,
    cap: int | None,
    contra: BookSide,
    buying: bool,
    policy: RouterConfig,
) -> ChildInstruction | None:
    """A midpoint probe, capped at the best protected price so it cannot trade through; only
    for a marketable order (the next probe is planned once this one is done)."""
    venue = policy.ping_venues[pings_done]
    best = _best(market, request.symbol, contra, set(market.protected_venues(request.symbol)))
    if venue not in eligible or best is None:
        return None
    ping_cap = _tighter(cap, best, buying)
    if request.limit_price is not None and ping_cap != best:
        return None
    return ChildInstruction(
        venue,
        request.quantity,
        OrderType.PEG_MIDPOINT,
        ping_cap,
        TimeInForce.IOC,
        ChildPurpose.PING,
    )


def posting_venue(
    request: RouteRequest,
    market: MarketView,
    policy: RouterConfig,
    fills: FillHistory,
    eligible: list[str],
    price: int | None,
) -> str:
    """The venue a remainder rests at, by the stated policy (see :class:`PostingPolicy`)."""
    side = request.side.book_side
    symbol = request.symbol

    def rebate_key(venue: str) -> tuple[int, int, str]:
        size = 0 if price is None else market.book.size_at(symbol, venue, side, price)
        return market.maker_fee(venue), -size, venue

    if policy.posting is PostingPolicy.BEST_FILL_RATE:

        def fill_key(venue: str) -> tuple[Fraction, tuple[int, int, str]]:
            posted, filled = fills.get(venue, (0, 0))
            return -Fraction(filled + 1, posted + 2), rebate_key(venue)

        return min(eligible, key=fill_key)
    return min(eligible, key=rebate_key)


def _merged(
    market: MarketView, symbol: str, contra: BookSide, venues: list[str]
) -> Iterator[_SweepKey]:
    """Every eligible venue's displayed contra levels, best price first, ties by the rule."""
    sign = 1 if contra is BookSide.ASK else -1
    streams = []
    for venue in venues:
        levels = market.book.side(symbol, venue, contra)
        if levels is not None and levels.prices:
            streams.append(_keyed(levels.levels(), sign, market.taker_fee(venue), venue))
    return merge(*streams)


def _keyed(
    levels: Iterator[tuple[int, int]], sign: int, fee: int, venue: str
) -> Iterator[_SweepKey]:
    for price, size in levels:
        yield sign * price, fee, -size, venue, price, size


def _best(market: MarketView, symbol: str, side: BookSide, venues: set[str]) -> int | None:
    best: int | None = None
    for venue in venues:
        price = market.book.best(symbol, venue, side)
        if price is not None:
            best = price if best is None else _tighter(best, price, side is BookSide.ASK)
    return best


def _tighter(a: int | None, b: int | None, buying: bool) -> int | None:
    """The more restrictive of two taker bounds (lower for a buyer); ``None`` is no bound."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b) if buying else max(a, b)


def _sweep(venue: str, quantity: int, price: int) -> ChildInstruction:
    return ChildInstruction(
        venue, quantity, OrderType.LIMIT, price, TimeInForce.IOC, ChildPurpose.SWEEP
    )


def _child(
    request: RouteRequest, venue: str, quantity: int, price: int | None, purpose: ChildPurpose
) -> ChildInstruction:
    display = request.display_quantity
    if display is not None and display >= quantity:
        display = None  # a remainder smaller than the display size is simply shown whole
    return ChildInstruction(
        venue,
        quantity,
        request.order_type,
        price,
        request.time_in_force,
        purpose,
        display,
        request.hidden,
        request.post_only,
    )
