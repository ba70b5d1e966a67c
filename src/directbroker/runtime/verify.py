"""End-to-end journal verification: the check behind ``directbroker journal verify``."""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.runtime.journal import ChainChecker, Journal, JournalCorruptedError, reading


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What a full walk of a journal found. ``bad_seq`` is the first entry that breaks."""

    entries: int
    last_seq: int
    last_hash: bytes
    bad_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """Whether every entry fits the chain."""
        return self.bad_seq is None

    def describe(self) -> str:
        """One line for a person: either the good tail or the first bad entry."""
        if self.ok:
            return (
                f"journal OK: {self.entries} entries, last seq {self.last_seq}, "
                f"head hash {self.last_hash.hex()}"
            )
        return f"journal CORRUPT at entry {self.bad_seq}: {self.reason}"


def verify_journal(journal: Journal) -> VerifyReport:
    """Stream the whole journal, recomputing every hash; memory does not grow with its length.

    A stored tail that claims a later sequence than the chain reached means entries are missing
    at the end, which is reported too.
    """
    checker = ChainChecker()
    count = 0
    try:
        with reading(journal) as entries:
            for entry in entries:
                checker.check(entry)
                count += 1
    except JournalCorruptedError as exc:
        return VerifyReport(count, checker.last_seq, checker.last_hash, exc.seq, exc.reason)
    return VerifyReport(count, checker.last_seq, checker.last_hash)
