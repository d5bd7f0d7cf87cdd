"""Previews of stored evidence: each kind is read back through the service (hash verified) and shown."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from evidence_samples import (
    SIGNATURE_BODY,
    build_email,
    build_msg,
    email_bytes,
    is_blank,
    jpeg_photo,
    png_image,
    pypdf_pdf,
    qt_pdf,
    reportlab_pdf,
    tiff_multipage,
)
from PySide6.QtCore import Qt
from PySide6.QtPdfWidgets import QPdfView

from desktop.domain.model import AttachmentKind
from desktop.ui.preview import PreviewWidget, tiff_supported

DOCUMENTS = {
    "reportlab.pdf": (lambda: reportlab_pdf(2), 2),
    "pypdf.pdf": (pypdf_pdf, 3),
    "qt.pdf": (lambda: qt_pdf(2), 2),
    "skannaus.tif": (lambda: tiff_multipage(3), 3),
    "kuva.jpg": (jpeg_photo, 1),
    "kuva.png": (png_image, 1),
}


@pytest.fixture
def preview(qtbot):
    widget = PreviewWidget()
    qtbot.addWidget(widget)
    widget.resize(700, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_stored_document_round_trips_and_previews(qtbot, preview, evidence, diary, name):
    make, pages = DOCUMENTS[name]
    data = make()
    batch = evidence.attach_bytes(diary, data, name, AttachmentKind.SIGNED_FORM)
    stored = evidence.read(batch.main.sha256)  # through CaseService.read_attachment: hash verified
    assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(data).hexdigest() == batch.main.sha256
    preview.show_document(stored, batch.main.media_type, name)
    assert preview.page_count() == pages
    first = preview.rendered_page(400)
    assert not is_blank(first), f"the first page of {name} rendered blank"
    if pages > 1:
        preview.go_to_page(pages - 1)
        assert preview.current_page() == pages - 1
        assert "Page 3 / 3" in preview.page_label.text() or f"{pages} / {pages}" in preview.page_label.text()
        assert not is_blank(preview.rendered_page(400))


def test_pdf_navigation_zoom_and_fit_width(qtbot, preview):
    preview.show_document(reportlab_pdf(3), "application/pdf", "lomake.pdf")
    assert preview.stack.currentWidget() is preview.pdf_view
    assert not preview.prev_button.isEnabled() and preview.next_button.isEnabled()
    qtbot.mouseClick(preview.next_button, Qt.MouseButton.LeftButton)
    assert preview.current_page() == 1 and preview.page_label.text() == "Page 2 / 3"
    qtbot.mouseClick(preview.zoom_in_button, Qt.MouseButton.LeftButton)
    assert preview.pdf_view.zoomMode() == QPdfView.ZoomMode.Custom
    zoomed = preview.pdf_view.zoomFactor()
    qtbot.mouseClick(preview.zoom_out_button, Qt.MouseButton.LeftButton)
    assert preview.pdf_view.zoomFactor() < zoomed
    qtbot.mouseClick(preview.fit_button, Qt.MouseButton.LeftButton)
    assert preview.pdf_view.zoomMode() == QPdfView.ZoomMode.FitToWidth


def test_multipage_tiff_pages_differ_and_rotate(qtbot, preview):
    assert tiff_supported() or pytest.importorskip("PIL")
    preview.show_document(tiff_multipage(3), "image/tiff", "skannaus.tif")
    first = preview.rendered_page(300)
    preview.go_to_page(2)
    third = preview.rendered_page(300)
    assert first != third  # each page is its own picture
    portrait = preview.rendered_page(300)
    qtbot.mouseClick(preview.rotate_right_button, Qt.MouseButton.LeftButton)
    rotated = preview.rendered_page(300)
    assert portrait.height() > portrait.width() and rotated.width() > rotated.height()
    qtbot.mouseClick(preview.zoom_in_button, Qt.MouseButton.LeftButton)
    assert not preview.fit_button.isChecked()


def test_tiff_through_pillow_when_qt_has_no_tiff_plugin(qtbot, preview, monkeypatch):
    monkeypatch.setattr("desktop.ui.preview.tiff_supported", lambda: False)
    preview.show_document(tiff_multipage(2), "image/tiff", "skannaus.tif")
    assert preview.page_count() == 2
    assert not is_blank(preview.rendered_page(300))


def test_email_preview_shows_headers_and_text(qtbot, preview, evidence, diary):
    data = email_bytes(build_email(attachments=[("lomake.pdf", reportlab_pdf(1), "application/pdf")]))
    batch = evidence.attach_bytes(diary, data, "pyynto.eml", AttachmentKind.EMAIL)
    mail = evidence.read_stored_email(batch.main.sha256, "pyynto.eml")
    preview.show_document(evidence.read(batch.main.sha256), "message/rfc822", "pyynto.eml", mail)
    assert preview.stack.currentWidget() is preview.email_page
    values = {key: label.text() for key, label in preview._email_values.items()}
    assert values["from"] == "Maija Meikäläinen <maija.meikalainen@example.fi>"
    assert values["subject"] == "Tietopyyntö" and values["attachments"] == "lomake.pdf"
    assert values["date"] == "5.11.2026 23:30"  # Helsinki time
    assert "131052-308T" in preview.email_body.toPlainText()
    assert not is_blank(preview.email_page.grab().toImage())


def test_msg_preview(qtbot, preview):
    from desktop.services.email_import import read_email

    data = build_msg(
        "Pyyntö", SIGNATURE_BODY, "Maija Meikäläinen", "m@example.fi", dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    )
    preview.show_document(data, "application/vnd.ms-outlook", "p.msg", read_email(data, "p.msg"))
    assert "Maija Meikäläinen" in preview._email_values["from"].text()
    assert "pyydän saada kopiot" in preview.email_body.toPlainText()


def test_damaged_pdf_shows_a_message_not_a_crash(qtbot, preview):
    preview.show_document(b"%PDF-1.7\n" + b"\x00" * 50, "application/pdf", "rikki.pdf")
    assert preview.stack.currentWidget() is preview.message_label
    assert "cannot be shown" in preview.message_label.text()
    assert preview.external_button.isEnabled()  # the system viewer may still manage


def test_open_in_system_viewer_uses_a_private_temporary_copy(qtbot, preview, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.preview.QDesktopServices.openUrl", lambda url: opened.append(url.toLocalFile()) or True
    )
    data = reportlab_pdf(1)
    preview.show_document(data, "application/pdf", "../../lomake.pdf")
    qtbot.mouseClick(preview.external_button, Qt.MouseButton.LeftButton)
    [path] = opened
    assert Path(path).name == "lomake.pdf" and Path(path).read_bytes() == data
    assert Path(path).parent.name.startswith("kirjaamo-view-")
