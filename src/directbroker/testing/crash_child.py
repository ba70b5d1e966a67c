"""The process the crash harness kills: a sequencer over real storage, driven by a pipe.

Protocol (one line each). In on stdin: a command index. Out on stdout: ``READY seq hash`` after
recovery; ``A index seq dup`` for each outcome, ``H seq hash`` after each batch (both written
only after the batch's durable commit, so the parent knows exactly what was acknowledged);
``R index code`` for a runtime refusal; ``BYE seq hash`` after a clean stop at end of input.

Run: ``python -m directbroker.testing.crash_child --sqlite PATH --workload module:name``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from directbroker.adapters.clock import SystemClock
from directbroker.runtime import Outcome, Sequencer, recover
from directbroker.testing.workload import load_workload

if TYPE_CHECKING:
    from directbroker.adapters.storage.postgres import PostgresStorage
    from directbroker.adapters.storage.sqlite import SqliteStorage


def main(argv: Sequence[str] | None = None) -> int:
    """Recover, then serve commands from stdin until it closes (or SIGKILL arrives)."""
    parser = argparse.ArgumentParser(prog="crash_child")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite")
    where.add_argument("--postgres")
    parser.add_argument("--workload", default="directbroker.testing.workload:cash_workload")
    parser.add_argument("--snapshot-every", type=int, default=500)
    parser.add_argument("--max-batch", type=int, default=200)
    parser.add_argument("--inbox", type=int, default=500)
    args = parser.parse_args(argv)
    workload = load_workload(args.workload)
    storage: SqliteStorage | PostgresStorage
    if args.sqlite:
        from directbroker.adapters.storage.sqlite import SqliteStorage

        storage = SqliteStorage(args.sqlite)
    else:
        from directbroker.adapters.storage.postgres import PostgresStorage

        storage = PostgresStorage(args.postgres)
    journal, snapshots = storage.journal, storage.snapshots
    core, recovered = recover(workload.new_core, journal, snapshots)
    out = sys.stdout.buffer
    out.write(f"READY {recovered.last_seq} {recovered.state_hash}\n".encode())
    out.flush()
    lines: list[bytes] = []

    def on_batch(seq: int) -> None:
        lines.append(f"H {seq} {core.state_hash()}\n".encode())
        out.write(b"".join(lines))
        out.flush()
        lines.clear()

    sequencer = Sequencer(
        core,
        journal,
        SystemClock(),
        position=recovered,
        snapshots=snapshots,
        snapshot_every=args.snapshot_every,
        max_batch=args.max_batch,
        inbox_capacity=args.inbox,
        on_batch=on_batch,
    )

    def acknowledger(index: int) -> Callable[[Outcome], None]:
        def acknowledge(outcome: Outcome) -> None:
            if outcome.reject is not None:
                lines.append(f"R {index} {outcome.reject.number}\n".encode())
            else:
                lines.append(f"A {index} {outcome.seq} {int(outcome.duplicate)}\n".encode())

        return acknowledge

    sequencer.start()
    for raw in sys.stdin.buffer:
        index = int(raw)
        sequencer.submit(
            workload.command(index), client_id=f"c{index}", on_outcome=acknowledger(index)
        )
    sequencer.stop()
    if lines:  # runtime refusals of a batch that journaled nothing
        out.write(b"".join(lines))
    out.write(f"BYE {sequencer.last_seq} {core.state_hash()}\n".encode())
    out.flush()
    storage.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
