"""Keeping the data honest: rebuild projections from the log, verify blobs and projections."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.domain.events import fold
from desktop.services.workspace import Workspace
from desktop.store import eventlog


@dataclass(frozen=True)
class Problem:
    what: str  # "blob_missing", "blob_corrupted", "projection_mismatch", "projection_missing", "orphan_projection"
    subject: str  # a sha256 or a diary number / case id
    detail: str = ""


def rebuild(workspace: Workspace) -> int:
    """Replay the whole log into fresh projections. Returns the number of cases."""
    return eventlog.rebuild(workspace.engine)


def verify(workspace: Workspace) -> list[Problem]:
    """Every attached file intact on disk, every projection row equal to the fold of its events."""
    problems: list[Problem] = []
    with workspace.engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        for sha, filename, diary in cursor.execute(
            "SELECT a.sha256, a.filename, c.diary_number FROM attachments a JOIN cases c ON c.id = a.case_id ORDER BY c.num"
        ).fetchall():
            status = workspace.blobs.verify(sha)
            if status:
                problems.append(Problem(f"blob_{status}", sha, f"{diary} {filename}"))
        problems.extend(_check_projections(connection))
    return problems


def _check_projections(connection) -> list[Problem]:
    cursor = connection.connection.driver_connection.cursor()
    problems: list[Problem] = []
    stored = {row[1]: row for row in cursor.execute("SELECT * FROM cases").fetchall()}
    registered = eventlog.registration_seqs(cursor)
    seen: set[str] = set()
    for events in eventlog.grouped_events(connection.connection.driver_connection.cursor()):
        state = fold(events)
        seen.add(state.id)
        expected = eventlog.projection_params(state, registered[state.id])
        row = stored.get(state.id)
        if row is None:
            problems.append(Problem("projection_missing", state.diary_number))
        elif tuple(row) != expected:
            differing = [str(i) for i, (a, b) in enumerate(zip(row, expected, strict=True)) if a != b]
            problems.append(
                Problem("projection_mismatch", state.diary_number, "columns " + ", ".join(differing))
            )
    for case_id, row in stored.items():
        if case_id not in seen:
            problems.append(Problem("orphan_projection", row[2]))
    return problems
