"""``/v1/firm``: the firm's own staff work (risk, compliance, operations), with roles."""

from __future__ import annotations

from fastapi import APIRouter

from directbroker.adapters.http.broker.auth import AnyStaff
from directbroker.adapters.http.broker.ports import BrokerPorts


def firm_router(ports: BrokerPorts) -> APIRouter:
    """The ``/v1/firm`` routes over ``ports.firm``."""
    router = APIRouter(prefix="/v1/firm", tags=["firm"])

    @router.get("/whoami")
    async def whoami(actor: AnyStaff) -> dict[str, object]:
        """The staff key calling: its id, user and roles (any staff role may ask)."""
        return {
            "key_id": actor.key_id,
            "user_id": actor.user_id,
            "roles": sorted(role.value for role in actor.roles),
        }

    return router
