"""The latent "fair value" each symbol's traders are centred on: a random walk.

Floats are fine here: this is a stochastic model, not money. Every price it hands out is rounded
to a legal tick as an int before it reaches an order.
"""

from __future__ import annotations

import math
import random

from directbroker.domain.instruments import tick_size

SECONDS_PER_TRADING_DAY = 23_400


class LatentPrice:
    """Brownian fair value with the listing's daily volatility, advanced by elapsed time."""

    def __init__(self, reference_price: int, volatility_bps: int, rng: random.Random) -> None:
        self._value = float(reference_price)
        self._rng = rng
        self._sigma_per_second = (
            volatility_bps / 10_000 * reference_price / math.sqrt(SECONDS_PER_TRADING_DAY)
        )

    @property
    def value(self) -> int:
        """The fair value in $0.0001 units (not necessarily on a tick)."""
        return max(1, round(self._value))

    def advance(self, seconds: float, speedup: float = 1.0) -> None:
        """Move the fair value by ``seconds`` of (optionally accelerated) trading time."""
        if seconds <= 0:
            return
        sigma = self._sigma_per_second * math.sqrt(seconds * speedup)
        floor = float(tick_size(self.value))
        self._value = max(floor, self._value + self._rng.gauss(0.0, sigma))


def round_to_tick(price: int, up: bool) -> int:
    """The nearest legal price at or below ``price`` (or at or above it when ``up``)."""
    tick = tick_size(price)
    below = price - price % tick
    if up and below != price:
        return below + tick
    return max(tick, below)
