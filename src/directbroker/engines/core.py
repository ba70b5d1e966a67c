"""The shape every deterministic engine has, so one sequencer and journal can drive any of them."""

from __future__ import annotations

from typing import Protocol

from directbroker.domain.messages import Event, Message


class Core(Protocol):
    """A single-writer state machine fed by a sequencer.

    ``handle`` must be a pure function of the current state, the input and ``ts_ns`` (the
    sequencer's timestamp, nanoseconds since the epoch). It never raises for bad input: that
    becomes a rejection event. It raises only when an internal invariant is broken, which stops
    the core (crash-only). ``snapshot`` and ``restore`` round-trip the whole state; ``state_hash``
    is a digest of it that replay must reproduce exactly.
    """

    def handle(self, command: Message, ts_ns: int) -> list[Event]:
        """Apply one input and return the events it caused, in order.

        Inputs are usually commands; a core that follows another core's output (market data
        follows the venues' feeds) takes those events as its inputs. Anything it does not
        understand becomes a rejection event, never an exception.
        """
        ...

    def snapshot(self) -> bytes:
        """The full state as bytes (canonical: equal states give equal bytes)."""
        ...

    def restore(self, data: bytes) -> None:
        """Replace the state with one taken by :meth:`snapshot`."""
        ...

    def state_hash(self) -> str:
        """A hex digest of the state, equal for equal states."""
        ...
