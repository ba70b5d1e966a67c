"""The firm family's port: staff work under ``/v1/firm`` (filled in with the firm routes)."""

from __future__ import annotations

from typing import Protocol


class FirmPort(Protocol):
    """Risk limits, the kill switch, restricted and easy-to-borrow lists, locates, house
    margin and API keys, as staff commands (journaled with the actor) and read-model views."""
