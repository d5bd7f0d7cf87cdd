"""Reading rendered PDFs back: text runs with positions in millimetres from the top-left, fonts, metadata."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdf

MM = 72 / 25.4

# The envelope window as the acceptance criteria give it (mm): x 23-108, y 40-72 from the top edge.
WINDOW_X = (23.0, 108.0)
WINDOW_Y = (40.0, 72.0)
# The refusal the test cases are decided with.
REFUSAL_REASONS = (
    "Tiedot ovat tarpeen työ- ja elinkeinotoimiston lakisääteisten tehtävien hoitamiseksi, eikä niitä "
    "voida poistaa ennen säilytysajan päättymistä."
)
REFUSAL_BASIS = "EU:n yleinen tietosuoja-asetus 17 artiklan 3 kohdan b alakohta; laki 916/2012."

LEFTOVERS = ("{{", "}}", "{%", "%}", "{#", "None", "StrictUndefined", "Undefined", "\u2060")


@dataclass(frozen=True)
class Run:
    text: str
    x: float  # mm from the left edge
    y: float  # mm from the top edge (the baseline)
    size: float


def reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def runs(pdf: bytes, page: int = 0) -> list[Run]:
    """Every text run drawn on a page, with its baseline position."""
    document = reader(pdf)
    target = document.pages[page]
    height = float(target.mediabox.height)
    found: list[Run] = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        found.append(Run(text.strip(), x / MM, (height - y) / MM, float(font_size)))

    target.extract_text(visitor_text=visit)
    return found


def page_count(pdf: bytes) -> int:
    return len(reader(pdf).pages)


def all_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in reader(pdf).pages)


def find(page_runs: list[Run], text: str) -> Run:
    matches = [run for run in page_runs if run.text == text]
    assert matches, f"{text!r} not on the page; runs: {[r.text for r in page_runs]}"
    return matches[0]


def in_window(run: Run) -> bool:
    return WINDOW_X[0] - 0.01 <= run.x <= WINDOW_X[1] and WINDOW_Y[0] <= run.y <= WINDOW_Y[1]


def font_problems(pdf: bytes) -> list[str]:
    """Fonts used on any page that are not embedded TrueType (FontFile2)."""
    problems = []
    for number, page in enumerate(reader(pdf).pages, start=1):
        fonts = page["/Resources"].get_object().get("/Font", {})
        for name, ref in fonts.items():
            font = ref.get_object()
            if font.get("/Subtype") == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None or "/FontFile2" not in descriptor.get_object():
                problems.append(f"page {number}: {name} {font.get('/BaseFont')}")
    return problems
