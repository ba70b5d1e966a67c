"""Trading API: the customer's own documents (trade confirmations, monthly statements).

Alpaca's Trading API v2 has no documents endpoint (its customers get them through the Broker
API's partner); a direct broker's customers need their own, so these extend ``/v2/account``
with the Broker API's list shape: ``GET /v2/account/documents`` (``start``, ``end``, ``type``)
and ``GET /v2/account/documents/{document_id}/download``. A key sees only the account it acts
on; another account's document is 404, as an unknown one is, so ids cannot be probed.
(No ``from __future__ import annotations`` here: FastAPI resolves the routes' ``Annotated``
dependencies, which name a local, when they are defined.)
"""

from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Query, Response

from directbroker.adapters.http.broker.accounts_port import DocumentView
from directbroker.adapters.http.broker.documents_routes import (
    download_response,
    parse_day,
    render_document,
)
from directbroker.adapters.http.context import Acting, ApiContext
from directbroker.adapters.http.errors import ApiError
from directbroker.adapters.http.openapi import DAY_PATTERN
from directbroker.adapters.http.shapes import Json
from directbroker.domain.rejects import RejectCode

_DAY = {"pattern": DAY_PATTERN}


class DocumentShelf(Protocol):
    """The documents issued to accounts (the app's ``DocumentStore``)."""

    def find(
        self, account_id: str, start: str | None, end: str | None, document_type: str | None
    ) -> list[DocumentView]:
        """The account's documents dated in [start, end], of ``document_type`` if given."""
        ...

    def get(self, account_id: str, document_id: str) -> tuple[DocumentView, bytes] | None:
        """One of the account's documents with its content (None: not the account's)."""
        ...


def _day(text: str | None, name: str) -> str | None:
    return parse_day(text, name, ApiError.invalid)


def customer_documents_router(ctx: ApiContext, shelf: DocumentShelf) -> APIRouter:
    """The /v2/account/documents routes over ``shelf``."""
    router = APIRouter(prefix="/v2/account/documents", tags=["account"])
    acting_dep = Depends(ctx.acting)

    @router.get("", summary="List the account's documents")
    async def list_documents(
        acting: Annotated[Acting, acting_dep],
        start: Annotated[str | None, Query(json_schema_extra=_DAY)] = None,
        end: Annotated[str | None, Query(json_schema_extra=_DAY)] = None,
        type: Annotated[str | None, Query(max_length=64)] = None,
    ) -> list[Json]:
        first, last = _day(start, "start"), _day(end, "end")
        if first and last and first > last:
            raise ApiError.invalid("start must not be after end")
        return [render_document(v) for v in shelf.find(acting.account, first, last, type or None)]

    @router.get(
        "/{document_id}/download",
        summary="Download a document",
        response_class=Response,
        responses={200: {"content": {"application/pdf": {"schema": {"type": "string",
                                                                    "format": "binary"}}},
                         "description": "The document."}},
    )  # fmt: skip
    async def download(document_id: str, acting: Annotated[Acting, acting_dep]) -> Response:
        found = shelf.get(acting.account, document_id.lower()[:64])
        if found is None:
            raise ApiError.not_found(
                f"document not found: {document_id[:64]}", RejectCode.UNKNOWN_ACCOUNT
            )
        return download_response(*found)

    return router
