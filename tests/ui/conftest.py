"""GUI fixtures: the real main window on a fresh data dir, driven as a clerk would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ui_helpers import wait_idle

from desktop.services.cases import CaseService
from desktop.ui.main_window import MainWindow


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


@pytest.fixture
def admin_window(qtbot, admin_service: CaseService) -> Iterator[MainWindow]:
    window = _window(qtbot, admin_service)
    yield window
    window.runner.shutdown()
