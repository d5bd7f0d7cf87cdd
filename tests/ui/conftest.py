"""GUI fixtures: the real main window on a fresh data dir, driven as a clerk would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ui_helpers import wait_idle

from desktop.i18n import set_language
from desktop.services.cases import CaseService
from desktop.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def english_ui() -> Iterator[None]:
    """Every GUI test starts in English (the message ids) and leaves the language as it found it."""
    set_language("en")
    yield
    set_language("en")


def _window(qtbot, service: CaseService) -> MainWindow:
    window = MainWindow(service)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    wait_idle(qtbot, window)
    return window


@pytest.fixture
def main_window(qtbot, clerk_service: CaseService) -> Iterator[MainWindow]:
    window = _window(qtbot, clerk_service)
    yield window
    window.runner.shutdown()


@pytest.fixture
def reviewer_window(qtbot, reviewer_service: CaseService) -> Iterator[MainWindow]:
    window = _window(qtbot, reviewer_service)
    yield window
    window.runner.shutdown()
