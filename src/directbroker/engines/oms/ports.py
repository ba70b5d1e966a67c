"""The router as the OMS sees it: a narrow protocol, so any router (the smart order router,
or the directed fallback the broker ships) can be composed in without the engines importing
each other. Requests and answers are the plain values of ``directbroker.domain.routing``.
"""

from __future__ import annotations

from typing import Protocol

from directbroker.domain.messages import Event
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import ChildInstruction, RouteRequest

Refusal = tuple[RejectCode, str]
"""Why an input is refused: a stable code and a message the customer can act on."""


class RoutingPolicy(Protocol):
    """Decides where a parent's open quantity goes. Must be deterministic: it sees only what
    the broker core passes it, and its state is part of the core's snapshot."""

    def plan(self, request: RouteRequest, ts_ns: int) -> list[ChildInstruction] | RejectCode:
        """The children to send for ``request`` (their quantities sum to at most
        ``request.quantity``), or why the order cannot be routed."""
        ...

    def observe(self, event: Event) -> None:
        """Market data the broker core received (quotes, depth, prints, trading status)."""
        ...

    def child_ended(
        self,
        parent_id: str,
        venue: str,
        filled: int,
        unfilled: int,
        code: RejectCode | None,
        ts_ns: int,
    ) -> list[ChildInstruction]:
        """A child finished (``code`` is the venue's reject, if it was rejected). The answer is
        children to send for the unfilled shares elsewhere (empty: none); the OMS sends them
        only while the parent still wants the shares."""
        ...

    def snapshot(self) -> bytes:
        """The router's state (canonical bytes)."""
        ...

    def restore(self, data: bytes) -> None:
        """Replace the state with one from :meth:`snapshot`."""
        ...
