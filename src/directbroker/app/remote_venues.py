"""Venues in other processes, as the platform sees them: where their child orders go, and
the replies and public feed that come back between two of the platform's steps.

The venue link (over FIX) delivers replies and feed events on its own thread; this keeps
them in thread-safe queues until the platform thread takes them at its next step and
journals them like any other input (replies to the broker core, the feed to market data,
each feed event keyed ``VENUE:seq:index`` by the venue journal entry that made it, so one
delivered twice is applied once). See ADR 0022.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from directbroker.domain.broker_messages import venue_command
from directbroker.domain.messages import Event, Message
from directbroker.domain.venue_config import VenueConfig
from directbroker.domain.venue_messages import CancelOrder, ReplaceOrder, SubmitOrder
from directbroker.protocols import codec
from directbroker.runtime.journal import Journal, reading
from directbroker.runtime.venue_link import VenueCommand

RemoteSend = Callable[[str, VenueCommand, str | None], None]
"""(venue, command, request id of a cancel or replace)."""


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One public feed event of a remote venue, keyed by its origin."""

    venue: str
    event: Event
    ts_ns: int
    origin: str
    """``VENUE:seq:index``: the venue journal entry and the event's place in it."""


class RemoteVenues:
    """The remote venues' link, and what they said since the platform last looked."""

    def __init__(self, configs: Sequence[VenueConfig]) -> None:
        self.configs = tuple(configs)
        self.names = frozenset(c.name for c in configs)
        self._lock = threading.Lock()
        self._replies: list[tuple[Message, str | None]] = []
        self._feed: list[FeedItem] = []
        self.sender: RemoteSend | None = None
        """How child commands reach the venues (the link's send, with a request id)."""
        self._closers: list[Callable[[], None]] = []

    # --- what the link calls (its own thread) --------------------------------------------

    def on_reply(self, reply: Message) -> None:
        """A venue's reply or the link's status change, for the broker core (unkeyed)."""
        self.on_keyed_reply(reply, None)

    def on_keyed_reply(self, reply: Message, origin: str | None) -> None:
        """A venue's reply keyed by its origin ``VENUE:seq:index`` (the broker core then
        applies one delivered twice once, even across restarts)."""
        with self._lock:
            self._replies.append((reply, origin))

    def on_feed(self, venue: str, seq: int, ts_ns: int, events: Sequence[Event]) -> None:
        """The public feed events of journal entry ``seq`` of ``venue``, for market data."""
        with self._lock:
            self._feed.extend(
                FeedItem(venue, event, ts_ns, f"{venue}:{seq}:{index}")
                for index, event in enumerate(events)
            )

    # --- what the platform calls (its thread) ---------------------------------------------

    def send(self, venue: str, command: VenueCommand, origin: str | None) -> None:
        """A child order (or its cancel or replace) for a remote venue. A cancel or replace
        is named by the broker journal entry that asked for it (``origin``), so one sent again
        after the firm's restart is applied by the venue once."""
        if self.sender is None:
            raise RuntimeError("the remote venues have no link to send through")
        request_id = None
        if origin is not None and not isinstance(command, SubmitOrder):
            request_id = f"{command.order_id}.{origin}"
        self.sender(venue, command, request_id)

    def resend_from(self, journal: Journal, broker: str) -> int:
        """After a restart: send again every child command the broker journal holds for a
        remote venue, keyed as when first sent. The firm may have journaled one and died
        before the link had it; the venue applies each at most once (a new order by its
        ClOrdID, a cancel or replace by the request id made from its origin). How many."""
        sent = 0
        with reading(journal) as entries:
            for entry in entries:
                for index, event in enumerate(codec.decode_many(entry.events)):
                    child = venue_command(event) if isinstance(event, Event) else None
                    if child is None or child[0] not in self.names:
                        continue
                    venue, command = child
                    if isinstance(command, SubmitOrder | CancelOrder | ReplaceOrder):
                        self.send(venue, command, f"{broker}:{entry.seq}:{index}")
                        sent += 1
        return sent

    def take(self) -> tuple[list[tuple[Message, str | None]], list[FeedItem]]:
        """Everything that arrived since the last call, in arrival order."""
        with self._lock:
            replies, self._replies = self._replies, []
            feed, self._feed = self._feed, []
        return replies, feed

    def on_close(self, closer: Callable[[], None]) -> None:
        """Something to release at :meth:`close` (last added, first closed)."""
        self._closers.append(closer)

    def close(self) -> None:
        """Stop the link and the feeds."""
        closers, self._closers = self._closers, []
        for closer in reversed(closers):
            closer()


def applied_positions(journal: Journal, venues: frozenset[str]) -> dict[str, int]:
    """Per venue, the last venue journal position whose reports the broker core applied
    (its inputs are keyed ``VENUE:seq:index``): where the link asks each venue to resume."""
    positions = dict.fromkeys(venues, 0)
    with reading(journal) as entries:
        for entry in entries:
            key = entry.client_id
            if key is None:
                continue
            venue, _, rest = key.partition(":")
            if venue in positions:
                seq = rest.partition(":")[0]
                if seq.isdigit():
                    positions[venue] = max(positions[venue], int(seq))
    return positions
