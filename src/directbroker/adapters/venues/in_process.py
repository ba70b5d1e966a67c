"""The in-process venue link: venues in this process, each behind its own sequencer.

Every command for a venue — ours through :meth:`InProcessVenueLink.send`, anyone else's (the
market simulation) through :meth:`InProcessVenueLink.submit_external` — enters that venue's
sequencer, so the venue has one writer and one journal, exactly as a venue process would. The
link subscribes to each sequencer's committed output and splits it: this participant's execution
reports go to ``on_reply`` (including fills of resting children that someone else's order
triggered), and the public feed (book and trade events) goes to ``on_feed`` for market data.

Two ways to run it. Deterministic (tests, backtests): call :meth:`pump`, which runs every venue
sequencer until its inbox is empty and delivers what they committed, on the caller's thread.
Live: :meth:`start` runs each sequencer on its own thread and one forwarding thread per venue.

:meth:`disconnect` simulates a lost session: commands and replies are held, not lost (as a FIX
session resends after a reconnect), and the link reports ``MarkVenueDown`` unless told to stay
silent (a venue that silently stops answering, which the router must detect by its timeout).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from directbroker.domain.messages import Command, Event, Message
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing_messages import MarkVenueDown, MarkVenueUp
from directbroker.domain.venue_messages import EXECUTION_REPORTS, OrderRejected
from directbroker.engines.core import Core
from directbroker.runtime.clock import Clock
from directbroker.runtime.journal import Journal
from directbroker.runtime.memory import InMemoryJournal
from directbroker.runtime.outputs import Delivery, Subscription
from directbroker.runtime.sequencer import Sequencer
from directbroker.runtime.venue_link import ReplySink, VenueCommand

FeedSink = Callable[[str, Event, int], None]
"""Receives (venue, public feed event, commit timestamp) for market data."""


class _Venue:
    __slots__ = ("connected", "held_in", "held_out", "name", "notify", "sequencer", "subscription")

    def __init__(self, name: str, sequencer: Sequencer, subscription: Subscription) -> None:
        self.name = name
        self.sequencer = sequencer
        self.subscription = subscription
        self.connected = True
        self.notify = True
        self.held_out: list[VenueCommand] = []
        self.held_in: list[Message] = []


class InProcessVenueLink:
    """A :class:`~directbroker.runtime.venue_link.VenueLink` over in-process venue cores."""

    def __init__(
        self,
        engines: Mapping[str, Core],
        participant: str,
        on_reply: ReplySink,
        clock: Clock,
        *,
        on_feed: FeedSink | None = None,
        journals: Mapping[str, Journal] | None = None,
    ) -> None:
        """``engines``: venue name -> its core (a ``VenueEngine``); ``participant``: the
        broker's id at every venue; ``journals``: each venue's journal (in memory if absent)."""
        self._participant = participant
        self._on_reply = on_reply
        self._on_feed = on_feed
        self._lock = threading.RLock()
        self._threads: list[threading.Thread] = []
        self._running = False
        self._venues: dict[str, _Venue] = {}
        for name, engine in engines.items():
            journal = (journals or {}).get(name) or InMemoryJournal()
            sequencer = Sequencer(engine, journal, clock)
            self._venues[name] = _Venue(name, sequencer, sequencer.subscribe(f"link:{name}"))

    # --- the port ---------------------------------------------------------------------

    def venues(self) -> tuple[str, ...]:
        """The venues this link reaches, by name."""
        return tuple(sorted(self._venues))

    def send(self, venue: str, command: VenueCommand) -> None:
        """Queue a command for ``venue``; an unknown venue answers with a reject."""
        with self._lock:
            target = self._venues.get(venue)
            if target is None:
                detail = f"no venue {venue!r} on this link"
                self._on_reply(
                    OrderRejected(
                        venue,
                        command.order_id,
                        self._participant,
                        RejectCode.ROUTE_UNKNOWN_VENUE,
                        detail,
                        0,
                    )
                )
                return
            if not target.connected:
                target.held_out.append(command)
                return
        target.sequencer.submit(command)

    def close(self) -> None:
        """Stop the threads (if started) and the sequencers."""
        self.stop()

    # --- other flow into the same venues ------------------------------------------------

    def submit_external(self, venue: str, command: Command) -> None:
        """Someone else's command (simulated traders, operators) into the venue's sequencer,
        so fills of our resting children that it causes reach us too."""
        self._venues[venue].sequencer.submit(command)

    # --- session health -----------------------------------------------------------------

    def disconnect(self, venue: str, *, notify: bool = True) -> None:
        """Lose the session: hold traffic both ways; report the venue down unless ``notify``
        is false (then only the router's timeout can tell)."""
        with self._lock:
            target = self._venues[venue]
            target.connected = False
            target.notify = notify
        if notify:
            self._on_reply(MarkVenueDown(venue, "session lost"))

    def reconnect(self, venue: str) -> None:
        """The session is back: report the venue up, deliver held replies, resend held
        commands in order."""
        with self._lock:
            target = self._venues[venue]
            target.connected = True
            replies, target.held_in = target.held_in, []
            commands, target.held_out = target.held_out, []
        if target.notify:
            self._on_reply(MarkVenueUp(venue))
        for reply in replies:
            self._on_reply(reply)
        for command in commands:
            target.sequencer.submit(command)

    # --- running ------------------------------------------------------------------------

    def pump(self) -> int:
        """Deterministic mode: run every venue until idle and deliver what it committed, on
        this thread. Returns how many messages went to ``on_reply`` and ``on_feed``."""
        delivered = 0
        busy = True
        while busy:
            busy = False
            for name in sorted(self._venues):
                target = self._venues[name]
                while target.sequencer.run_once(0):
                    busy = True
                for delivery in target.subscription.get_batch(1_000_000, 0):
                    delivered += self._forward(target, delivery)
        return delivered

    def start(self) -> None:
        """Live mode: each venue's sequencer on its own thread, plus a forwarder per venue."""
        self._running = True
        for target in self._venues.values():
            target.sequencer.start()
            thread = threading.Thread(
                target=self._forward_loop, args=(target,), name=f"link:{target.name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop the sequencers and forwarders (idempotent)."""
        was_running, self._running = self._running, False
        if not was_running:
            return
        for target in self._venues.values():
            target.sequencer.stop(timeout=5)
            target.subscription.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()

    def _forward_loop(self, target: _Venue) -> None:
        while self._running:
            for delivery in target.subscription.get_batch(1_000, 0.05):
                self._forward(target, delivery)

    def _forward(self, target: _Venue, delivery: Delivery) -> int:
        count = 0
        for event in delivery.events:
            if isinstance(event, EXECUTION_REPORTS):
                if getattr(event, "participant", None) != self._participant:
                    continue
                with self._lock:
                    if not target.connected:
                        target.held_in.append(event)
                        continue
                self._on_reply(event)
                count += 1
            elif self._on_feed is not None:
                self._on_feed(target.name, event, delivery.ts_ns)
                count += 1
        return count
