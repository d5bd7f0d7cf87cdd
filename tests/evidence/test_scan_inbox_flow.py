"""The scanner's folder, end to end: a scan appears, is looked at, filed, and leaves the folder — and a
crash between storing and removing it loses nothing."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from evidence_samples import build_email, email_bytes, is_blank, reportlab_pdf, type_text, wait_idle
from PySide6.QtCore import Qt

from desktop.domain.errors import DomainError
from desktop.domain.model import AttachmentKind, Channel
from desktop.services.evidence import ScanInbox


def event_count(workspace) -> int:
    with workspace.engine.connect() as connection:
        return (
            connection.connection.driver_connection.cursor()
            .execute("SELECT count(*) FROM events")
            .fetchone()[0]
        )


def drop_scan(folder: Path, name: str, data: bytes) -> Path:
    """As a network scanner does: write under a temporary name, then rename into place."""
    temporary = folder / f".{name}.tmp"
    temporary.write_bytes(data)
    target = folder / name
    os.replace(temporary, target)
    return target


@pytest.fixture
def inbox(workspace, tmp_path) -> Path:
    folder = tmp_path / "skanneri"
    folder.mkdir()
    workspace.save_settings(replace(workspace.settings, scan_inbox_dir=str(folder)))
    return folder


@pytest.fixture
def scans_page(qtbot, inbox, clerk_service, paper_request, window):
    """The main window on the Unfiled scans page, with one registered request (KEHA/1/2026)."""
    clerk_service.register(paper_request)
    window.scan_inbox.settle_seconds = 0  # the test writes each scan in one go
    window.refresh()
    window.show_page("scans")
    wait_idle(qtbot, window.runner)
    return window.scan_inbox


def test_a_scan_appears_is_filed_and_leaves_the_folder(qtbot, window, scans_page, inbox, clerk_service):
    view = scans_page
    assert view.scan_list.count() == 0
    assert window.nav.item(4).text() == "Unfiled scans"
    data = reportlab_pdf(2, "Skannattu tarkastuspyyntö")
    drop_scan(inbox, "scan_0001.pdf", data)
    qtbot.waitUntil(lambda: view.scan_list.count() == 1, timeout=10_000)  # the watcher (or the rescan)
    assert window.nav.item(4).text() == "Unfiled scans (1)"
    assert view.scan_list.item(0).text().startswith("scan_0001.pdf")
    qtbot.waitUntil(lambda: view.preview.page_count() == 2, timeout=5000)
    assert not is_blank(view.preview.rendered_page(400))

    view.scan_list.setFocus()
    qtbot.keyClick(view.scan_list, Qt.Key.Key_Return)  # Enter goes on to the case field
    assert view.case_edit.hasFocus()
    type_text(qtbot, view.case_edit, "KEHA/1/2026")
    qtbot.keyClick(view.case_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, window.runner)
    wait_idle(qtbot, window.runner)

    assert "Filed scan_0001.pdf onto KEHA/1/2026." in view.message_label.text()
    assert not (inbox / "scan_0001.pdf").exists()
    assert view.scan_list.count() == 0 and window.nav.item(4).text() == "Unfiled scans"
    [attachment] = clerk_service.get("KEHA/1/2026").attachments
    assert (attachment.filename, attachment.kind) == ("scan_0001.pdf", AttachmentKind.SIGNED_FORM)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert clerk_service.read_attachment(attachment.sha256) == data


def test_filing_by_searching_the_requester(qtbot, window, scans_page, inbox, clerk_service):
    drop_scan(inbox, "valtakirja.pdf", reportlab_pdf(1, "Valtakirja"))
    qtbot.waitUntil(lambda: scans_page.scan_list.count() == 1, timeout=10_000)
    scans_page.kind_combo.setCurrentIndex(
        scans_page.kind_combo.findData(AttachmentKind.POWER_OF_ATTORNEY.value)
    )
    type_text(qtbot, scans_page.case_edit, "Meikäläinen")
    qtbot.mouseClick(scans_page.file_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window.runner)
    wait_idle(qtbot, window.runner)
    [attachment] = clerk_service.get("KEHA/1/2026").attachments
    assert attachment.kind is AttachmentKind.POWER_OF_ATTORNEY
    assert not (inbox / "valtakirja.pdf").exists()


def test_an_unknown_case_keeps_the_scan_and_says_why(qtbot, window, scans_page, inbox):
    drop_scan(inbox, "scan.pdf", reportlab_pdf(1))
    qtbot.waitUntil(lambda: scans_page.scan_list.count() == 1, timeout=10_000)
    type_text(qtbot, scans_page.case_edit, "KEHA/99/2026")
    qtbot.keyClick(scans_page.case_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, window.runner)
    assert "No case KEHA/99/2026" in scans_page.message_label.text()
    assert (inbox / "scan.pdf").exists()


def test_a_crash_between_storing_and_removal_loses_nothing(
    qtbot, window, scans_page, inbox, clerk_service, workspace, monkeypatch
):
    data = reportlab_pdf(1, "Kaatuminen")
    drop_scan(inbox, "scan_0002.pdf", data)
    qtbot.waitUntil(lambda: scans_page.scan_list.count() == 1, timeout=10_000)

    def crash(self, name, sha256):  # the power goes after the store and the log, before the removal
        raise SystemError("simulated crash before removing the scan")

    monkeypatch.setattr(ScanInbox, "remove", crash)
    type_text(qtbot, scans_page.case_edit, "KEHA/1/2026")
    qtbot.keyClick(scans_page.case_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, window.runner)
    assert (inbox / "scan_0002.pdf").read_bytes() == data  # still in the folder
    sha = hashlib.sha256(data).hexdigest()
    assert workspace.blobs.verify(sha) is None  # and safely stored
    assert [a.sha256 for a in clerk_service.get("KEHA/1/2026").attachments] == [sha]
    events = event_count(workspace)

    # The app starts again: the scan is still unfiled, and the clerk is told it is already on the case.
    monkeypatch.undo()
    scans_page._shown = ""
    scans_page.scans = []
    scans_page.rescan()
    wait_idle(qtbot, window.runner)
    wait_idle(qtbot, window.runner)
    qtbot.waitUntil(scans_page.holder_label.isVisible, timeout=5000)
    assert "Already attached to KEHA/1/2026" in scans_page.holder_label.text()
    scans_page.case_edit.clear()
    type_text(qtbot, scans_page.case_edit, "KEHA/1/2026")
    qtbot.keyClick(scans_page.case_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, window.runner)
    wait_idle(qtbot, window.runner)
    assert (
        "was already attached to KEHA/1/2026; it has been removed from the folder"
        in scans_page.message_label.text()
    )
    assert not (inbox / "scan_0002.pdf").exists()
    assert event_count(workspace) == events  # filing again was a no-op in the log
    assert len(clerk_service.get("KEHA/1/2026").attachments) == 1


def test_new_request_from_a_scan_attaches_it_as_the_signed_form(
    qtbot, window, scans_page, inbox, clerk_service
):
    data = reportlab_pdf(1, "Uusi pyyntö")
    drop_scan(inbox, "scan_0003.pdf", data)
    qtbot.waitUntil(lambda: scans_page.scan_list.count() == 1, timeout=10_000)
    wait_idle(qtbot, window.runner)
    qtbot.mouseClick(scans_page.new_request_button, Qt.MouseButton.LeftButton)
    form = window.intake_form
    assert window.stack.currentWidget() is form
    assert form.prefill_label.isVisible() and "scan_0003.pdf" in form.prefill_label.text()
    assert form.channel_combo.currentData() == "post" and form.signed_check.isChecked()
    type_text(qtbot, form.name_edit, "Anders Lindqvist")
    qtbot.keyClick(form.name_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window.runner)
    if form._asked_about is not None:  # no register ticked: the form asks, saving again confirms
        qtbot.keyClick(form.name_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        wait_idle(qtbot, window.runner)
    wait_idle(qtbot, window.runner)
    assert form.diary_label.text() == "KEHA/2/2026"
    [attachment] = clerk_service.get("KEHA/2/2026").attachments
    assert (attachment.filename, attachment.kind) == ("scan_0003.pdf", AttachmentKind.SIGNED_FORM)
    assert not (inbox / "scan_0003.pdf").exists()
    assert not form.prefill_label.isVisible()


def test_a_cleared_prefill_attaches_nothing_to_the_next_request(
    qtbot, window, scans_page, inbox, clerk_service
):
    drop_scan(inbox, "scan_0004.pdf", reportlab_pdf(1))
    qtbot.waitUntil(lambda: scans_page.scan_list.count() == 1, timeout=10_000)
    qtbot.mouseClick(scans_page.new_request_button, Qt.MouseButton.LeftButton)
    form = window.intake_form
    qtbot.mouseClick(form.clear_button, Qt.MouseButton.LeftButton)  # the clerk changes their mind
    type_text(qtbot, form.name_edit, "Erkki Esimerkki")
    qtbot.keyClick(form.name_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window.runner)
    if form._asked_about is not None:  # no register ticked: the form asks, saving again confirms
        qtbot.keyClick(form.name_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        wait_idle(qtbot, window.runner)
    assert form.diary_label.text() == "KEHA/2/2026"
    assert clerk_service.get("KEHA/2/2026").attachments == ()
    assert (inbox / "scan_0004.pdf").exists()


def test_new_request_from_email_prefills_the_form_and_attaches_the_message(
    qtbot, window, scans_page, clerk_service, tmp_path, monkeypatch
):
    message = tmp_path / "tietopyynto.eml"
    message.write_bytes(
        email_bytes(build_email(attachments=[("lomake.pdf", reportlab_pdf(1), "application/pdf")]))
    )
    monkeypatch.setattr(
        "desktop.ui.scan_inbox.QFileDialog.getOpenFileName", lambda *a, **k: (str(message), "")
    )
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # New request from e-mail
    wait_idle(qtbot, window.runner)
    form = window.intake_form
    assert window.stack.currentWidget() is form
    assert form.name_edit.text() == "Maija Meikäläinen"
    assert form.email_edit.text() == "maija.meikalainen@example.fi"
    assert (form.street_edit.text(), form.postcode_edit.text(), form.city_edit.text()) == (
        "Mannerheimintie 1 A 2",
        "00100",
        "Helsinki",
    )
    assert form.hetu_edit.text() == "131052-308T"
    assert form.received_edit.date().toString("d.M.yyyy") == "5.11.2026"
    assert form.channel_combo.currentData() == "secure_email"
    assert "tietopyynto.eml" in form.prefill_label.text()
    qtbot.keyClick(form.name_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window.runner)
    if form._asked_about is not None:  # no register ticked: the form asks, saving again confirms
        qtbot.keyClick(form.name_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        wait_idle(qtbot, window.runner)
    wait_idle(qtbot, window.runner)
    state = clerk_service.get("KEHA/2/2026")
    assert state.channel is Channel.SECURE_EMAIL
    assert [(a.filename, a.kind) for a in state.attachments] == [
        ("tietopyynto.eml", AttachmentKind.EMAIL),
        ("lomake.pdf", AttachmentKind.OTHER),
    ]
    assert clerk_service.read_attachment(state.attachments[0].sha256) == message.read_bytes()


def test_a_scan_still_being_written_cannot_be_filed(qtbot, window, scans_page, inbox):
    scans_page.settle_seconds = 3600
    (inbox / "scan_0005.pdf").write_bytes(b"%PDF-1.7\n")
    scans_page.rescan()
    qtbot.waitUntil(lambda: scans_page.scan_list.count() == 1, timeout=10_000)
    assert "still arriving" in scans_page.scan_list.item(0).text()
    assert not scans_page.file_button.isEnabled() and not scans_page.new_request_button.isEnabled()


def test_the_inbox_lists_only_plain_files_and_refuses_other_names(inbox):
    (inbox / "sub").mkdir()
    (inbox / ".hidden.pdf").write_bytes(b"%PDF")
    (inbox / "kesken.pdf.part").write_bytes(b"%PDF")
    (inbox / "linkki.pdf").symlink_to(inbox / ".hidden.pdf")
    drop_scan(inbox, "oikea.pdf", reportlab_pdf(1))
    box = ScanInbox(inbox, settle_seconds=0)
    assert [s.name for s in box.scans()] == ["oikea.pdf"]
    for name in ("../oikea.pdf", "sub", "linkki.pdf", "", "..", "a/b.pdf"):
        with pytest.raises(DomainError, match="No scan"):
            box.path_of(name)


def test_a_replaced_scan_with_the_same_name_is_not_removed(evidence, inbox, clerk_service, paper_request):
    diary = clerk_service.register(paper_request).diary_number
    box = ScanInbox(inbox, settle_seconds=0)
    drop_scan(inbox, "scan.pdf", reportlab_pdf(1, "Ensimmäinen"))
    batch = evidence.attach_bytes(
        diary, (inbox / "scan.pdf").read_bytes(), "scan.pdf", AttachmentKind.SIGNED_FORM
    )
    drop_scan(inbox, "scan.pdf", reportlab_pdf(1, "Toinen"))  # the scanner reused the name
    assert not box.remove("scan.pdf", batch.main.sha256)
    assert (inbox / "scan.pdf").exists()


# -- a real kill -----------------------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from desktop.services.cases import CaseService
    from desktop.services.demo import DEMO_PASSWORD
    from desktop.services.evidence import EvidenceService, ScanInbox
    from desktop.services.workspace import Workspace

    data_dir, inbox, name, diary, where = sys.argv[1:]
    workspace, user = Workspace.unlock(Path(data_dir), "clerk", DEMO_PASSWORD, remember=False)
    service = CaseService(workspace, user)

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if where == "before-removal":
        ScanInbox.remove = die
    else:
        CaseService._change = die  # after the file store, before the event log
    EvidenceService(service).file_scan(ScanInbox(Path(inbox), 0), name, diary)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
@pytest.mark.parametrize("where", ["before-removal", "before-event"])
def test_killed_while_filing_loses_nothing_and_filing_again_finishes(
    evidence, workspace, data_dir, inbox, clerk_service, paper_request, where
):
    diary = clerk_service.register(paper_request).diary_number
    data = reportlab_pdf(1, "Tapettu prosessi")
    drop_scan(inbox, "scan_kill.pdf", data)
    sha = hashlib.sha256(data).hexdigest()
    events = event_count(workspace)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(data_dir), str(inbox), "scan_kill.pdf", diary, where],
        capture_output=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()
    assert (inbox / "scan_kill.pdf").read_bytes() == data  # nothing lost
    assert workspace.blobs.verify(sha) is None  # the store finished before the kill
    recorded = event_count(workspace) - events
    assert recorded == (1 if where == "before-removal" else 0)

    batch = evidence.file_scan(ScanInbox(inbox, 0), "scan_kill.pdf", diary)
    assert batch.main.already_attached is (where == "before-removal")
    assert event_count(workspace) - events == 1  # exactly one AttachmentAdded in all
    assert not (inbox / "scan_kill.pdf").exists()
    assert [a.sha256 for a in clerk_service.get(diary).attachments] == [sha]


def test_screenshot_of_the_unfiled_scans_page(qtbot, window, scans_page, inbox, tmp_path):
    from evidence_samples import tiff_multipage

    drop_scan(inbox, "scan_0006.pdf", reportlab_pdf(2, "Skannattu tarkastuspyyntö"))
    drop_scan(inbox, "scan_0007.tif", tiff_multipage(3))
    qtbot.waitUntil(lambda: scans_page.scan_list.count() == 2, timeout=10_000)
    qtbot.waitUntil(lambda: scans_page.preview.page_count() == 2, timeout=5000)
    assert window.nav.item(4).text() == "Unfiled scans (2)"
    qtbot.wait(500)  # QPdfView renders its pages in the background
    shot = tmp_path / "scans_en.png"
    assert window.grab().save(str(shot))
    assert not is_blank(window.grab().toImage())
