"""Starting the FIX links to the venues in other processes (the transport is loaded only
here, so a firm whose venues are all in process never imports it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from directbroker.adapters.venues.fix_bridge import LinkLoop
from directbroker.adapters.venues.fix_link import FixVenueLink, VenueEndpoint
from directbroker.app.config import VenueLinkSection
from directbroker.app.remote_venues import RemoteVenues
from directbroker.domain.venue_config import VenueConfig


def connect_remote_venues(
    links: Sequence[VenueLinkSection],
    venue_configs: Sequence[VenueConfig],
    participant: str,
    store_path: Path,
    applied: Mapping[str, int] | None = None,
) -> RemoteVenues:
    """Start a FIX initiator (and a feed client, when the venue serves one) per remote
    venue; their sessions keep numbers and sent messages in ``store_path``. ``applied``: per
    venue, the last venue journal position the broker applied (where reports resume)."""

    by_name = {config.name: config for config in venue_configs}
    remote = RemoteVenues([by_name[link.venue] for link in links])
    loop = LinkLoop(store_path)
    remote.on_close(loop.close)
    endpoints = [
        VenueEndpoint(
            link.venue,
            link.host,
            link.port,
            link.sender_comp_id or participant,
            link.target_comp_id or link.venue,
            link.heartbeat_seconds,
        )
        for link in links
    ]
    fix = FixVenueLink(
        endpoints,
        participant,
        remote.on_reply,
        loop.connect,
        keyed=remote.on_keyed_reply,
        applied=applied or {},
    )
    remote.sender = fix.send
    remote.on_close(fix.close)
    for link in links:
        if link.feed_port:
            loop.follow_feed(link.venue, link.host, link.feed_port, remote.on_feed)
    return remote
