"""Token-bucket rate limits per API key (and per client address for failed logins).

A bucket holds up to ``burst`` tokens and refills at ``rate_per_second``; a request takes one
or is answered 429. Buckets are created on first use and the idle ones are forgotten, so an
attacker cycling through made-up keys cannot grow memory without bound.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateLimit:
    """How many requests a key may make: a sustained rate and a burst."""

    rate_per_second: float = 50.0
    burst: int = 200


class RateLimiter:
    """Token buckets keyed by text. Used from the event loop thread only, so no lock."""

    MAX_BUCKETS = 100_000

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        if limit.rate_per_second <= 0 or limit.burst < 1:
            raise ValueError("rate and burst must be positive")
        self.limit = limit
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, key: str, cost: float = 1.0) -> bool:
        """Take ``cost`` tokens from ``key``'s bucket if it has them."""
        now = self._clock()
        tokens, last = self._buckets.get(key, (float(self.limit.burst), now))
        tokens = min(float(self.limit.burst), tokens + (now - last) * self.limit.rate_per_second)
        allowed = tokens >= cost
        if allowed:
            tokens -= cost
        if key not in self._buckets and len(self._buckets) >= self.MAX_BUCKETS:
            self._forget_full(now)
        self._buckets[key] = (tokens, now)
        return allowed

    def has(self, key: str, cost: float = 1.0) -> bool:
        """Whether ``key``'s bucket holds ``cost`` tokens now, taking none: a request that
        would be refused anyway is refused before any costly work (such as hashing)."""
        found = self._buckets.get(key)
        if found is None:
            return cost <= self.limit.burst
        tokens, last = found
        refilled = tokens + (self._clock() - last) * self.limit.rate_per_second
        return min(float(self.limit.burst), refilled) >= cost

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled completely: forgetting them changes nothing."""
        rate, burst = self.limit.rate_per_second, float(self.limit.burst)
        self._buckets = {
            key: (tokens, last)
            for key, (tokens, last) in self._buckets.items()
            if tokens + (now - last) * rate < burst
        }
