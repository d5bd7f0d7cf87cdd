"""Retention: closed cases past the office's period are listed; a reviewer purges one — its files leave the
disk, the person leaves the database (checked at the SQLite level, decrypted), a tombstone stays — and a
clerk cannot."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas
from security_helpers import all_text, raw_connection

from desktop.domain.errors import DomainError
from desktop.domain.model import AttachmentKind, Status
from desktop.services.access_log import AccessLogService
from desktop.services.accounts import PermissionDenied
from desktop.services.cases import CaseService
from desktop.services.clock import FixedClock
from desktop.services.retention import RetentionService

OLD = datetime(2019, 4, 1, 9, 0, tzinfo=UTC)


def pdf_bytes(text: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.drawString(72, 760, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@pytest.fixture
def old_cases(sign_in, clock: FixedClock, paper_request: dict) -> dict[str, object]:
    """Two cases closed in 2019 (sharing one scanned file, one file of its own each) and one open case."""
    workspace, clerk = sign_in("clerk")
    now = clock.now()
    clock.set(OLD)
    service = CaseService(workspace, clerk, clock)
    paper_request["received"] = "2019-03-25"
    shared = pdf_bytes("Yhteinen valtakirja")
    diaries = {}
    people = {
        "old": ("Maija Meikäläinen", "131052-308T", "Mannerheimintie 1 A 2", "040 1234567"),
        "other": ("Aino Korhonen", "", "Hämeenkatu 5", "050 7654321"),
    }
    for key, (name, hetu, street, phone) in people.items():
        paper_request["requester"].update(name=name, hetu=hetu, email="", phone=phone)
        paper_request["requester"]["address"]["street"] = street
        diary = service.register(paper_request).diary_number
        service.attach_bytes(diary, pdf_bytes(f"Oma lomake {name}"), "lomake.pdf", AttachmentKind.SIGNED_FORM)
        service.attach_bytes(diary, shared, "valtakirja.pdf", AttachmentKind.POWER_OF_ATTORNEY)
        service.add_note(diary, f"Soitettu: {name}, puh. {phone}")
        service.withdraw(diary, f"{name} peruutti pyynnön.")
        service.close(diary)
        diaries[key] = diary
    clock.set(now)
    paper_request["received"] = "2026-11-20"
    diaries["open"] = service.register(paper_request).diary_number
    states = {key: service.get(diary) for key, diary in diaries.items()}
    return {"workspace": workspace, "diaries": diaries, "states": states}


def test_a_reviewer_purges_a_case_past_retention(enc_dir: Path, sign_in, clock, old_cases) -> None:
    workspace, reviewer = sign_in("reviewer")
    retention = RetentionService(workspace, reviewer, clock)
    diaries, states = old_cases["diaries"], old_cases["states"]
    due = retention.due_for_purge()
    assert [c.diary_number for c in due] == [diaries["old"], diaries["other"]]

    own_file, shared_file = (a.sha256 for a in states["old"].attachments)
    assert workspace.blobs.exists(own_file) and workspace.blobs.exists(shared_file)

    tombstone = retention.purge(diaries["old"])
    assert tombstone.status is Status.PURGED
    assert (tombstone.diary_number, tombstone.received, tombstone.right) == (
        diaries["old"],
        states["old"].received,
        states["old"].right,
    )
    assert tombstone.decision == states["old"].decision and tombstone.requester.name == ""
    assert not workspace.blobs.exists(own_file)  # its own file left the disk …
    assert workspace.blobs.exists(shared_file)  # … the one another case still uses did not
    assert [c.diary_number for c in retention.due_for_purge()] == [diaries["other"]]

    # At the SQLite level, decrypted: nothing of her in any table (the search index's shadow tables too).
    connection = raw_connection(enc_dir)
    try:
        text = all_text(connection)
        assert (
            connection.execute(
                "SELECT count(*) FROM cases_fts WHERE cases_fts MATCH 'meikalainen'"
            ).fetchone()[0]
            == 0
        )
        events = connection.execute(
            "SELECT type FROM events WHERE case_id = ? ORDER BY seq", (states["old"].id,)
        ).fetchall()
    finally:
        connection.close()
    for needle in (
        "Meikäläinen",
        "Meikalainen",
        "131052-308T",
        "Mannerheimintie",
        "maija.meikalainen",
        "040 1234567",
    ):
        assert needle not in text, needle
    assert diaries["old"] in text and "Aino Korhonen" in text  # the tombstone and the other cases stay
    assert events[-1] == ("CasePurged",)
    assert CaseService(workspace, reviewer, clock).get(diaries["other"]).requester.name == "Aino Korhonen"

    entry = AccessLogService(*sign_in("admin")).entries(diary=diaries["old"])[0]
    assert (entry.action, entry.username) == ("purge", "reviewer") and "files_deleted=1" in entry.detail
    assert RetentionService(workspace, reviewer, clock).due_for_purge()  # the rest waits for approval


def test_a_clerk_cannot_purge_and_the_attempt_is_logged(sign_in, clock, old_cases) -> None:
    workspace, clerk = sign_in("clerk")
    with pytest.raises(PermissionDenied):
        RetentionService(workspace, clerk, clock).purge(old_cases["diaries"]["old"])
    assert CaseService(workspace, clerk, clock).get(old_cases["diaries"]["old"]).status is Status.CLOSED
    admin_workspace, admin = sign_in("admin")
    denied = [
        e for e in AccessLogService(admin_workspace, admin).entries(username="clerk") if e.action == "denied"
    ]
    assert denied and "permission=purge" in denied[0].detail and "purge" in denied[0].detail


def test_only_closed_cases_past_retention_are_purged(sign_in, clock, old_cases) -> None:
    workspace, reviewer = sign_in("reviewer")
    retention = RetentionService(workspace, reviewer, clock)
    with pytest.raises(DomainError, match="Only closed cases"):
        retention.purge(old_cases["diaries"]["open"])
    settings = replace(workspace.settings, retention_years=10)
    workspace.save_settings(settings)
    assert retention.due_for_purge() == []
    with pytest.raises(DomainError, match="kept until 2029"):
        retention.purge(old_cases["diaries"]["old"])


def test_a_syncing_desk_purges_through_the_server(sign_in, clock, old_cases) -> None:
    workspace, reviewer = sign_in("reviewer")
    workspace.save_settings(replace(workspace.settings, server_url="postgresql+psycopg://k@127.0.0.1:1/k"))
    with pytest.raises(DomainError, match="made on the server"):
        RetentionService(workspace, reviewer, clock).purge(old_cases["diaries"]["old"])
