"""Venue links: concrete implementations of :class:`directbroker.runtime.venue_link.VenueLink`.

Owns: the in-process link (venues running in this process, each behind its own sequencer and
journal); a FIX initiator will live here later behind the same port.
May import: ``directbroker.runtime``, ``directbroker.engines``, ``directbroker.domain``.
"""

from directbroker.adapters.venues.in_process import FeedSink, InProcessVenueLink

__all__ = ["FeedSink", "InProcessVenueLink"]
