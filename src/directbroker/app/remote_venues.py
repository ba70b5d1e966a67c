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

from directbroker.domain.messages import Event, Message
from directbroker.domain.venue_config import VenueConfig
from directbroker.runtime.venue_link import VenueCommand, VenueLink


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
        self._replies: list[Message] = []
        self._feed: list[FeedItem] = []
        self.link: VenueLink | None = None
        self._closers: list[Callable[[], None]] = []

    # --- what the link calls (its own thread) --------------------------------------------

    def on_reply(self, reply: Message) -> None:
        """A venue's reply or the link's status change, for the broker core."""
        with self._lock:
            self._replies.append(reply)

    def on_feed(self, venue: str, seq: int, ts_ns: int, events: Sequence[Event]) -> None:
        """The public feed events of journal entry ``seq`` of ``venue``, for market data."""
        with self._lock:
            self._feed.extend(
                FeedItem(venue, event, ts_ns, f"{venue}:{seq}:{index}")
                for index, event in enumerate(events)
            )

    # --- what the platform calls (its thread) ---------------------------------------------

    def send(self, venue: str, command: VenueCommand) -> None:
        """A child order (or its cancel or replace) for a remote venue."""
        assert self.link is not None
        self.link.send(venue, command)

    def take(self) -> tuple[list[Message], list[FeedItem]]:
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
