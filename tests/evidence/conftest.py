"""Evidence tests: the real main window (for GUI flows) and an office with a request to attach to."""

from __future__ import annotations

import pytest

from desktop.services.cases import CaseService
from desktop.services.evidence import EvidenceService


@pytest.fixture
def evidence(clerk_service: CaseService) -> EvidenceService:
    return EvidenceService(clerk_service)


@pytest.fixture
def diary(clerk_service: CaseService, paper_request: dict) -> str:
    """A registered paper request, KEHA/1/2026."""
    return clerk_service.register(paper_request).diary_number


@pytest.fixture
def window(qtbot, clerk_service: CaseService):
    from evidence_samples import wait_idle

    from desktop.ui.main_window import MainWindow

    main = MainWindow(clerk_service)
    qtbot.addWidget(main)
    main.resize(1400, 900)
    main.show()
    qtbot.waitExposed(main)
    wait_idle(qtbot, main.runner)
    yield main
    main.scan_inbox.stop()
    main.runner.shutdown()
