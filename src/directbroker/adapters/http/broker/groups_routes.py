"""``/v1/groups``: account groups, made and changed by operations staff.

A group is a list of accounts managed together: a portfolio manager's key names groups, and
reaches exactly their members; a block order is allocated across a group's accounts, in the
group's order (which breaks remainder ties). Every change is a journaled broker command carrying
``actor``; any staff member may read. A member that is not an account of the firm is refused
(404 ``UNKNOWN_ACCOUNT``) and nothing changes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from directbroker.adapters.http.block_bodies import ID_PATTERN
from directbroker.adapters.http.block_routes import GroupOut, render_group
from directbroker.adapters.http.blocks_port import BlocksPort
from directbroker.adapters.http.broker.auth import AnyStaff, OperationsStaff
from directbroker.adapters.http.broker.errors import BrokerApiError, register_status
from directbroker.adapters.http.broker.ports import BrokerPorts
from directbroker.domain.portfolio_messages import ChangeAccountGroup, CreateAccountGroup
from directbroker.domain.rejects import RejectCode

for _code, _status in (
    (RejectCode.UNKNOWN_GROUP, 404),
    (RejectCode.DUPLICATE_GROUP, 409),
):
    register_status(_code, _status)

Json = dict[str, object]
GroupPath = Annotated[str, Path(pattern=ID_PATTERN)]
Members = Annotated[
    list[Annotated[str, Field(pattern=ID_PATTERN)]],
    Field(min_length=1, max_length=10_000, json_schema_extra={"uniqueItems": True}),
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewGroupBody(_Body):
    """A new group: its id, a name, and its accounts in allocation order."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field("", max_length=256)
    accounts: Members


class GroupMembersBody(_Body):
    """A group's accounts from now on, in allocation order."""

    accounts: Members


def _unique(accounts: list[str]) -> tuple[str, ...]:
    if len(set(accounts)) != len(accounts):
        raise BrokerApiError.invalid("an account is listed twice")
    return tuple(accounts)


def groups_router(ports: BrokerPorts) -> APIRouter:
    """The ``/v1/groups`` routes over ``ports.groups``."""
    router = APIRouter(prefix="/v1/groups", tags=["groups"])
    port: BlocksPort | None = ports.groups
    assert port is not None
    groups: BlocksPort = port

    def known(group_id: str) -> Json:
        view = groups.group(group_id)
        if view is None:
            raise BrokerApiError.from_reject(RejectCode.UNKNOWN_GROUP, f"no group {group_id}")
        return render_group(view)

    @router.get("", summary="Every account group", response_model=list[GroupOut])
    async def list_groups(_: AnyStaff) -> list[Json]:
        return [render_group(view) for view in groups.groups()]

    @router.post("", summary="Create an account group (operations)", response_model=GroupOut)
    async def create_group(body: NewGroupBody, actor: OperationsStaff) -> Json:
        command = CreateAccountGroup(body.id, _unique(body.accounts), body.name, actor.actor)
        return render_group(await groups.change_group(command))

    @router.get("/{group_id}", summary="An account group", response_model=GroupOut)
    async def get_group(group_id: GroupPath, _: AnyStaff) -> Json:
        return known(group_id)

    @router.put(
        "/{group_id}", summary="Replace a group's accounts (operations)", response_model=GroupOut
    )
    async def put_group(
        group_id: GroupPath, body: GroupMembersBody, actor: OperationsStaff
    ) -> Json:
        command = ChangeAccountGroup(group_id, _unique(body.accounts), actor.actor)
        return render_group(await groups.change_group(command))

    return router
