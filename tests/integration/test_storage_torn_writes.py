"""A writer killed in the middle of a batch leaves the batches before it whole and nothing of
its own: SQLite and PostgreSQL transactions cannot be torn, and this proves we rely on them
correctly (one transaction per batch, never autocommit per row)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from directbroker.runtime import recover, verify_journal
from directbroker.testing.cash import CashEngine
from directbroker.testing.storage import Backend, fill

_CHILD = """
import sys
from directbroker.runtime import InMemoryJournal
from directbroker.testing.storage import Backend, fill
backend = Backend(sys.argv[1], sys.argv[2])
storage = backend.open()
staging = InMemoryJournal()
staging.entries = list(storage.journal.read())
batch = fill(staging, 60_000, batch=60_000, start=1_000)
print("APPENDING", flush=True)
storage.journal.append(batch)
print("DONE", flush=True)
"""


def _wait_for_the_server_to_finish_with(backend: Backend, timeout: float = 30.0) -> None:
    """A killed client's COMMIT may already be on its way: PostgreSQL then finishes the
    transaction after the client is gone. Read the journal only once the server has ended the
    killed writer's session, or the check races the server's own commit (SQLite has no server)."""
    if backend.name != "postgres":
        return
    deadline = time.monotonic() + timeout
    others = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    while backend.execute(others)[0][0]:
        assert time.monotonic() < deadline, "the killed writer's session never ended"
        time.sleep(0.05)


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.05, 0.1])
def test_sigkill_mid_batch_leaves_no_half_batch(backend: Backend, delay: float) -> None:
    with backend.open() as storage:
        before = fill(storage.journal, 500, batch=250)
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, backend.name, backend.location],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "APPENDING"
    time.sleep(delay)
    child.kill()
    rest = child.stdout.read()
    child.stdout.close()
    child.wait()
    _wait_for_the_server_to_finish_with(backend)
    with backend.open() as storage:
        report = verify_journal(storage.journal)
        assert report.ok
        # Either the whole 60,000-entry batch is there or none of it.
        if "DONE" in rest:
            assert report.entries == 60_500
        else:
            assert report.entries in (500, 60_500)
        if delay <= 0.01:
            assert "DONE" not in rest, "the kill was meant to land inside the transaction"
        assert list(storage.journal.read(0, 500)) == before
        _, recovered = recover(CashEngine, storage.journal)
        assert recovered.last_seq == report.entries
