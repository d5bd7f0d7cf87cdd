"""Dispatch from the window (the day's registered-mail list) and the guards that ask or refuse with a reason."""

from __future__ import annotations

import io
from datetime import date

import pypdf
import pytest
from PySide6.QtCore import Qt
from ui_helpers import print_to_file, wait_idle

from desktop.domain.errors import DomainError
from desktop.domain.model import Decision, Delivery, IdentityMethod, LetterKind


def _request(name: str, address: dict | None) -> dict:
    requester = {"name": name, "language": "fi"}
    if address is not None:
        requester["address"] = address
    return {
        "right": "access",
        "channel": "post",
        "received": date(2026, 11, 9).isoformat(),
        "registers": ["te-asiakasrekisteri"],
        "signed": True,
        "requester": requester,
    }


ADDRESS = {"street": "Mannerheimintie 1 A 2", "postcode": "00100", "city": "Helsinki"}


def _printed_reply(service, name: str, address: dict | None) -> str:
    state = service.register(_request(name, address))
    service.verify_identity(state.id, IdentityMethod.SIGNATURE)
    service.record_decision(state.id, Decision.GRANTED)
    service.mark_letter_printed(state.id, LetterKind.REPLY)
    return state.diary_number


def test_print_the_dispatch_list_of_the_day_from_today(qtbot, main_window, tmp_path):
    service = main_window.service
    diary = _printed_reply(service, "Aino Aalto", ADDRESS)
    service.dispatch(diary, Delivery.REGISTERED_MAIL, "RR123456785FI")
    main_window.show_page("today")
    wait_idle(qtbot, main_window)
    target = tmp_path / "lahetysluettelo.pdf"
    main_window.show_dispatch_list(print_dialog=print_to_file(target))  # what Ctrl+Shift+P and Today do
    dialog = main_window.dispatch_dialog
    wait_idle(qtbot, main_window)
    assert "1 registered letter today." in dialog.summary.text()
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(dialog.pdf)).pages)
    assert diary in text and "RR123456785FI" in text
    assert dialog.print_button.isDefault() and dialog.print_button.hasFocus()
    qtbot.keyClick(dialog.print_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.print_dialog is not None and dialog.print_dialog.isVisible(), timeout=5000)
    dialog.print_dialog.accept()  # the clerk chose the PDF printer
    assert target.exists() and target.read_bytes().startswith(b"%PDF")
    assert len(pypdf.PdfReader(target).pages) == 1
    assert "sent to the printer" in dialog.message_label.text()
    dialog.reject()


def test_the_today_button_and_the_menu_open_the_dispatch_list(qtbot, main_window):
    main_window.show_page("today")
    wait_idle(qtbot, main_window)
    button = main_window.today_view.dispatch_button
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    wait_idle(qtbot, main_window)
    dialog = main_window.dispatch_dialog
    assert dialog.isVisible()
    assert "No registered letters" in dialog.summary.text()
    dialog.reject()
    action = main_window._actions["dispatch_list"]
    assert action.shortcut().toString() == "Ctrl+Shift+P"
    assert action in main_window.menu_bar.menus["file"].actions()


def test_registered_mail_without_a_complete_address_is_refused_with_the_reason(main_window):
    service = main_window.service
    diary = _printed_reply(service, "Bertil Berg", {"street": "", "postcode": "", "city": ""})
    with pytest.raises(DomainError, match="complete postal address"):
        service.dispatch(diary, Delivery.REGISTERED_MAIL, "RR123456785FI")
    service.dispatch(diary, Delivery.PICKUP)  # handing it over at the desk is still open


