"""The router as the OMS sees it: a narrow protocol, so any router (the smart order router,
or the directed fallback the broker ships) can be composed in without the engines importing
each other. Requests and answers are the plain values of ``directbroker.domain.routing`` and
the venues' own execution reports.

The OMS owns child ids and each child's lifecycle; the router owns where shares go and what
routing achieved (execution quality, the Rule 606 history). So the OMS tells the router what
it needs to measure: every child it actually sends (:meth:`RoutingPolicy.child_sent`, under the
OMS's id), every venue report it applies to one (:meth:`RoutingPolicy.child_report`, with
prices, liquidity and fees), and when a child is done (:meth:`RoutingPolicy.child_ended`, with
whether the OMS still wants the parent's shares). All of it happens inside the broker core's
journaled inputs, so the router's state replays exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from directbroker.domain.broker_messages import ParentFilled
from directbroker.domain.messages import Event
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import ChildInstruction, RouteRequest
from directbroker.domain.venue_messages import (
    ExecutionReport,
)
from directbroker.engines.oms.model import Parent

Refusal = tuple[RejectCode, str]
"""Why an input is refused: a stable code and a message the customer can act on."""

RoutingGate = Callable[[Parent, int], Refusal | int]
"""Pre-trade risk for an order the broker held (a triggered stop, a released bracket/OTO leg),
asked at the moment it would go to market: a refusal, or the price per share to reserve buying
power at. The broker core supplies it (SEC Rule 15c3-5 wants the checks before any order
reaches a market, not only when the customer placed it); alone, the OMS admits everything."""

FillPosting = Callable[[ParentFilled, int], list[Event]]
"""Books a parent's fill where the money is (the ledger), right after the fill and before the
OMS reacts to it, so checks that run in the same input (a released leg) see the new position
and buying power. Returns the events the booking caused."""


def admit_all(parent: Parent, ts_ns: int) -> Refusal | int:
    """The gate of an OMS composed without risk: every order goes, at its current reserve."""
    return parent.reserve_price


def post_nothing(fill: ParentFilled, ts_ns: int) -> list[Event]:
    """The posting of an OMS composed without a ledger."""
    return []


VenueReport = ExecutionReport
"""A venue's execution report for one of the broker's child orders."""


class RoutingPolicy(Protocol):
    """Decides where a parent's open quantity goes. Must be deterministic: it sees only what
    the broker core passes it, and its state is part of the core's snapshot.

    Call order for one child, all within broker core inputs: :meth:`plan` (or
    :meth:`child_ended`) answers instructions; :meth:`child_sent` for each one the OMS sends;
    :meth:`child_report` for each venue report the OMS applies to it, before the OMS acts on
    the report; :meth:`child_ended` once, when the OMS considers it done."""

    def plan(self, request: RouteRequest, ts_ns: int) -> list[ChildInstruction] | RejectCode:
        """The children to send for ``request`` (their quantities sum to at most
        ``request.quantity``), or why the order cannot be routed. The OMS sends every child of
        an accepted plan at once."""
        ...

    def child_sent(
        self, parent_id: str, child_id: str, instruction: ChildInstruction, ts_ns: int
    ) -> None:
        """The OMS sent ``instruction`` (one answered by :meth:`plan` or :meth:`child_ended`)
        as ``child_id``: from now on reports for ``child_id`` concern it. Only children the
        OMS really sent are ever reported here."""
        ...

    def child_report(self, report: VenueReport, ts_ns: int) -> None:
        """A venue's report for a child announced by :meth:`child_sent` (accept, fill with
        price, liquidity and fee, cancel, reject, replace), as the OMS applies it. Reports the
        OMS ignores (unknown child, late, not fitting) are not passed on."""
        ...

    def observe(self, event: Event) -> None:
        """Market data the broker core received (quotes, depth, prints, trading status)."""
        ...

    def child_ended(
        self,
        parent_id: str,
        child_id: str,
        venue: str,
        filled: int,
        unfilled: int,
        code: RejectCode | None,
        wanted: bool,
        ts_ns: int,
    ) -> list[ChildInstruction]:
        """A child finished (``code`` is the venue's reject, if it was rejected). ``wanted``
        says whether the OMS would still send the unfilled shares elsewhere (not when the
        parent is done, being cancelled or being replaced). The answer is the children to send
        for them (empty: none, and always empty when not ``wanted``); the OMS sends all of
        them, each announced by :meth:`child_sent`."""
        ...

    def snapshot(self) -> bytes:
        """The router's state (canonical bytes)."""
        ...

    def restore(self, data: bytes) -> None:
        """Replace the state with one from :meth:`snapshot`."""
        ...
