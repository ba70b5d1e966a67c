"""The router's stated, configurable rules: where remainders post and how long venues get.

Every number is an int (nanoseconds, shares) so the policy is part of the deterministic state
and can be journaled or compared; nothing here reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

ONE_SECOND_NS = 1_000_000_000


class PostingPolicy(str, Enum):
    """How the venue for a resting remainder is chosen among the eligible venues."""

    BEST_REBATE = "best_rebate"
    """Largest maker rebate (most negative maker fee); ties: larger displayed size on our side
    at the post price (joining a deep queue signals a venue people post at), then venue name."""
    BEST_FILL_RATE = "best_fill_rate"
    """Highest historical fill rate of our posted children at the venue, smoothed as
    (filled + 1) / (posted + 2) so an untried venue starts at one half; ties: best rebate."""


@dataclass(frozen=True, slots=True)
class RouterConfig:
    """The router's knobs.

    ``ack_timeout_ns``: a child with no answer from its venue after this long marks the venue
    down (Reg NMS self-help uses one second). ``cancel_timeout_ns``: a cancel for a stale child
    unanswered after this long puts the child in doubt. ``reroute_in_doubt``: whether a child in
    doubt is re-routed anyway (risking an overfill) or held until the venue answers (default).
    ``max_reroutes``: how many times one parent's remainder may be re-planned after a reject,
    a dead venue or a sweep that came back short; after that the remainder is left unrouted.
    ``ping_venues``: venues to probe with an immediate-or-cancel midpoint peg before a sweep
    takes displayed liquidity (empty: no pings). ``markout_ns``: the horizon of the realized
    spread (midpoint this long after each fill).
    """

    posting: PostingPolicy = PostingPolicy.BEST_REBATE
    ack_timeout_ns: int = ONE_SECOND_NS
    cancel_timeout_ns: int = 2 * ONE_SECOND_NS
    reroute_in_doubt: bool = False
    max_reroutes: int = 3
    ping_venues: tuple[str, ...] = ()
    markout_ns: int = 5 * ONE_SECOND_NS
