"""OCR tests need Tesseract with the Finnish and Swedish data: skipped with the reason where it is missing,
except in CI (where `make` installs it), where a missing Tesseract fails."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from desktop.services import ocr
from desktop.services.cases import CaseService


@pytest.fixture
def tesseract() -> None:
    state = ocr.status()
    if not state.available:
        if os.environ.get("CI"):
            pytest.fail(f"CI must have Tesseract (make sysdeps installs it): {state.reason}")
        pytest.skip(f"{state.reason} (apt-get install tesseract-ocr tesseract-ocr-fin tesseract-ocr-swe)")


@pytest.fixture
def intake_window(qtbot, clerk_service: CaseService) -> Iterator:
    """The real main window on the intake page."""
    from desktop.ui.main_window import MainWindow

    window = MainWindow(clerk_service)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("new")
    yield window
    window.intake_form.scan_prefill.shutdown()
    window.runner.shutdown()
