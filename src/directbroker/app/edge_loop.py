"""An event loop of its own for the read models, when no API server provides one.

The read models belong to one event loop (see :mod:`directbroker.app.edge_feed`); normally
that is the API server's. A platform run without the API (``--no-api``) still has edges (the
terminal screen), so it runs this bare loop on a thread instead.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")


class EdgeLoop:
    """An asyncio loop running forever on a daemon thread until :meth:`stop`."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="directbroker-edge", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()
        self.loop.close()

    def call(self, work: Callable[[], T]) -> Future[T]:
        """Run ``work`` on the loop; its result arrives through the future."""
        result: Future[T] = Future()

        def run() -> None:
            try:
                result.set_result(work())
            except BaseException as exc:
                result.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return result

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the loop and wait for its thread."""
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
