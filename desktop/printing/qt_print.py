"""Printing PDFs through Qt: each page rendered at printer resolution and drawn full-page at (0, 0).

`setFullPage(True)` and zero margins matter: with the printer's default margins Qt would shift the page
by the unprintable border, and the address would leave the envelope window (design §7). Needs a
`QGuiApplication` (the GUI has one; tests get pytest-qt's).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from desktop.domain.errors import N_, DomainError

MAX_RENDER_DPI = 300  # enough for 11 pt text and rules; a 600 dpi A4 page would be 130 MB as an image


class _LoadedPdf:
    """A QPdfDocument over bytes held in memory for as long as the document is used."""

    def __init__(self, data: bytes) -> None:
        self._bytes = QByteArray(data)
        self._buffer = QBuffer()
        self._buffer.setData(self._bytes)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument()
        self.document.load(self._buffer)
        if self.document.status() is not QPdfDocument.Status.Ready or self.document.pageCount() < 1:
            raise DomainError(N_("The document to print is not a readable PDF."))

    def close(self) -> None:
        self.document.close()
        self._buffer.close()


def _page_size(points: QSizeF) -> QPageSize:
    # Fuzzy matching names A4 as A4 (drivers pick the right tray) while keeping the real size.
    return QPageSize(points, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)


def _set_page(printer: QPrinter, points: QSizeF) -> None:
    orientation = (
        QPageLayout.Orientation.Landscape
        if points.width() > points.height()
        else QPageLayout.Orientation.Portrait
    )
    size = points.transposed() if orientation is QPageLayout.Orientation.Landscape else points
    layout = QPageLayout(_page_size(size), orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)
    printer.setPageLayout(layout)


def render_page(document: QPdfDocument, index: int, dpi: float) -> QImage:
    """One page as an image at `dpi`, on white."""
    points = document.pagePointSize(index)
    size = QSize(max(1, round(points.width() / 72 * dpi)), max(1, round(points.height() / 72 * dpi)))
    image = document.render(index, size)
    if image.hasAlphaChannel():
        flat = QImage(image.size(), QImage.Format.Format_RGB32)
        flat.fill(Qt.GlobalColor.white)
        painter = QPainter(flat)
        painter.drawImage(0, 0, image)
        painter.end()
        image = flat
    return image


def print_documents(pdfs: Sequence[bytes], printer: QPrinter, dpi: float | None = None) -> int:
    """Print several PDFs as one job on `printer` (already set up, e.g. by a print dialog). Returns pages printed."""
    loaded = [_LoadedPdf(data) for data in pdfs]
    try:
        printer.setFullPage(True)
        first = loaded[0].document.pagePointSize(0)
        _set_page(printer, first)
        painter = QPainter()
        if not painter.begin(printer):
            raise DomainError(N_("The printer could not be started."))
        count = 0
        try:
            for pdf in loaded:
                for index in range(pdf.document.pageCount()):
                    points = pdf.document.pagePointSize(index)
                    if count:
                        _set_page(printer, points)
                        printer.newPage()
                    resolution = min(float(dpi or printer.resolution()), MAX_RENDER_DPI)
                    image = render_page(pdf.document, index, resolution)
                    # Full-page mode: device (0, 0) is the paper's corner; the page covers the whole sheet.
                    paper = printer.paperRect(QPrinter.Unit.DevicePixel)
                    painter.drawImage(QRectF(0, 0, paper.width(), paper.height()), image)
                    count += 1
        finally:
            painter.end()
        return count
    finally:
        for pdf in loaded:
            pdf.close()


def print_batch(pdfs: Sequence[bytes], printer: QPrinter, dpi: float | None = None) -> list[bool]:
    """Print several PDFs as one job; for each, whether it reached a printer whose job was accepted.

    A document that cannot be read is left out (False) and the others still print. The job counts as
    accepted only when the painter ended without error, the printer is not in its error state and, when
    printing to a file, the file was written. If the job fails, no document counts as printed.
    """
    loaded: list[_LoadedPdf | None] = []
    for data in pdfs:
        try:
            loaded.append(_LoadedPdf(data))
        except DomainError:
            loaded.append(None)
    readable = [pdf for pdf in loaded if pdf is not None]
    try:
        if not readable:
            return [False] * len(pdfs)
        printer.setFullPage(True)
        _set_page(printer, readable[0].document.pagePointSize(0))
        output = printer.outputFileName() if printer.outputFormat() is QPrinter.OutputFormat.PdfFormat else ""
        painter = QPainter()
        if not painter.begin(printer):
            return [False] * len(pdfs)
        count = 0
        try:
            for pdf in readable:
                for index in range(pdf.document.pageCount()):
                    points = pdf.document.pagePointSize(index)
                    if count:
                        _set_page(printer, points)
                        if not printer.newPage():
                            return [False] * len(pdfs)
                    resolution = min(float(dpi or printer.resolution()), MAX_RENDER_DPI)
                    image = render_page(pdf.document, index, resolution)
                    paper = printer.paperRect(QPrinter.Unit.DevicePixel)
                    painter.drawImage(QRectF(0, 0, paper.width(), paper.height()), image)
                    count += 1
        finally:
            ended = painter.end()
        accepted = ended and printer.printerState() is not QPrinter.PrinterState.Error
        if accepted and output:
            written = Path(output)
            accepted = written.is_file() and written.stat().st_size > 0
        return [accepted and pdf is not None for pdf in loaded]
    finally:
        for pdf in readable:
            pdf.close()


def print_pdf(pdf: bytes, printer: QPrinter, dpi: float | None = None) -> int:
    """Print one PDF on `printer`; returns the number of pages."""
    return print_documents([pdf], printer, dpi)


def print_to_pdf_file(pdf: bytes, path: Path, dpi: int = 300) -> int:
    """Print through QPrinter into a PDF file (what a print preview or a test compares with the source)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(dpi)
    return print_pdf(pdf, printer, dpi)
