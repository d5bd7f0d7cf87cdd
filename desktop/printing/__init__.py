"""Letters, the dispatch list and receipts as PDF (ReportLab), and printing PDFs through Qt.

This package may import `desktop.domain` only: the services build plain `LetterData` values and call it.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _resources_dir() -> Path:
    bundled = getattr(sys, "_MEIPASS", None)  # inside a PyInstaller bundle
    if bundled:
        return Path(bundled) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


RESOURCES_DIR = _resources_dir()
LETTERS_DIR = RESOURCES_DIR / "letters"
FONTS_DIR = RESOURCES_DIR / "fonts"
