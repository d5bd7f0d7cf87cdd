"""The SFS 2487 page: geometry, fonts, the header and footer, the window address, and text flowing over pages.

Positions are given in millimetres from the page's left and *top* edges, as the standard and the envelope
makers give them; `Page` turns them into PDF points when drawing. Pages are laid out completely before
anything is drawn, so the header of every page can say `1 (N)`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from desktop.printing import FONTS_DIR

PAGE_WIDTH, PAGE_HEIGHT = A4

# SFS 2487: left margin 20 mm and a 23 mm tab grid (20, 43, 66, 89, 112, 135, 158, 181).
LEFT = 20 * mm
TAB = 23 * mm
BODY_X = LEFT + TAB  # 43 mm
HEADER_X = LEFT + 4 * TAB  # 112 mm: document type, date, diary number, confidentiality marking
HEADER_X2 = LEFT + 6 * TAB  # 158 mm: the diary number next to the date
PAGE_NUMBER_X = LEFT + 7 * TAB  # 181 mm
RIGHT = 190 * mm
BODY_WIDTH = RIGHT - BODY_X  # 147 mm (at most 157 mm)
FULL_WIDTH = RIGHT - LEFT

# Window envelopes C5/E5: window 18 mm from the left, 40 mm from the top, 95 x 35 mm.
WINDOW_X, WINDOW_Y, WINDOW_W, WINDOW_H = 18 * mm, 40 * mm, 95 * mm, 35 * mm
ADDRESS_X = 23 * mm
ADDRESS_TOP, ADDRESS_BOTTOM = 38.1 * mm, 63.5 * mm  # every address baseline lies in this band
ADDRESS_PITCH = 4.0 * mm
ADDRESS_FIRST = 45 * mm  # clear of the window's top edge; six lines start higher, at 43.5 mm
ADDRESS_MAX_WIDTH = 85 * mm
ADDRESS_SIZE = 10.5  # 23 mm ... 108 mm, inside the window with room to move
FOLD_MARKS = (148.5 * mm,)  # A4 folded once into a C5/E5 envelope

HEADER_ROW1 = 15 * mm
HEADER_PITCH = 12  # points: 1/6 inch, the standard's line spacing
FIRST_PAGE_BODY_TOP = 84 * mm
NEXT_PAGE_BODY_TOP = 40 * mm
BODY_BOTTOM = 268 * mm
FOOTER_RULE = 274 * mm

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
BODY_SIZE = 11
BODY_LEADING = 13.5
SMALL_SIZE = 8

PDF_LANGUAGE = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}


_fonts_ready = False


def register_fonts() -> None:
    """Register DejaVu Sans (embedded as TrueType subsets, so å ä ö š ž print everywhere)."""
    global _fonts_ready
    if _fonts_ready:
        return
    registered = pdfmetrics.getRegisteredFontNames()
    if FONT not in registered:
        pdfmetrics.registerFont(TTFont(FONT, str(FONTS_DIR / "DejaVuSans.ttf")))
    if FONT_BOLD not in registered:
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONTS_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    _fonts_ready = True


def width(text: str, font: str = FONT, size: float = BODY_SIZE) -> float:
    register_fonts()
    return pdfmetrics.stringWidth(text, font, size)


def wrap_width(text: str, max_width: float, font: str = FONT, size: float = BODY_SIZE) -> list[str]:
    """Greedy word wrap to `max_width` points; a word wider than a line is broken between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):  # only ordinary spaces break: a no-break space keeps "0295 020 900" whole
        if not word:
            continue
        candidate = f"{current} {word}" if current else word
        if width(candidate, font, size) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while width(word, font, size) > max_width:
            cut = len(word) - 1
            while cut > 1 and width(word[:cut], font, size) > max_width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


# -- what a page holds -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    x: float  # points from the left edge
    y: float  # baseline, points from the top edge
    text: str
    font: str = FONT
    size: float = BODY_SIZE
    align: str = "left"  # or "right"


@dataclass(frozen=True)
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    line_width: float = 0.5
    grey: float = 0.0
    dash: tuple[float, ...] = ()


@dataclass(frozen=True)
class Box:
    x: float
    y: float  # top edge, points from the top
    w: float
    h: float
    line_width: float = 0.5
    dash: tuple[float, ...] = ()


@dataclass
class Page:
    items: list[Text | Rule | Box] = field(default_factory=list)


