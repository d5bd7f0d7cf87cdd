"""Sending letters to a printer, for the GUI (which may not import `desktop.printing`, design §3).

The print dialog is the GUI's; what happens after it — the pages drawn full-page on the chosen printer and
whether the job was accepted — is here, so that the record of a print (`letters.save_reply`,
`letters.record_batch`) is made only from a printer's answer. Needs a `QGuiApplication`.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtPrintSupport import QPrinter

from desktop.domain.model import LetterKind
from desktop.services.letters import print_file_name


def new_printer(diary_number: str, kind: LetterKind | str) -> QPrinter:
    """A printer set up for one letter (or a batch named by its first): full page, a safe document name.

    The document name is what print dialogs offer as the file name when printing to a file
    (`KEHA-1155-2026_access_reply`), so it holds no `/`, `\\`, `:` or other characters a file system refuses.
    """
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)
    printer.setDocName(print_file_name(diary_number, kind).removesuffix(".pdf"))
    return printer


def print_letters(pdfs: Sequence[bytes], printer: QPrinter) -> list[bool]:
    """Print the letters as one job on `printer` (set up by a print dialog); per letter, whether it printed."""
    from desktop.printing.qt_print import print_batch

    return print_batch(pdfs, printer)


__all__ = ["QPrinter", "new_printer", "print_letters"]
