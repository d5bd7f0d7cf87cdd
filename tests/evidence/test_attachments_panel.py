"""The case view's attachments as a clerk uses them: drop files on the case, paste a path, pick in a dialog."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from evidence_samples import build_email, email_bytes, is_blank, reportlab_pdf, tiff_multipage, wait_idle
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop.domain.model import AttachmentKind

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "evidence_en.png"


@pytest.fixture
def case_view(qtbot, window, clerk_service, paper_request):
    state = clerk_service.register(paper_request)
    window.open_case(state.id)
    wait_idle(qtbot, window.runner)
    return window.case_view


def drop_files(view, paths: list[Path]) -> bool:
    """Drag files from the file manager and drop them on the case view."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    centre = QPoint(view.width() // 2, view.height() // 2)
    enter = QDragEnterEvent(
        centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(view, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(
        QPointF(centre),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(view, drop)
    return drop.isAccepted()


def test_drop_a_scan_on_the_case_view(qtbot, window, case_view, tmp_path):
    scan = tmp_path / "allekirjoitettu lomake.pdf"
    scan.write_bytes(reportlab_pdf(2))
    case_view.attachments_panel.attach_kind.setCurrentIndex(
        case_view.attachments_panel.attach_kind.findData(AttachmentKind.SIGNED_FORM.value)
    )
    assert drop_files(case_view, [scan])
    wait_idle(qtbot, window.runner)
    wait_idle(qtbot, window.runner)
    panel = case_view.attachments_panel
    assert panel.attachments_list.count() == 1
    assert (
        panel.attachments_list.item(0).text().startswith("allekirjoitettu lomake.pdf – Signed request form")
    )
    assert "Attached allekirjoitettu lomake.pdf." in panel.message_label.text()
    qtbot.waitUntil(lambda: panel.preview.page_count() == 2, timeout=5000)
    assert not is_blank(panel.preview.rendered_page(400))
    state = window.service.get(case_view.state.id)
    assert [(a.filename, a.kind) for a in state.attachments] == [
        ("allekirjoitettu lomake.pdf", AttachmentKind.SIGNED_FORM)
    ]
    assert any(e.type.value == "AttachmentAdded" for e in window.service.timeline(state.id))

    # The same file again: stored once, and the clerk is told.
    again = tmp_path / "kopio.pdf"
    shutil.copyfile(scan, again)
    assert drop_files(case_view, [again])
    wait_idle(qtbot, window.runner)
    wait_idle(qtbot, window.runner)
    assert panel.attachments_list.count() == 1
    assert "kopio.pdf is already attached to this case." in panel.message_label.text()


def test_dropping_something_that_is_not_a_file_is_not_accepted(qtbot, case_view):
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.fi/lomake.pdf")])
    enter = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter.ignore()
    QApplication.sendEvent(case_view, enter)
    assert not enter.isAccepted()


def test_a_dropped_file_whose_content_is_not_its_name_is_refused_with_a_message(
    qtbot, window, case_view, tmp_path
):
    fake = tmp_path / "lomake.pdf"
    fake.write_bytes(tiff_multipage(1))
    good = tmp_path / "skannaus.tif"
    good.write_bytes(tiff_multipage(2))
    assert drop_files(case_view, [fake, good])
    wait_idle(qtbot, window.runner)
    wait_idle(qtbot, window.runner)
    panel = case_view.attachments_panel
    text = panel.message_label.text()
    assert "lomake.pdf is named as application/pdf but its content is image/tiff" in text
    assert "Attached skannaus.tif." in text  # one refusal does not stop the others
    assert [
        panel.attachments_list.item(i).text().split(" – ")[0] for i in range(panel.attachments_list.count())
    ] == ["skannaus.tif"]


def test_paste_a_file_path_with_ctrl_v(qtbot, window, case_view, tmp_path):
    scan = tmp_path / "valtakirja.pdf"
    scan.write_bytes(reportlab_pdf(1))
    QGuiApplication.clipboard().setText(f'"{scan}"')
    panel = case_view.attachments_panel
    panel.attachments_list.setFocus()
    qtbot.keyClick(panel.attachments_list, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window.runner)
    wait_idle(qtbot, window.runner)
    assert panel.attachments_list.count() == 1
    assert panel.attachments_list.item(0).text().startswith("valtakirja.pdf")


def test_paste_without_a_path_says_so(qtbot, case_view):
    QGuiApplication.clipboard().setText("")
    panel = case_view.attachments_panel
    panel.attachments_list.setFocus()
    qtbot.keyClick(panel.attachments_list, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert "no file or file path" in panel.message_label.text()


def test_attach_by_file_dialog_an_email_with_its_attachment(qtbot, window, case_view, tmp_path, monkeypatch):
    message = tmp_path / "tietopyynto.eml"
    message.write_bytes(
        email_bytes(build_email(attachments=[("lomake.pdf", reportlab_pdf(1), "application/pdf")]))
    )
    monkeypatch.setattr(
        "desktop.ui.attachments_panel.QFileDialog.getOpenFileNames",
        lambda *args, **kwargs: ([str(message)], ""),
    )
    panel = case_view.attachments_panel
    qtbot.mouseClick(panel.attach_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window.runner)
    wait_idle(qtbot, window.runner)
    texts = [panel.attachments_list.item(i).text() for i in range(panel.attachments_list.count())]
    assert texts[0].startswith("tietopyynto.eml – E-mail") and texts[1].startswith("lomake.pdf – Other")
    assert "From the message: lomake.pdf." in panel.message_label.text()
    panel.attachments_list.setCurrentRow(0)
    wait_idle(qtbot, window.runner)
    assert panel.preview.stack.currentWidget() is panel.preview.email_page
    assert panel.preview._email_values["subject"].text() == "Tietopyyntö"


def test_a_damaged_scan_is_listed_with_its_warning(qtbot, window, case_view, tmp_path):
    scan = tmp_path / "katkennut.pdf"
    scan.write_bytes(reportlab_pdf(2)[:-400])
    case_view.attach_path(scan, AttachmentKind.SIGNED_FORM)
    wait_idle(qtbot, window.runner)
    wait_idle(qtbot, window.runner)
    item = case_view.attachments_panel.attachments_list.item(0)
    assert item.text().endswith("⚠")
    assert "cut short" in item.toolTip()


def test_screenshot_of_the_case_view_with_a_pdf_preview(qtbot, window, case_view, tmp_path):
    scan = tmp_path / "tarkastuspyyntö.pdf"
    scan.write_bytes(reportlab_pdf(2))
    assert drop_files(case_view, [scan])
    wait_idle(qtbot, window.runner)
    wait_idle(qtbot, window.runner)
    panel = case_view.attachments_panel
    qtbot.waitUntil(lambda: panel.preview.page_count() == 2, timeout=5000)
    qtbot.wait(500)  # QPdfView renders its pages in the background
    shot = tmp_path / "evidence_en.png"
    assert window.grab().save(str(shot))
    image = window.grab().toImage()
    assert not is_blank(image)
    if os.environ.get("KIRJAAMO_UPDATE_SCREENSHOTS"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)
