"""An asyncio face for a subscription: await batches of events without polling.

The publisher runs on its own thread (or the same loop); it wakes the consumer's loop through
``call_soon_threadsafe``, the only asyncio call that is safe from another thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable

from directbroker.adapters.marketdata.fanout import MarketDataFanout
from directbroker.adapters.marketdata.subscription import Subscription
from directbroker.domain.marketdata_messages import Channel
from directbroker.domain.messages import Event


class AsyncSubscription:
    """A :class:`Subscription` whose consumer awaits on an event loop."""

    def __init__(
        self,
        fanout: MarketDataFanout,
        symbols: Iterable[str] | None,
        channels: Iterable[Channel],
        capacity: int | None = None,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        self.subscription: Subscription = fanout.subscribe(
            symbols, channels, capacity, on_ready=self._notify
        )

    def _notify(self) -> None:
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._wakeup.set)

    async def next_batch(self, max_items: int = 1_024) -> list[Event]:
        """Wait until something is queued (or the subscription ends) and take it; an empty
        list means the subscription is closed and drained."""
        while True:
            batch = self.subscription.poll(max_items)
            if batch or self.subscription.closed:
                return batch
            self._wakeup.clear()
            if len(self.subscription) == 0 and not self.subscription.closed:
                await self._wakeup.wait()

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            batch = await self.next_batch()
            if not batch:
                return
            for event in batch:
                yield event
