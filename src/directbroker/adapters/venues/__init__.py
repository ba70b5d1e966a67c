"""Venue links: concrete implementations of :class:`directbroker.runtime.venue_link.VenueLink`,
and a venue's own side of a FIX link.

Owns: the in-process link (venues in this process, each behind its own sequencer and
journal); the FIX venue link (``fix_link``: the router's FIX application per venue, holding
and re-sending requests, reporting venue health); the venue's FIX application (``fix_venue``,
``fix_cursors``, ``venue_worker``: requests journaled once, reports re-sent from the journal);
the FIX 4.2 mapping of venue messages (``fix_mapping``); a venue's rewindable public feed over
TCP (``feed_stream``); and the glue to the FIX transport (``fix_bridge``), imported only by
whoever runs FIX so an in-process firm never loads it.
May import: ``directbroker.runtime``, ``directbroker.engines``, ``directbroker.domain``,
``directbroker.protocols``, and (``fix_bridge`` only) ``directbroker.adapters.fix``.
"""

from directbroker.adapters.venues.in_process import FeedSink, InProcessVenueLink

__all__ = ["FeedSink", "InProcessVenueLink"]
