"""The opening workflow as a table: which status may follow which.

REJECTED and ACCOUNT_CLOSED are final. An account becomes ACTIVE only from a status that
waits for a decision, and only by approval (automatic or a person's), which is also the only
moment the books open the account.
"""

from __future__ import annotations

from directbroker.domain.onboarding_messages import OnboardingStatus as S

TRANSITIONS: dict[S, frozenset[S]] = {
    S.SUBMITTED: frozenset({S.APPROVAL_PENDING, S.ACTION_REQUIRED}),
    S.APPROVAL_PENDING: frozenset({S.ACTIVE, S.REJECTED, S.ACCOUNT_CLOSED}),
    S.ACTION_REQUIRED: frozenset({S.ACTIVE, S.REJECTED, S.ACCOUNT_CLOSED}),
    S.ACTIVE: frozenset({S.ACCOUNT_CLOSED}),
    S.REJECTED: frozenset(),
    S.ACCOUNT_CLOSED: frozenset(),
}

AWAITING_DECISION = frozenset({S.APPROVAL_PENDING, S.ACTION_REQUIRED})
"""Statuses staff may approve or reject from."""

UPDATABLE = frozenset({S.APPROVAL_PENDING, S.ACTION_REQUIRED, S.ACTIVE})
"""Statuses in which the holder's details may still change."""


def may_move(old: S, new: S) -> bool:
    """Whether the workflow allows ``old`` -> ``new``."""
    return new in TRANSITIONS[old]
