"""Checks on a routing request's fields before the router uses them.

Requests come from journaled inputs that may have been decoded from outside; a field of the
wrong kind must be refused (code 1xxx, malformed) before it reaches a dict lookup or an enum
comparison, where it would raise instead.
"""

from __future__ import annotations

from directbroker.domain.orders import OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.routing import RouteRequest


def invalid_request(request: RouteRequest) -> str | None:
    """Why a request's fields are not even the right kinds of value (bad input must not reach
    a dict lookup or an enum comparison), or ``None``."""
    checks = (
        (type(request.parent_id) is str and 0 < len(request.parent_id) <= 64, "parent_id"),
        (type(request.symbol) is str and bool(request.symbol), "symbol"),
        (isinstance(request.side, Side), "side"),
        (isinstance(request.time_in_force, TimeInForce), "time_in_force"),
        (isinstance(request.order_type, OrderType), "order_type"),
        (isinstance(request.post_only, PostOnly), "post_only"),
        (type(request.route) is str and bool(request.route), "route"),
        (
            isinstance(request.allowed_venues, tuple)
            and all(type(v) is str for v in request.allowed_venues),
            "allowed_venues",
        ),
        (
            request.display_quantity is None
            or (type(request.display_quantity) is int and request.display_quantity > 0),
            "display_quantity",
        ),
        (type(request.hidden) is bool, "hidden"),
    )
    for ok, name in checks:
        if not ok:
            return f"bad {name}"
    return None
