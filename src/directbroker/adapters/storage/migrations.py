"""Ordered schema migrations, shared by both databases.

Each backend lists its steps; a database records the steps it has applied in ``schema_version``.
Opening storage applies the missing steps in order, each in its own transaction, so a user who
upgrades keeps their data, and a database written by a newer release is refused rather than
misread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class SchemaError(Exception):
    """The database's schema cannot be used by this release."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: version ``n`` takes a database from ``n - 1`` to ``n``."""

    version: int
    description: str
    statements: tuple[str, ...]


def pending(steps: Sequence[Migration], current: int, target: int | None = None) -> list[Migration]:
    """The steps that take a database at ``current`` to ``target`` (default: the latest)."""
    latest = steps[-1].version if steps else 0
    goal = latest if target is None else target
    if [s.version for s in steps] != list(range(1, latest + 1)):
        raise SchemaError("migration steps must be numbered 1, 2, 3, ... without gaps")
    if current > latest:
        raise SchemaError(
            f"the database is at schema version {current}, newer than this release supports "
            f"({latest}); upgrade DirectBroker"
        )
    if not 0 <= goal <= latest:
        raise SchemaError(f"no schema version {goal}")
    return [s for s in steps if current < s.version <= goal]
