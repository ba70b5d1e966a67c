"""``directbroker ARGS`` under cProfile, every thread included, for ``api_bench.py --profile``.

Run: ``DIRECTBROKER_PROFILE=OUT python benchmarks/profile_child.py demo --no-live ...``.

cProfile sees only the thread that enables it, and the platform's work happens on its own
threads (the platform thread with the cores and the simulation, the API server's event loop,
the history reader). So every thread started after this module runs gets its own profiler,
enabled inside the thread; when the command returns (SIGTERM stops it cleanly), all of them are
merged into one pstats file at ``OUT``. Threads still running at that point contribute what
they collected so far. Nothing in the platform changes.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import threading

_profilers: list[cProfile.Profile] = []
_lock = threading.Lock()
_original_run = threading.Thread.run


def _profiled_run(self: threading.Thread) -> None:
    profiler = cProfile.Profile()
    with _lock:
        _profilers.append(profiler)
    profiler.enable()
    try:
        _original_run(self)
    finally:
        profiler.disable()


def _snapshot(profiler: cProfile.Profile) -> pstats.Stats:
    """A profiler's stats so far, without disabling it (it may belong to a live thread)."""
    snapshot = pstats.Stats()
    profiler.snapshot_stats()
    snapshot.stats = profiler.stats  # type: ignore[attr-defined]
    snapshot.get_top_level_stats()
    return snapshot


def main() -> int:
    out = os.environ["DIRECTBROKER_PROFILE"]
    threading.Thread.run = _profiled_run  # type: ignore[method-assign]
    from directbroker.app.cli import main as cli

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        status = cli(sys.argv[1:])
    finally:
        profiler.disable()
        stats = pstats.Stats(profiler)
        with _lock:
            for other in _profilers:
                stats.add(_snapshot(other))
        stats.dump_stats(out)
    return status


if __name__ == "__main__":
    sys.exit(main())
