"""The hash chain and its verification, on the in-memory journal."""

from __future__ import annotations

import pytest

from directbroker.protocols import codec
from directbroker.runtime import (
    GENESIS_HASH,
    ChainChecker,
    InMemoryJournal,
    JournalCorruptedError,
    JournalEntry,
    JournalError,
    entry_hash,
    make_entry,
    verify_journal,
)
from directbroker.testing.cash import CashDeposit, CashDeposited


def _chain(n: int, start_hash: bytes = GENESIS_HASH) -> list[JournalEntry]:
    entries: list[JournalEntry] = []
    prev = start_hash
    for seq in range(1, n + 1):
        command = codec.encode(CashDeposit(f"a{seq % 3}", seq))
        events = codec.encode_many([CashDeposited(f"a{seq % 3}", seq, seq)])
        entry = make_entry(prev, seq, 1000 + seq, f"c{seq}" if seq % 2 else None, command, events)
        entries.append(entry)
        prev = entry.hash
    return entries


def _journal(n: int) -> InMemoryJournal:
    journal = InMemoryJournal()
    journal.append(_chain(n))
    return journal


def test_hash_covers_every_field_and_the_previous_hash() -> None:
    base = (GENESIS_HASH, 1, 10, "c1", b"cmd", b"ev")
    digest = entry_hash(*base)
    for index, changed in enumerate(
        [b"\x01" * 32, 2, 11, "c2", b"cmX", b"eX"],
    ):
        variant = list(base)
        variant[index] = changed
        assert entry_hash(*variant) != digest  # type: ignore[arg-type]
    assert entry_hash(GENESIS_HASH, 1, 10, None, b"cmd", b"ev") != digest


def test_field_boundaries_are_unambiguous() -> None:
    # Moving a byte from the command to the events must change the hash.
    assert entry_hash(GENESIS_HASH, 1, 1, None, b"ab", b"c") != entry_hash(
        GENESIS_HASH, 1, 1, None, b"a", b"bc"
    )


def test_a_good_journal_verifies() -> None:
    report = verify_journal(_journal(20))
    assert report.ok
    assert report.entries == 20
    assert report.last_seq == 20
    assert "journal OK: 20 entries" in report.describe()


def test_empty_journal_verifies() -> None:
    report = verify_journal(InMemoryJournal())
    assert report.ok
    assert report.entries == 0
    assert report.last_hash == GENESIS_HASH


@pytest.mark.parametrize("field", ["ts_ns", "client_id", "command", "events", "hash"])
def test_changing_any_field_of_a_middle_entry_names_it(field: str) -> None:
    journal = _journal(10)
    entry = journal.entries[4]
    value = getattr(entry, field)
    tampered: object
    if isinstance(value, bytes):
        tampered = value[:-1] + bytes([value[-1] ^ 1])
    elif isinstance(value, int):
        tampered = value + 1
    else:
        tampered = "other"
    journal.entries[4] = entry._replace(**{field: tampered})  # type: ignore[arg-type]
    report = verify_journal(journal)
    assert not report.ok
    assert report.bad_seq == 5
    assert report.entries == 4
    assert "entry 5" in report.describe()


def test_every_byte_of_a_middle_entry_is_covered() -> None:
    journal = _journal(5)
    original = journal.entries[2]
    for field in ("command", "events"):
        blob: bytes = getattr(original, field)
        for i in range(len(blob)):
            flipped = blob[:i] + bytes([blob[i] ^ 0xFF]) + blob[i + 1 :]
            changes: dict[str, bytes] = {field: flipped}
            journal.entries[2] = original._replace(**changes)  # type: ignore[arg-type]
            assert verify_journal(journal).bad_seq == 3
    journal.entries[2] = original
    assert verify_journal(journal).ok


def test_a_missing_entry_is_named() -> None:
    journal = _journal(6)
    del journal.entries[2]
    report = verify_journal(journal)
    assert report.bad_seq == 3
    assert "missing" in report.reason


def test_wrongly_typed_stored_fields_are_corruption_not_a_crash() -> None:
    checker = ChainChecker()
    good = _chain(1)[0]
    with pytest.raises(JournalCorruptedError, match="entry 1 is corrupt"):
        checker.check(good._replace(command="text"))  # type: ignore[arg-type]


def test_corruption_error_names_the_entry_and_what_to_do() -> None:
    error = JournalCorruptedError(42, "hash mismatch")
    assert error.seq == 42
    assert "journal entry 42 is corrupt: hash mismatch" in str(error)
    assert "refusing" in str(error)


def test_append_refuses_gaps_and_repeats() -> None:
    journal = _journal(3)
    later = _chain(5)
    with pytest.raises(JournalError, match="expected 4"):
        journal.append([later[4]])
    with pytest.raises(JournalError, match="expected 4"):
        journal.append([later[2]])
    assert len(journal.entries) == 3


def test_append_is_all_or_nothing_on_a_duplicate_client_id() -> None:
    journal = _journal(3)
    entries = _chain(5)
    bad = entries[4]._replace(client_id="c1")
    with pytest.raises(JournalError, match="already journaled"):
        journal.append([entries[3], bad])
    assert len(journal.entries) == 3


def test_read_and_lookup() -> None:
    journal = _journal(10)
    assert [e.seq for e in journal.read(3, 6)] == [4, 5, 6]
    assert [e.seq for e in journal.read(8)] == [9, 10]
    assert journal.get(7) == journal.entries[6]
    assert journal.get(11) is None
    found = journal.find_client_ids(["c1", "c3", "c2", "nope"])
    assert {k: v.seq for k, v in found.items()} == {"c1": 1, "c3": 3}
    tail = journal.tail()
    assert tail is not None
    assert tail.seq == 10
