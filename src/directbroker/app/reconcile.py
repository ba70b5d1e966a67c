"""Exactly-once delivery between the embedded platform's cores (ADR 0010).

Each core is durable on its own, but the platform carries messages from one core's journal to
another: a venue's execution reports to the broker, its public feed to market data, market
data's quotes to the broker, the broker's child orders to the venues. A crash between the
origin's commit and the destination's loses the message. Two things close the gap:

* Every carried message goes in with a client id naming its origin, ``source:seq:index`` (the
  origin journal, the entry, the event's position in that entry). The destination's sequencer
  answers a message it has already journaled with the original outcome and applies it again
  never, so re-sending is always safe.
* On start-up, before anything new happens, :func:`reconcile` walks each origin journal back
  from its tail, re-sends every message the destination has not journaled, and repeats until a
  pass applies nothing (re-sent child orders make new venue reports, and so on).

The walk stops at the first chunk whose messages the destination has all journaled. That is
exact only because the platform delivers each origin → destination pair in origin order and
finishes reconciling before it moves anything new: the destination always holds a prefix of
what its origin sent it, so everything before a delivered message was delivered too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from directbroker.domain.messages import Event, Message
from directbroker.protocols import codec
from directbroker.runtime.journal import reading
from directbroker.runtime.sequencer import MAX_CLIENT_ID_LENGTH, Outcome
from directbroker.runtime.stepped import SteppedCore

CHUNK = 256
"""Origin entries read per step of the backward walk."""

M = TypeVar("M", bound=Message)

Select = Callable[[Event], Message | None]
"""Which message (if any) one of the origin's events becomes for a destination."""

OnApplied = Callable[[str, Sequence[Outcome]], None]
"""Told each destination's newly applied outcomes (to keep derived views, such as history)."""


def origin_id(source: str, seq: int, index: int) -> str:
    """The client id of the message made from event ``index`` of ``source``'s entry ``seq``."""
    client_id = f"{source}:{seq}:{index}"
    if len(client_id) > MAX_CLIENT_ID_LENGTH:
        raise ValueError(f"origin id {client_id!r} is longer than {MAX_CLIENT_ID_LENGTH}")
    return client_id


def keyed(
    source: str, outcomes: Sequence[Outcome], select: Callable[[Event], M | None]
) -> tuple[list[M], list[str | None]]:
    """The messages ``outcomes`` (of ``source``) carry to one destination, with their ids.

    The live path and :func:`reconcile` must key a message alike, or a re-sent message would
    look new: both number an event by its position among all of its entry's events.
    """
    messages: list[M] = []
    ids: list[str | None] = []
    for outcome in outcomes:
        for index, event in enumerate(outcome.events):
            message = select(event)
            if message is not None:
                messages.append(message)
                ids.append(origin_id(source, outcome.seq, index))
    return messages, ids


@dataclass(frozen=True, slots=True)
class Route:
    """One destination of an origin's messages."""

    name: str
    core: SteppedCore[Any]
    select: Select


@dataclass(frozen=True, slots=True)
class Origin:
    """A core whose journal entries carry messages to other cores, in delivery order."""

    name: str
    core: SteppedCore[Any]
    routes: tuple[Route, ...]


class _Pending(NamedTuple):
    client_id: str
    message: Message
    ts_ns: int


@dataclass(slots=True)
class Reconciled:
    """What start-up reconciliation did: messages re-sent and newly applied, per pair."""

    passes: int = 0
    resent: dict[str, int] = field(default_factory=dict)
    applied: dict[str, int] = field(default_factory=dict)

    def absorb(self, other: Reconciled) -> None:
        """Add what an earlier reconciliation (the market's own) did to this report."""
        self.passes += other.passes
        for pair, count in other.resent.items():
            self.resent[pair] = self.resent.get(pair, 0) + count
        for pair, count in other.applied.items():
            self.applied[pair] = self.applied.get(pair, 0) + count

    @property
    def total_applied(self) -> int:
        """Messages that had been lost in a crash and are now delivered."""
        return sum(self.applied.values())


def reconcile(
    origins: Sequence[Origin], on_applied: OnApplied | None = None, *, chunk: int = CHUNK
) -> Reconciled:
    """Deliver every message an origin journaled but its destination never got, in causal
    order (``origins`` in the order given, each origin's routes in order), until a whole
    pass finds nothing missing."""
    report = Reconciled()
    while True:
        report.passes += 1
        applied = 0
        for origin in origins:
            pending = _undelivered(origin, chunk)
            for route, items in zip(origin.routes, pending, strict=True):
                if not items:
                    continue
                outcomes = route.core.apply_outcomes(
                    [item.message for item in items],
                    items[-1].ts_ns,
                    [item.client_id for item in items],
                )
                fresh = [outcome for outcome in outcomes if not outcome.duplicate]
                pair = f"{origin.name}->{route.name}"
                report.resent[pair] = report.resent.get(pair, 0) + len(items)
                report.applied[pair] = report.applied.get(pair, 0) + len(fresh)
                applied += len(fresh)
                if fresh and on_applied is not None:
                    on_applied(route.name, fresh)
        if applied == 0:
            return report


def _undelivered(origin: Origin, chunk: int) -> list[list[_Pending]]:
    """Per route, the origin's messages its destination has not journaled, oldest first.

    One backward walk serves every route of the origin (each entry is decoded once). A route
    is settled at the first chunk, walking back, that holds messages for it all of which its
    destination has; a chunk holding none for it says nothing, so the walk goes on (for a
    destination the origin rarely talks to, possibly to the start of the journal).
    """
    routes = origin.routes
    open_routes = list(range(len(routes)))
    found: list[list[list[_Pending]]] = [[] for _ in routes]
    high = origin.core.last_seq
    while high > 0 and open_routes:
        low = max(0, high - chunk)
        items: dict[int, list[_Pending]] = {i: [] for i in open_routes}
        with reading(origin.core.journal, low, high) as entries:
            for entry in entries:
                for index, event in enumerate(codec.decode_many(entry.events)):
                    if not isinstance(event, Event):
                        continue
                    for i in open_routes:
                        message = routes[i].select(event)
                        if message is not None:
                            client_id = origin_id(origin.name, entry.seq, index)
                            items[i].append(_Pending(client_id, message, entry.ts_ns))
        for i, chunk_items in items.items():
            if not chunk_items:
                continue
            known = routes[i].core.journal.find_client_ids([p.client_id for p in chunk_items])
            missing = [p for p in chunk_items if p.client_id not in known]
            found[i].append(missing)
            if not missing:
                open_routes.remove(i)
        high = low
    return [[p for part in reversed(parts) for p in part] for parts in found]
