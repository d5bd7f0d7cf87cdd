"""The case dossier as a document: titled sections of paragraphs and tables, drawn with ReportLab platypus
and finished as PDF/A-3b (desktop.printing.pdfa) with the letters and files embedded.

The services decide what the dossier says (already in its language); this module only lays it out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from desktop.printing.layout import FONT, FONT_BOLD, PDF_LANGUAGE, register_fonts
from desktop.printing.pdfa import EmbeddedFile, PdfaMetadata, make_pdfa

LEFT = 20 * mm
RIGHT = 15 * mm
TOP = 25 * mm
BOTTOM = 18 * mm
TEXT_WIDTH = A4[0] - LEFT - RIGHT
INK = colors.Color(0, 0, 0)
RULE = colors.Color(0.55, 0.55, 0.55)
SHADE = colors.Color(0.92, 0.92, 0.92)


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Text:
    text: str
    small: bool = False


@dataclass(frozen=True)
class Fields:
    """Label–value pairs, two columns."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Grid:
    """A table with a header row; `widths` are fractions of the text width."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    small: bool = True


Block = Heading | Text | Fields | Grid


@dataclass(frozen=True)
class DossierDocument:
    title: str
    office: str
    diary_number: str
    running_head: str  # printed at the top of every page
    page_word: str  # "page" in the document's language: "sivu 1 (3)"
    blocks: tuple[Block, ...]
    metadata: PdfaMetadata
    files: tuple[EmbeddedFile, ...] = field(default=())


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("body", fontName=FONT, bulletFontName=FONT, fontSize=10, leading=13, textColor=INK)
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=4
        ),
        "heading": ParagraphStyle(
            "heading", parent=base, fontName=FONT_BOLD, fontSize=12, leading=15, spaceBefore=10, spaceAfter=4
        ),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5),
        "small_bold": ParagraphStyle(
            "small_bold", parent=base, fontName=FONT_BOLD, fontSize=7.5, leading=9.5
        ),
        "label": ParagraphStyle("label", parent=base, fontName=FONT_BOLD, fontSize=9.5, leading=12),
    }


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _table_style(header: bool) -> TableStyle:
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # the cells are paragraphs; no standard font is set
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    return TableStyle(commands)


def _flowables(document: DossierDocument) -> list:
    styles = _styles()
    story: list = [
        _para(document.title, styles["title"]),
        _para(document.office, styles["body"]),
        Spacer(1, 4 * mm),
    ]
    for block in document.blocks:
        if isinstance(block, Heading):
            story.append(_para(block.text, styles["heading"]))
        elif isinstance(block, Text):
            story.append(_para(block.text, styles["small" if block.small else "body"]))
        elif isinstance(block, Fields):
            rows = [
                [_para(label, styles["label"]), _para(value, styles["body"])] for label, value in block.rows
            ]
            if rows:
                table = Table(rows, colWidths=[0.3 * TEXT_WIDTH, 0.7 * TEXT_WIDTH], hAlign="LEFT")
                table.setStyle(_table_style(header=False))
                story.append(table)
        elif isinstance(block, Grid):
            cell, head = (
                (styles["small"], styles["small_bold"]) if block.small else (styles["body"], styles["label"])
            )
            rows = [[_para(h, head) for h in block.headers]]
            rows += [[_para(value, cell) for value in row] for row in block.rows]
            table = Table(rows, colWidths=[w * TEXT_WIDTH for w in block.widths], repeatRows=1, hAlign="LEFT")
            table.setStyle(_table_style(header=True))
            story.append(KeepTogether([table]) if len(rows) < 4 else table)
    return story


class _NumberedCanvas(Canvas):
    """Draws "page n (m)" and the running head once the number of pages is known."""

    document: DossierDocument

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._decorate(number, total)
            super().showPage()
        super().save()

    def _decorate(self, number: int, total: int) -> None:
        width, height = A4
        self.setFont(FONT, 8)
        self.setFillColor(INK)
        self.drawString(LEFT, height - 12 * mm, self.document.running_head)
        self.drawRightString(width - RIGHT, height - 12 * mm, f"{self.document.page_word} {number} ({total})")
        self.setStrokeColor(RULE)
        self.setLineWidth(0.4)
        self.line(LEFT, height - 14 * mm, width - RIGHT, height - 14 * mm)


def render_dossier(document: DossierDocument) -> bytes:
    """The dossier as PDF/A-3b bytes, its files embedded."""
    register_fonts()
    buffer = io.BytesIO()

    class _Canvas(_NumberedCanvas):
        pass

    _Canvas.document = document
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=document.metadata.title,
        author=document.metadata.author,
        subject=document.metadata.subject,
        creator=document.metadata.producer,
        lang=PDF_LANGUAGE.get(document.metadata.language[:2], document.metadata.language),
        invariant=1,
        initialFontName=FONT,
    )
    template.build(_flowables(document), canvasmaker=_Canvas)
    return make_pdfa(buffer.getvalue(), document.metadata, document.files)


__all__ = ["Block", "DossierDocument", "Fields", "Grid", "Heading", "Text", "render_dossier"]
