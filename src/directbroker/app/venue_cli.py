"""``directbroker venue``: one simulated venue as its own process, reached over FIX.

The venue core runs behind its own sequencer with a durable journal in ``--data-dir``; a FIX
4.2 acceptor takes orders from the participants named by ``--client`` (each logs on with its
participant id as SenderCompID); the venue's public feed is served on ``--feed-port`` for
market data. Everything resumes after any stop, SIGKILL included: the venue from its journal,
the FIX sessions from their store (sequence numbers and sent messages, for resends), and the
reports a participant has not received from the journal past its cursor.

Out on stdout, once listening: ``READY {"fix_port": P, "feed_port": Q, "last_seq": N}``.
SIGINT or SIGTERM stops it cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from directbroker.adapters.fix import FixAcceptor, SessionID, SessionRegistry, SessionSettings
from directbroker.adapters.fix.store_sqlite import SqliteMessageStores
from directbroker.adapters.venues.feed_stream import FeedServer
from directbroker.adapters.venues.fix_bridge import LoopSend, venue_session_factory
from directbroker.adapters.venues.fix_cursors import Cursors
from directbroker.adapters.venues.fix_ports import SessionKey
from directbroker.adapters.venues.fix_venue import VenueApplication
from directbroker.adapters.venues.venue_worker import VenueWorker
from directbroker.app.journals import SqliteJournals
from directbroker.domain.venue_config import VenueConfig
from directbroker.engines.matching import VenueEngine
from directbroker.runtime.stepped import SteppedCore
from directbroker.sim.universe import LISTINGS, default_venues

FAILURE_POLL_S = 0.2


def venue_config(name: str) -> VenueConfig:
    """The built-in venue called ``name`` (fees, symbols, crosses), as the firm routes to it."""
    for config in default_venues(LISTINGS):
        if config.name == name:
            return config
    known = ", ".join(c.name for c in default_venues(LISTINGS))
    raise ValueError(f"no venue {name!r}; the venues are {known}")


async def run_venue(
    config: VenueConfig,
    directory: Path,
    *,
    host: str,
    fix_port: int,
    feed_port: int | None,
    comp_id: str,
    clients: Sequence[str],
    out: object = sys.stdout,
    handle_signals: bool = True,
) -> int:
    """Serve the venue until a signal (0) or until its core stops (1)."""
    directory.mkdir(parents=True, exist_ok=True)
    journals = SqliteJournals(directory)
    journal, snapshots = journals(config.name)
    core = SteppedCore(lambda: VenueEngine(config), journal, snapshots, snapshot_every=50_000)
    allowed = set(clients)

    def participant_of(session_id: SessionKey) -> str | None:
        theirs = getattr(session_id, "target_comp_id", None)
        return theirs if theirs in allowed else None

    app = VenueApplication(
        config.name, core, participant_of, time.time_ns, Cursors(directory / "fix-cursors.json")
    )
    worker = VenueWorker(app)
    loop = asyncio.get_running_loop()
    send = LoopSend(loop)
    app.attach(send)
    stores = SqliteMessageStores(directory / "fix-store.db")
    sessions = [
        SessionSettings(SessionID("FIX.4.2", comp_id, client), role="acceptor")
        for client in clients
    ]
    registry = SessionRegistry(
        sessions, stores=stores, factory=venue_session_factory(), app=worker, clock=time.time_ns
    )
    send.bind(registry)
    acceptor = FixAcceptor(registry, host, fix_port)
    feed = FeedServer(worker, host, feed_port) if feed_port is not None else None
    stopping = asyncio.Event()
    if handle_signals:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stopping.set)
    worker.start()
    try:
        ready = {
            "fix_port": await acceptor.start(),
            "feed_port": await feed.start() if feed is not None else None,
            "last_seq": core.last_seq,
        }
        print(f"READY {json.dumps(ready)}", file=out, flush=True)  # type: ignore[call-overload]
        while not stopping.is_set() and worker.failure is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), FAILURE_POLL_S)
    finally:
        await acceptor.close()
        if feed is not None:
            await feed.close()
        await send.close()
        worker.stop()
        await stores.close()
        journals.close()
    return 1 if worker.failure is not None else 0


def _run(args: argparse.Namespace) -> int:
    try:
        config = venue_config(args.venue)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    clients = args.client or ["DBRK"]
    return asyncio.run(
        run_venue(
            config,
            Path(args.data_dir),
            host=args.host,
            fix_port=args.fix_port,
            feed_port=args.feed_port,
            comp_id=args.comp_id or config.name,
            clients=clients,
        )
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``directbroker venue``."""
    parser = subparsers.add_parser(
        "venue",
        help="run one simulated venue as its own process, reached over FIX",
        description=(
            "Run one venue's matching engine with its own journal, a FIX 4.2 acceptor for "
            "participants' orders and, with --feed-port, its public feed for market data. "
            "It resumes from --data-dir after any stop."
        ),
    )
    parser.add_argument("--venue", required=True, help="the venue (e.g. ARCA)")
    parser.add_argument("--fix-port", type=int, required=True, help="FIX port (0: any free)")
    parser.add_argument("--data-dir", required=True, help="the venue's data directory")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--comp-id", default=None, help="the venue's CompID (default: its name)")
    parser.add_argument(
        "--client",
        action="append",
        help="a participant allowed to log on (its SenderCompID); repeat for more (default DBRK)",
    )
    parser.add_argument(
        "--feed-port", type=int, default=None, help="serve the public feed here (0: any free)"
    )
    parser.set_defaults(handler=_run)
