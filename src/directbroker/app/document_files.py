"""Issued customer documents on disk, and into the store the APIs serve them from.

Confirmations and statements are written once, by the end-of-day and end-of-month runs (or
``directbroker backoffice documents``), as ``backoffice/documents/<account>/<kind>-<date>.pdf``
under the data directory; at start-up every file there is issued into the
:class:`~directbroker.app.documents.DocumentStore` again, under the same stable id, so the
Broker API and the customer's own API list and download the same documents after a restart.
A file is written to a temporary name, flushed to disk and renamed, so a crash leaves either
the whole document or none.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from directbroker.adapters.http.broker.accounts_port import DocumentView
from directbroker.app.config import FirmConfig
from directbroker.app.documents import DocumentStore, document_id
from directbroker.backoffice.customer_documents import KINDS, IssuedDocument, document_name
from directbroker.backoffice.pdf_layout import FirmDetails, day
from directbroker.runtime.schedule import from_date

PDF = "application/pdf"
_ACCOUNT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_FILE = re.compile(r"^(?P<kind>[a-z_]+)-(?P<date>\d{4}-\d{2}-\d{2})\.pdf$")


def documents_dir(data_dir: Path) -> Path:
    """Where a data directory keeps its customer documents."""
    return data_dir / "backoffice" / "documents"


def firm_details(config: FirmConfig) -> FirmDetails:
    """The firm and its clearing firm, as the configuration names them."""
    firm, back = config.firm, config.backoffice
    return FirmDetails(
        firm.name, firm.address, firm.phone, firm.email, back.clearing_firm, back.clearing_number
    )


def document_path(data_dir: Path, document: IssuedDocument) -> Path:
    """The file of an issued document (:class:`ValueError` for an account name that is not
    a safe file name)."""
    if not _ACCOUNT.match(document.account) or document.kind not in KINDS:
        raise ValueError(f"cannot file a {document.kind!r} for account {document.account!r}")
    folder = documents_dir(data_dir) / document.account
    return folder / f"{document.kind}-{day(document.date)}.pdf"


def write_documents(data_dir: Path, documents: Iterable[IssuedDocument]) -> list[Path]:
    """Write each document (replacing an earlier issue of the same one); the paths."""
    written = []
    for document in documents:
        path = document_path(data_dir, document)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        with open(temporary, "wb") as out:
            out.write(document.content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
        _sync_dir(path.parent)
        written.append(path)
    return written


def _sync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def view_of(account: str, kind: str, on: str) -> DocumentView:
    """How the APIs list a document (``on`` is YYYY-MM-DD)."""
    name = document_name(kind, from_date(date.fromisoformat(on)))
    return DocumentView(document_id(account, kind, on), account, name, kind, "", on, PDF)


def issue_documents(store: DocumentStore, documents: Iterable[IssuedDocument]) -> None:
    """Put freshly issued documents in the store the APIs serve."""
    for document in documents:
        store.issue(view_of(document.account, document.kind, day(document.date)), document.content)


def load_documents(data_dir: Path, store: DocumentStore) -> int:
    """Issue every document filed under ``data_dir`` into ``store``; how many. Files that
    are not documents (a temporary left by a crash) are skipped."""
    root = documents_dir(data_dir)
    if not root.is_dir():
        return 0
    loaded = 0
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or not _ACCOUNT.match(folder.name):
            continue
        for path in sorted(folder.iterdir()):
            found = _FILE.match(path.name)
            if found is None or found["kind"] not in KINDS:
                continue
            try:
                view = view_of(folder.name, found["kind"], found["date"])
            except ValueError:
                continue
            store.issue(view, path.read_bytes())
            loaded += 1
    return loaded
