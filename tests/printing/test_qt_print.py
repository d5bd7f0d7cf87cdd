"""Printing through QPrinter keeps the page where it is: the address block does not move out of the window.

The printed PDF holds page images, so positions are compared by the dark pixels of the address region.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.domain.model import LetterKind
from desktop.printing.qt_print import _LoadedPdf, print_documents, print_to_pdf_file, render_page
from desktop.services import letters

DPI = 150
PX_PER_MM = DPI / 25.4


def _dark_box(
    pdf: bytes, page: int, region_mm: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """Bounding box (mm) of the dark pixels inside `region_mm` = (left, top, right, bottom) of a page."""
    loaded = _LoadedPdf(pdf)
    try:
        image = render_page(loaded.document, page, DPI)
    finally:
        loaded.close()
    left, top, right, bottom = (round(v * PX_PER_MM) for v in region_mm)
    xs, ys = [], []
    for y in range(top, bottom):
        for x in range(left, right):
            if image.pixelColor(x, y).lightness() < 128:
                xs.append(x)
                ys.append(y)
    assert xs, "nothing printed in the region"
    return (min(xs) / PX_PER_MM, min(ys) / PX_PER_MM, max(xs) / PX_PER_MM, max(ys) / PX_PER_MM)


@pytest.fixture
def letter_pdf(make_case, clerk_service) -> bytes:
    diary = make_case(LetterKind.REFUSAL)
    return letters.render_letter(clerk_service, diary, LetterKind.REFUSAL)


def test_printed_address_stays_in_place(qapp, letter_pdf, tmp_path: Path):
    out = tmp_path / "printed.pdf"
    pages = print_to_pdf_file(letter_pdf, out, dpi=300)
    printed = out.read_bytes()
    assert pages == _LoadedPdf(letter_pdf).document.pageCount() == _LoadedPdf(printed).document.pageCount()

    window = (15.0, 35.0, 115.0, 80.0)  # around the envelope window (18-113 mm, 40-75 mm)
    source_box = _dark_box(letter_pdf, 0, window)
    printed_box = _dark_box(printed, 0, window)
    for a, b in zip(source_box, printed_box, strict=True):
        assert abs(a - b) <= 1.0, (source_box, printed_box)
    # ...and the address is where the window is: text from 23 mm, first line below 40 mm.
    assert 22.5 <= printed_box[0] <= 24.0
    assert printed_box[1] >= 40.0 and printed_box[3] <= 66.0

    # The header (date and diary number at 112 mm) does not move either.
    header = (110.0, 10.0, 200.0, 30.0)
    for a, b in zip(_dark_box(letter_pdf, 0, header), _dark_box(printed, 0, header), strict=True):
        assert abs(a - b) <= 1.0


def test_print_several_letters_as_one_job(qapp, letter_pdf, tmp_path: Path):
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "batch.pdf"))
    printer.setResolution(150)
    count = print_documents([letter_pdf, letter_pdf], printer)
    single = _LoadedPdf(letter_pdf).document.pageCount()
    assert count == 2 * single
    assert _LoadedPdf((tmp_path / "batch.pdf").read_bytes()).document.pageCount() == 2 * single


def test_not_a_pdf_is_refused(qapp, tmp_path: Path):
    from desktop.domain.errors import DomainError

    with pytest.raises(DomainError, match="not a readable PDF"):
        print_to_pdf_file(b"hello", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
