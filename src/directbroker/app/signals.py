"""Clean stops on SIGINT and SIGTERM.

A long-running command waits in its main thread; the first SIGINT or SIGTERM interrupts that
wait (as :class:`KeyboardInterrupt`), and further signals are ignored while the command stops
cleanly (in-flight commits finish, storage closes), so a second Ctrl-C or an impatient
supervisor cannot tear the stop halfway and print a traceback.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    for number in _SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise :class:`KeyboardInterrupt` once (main
    thread only; elsewhere the block changes nothing). Handlers are restored after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in _SIGNALS}
    for number in _SIGNALS:
        signal.signal(number, _interrupt)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
