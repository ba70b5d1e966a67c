"""The page layout every customer document shares, and how money and dates are written on it.

Confirmations and statements are the firm's records as much as the customer's, so a document
rebuilt from the journal after a restart must be the same file byte for byte: the PDF's
creation date is the document's own date (not the time it was written) and the file id is a
hash of the content. Text goes through the PDF core fonts (Latin-1), which keeps every figure
extractable as text by any reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from directbroker.domain.numbers import PRICE_SCALE
from directbroker.runtime.schedule import to_date

_CENT = PRICE_SCALE // 100
_LINE = 4.6
"""Height of one line of body text, in millimetres."""


@dataclass(frozen=True, slots=True)
class FirmDetails:
    """Who issues the document and who carries the account, as printed on every page."""

    name: str
    address: str
    phone: str
    email: str
    clearing_firm: str
    clearing_number: str = ""


def money(units: int) -> str:
    """``units`` of $0.0001 as dollars with thousands separators: cents, or four places when
    the amount is not a whole number of cents (a sub-cent fee is shown exactly)."""
    places = 2 if units % _CENT == 0 else 4
    return f"{Decimal(units) / PRICE_SCALE:,.{places}f}"


def price(units: int) -> str:
    """A price: at least two decimal places, up to four."""
    text = f"{Decimal(units) / PRICE_SCALE:,.4f}"
    while text.endswith("0") and len(text.rpartition(".")[2]) > 2:
        text = text[:-1]
    return text


def shares(quantity: int) -> str:
    """A share count with thousands separators."""
    return f"{quantity:,}"


def day(date: int) -> str:
    """A YYYYMMDD business date as YYYY-MM-DD."""
    return to_date(date).isoformat()


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: its heading, width in millimetres and alignment (L, R or C)."""

    heading: str
    width: float
    align: str = "R"


class DocumentPdf:
    """One customer document: the firm's header and a page footer on every page, then the
    sections its builder adds in order."""

    def __init__(
        self, firm: FirmDetails, title: str, account: str, date: int, landscape: bool = False
    ) -> None:
        pdf = _Pages(firm, title, account, orientation="L" if landscape else "P", format="Letter")
        pdf.set_creation_date(datetime.combine(to_date(date), datetime.min.time(), UTC))
        pdf.set_title(f"{title} {account} {day(date)}")
        pdf.set_author(firm.name)
        pdf.set_creator(firm.name)
        pdf.set_producer(firm.name)
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.set_margins(12, 12, 12)
        pdf.alias_nb_pages()
        pdf.add_page()
        self._pdf = pdf

    @property
    def width(self) -> float:
        """The usable width of a page, in millimetres."""
        return float(self._pdf.epw)

    def heading(self, text: str) -> None:
        """A section heading."""
        pdf = self._pdf
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_draw_color(120, 120, 120)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
        pdf.ln(1)

    def fields(self, pairs: Sequence[tuple[str, str]], align: str = "R") -> None:
        """Label and value lines: figures right-aligned in a column after the label
        (``align="L"`` for words)."""
        pdf = self._pdf
        for label, value in pairs:
            pdf.set_font("Helvetica", "", 8.5)
            pdf.cell(55, _LINE, label)
            pdf.set_font("Helvetica", "B", 8.5)
            width = 40 if align == "R" else 0
            pdf.cell(width, _LINE, value, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def paragraph(self, text: str, size: float = 7.5) -> None:
        """Wrapped body text."""
        pdf = self._pdf
        pdf.set_font("Helvetica", "", size)
        pdf.multi_cell(0, size * 0.45, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> None:
        """A table with a heading row, repeated on every page it runs onto."""
        pdf = self._pdf
        self._table_heading(columns)
        pdf.set_font("Helvetica", "", 7)
        for row in rows:
            if pdf.will_page_break(_LINE):
                pdf.add_page()
                self._table_heading(columns)
                pdf.set_font("Helvetica", "", 7)
            for column, text in zip(columns, row, strict=True):
                pdf.cell(column.width, _LINE, text, align=column.align)
            pdf.ln(_LINE)
        if not rows:
            pdf.set_font("Helvetica", "I", 7)
            pdf.cell(0, _LINE, "None.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    def _table_heading(self, columns: Sequence[Column]) -> None:
        pdf = self._pdf
        pdf.set_font("Helvetica", "B", 7)
        pdf.set_fill_color(228, 232, 238)
        for column in columns:
            pdf.cell(column.width, _LINE + 0.6, column.heading, align=column.align, fill=True)
        pdf.ln(_LINE + 0.6)

    def output(self) -> bytes:
        """The finished PDF."""
        return bytes(self._pdf.output())


class _Pages(FPDF):
    """FPDF with the firm's header and the page footer."""

    def __init__(self, firm: FirmDetails, title: str, account: str, **kwargs: str) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._firm = firm
        self._doc_title = title
        self._account = account

    def header(self) -> None:
        firm = self._firm
        self.set_font("Helvetica", "B", 12)
        self.cell(self.epw / 2, 6, firm.name)
        self.cell(self.epw / 2, 6, self._doc_title, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("Helvetica", "", 8)
        self.cell(self.epw / 2, 4, firm.address)
        self.cell(self.epw / 2, 4, f"Account {self._account}", align="R")
        self.ln(4)
        self.cell(0, 4, f"{firm.phone}  |  {firm.email}  |  Member FINRA/SIPC")
        self.ln(5)
        self.set_draw_color(40, 40, 40)
        self.line(self.l_margin, self.get_y(), self.l_margin + self.epw, self.get_y())
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", "", 7)
        carried = f"Account carried by {self._firm.clearing_firm} on a fully disclosed basis."
        self.cell(self.epw * 0.8, 4, carried)
        self.cell(self.epw * 0.2, 4, f"Page {self.page_no()} of {{nb}}", align="R")
