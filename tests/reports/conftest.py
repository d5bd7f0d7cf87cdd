"""Report fixtures: the fixed set of cases (report_data.py) and a 2,000-case demo diary."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_data import TODAY, build_fixed_cases

from desktop.i18n import current_language, set_language
from desktop.services.cases import CaseService
from desktop.services.clock import FixedClock
from desktop.services.workspace import Workspace


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Reports are written in the UI language: these tests read English (the message ids)."""
    before = current_language()
    set_language("en")
    yield
    set_language(before)


@pytest.fixture
def fixed_cases(clerk_service: CaseService, clock: FixedClock) -> dict[str, str]:
    return build_fixed_cases(clerk_service, clock)


@pytest.fixture(scope="session")
def report_demo_template(make_demo_template) -> Path:
    """2,000 demo cases (seed 3, today 23.11.2026), built once per session."""
    return make_demo_template("report-demo", 2000, 3, TODAY)


@pytest.fixture
def demo_workspace(report_demo_template: Path, tmp_path: Path) -> Iterator[Workspace]:
    target = tmp_path / "demo"
    shutil.copytree(report_demo_template, target)
    opened = Workspace.open(target)
    yield opened
    opened.close()