@dataclass(frozen=True)
class Header:
    """What stands at the top of every page."""

    sender: Sequence[str]  # the office's name, wrapped by the layout
    doctype: str
    date: str
    diary_number: str = ""
    diary_label: str = ""
    marking: str = ""  # confidentiality marking
    logo: Path | None = None


@dataclass(frozen=True)
class Footer:
    """The office's contact details at the foot of every page: a title line and columns of lines."""

    title: str
    columns: Sequence[Sequence[str]]


@dataclass(frozen=True)
class Metadata:
    title: str
    author: str
    subject: str
    language: str  # fi, sv, en
    keywords: str = ""


class Flow:
    """Lines flowing down pages: starts a new page when the next line would pass the bottom."""

    def __init__(
        self,
        first_top: float = FIRST_PAGE_BODY_TOP,
        next_top: float = NEXT_PAGE_BODY_TOP,
        bottom: float = BODY_BOTTOM,
        on_new_page: Callable[[Flow], None] | None = None,
    ) -> None:
        self.pages: list[Page] = [Page()]
        self.next_top = next_top
        self.bottom = bottom
        self.y = first_top  # the last baseline (or the top edge of the text area)
        self.on_new_page = on_new_page
        self.fresh = True  # nothing placed on this page yet

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = self.next_top
        self.fresh = True
        if self.on_new_page:
            self.on_new_page(self)

    def ensure(self, height: float) -> None:
        """Start a new page unless `height` points still fit on this one."""
        if not self.fresh and self.y + height > self.bottom:
            self.new_page()

    def skip(self, height: float) -> None:
        """Vertical space; swallowed at the top of a page."""
        if self.fresh:
            return
        if self.y + height > self.bottom:
            self.new_page()
        else:
            self.y += height

    def line(
        self, x: float, text: str, font: str = FONT, size: float = BODY_SIZE, leading: float = BODY_LEADING
    ):
        """Place one line of text `leading` points below the previous one."""
        self.ensure(leading)
        self.y += leading
        if text:
            self.page.items.append(Text(x, self.y, text, font, size))
        self.fresh = False
        return self.y

    def add(self, item: Text | Rule | Box) -> None:
        self.page.items.append(item)
        self.fresh = False


# -- drawing ---------------------------------------------------------------------------------------------


def header_items(header: Header, number: int, count: int) -> list[Text | Rule | Box]:
    items: list[Text | Rule | Box] = []
    row = HEADER_ROW1
    sender_top = row
    if header.logo is not None:
        sender_top = 24 * mm  # the logo stands in rows 1-2, the office name under it
    sender_lines: list[str] = []
    for part in header.sender:
        sender_lines.extend(wrap_width(part, HEADER_X - LEFT - 6 * mm, FONT_BOLD, 10))
    for i, text in enumerate(sender_lines[:3]):
        items.append(Text(LEFT, sender_top + i * HEADER_PITCH, text, FONT_BOLD, 10))
    doctype_size = BODY_SIZE
    while (
        doctype_size > 8
        and width(header.doctype, FONT_BOLD, doctype_size) > PAGE_NUMBER_X - HEADER_X - 5 * mm
    ):
        doctype_size -= 0.5
    items.append(Text(HEADER_X, row, header.doctype, FONT_BOLD, doctype_size))
    items.append(Text(PAGE_NUMBER_X, row, f"{number} ({count})", FONT, 10))
    row += HEADER_PITCH
    items.append(Text(HEADER_X, row, header.date, FONT, 10))
    if header.diary_number:
        diary = f"{header.diary_label} {header.diary_number}".strip()
        if HEADER_X2 + width(diary, FONT, 10) <= PAGE_WIDTH - 10 * mm:
            items.append(Text(HEADER_X2, row, diary, FONT, 10))
        else:
            row += HEADER_PITCH
            items.append(Text(HEADER_X, row, diary, FONT, 10))
    if header.marking:
        for text in wrap_width(header.marking, RIGHT - HEADER_X, FONT, 9)[:2]:
            row += HEADER_PITCH
            items.append(Text(HEADER_X, row, text, FONT, 9))
    return items


