"""The venue link port: how child orders reach venues and how venues' answers come back.

The router and the broker core never call a venue directly. They hand venue commands to a
:class:`VenueLink`; everything a venue says back (acknowledgements, fills, rejects, cancels)
and every change in the link's own health (:class:`MarkVenueDown` / :class:`MarkVenueUp`) is
delivered to the ``on_reply`` callback the link was built with, so the broker core can submit
each one to its sequencer and journal it as an input like any other. Nothing comes back as a
return value: an in-process link and a FIX initiator (later) look identical to the core.

``on_reply`` may be called from the link's own threads; a sequencer's ``submit`` is a suitable
callback (its inbox is thread-safe).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from directbroker.domain.messages import Message
from directbroker.domain.routing_messages import MarkVenueDown, MarkVenueUp
from directbroker.domain.venue_messages import (
    CancelOrder,
    ExecutionReport,
    ReplaceOrder,
    SubmitOrder,
)

VenueCommand = SubmitOrder | CancelOrder | ReplaceOrder
"""What the broker sends to a venue."""

VenueReply = ExecutionReport | MarkVenueDown | MarkVenueUp
"""What comes back: the venue's execution reports and the link's status changes."""

ReplySink = Callable[[Message], None]
"""Where replies go (typically the broker core's sequencer ``submit``)."""


class VenueLink(Protocol):
    """Sends venue commands; replies arrive asynchronously at the ``on_reply`` sink.

    ``send`` never raises for a venue that is down or unknown: the answer (a reject, or
    silence that the router's timeout turns into a down venue) comes back as an input.
    """

    def send(self, venue: str, command: VenueCommand) -> None:
        """Queue one command for one venue."""
        ...

    def venues(self) -> tuple[str, ...]:
        """The venues this link reaches."""
        ...

    def close(self) -> None:
        """Stop sending and delivering; release any threads or sockets."""
        ...
