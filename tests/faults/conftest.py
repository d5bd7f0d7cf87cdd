"""Fault tests reuse the sync fixtures (a PostgreSQL database per test, desks) and add the TCP proxy."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "sync_fixtures", Path(__file__).parent.parent / "sync" / "conftest.py"
)
assert _spec and _spec.loader
sync_fixtures = importlib.util.module_from_spec(_spec)
sys.modules["sync_fixtures"] = sync_fixtures
_spec.loader.exec_module(sync_fixtures)
sys.path.insert(0, str(Path(__file__).parent))

from proxy import FaultProxy  # noqa: E402

postgres_available = sync_fixtures.postgres_available
new_database = sync_fixtures.new_database
empty_database = sync_fixtures.empty_database
server = sync_fixtures.server
desk_template = sync_fixtures.desk_template
make_desk = sync_fixtures.make_desk


@pytest.fixture
def proxy(postgres_available: None) -> Iterator[FaultProxy]:
    with FaultProxy((sync_fixtures.PG_HOST, sync_fixtures.PG_PORT)) as running:
        yield running


def pytest_terminal_summary(terminalreporter) -> None:
    from counts import COUNTS

    for section, counter in sorted(COUNTS.items()):
        figures = ", ".join(f"{key} {value}" for key, value in sorted(counter.items()))
        terminalreporter.write_line(f"{section}: {figures}")
