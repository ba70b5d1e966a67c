"""The broker core's own view of the market, built only from market data events it receives as
journaled inputs (never by reading the market data engine), so replay rebuilds it exactly."""

from __future__ import annotations

from typing import Any

from directbroker.domain.marketdata_messages import QuoteUpdated, TradePrinted, TradingStatusChanged
from directbroker.engines.risk import MarketFacts


class MarketView:
    """NBBO, last sale, halts and the Rule 201 flag per symbol."""

    def __init__(self) -> None:
        self.quotes: dict[str, tuple[int | None, int | None]] = {}
        self.last: dict[str, int] = {}
        self.halted: dict[str, tuple[str, ...]] = {}
        self.short_restricted: set[str] = set()

    def on_quote(self, event: QuoteUpdated) -> bool:
        """Take an NBBO update (False if malformed)."""
        bid, ask = event.bid_price, event.ask_price
        if type(event.symbol) is not str or not _price_or_none(bid) or not _price_or_none(ask):
            return False
        self.quotes[event.symbol] = (bid, ask)
        return True

    def on_trade(self, event: TradePrinted) -> bool:
        """Take a print on the tape (False if malformed)."""
        if type(event.symbol) is not str or type(event.price) is not int or event.price <= 0:
            return False
        self.last[event.symbol] = event.price
        return True

    def on_status(self, event: TradingStatusChanged) -> bool:
        """Take a halt or Rule 201 change (False if malformed). A halt at any venue is treated
        as a halt of the symbol: the broker sends nothing into a halt."""
        symbol, ssr = event.symbol, event.short_sale_restricted
        venues: object = event.halted_venues
        if type(symbol) is not str or not isinstance(venues, tuple) or type(ssr) is not bool:
            return False
        if venues:
            self.halted[symbol] = tuple(sorted(str(v) for v in venues))
        else:
            self.halted.pop(symbol, None)
        if event.short_sale_restricted:
            self.short_restricted.add(symbol)
        else:
            self.short_restricted.discard(symbol)
        return True

    def facts(self, symbol: str) -> MarketFacts:
        """What risk needs about one symbol."""
        bid, ask = self.quotes.get(symbol, (None, None))
        return MarketFacts(
            bid,
            ask,
            self.last.get(symbol),
            symbol in self.halted,
            symbol in self.short_restricted,
        )

    def to_plain(self) -> list[Any]:
        """Canonical plain form."""
        return [
            [[s, b, a] for s, (b, a) in sorted(self.quotes.items())],
            sorted(self.last.items()),
            [[s, list(v)] for s, v in sorted(self.halted.items())],
            sorted(self.short_restricted),
        ]

    @classmethod
    def from_plain(cls, plain: list[Any]) -> MarketView:
        """Rebuild from :meth:`to_plain`."""
        quotes, last, halted, ssr = plain
        view = cls()
        view.quotes = {s: (b, a) for s, b, a in quotes}
        view.last = dict(last)
        view.halted = {s: tuple(v) for s, v in halted}
        view.short_restricted = set(ssr)
        return view


def _price_or_none(value: object) -> bool:
    return value is None or (type(value) is int and value > 0)