def test_detach_and_relabel_an_attachment_by_keyboard(qtbot, main_window):
    from ui_helpers import type_text

    from desktop.domain.model import AttachmentKind

    service = main_window.service
    state = service.register(_request("Aino Aalto", ADDRESS))
    right = service.attach_bytes(state.id, b"%PDF-1.4 form", "lomake.pdf", AttachmentKind.SIGNED_FORM).sha256
    wrong = service.attach_bytes(state.id, b"%PDF-1.4 other", "toisen_asia.pdf", AttachmentKind.OTHER).sha256
    main_window.open_case(state.id)
    wait_idle(qtbot, main_window)
    panel = main_window.case_view.attachments_panel
    panel.attachments_list.setCurrentRow(1)
    panel.detach_button.setFocus()
    qtbot.keyClick(panel.detach_button, Qt.Key.Key_Space)
    dialog = panel.current_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert "toisen_asia.pdf" in dialog.intro.text()
    qtbot.keyClick(dialog.ok_button, Qt.Key.Key_Return)  # no reason: refused, focus on the reason
    wait_idle(qtbot, main_window)
    assert dialog.isVisible() and "Say why" in dialog.error_label.text()
    reason = dialog.fields[0]
    type_text(qtbot, reason, "Kuuluu toiseen asiaan")
    qtbot.keyClick(reason, Qt.Key.Key_Return)
    wait_idle(qtbot, main_window)
    assert not dialog.isVisible()
    after = service.get(state.id)
    assert [a.sha256 for a in after.attachments] == [right]
    assert service.workspace.blobs.read(wrong) == b"%PDF-1.4 other"  # kept for the log until retention
    wait_idle(qtbot, main_window)
    assert panel.attachments_list.count() == 1
    model = main_window.case_view.timeline_model
    last = model.data(model.index(model.rowCount() - 1, 2))
    assert "Detached toisen_asia.pdf" in last and "Kuuluu toiseen asiaan" in last

    panel.attachments_list.setCurrentRow(0)
    panel.relabel_button.click()
    dialog = panel.current_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    kind = dialog.fields[0]
    kind.setCurrentIndex(kind.findData(AttachmentKind.POWER_OF_ATTORNEY.value))
    qtbot.keyClick(dialog.ok_button, Qt.Key.Key_Return)
    wait_idle(qtbot, main_window)
    assert service.get(state.id).attachments[0].kind is AttachmentKind.POWER_OF_ATTORNEY
    wait_idle(qtbot, main_window)
    last = model.data(model.index(model.rowCount() - 1, 2))
    assert "re-labelled" in last and "Power of attorney" in last


def test_access_reply_without_extract_offers_the_wording_without_enclosure(qtbot, main_window):
    from desktop.domain.model import AttachmentKind

    service = main_window.service
    state = service.register(_request("Aino Aalto", ADDRESS))
    service.verify_identity(state.id, IdentityMethod.SIGNATURE)
    service.record_decision(state.id, Decision.GRANTED)
    main_window.prepare_reply(state.id)
    reply = main_window.reply_dialog
    wait_idle(qtbot, main_window)
    assert reply.enclosure_label.isVisible()
    qtbot.mouseClick(reply.without_enclosure_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, main_window)
    assert reply.kind_combo.currentData() == LetterKind.REPLY.value
    assert not reply.enclosure_label.isVisible()
    reply.reject()
    # With the extract attached, no warning at all.
    service.attach_bytes(state.id, b"%PDF-1.4 ote", "rekisteriote.pdf", AttachmentKind.EXTRACT)
    main_window.prepare_reply(state.id)
    reply = main_window.reply_dialog
    wait_idle(qtbot, main_window)
    assert reply.kind_combo.currentData() == LetterKind.ACCESS_REPLY.value
    assert not reply.enclosure_label.isVisible()
    reply.reject()


def test_file_dialogs_start_in_the_scan_folder_then_the_last_folder(main_window, tmp_path, monkeypatch):
    from dataclasses import replace

    from desktop.ui import folders

    scans, elsewhere = tmp_path / "skannaus", tmp_path / "muualla"
    scans.mkdir()
    elsewhere.mkdir()
    workspace = main_window.service.workspace
    monkeypatch.setattr(workspace, "settings", replace(workspace.settings, scan_inbox_dir=str(scans)))
    monkeypatch.setattr(folders, "_last", {})
    started: list[str] = []

    def fake_dialog(_parent, _title, folder, _filter):
        started.append(folder)
        return (str(elsewhere / "viesti.eml"), "")

    monkeypatch.setattr("desktop.ui.scan_inbox.QFileDialog.getOpenFileName", fake_dialog)
    monkeypatch.setattr(main_window.scan_inbox, "new_request_from_email", lambda _path: None)
    main_window.scan_inbox.import_email_dialog()
    main_window.scan_inbox.import_email_dialog()
    assert started == [str(scans), str(elsewhere)]
