"""The message store in memory: for tests, and for sessions that need not survive a restart.

It also holds the one rule every store shares (:func:`stale_from`), so the backends agree on
what a sequence reset forgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from directbroker.adapters.fix.settings import SessionID
from directbroker.protocols.fix.effects import SequenceState


def stale_from(
    previous: SequenceState | None, state: SequenceState | None, sent: Sequence[tuple[int, bytes]]
) -> int | None:
    """Where a save's sequence reset starts (stored messages from there on are stale), if any.

    A reset shows as a ``next_sender_seq`` lower than the stored one: numbers are about to be
    used again, so the old messages that bear them must not be served by a later resend.
    """
    if previous is None or state is None or state.next_sender_seq >= previous.next_sender_seq:
        return None
    return min([seq for seq, _ in sent] + [state.next_sender_seq])


def in_range(seq: int, begin_seq: int, end_seq: int) -> bool:
    """``begin_seq <= seq <= end_seq``, where ``end_seq <= 0`` means no upper bound."""
    return seq >= begin_seq and (end_seq <= 0 or seq <= end_seq)


@dataclass(slots=True)
class MemoryMessageStore:
    """:class:`~directbroker.adapters.fix.ports.MessageStore` in a dict."""

    state: SequenceState | None = None
    sent: dict[int, bytes] = field(default_factory=dict)
    window_start_ns: int | None = None
    saves: int = 0
    """How many saves carried something (tests check persist-before-write with it)."""

    async def load(self) -> SequenceState | None:
        """The last saved numbers."""
        return self.state

    async def save(self, state: SequenceState | None, sent: Sequence[tuple[int, bytes]]) -> None:
        """Record the numbers and the messages."""
        if state is None and not sent:
            return
        stale = stale_from(self.state, state, sent)
        if stale is not None:
            self.sent = {seq: data for seq, data in self.sent.items() if seq < stale}
        self.sent.update(sent)
        if state is not None:
            self.state = state
        self.saves += 1

    async def messages(self, begin_seq: int, end_seq: int) -> list[tuple[int, bytes]]:
        """Stored messages in the range, in order."""
        return sorted((s, d) for s, d in self.sent.items() if in_range(s, begin_seq, end_seq))

    async def reset(self, window_start_ns: int | None = None) -> None:
        """Forget everything; remember the window."""
        self.state = None
        self.sent = {}
        self.window_start_ns = window_start_ns

    async def window(self) -> int | None:
        """The window recorded by the last reset."""
        return self.window_start_ns


@dataclass(slots=True)
class MemoryMessageStores:
    """:class:`~directbroker.adapters.fix.ports.MessageStores` in memory."""

    stores: dict[SessionID, MemoryMessageStore] = field(default_factory=dict)

    def store(self, session_id: SessionID) -> MemoryMessageStore:
        """The session's store (made on first use)."""
        return self.stores.setdefault(session_id, MemoryMessageStore())

    async def close(self) -> None:
        """Nothing to release."""
