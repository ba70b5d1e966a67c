"""Broker API v1 trade documents: the list and the download of what the firm issued.

Alpaca answers a download with a redirect to the file; the firm serves the file itself (a
client that follows redirects, as alpaca-py does, sees no difference). Unknown documents,
and documents of another account, are 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from directbroker.adapters.http.broker.accounts_port import AccountsPort, DocumentView
from directbroker.adapters.http.broker.auth import StaffPrincipal, staff
from directbroker.adapters.http.broker.errors import BrokerApiError
from directbroker.adapters.http.openapi import DAY_PATTERN
from directbroker.adapters.http.ports import Role
from directbroker.adapters.http.shapes import Json

DAY = {"pattern": DAY_PATTERN}
DocumentsStaff = Annotated[StaffPrincipal, Depends(staff(Role.OPERATIONS, Role.COMPLIANCE))]


_EXTENSIONS = {"application/pdf": "pdf", "text/plain": "txt"}


def parse_day(text: str | None, name: str, invalid: Callable[[str], Exception]) -> str | None:
    """A list filter's day as YYYY-MM-DD (None when absent); ``invalid`` makes the API's error."""
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise invalid(f"{name} must be a date (YYYY-MM-DD)") from None


def _day(text: str | None, name: str) -> str | None:
    return parse_day(text, name, BrokerApiError.invalid)


def download_response(view: DocumentView, content: bytes) -> Response:
    """A document's content as an attachment named by its type and date."""
    extension = _EXTENSIONS.get(view.mime_type, "bin")
    filename = f"{view.document_type}-{view.date}.{extension}"
    return Response(
        content,
        media_type=view.mime_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def render_document(view: DocumentView) -> Json:
    """Alpaca's TradeDocument."""
    return {
        "id": view.document_id,
        "name": view.name,
        "type": view.document_type,
        "sub_type": view.sub_type,
        "date": view.date,
    }


def documents_router(port: AccountsPort, known: Callable[[str], str]) -> APIRouter:
    """The /v1/accounts/{account_id}/documents routes (``known`` 404s an unknown account)."""
    router = APIRouter(tags=["documents"])

    def one(account_id: str, document_id: str) -> tuple[DocumentView, bytes]:
        found = port.document(known(account_id), document_id.lower())
        if found is None:
            raise BrokerApiError.not_found(f"document not found: {document_id[:64]}")
        return found

    @router.get("/accounts/{account_id}/documents", summary="List an account's documents")
    async def list_documents(
        account_id: str,
        actor: DocumentsStaff,
        start: Annotated[str | None, Query(json_schema_extra=DAY)] = None,
        end: Annotated[str | None, Query(json_schema_extra=DAY)] = None,
        type: Annotated[str | None, Query(max_length=64)] = None,
    ) -> list[Json]:
        first, last = _day(start, "start"), _day(end, "end")
        if first and last and first > last:
            raise BrokerApiError.invalid("start must not be after end")
        found = port.documents(known(account_id), first, last, type or None)
        return [render_document(view) for view in found]

    @router.get("/accounts/{account_id}/documents/{document_id}", summary="Get a document")
    async def get_document(account_id: str, document_id: str, actor: DocumentsStaff) -> Json:
        return render_document(one(account_id, document_id)[0])

    @router.get(
        "/accounts/{account_id}/documents/{document_id}/download",
        summary="Download a document",
        response_class=Response,
        responses={200: {"content": {"application/pdf": {"schema": {"type": "string",
                                                                   "format": "binary"}},
                                     "text/plain": {"schema": {"type": "string"}}},
                         "description": "The document: a PDF, or text for the opening summary."}},
    )  # fmt: skip
    async def download(account_id: str, document_id: str, actor: DocumentsStaff) -> Response:
        return download_response(*one(account_id, document_id))

    return router