def footer_items(footer: Footer) -> list[Text | Rule | Box]:
    items: list[Text | Rule | Box] = [Rule(LEFT, FOOTER_RULE, RIGHT, FOOTER_RULE, 0.4, 0.35)]
    y = FOOTER_RULE + 4 * mm
    if footer.title:
        items.append(Text(LEFT, y, footer.title, FONT_BOLD, SMALL_SIZE))
        y += 3.6 * mm
    xs = (LEFT, LEFT + 2 * TAB, LEFT + 5 * TAB, RIGHT + 2 * mm)
    for i, column in enumerate(footer.columns[:3]):
        lines = [
            line for text in column for line in wrap_width(text, xs[i + 1] - xs[i] - 3 * mm, FONT, SMALL_SIZE)
        ]
        for row, text in enumerate(lines[:3]):
            items.append(Text(xs[i], y + row * 3.4 * mm, text, FONT, SMALL_SIZE))
    return items


def address_items(lines: Sequence[str]) -> list[Text | Rule | Box]:
    """The window address: baselines 4 mm apart from 45 mm down (43.5 mm for six lines), within 38.1-63.5 mm."""
    size = ADDRESS_SIZE
    while size > 8 and any(width(text, FONT, size) > ADDRESS_MAX_WIDTH for text in lines):
        size -= 0.5
    first = min(ADDRESS_FIRST, ADDRESS_BOTTOM - (len(lines) - 1) * ADDRESS_PITCH)
    return [Text(ADDRESS_X, first + i * ADDRESS_PITCH, text, FONT, size) for i, text in enumerate(lines)]


def fold_mark_items() -> list[Text | Rule | Box]:
    return [Rule(4 * mm, y, 9 * mm, y, 0.5, 0.45) for y in FOLD_MARKS]


def to_pdf(
    pages: Sequence[Page], metadata: Metadata, logo: Path | None = None, logo_pages: str = "all"
) -> bytes:
    """Draw laid-out pages into an A4 PDF with embedded fonts and document metadata."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=A4,
        invariant=1,  # byte-stable: the same letter gives the same SHA-256
        lang=PDF_LANGUAGE.get(metadata.language, metadata.language),
        initialFontName=FONT,
        initialFontSize=BODY_SIZE,
        initialLeading=BODY_LEADING,
    )
    canvas.setTitle(metadata.title)
    canvas.setAuthor(metadata.author)
    canvas.setSubject(metadata.subject)
    canvas.setCreator("Kirjaamo")
    if metadata.keywords:
        canvas.setKeywords(metadata.keywords)
    for number, page in enumerate(pages, start=1):
        if logo is not None and (logo_pages == "all" or number == 1):
            _draw_logo(canvas, logo)
        for item in page.items:
            _draw(canvas, item)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_logo(canvas: Canvas, logo: Path) -> None:
    from reportlab.lib.utils import ImageReader

    try:
        image = ImageReader(str(logo))
        w, h = image.getSize()
    except Exception:  # a broken logo file must not stop the letter
        return
    max_w, max_h = 70 * mm, 13 * mm
    scale = min(max_w / w, max_h / h)
    canvas.drawImage(image, LEFT, PAGE_HEIGHT - 8 * mm - h * scale, w * scale, h * scale, mask="auto")


def _draw(canvas: Canvas, item: Text | Rule | Box) -> None:
    if isinstance(item, Text):
        canvas.setFillGray(0)
        canvas.setFont(item.font, item.size)
        if item.align == "right":
            canvas.drawRightString(item.x, PAGE_HEIGHT - item.y, item.text)
        else:
            canvas.drawString(item.x, PAGE_HEIGHT - item.y, item.text)
    elif isinstance(item, Rule):
        canvas.setStrokeGray(item.grey)
        canvas.setLineWidth(item.line_width)
        canvas.setDash(list(item.dash) if item.dash else [])
        canvas.line(item.x1, PAGE_HEIGHT - item.y1, item.x2, PAGE_HEIGHT - item.y2)
        canvas.setDash([])
    else:
        canvas.setStrokeGray(0)
        canvas.setLineWidth(item.line_width)
        canvas.setDash(list(item.dash) if item.dash else [])
        canvas.rect(item.x, PAGE_HEIGHT - item.y - item.h, item.w, item.h, stroke=1, fill=0)
        canvas.setDash([])


def compose(
    flow_pages: Sequence[Page],
    header: Header,
    footer: Footer,
    first_page_extra: Sequence[Text | Rule | Box] = (),
) -> list[Page]:
    """Add the header (with `n (N)`) and footer to every page, and `first_page_extra` to page 1."""
    count = len(flow_pages)
    pages = []
    for number, body in enumerate(flow_pages, start=1):
        items = [*header_items(header, number, count), *footer_items(footer)]
        if number == 1:
            items.extend(first_page_extra)
        pages.append(Page([*items, *body.items]))
    return pages
