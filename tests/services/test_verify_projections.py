"""`verify` compares every projection table with the fold of the log, and `rebuild` repairs what it finds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.domain.model import AttachmentKind
from desktop.services.cases import CaseService
from desktop.services.maintenance import Problem, rebuild, verify
from desktop.services.workspace import Workspace
from desktop.store.database import DATABASE_FILE

PDF = b"%PDF-1.4\n% lomake\n" + bytes(200)

DAMAGE = {
    "case row changed": ("UPDATE cases SET status = 'closed' WHERE num = {num}", "columns 5"),
    "register row lost": ("DELETE FROM case_registers WHERE case_num = {num}", "tables case_registers"),
    "register row added": (
        "INSERT INTO case_registers VALUES ('kainuu-webropol', {num})",
        "tables case_registers",
    ),
    "attachment row lost": ("DELETE FROM attachments", "tables attachments"),
    "attachment row changed": ("UPDATE attachments SET filename = 'x.pdf'", "tables attachments"),
    "search row lost": ("DELETE FROM cases_fts WHERE rowid = {num}", "tables cases_fts"),
    "search row changed": ("UPDATE cases_fts SET hetu = '' WHERE rowid = {num}", "tables cases_fts"),
}


@pytest.fixture
def two_cases(clerk_service: CaseService, paper_request: dict) -> list[str]:
    paper_request["registers"] = ["te-asiakasrekisteri", "te-asiakaspalvelukeskus"]
    first = clerk_service.register(paper_request).diary_number
    clerk_service.attach_bytes(first, PDF, "lomake.pdf", AttachmentKind.SIGNED_FORM)
    clerk_service.add_note(first, "Soitettu pyytäjälle.")
    second = clerk_service.register(paper_request).diary_number
    return [first, second]


def damage(data_dir: Path, sql: str) -> None:
    connection = sqlite3.connect(data_dir / DATABASE_FILE, isolation_level=None)
    try:
        connection.execute(sql)
    finally:
        connection.close()


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_verify_finds_a_damaged_projection_and_rebuild_repairs_it(
    workspace: Workspace, data_dir: Path, two_cases: list[str], kind: str
) -> None:
    assert verify(workspace) == []
    first = two_cases[0]
    with workspace.engine.connect() as connection:
        num = connection.exec_driver_sql("SELECT num FROM cases WHERE diary_number = ?", (first,)).scalar()
    sql, detail = DAMAGE[kind]
    damage(data_dir, sql.format(num=num))

    assert verify(workspace) == [Problem("projection_mismatch", first, detail)]
    assert rebuild(workspace) == 2
    assert verify(workspace) == []


def test_verify_reports_search_rows_of_no_case(
    workspace: Workspace, data_dir: Path, two_cases: list[str]
) -> None:
    damage(data_dir, "INSERT INTO cases_fts (rowid, name) VALUES (9999, 'Haamu')")
    assert verify(workspace) == [Problem("orphan_projection", "#9999")]
    rebuild(workspace)
    assert verify(workspace) == []
