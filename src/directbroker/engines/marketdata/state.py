"""The market data engine's whole mutable state, kept apart from the handlers so snapshots can
serialise it without reaching into the engine."""

from __future__ import annotations

from directbroker.domain.marketdata_messages import MarketDataInputRejected, TradingStatusChanged
from directbroker.domain.messages import Event, Message
from directbroker.domain.rejects import RejectCode
from directbroker.engines.marketdata.symbol import SymbolState


class EngineState:
    """Per-symbol state plus the calendar and the tape sequence."""

    __slots__ = (
        "bar_history",
        "day_start_ns",
        "pending_closes",
        "symbols",
        "tape_depth",
        "tape_seq",
        "trading_date",
    )

    def __init__(self, tape_depth: int, bar_history: int) -> None:
        self.tape_depth = tape_depth
        self.bar_history = bar_history
        self.symbols: dict[str, SymbolState] = {}
        self.tape_seq = 0
        self.trading_date = ""
        self.day_start_ns = 0
        self.pending_closes: dict[str, dict[str, int]] = {}
        """trading date -> symbol -> prior close to apply when that date starts."""

    def symbol(self, symbol: str) -> SymbolState:
        """The symbol's state, created on first sight."""
        state = self.symbols.get(symbol)
        if state is None:
            state = self.symbols[symbol] = SymbolState(self.tape_depth, self.bar_history)
        return state


def is_int(*values: object) -> bool:
    """Whether every value is a plain int (decoded input may carry any type)."""
    return all(type(v) is int for v in values)


def is_text(*values: object) -> bool:
    """Whether every value is non-empty text."""
    return all(type(v) is str and v for v in values)


def note_status(
    out: list[Event],
    symbol: str,
    state: SymbolState,
    before: tuple[tuple[str, ...], bool],
    reason: str,
    ts_ns: int,
) -> None:
    """Append a TradingStatusChanged to ``out`` if the symbol's status differs from ``before``."""
    after = state.status_key()
    if after != before:
        out.append(TradingStatusChanged(symbol, after[0], after[1], reason, ts_ns))


def reject(message: Message, code: RejectCode, detail: str, ts_ns: int) -> list[Event]:
    """The one event a refused input produces."""
    return [MarketDataInputRejected(type(message).__name__, code, detail, ts_ns)]
