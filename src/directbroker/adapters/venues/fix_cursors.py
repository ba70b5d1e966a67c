"""What the venue's FIX side remembers beyond the venue's journal: per participant, how far
its reports have reached its session (the cursor), and per order, what reports need that
the events do not carry."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from directbroker.adapters.venues.fix_mapping import OrderFacts
from directbroker.domain.messages import Event
from directbroker.domain.venue_messages import OrderAccepted, OrderFilled, OrderReplaced


class Cursors:
    """Per participant, the last journal entry whose reports its session has stored.

    A small JSON file replaced atomically; it is not fsynced: a cursor that lags after a
    machine crash only re-sends reports the router recognises by ExecID. Confirmations come
    from the transport's thread, hence the lock. A report that was not sent pins the cursor
    below it until the next catch-up (a later report's confirmation must not skip it)."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self.positions: dict[str, int] = {}
        self._floors: dict[str, int] = {}
        if path is not None and path.exists():
            self.positions = {str(k): int(v) for k, v in json.loads(path.read_text()).items()}

    def start_catch_up(self, participant: str) -> int:
        """Where a catch-up for ``participant`` starts (and lift any pin)."""
        with self._lock:
            floor = self._floors.pop(participant, None)
            position = self.positions.get(participant, 0)
            return position if floor is None else min(position, floor)

    def confirmed(self, participant: str, seq: int) -> None:
        """Every report of entry ``seq`` for ``participant`` is stored by its session."""
        with self._lock:
            floor = self._floors.get(participant)
            target = seq if floor is None else min(seq, floor)
            if self.positions.get(participant, 0) >= target:
                return
            self.positions[participant] = target
            self._save()

    def failed(self, participant: str, seq: int) -> None:
        """A report of entry ``seq`` was not sent: the next catch-up starts before it."""
        with self._lock:
            self._floors[participant] = min(self._floors.get(participant, seq - 1), seq - 1)
            if self.positions.get(participant, 0) >= seq:
                self.positions[participant] = seq - 1
                self._save()

    def _save(self) -> None:
        if self._path is not None:
            temporary = self._path.with_suffix(".tmp")
            temporary.write_text(json.dumps(self.positions, sort_keys=True))
            os.replace(temporary, self._path)


class OrderBookOfFacts:
    """What each order's reports need that the events do not carry (side, size, executed)."""

    def __init__(self) -> None:
        self.orders: dict[str, OrderFacts] = {}

    def observe(self, event: Event) -> None:
        """Update from one venue event."""
        if isinstance(event, OrderAccepted):
            self.orders[event.order_id] = OrderFacts(
                event.symbol, event.side, event.order_type, event.quantity
            )
            return
        known = self.orders.get(getattr(event, "order_id", ""))
        if known is None:
            return
        if isinstance(event, OrderFilled):
            self.orders[event.order_id] = OrderFacts(
                known.symbol,
                known.side,
                known.order_type,
                known.quantity,
                event.cumulative_quantity,
                known.notional + event.price * event.quantity,
            )
        elif isinstance(event, OrderReplaced):
            self.orders[event.order_id] = OrderFacts(
                known.symbol,
                known.side,
                known.order_type,
                event.quantity,
                known.cumulative_quantity,
                known.notional,
            )

    def get(self, order_id: str) -> OrderFacts | None:
        """The facts of ``order_id``, if the venue accepted it."""
        return self.orders.get(order_id)
