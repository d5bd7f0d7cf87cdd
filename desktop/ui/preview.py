"""Looking at evidence: PDF pages (QtPdf), images and multi-page TIFF, e-mails as headers and text.

The widget shows bytes it is given; reading them (hash verified) is the caller's work on the DbRunner.
"Open in system viewer" writes a temporary copy (on the runner) and hands it to the desktop.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QImageReader, QKeySequence, QPixmap, QShortcut, QTransform
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import _, format_date
from desktop.services.email_import import ImportedEmail
from desktop.services.filetypes import safe_filename
from desktop.ui import theme
from desktop.ui.runner import DbRunner

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.1, 8.0
_temp_dirs: list[str] = []


def _remove_temp_copies() -> None:
    for folder in _temp_dirs:
        shutil.rmtree(folder, ignore_errors=True)


atexit.register(_remove_temp_copies)


def write_temp_copy(data: bytes, filename: str) -> Path:
    """A private temporary copy for the system viewer (removed when the app exits)."""
    folder = tempfile.mkdtemp(prefix="kirjaamo-view-")
    _temp_dirs.append(folder)
    target = Path(folder) / safe_filename(filename)
    target.write_bytes(data)
    target.chmod(0o400)
    return target


def tiff_supported() -> bool:
    return b"tiff" in {bytes(f).lower() for f in QImageReader.supportedImageFormats()}


class ImagePages:
    """The pages of an image file: one for JPEG/PNG, one per directory for TIFF; decoded on demand."""

    def __init__(self, data: bytes, media_type: str) -> None:
        self._data = data
        self._pillow = media_type == "image/tiff" and not tiff_supported()
        self.count = 1
        if self._pillow:
            self.count = self._pillow_count()
        else:
            reader = self._reader()
            self.count = max(reader.imageCount(), 1)

    def _reader(self) -> QImageReader:
        self._buffer = QBuffer()
        self._buffer.setData(QByteArray(self._data))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        return QImageReader(self._buffer)

    def page(self, index: int) -> QImage:
        if self._pillow:
            return self._pillow_page(index)
        reader = self._reader()
        reader.setAutoTransform(True)
        if index and not reader.jumpToImage(index):
            return QImage()
        return reader.read()

    def _pillow_count(self) -> int:
        import io

        from PIL import Image

        try:
            with Image.open(io.BytesIO(self._data)) as image:
                return max(getattr(image, "n_frames", 1), 1)
        except Exception:
            return 1

    def _pillow_page(self, index: int) -> QImage:
        import io

        from PIL import Image

        try:
            with Image.open(io.BytesIO(self._data)) as image:
                image.seek(index)
                rgba = image.convert("RGBA")
                raw = rgba.tobytes("raw", "RGBA")
                return QImage(
                    raw, rgba.width, rgba.height, 4 * rgba.width, QImage.Format.Format_RGBA8888
                ).copy()
        except Exception:
            return QImage()


class PreviewWidget(QWidget):
    """One document at a time, with page navigation, zoom, rotation and 'Open in system viewer'."""

    opened_externally = Signal(str)  # the temporary copy's path

    def __init__(self, runner: DbRunner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._data = b""
        self._filename = ""
        self._media_type = ""
        self._page = 0
        self._zoom = 1.0
        self._fit_width = True
        self._rotation = 0
        self._images: ImagePages | None = None
        self._mail: ImportedEmail | None = None
        self._note = ""
        self.larger_dialog: QDialog | None = None
        self._image = QImage()

        self.prev_button = QToolButton()
        self.next_button = QToolButton()
        self.page_label = QLabel()
        self.zoom_out_button = QToolButton()
        self.zoom_in_button = QToolButton()
        self.fit_button = QToolButton()
        self.fit_button.setCheckable(True)
        self.rotate_left_button = QToolButton()
        self.rotate_right_button = QToolButton()
        self.external_button = QPushButton()
        self.larger_button = QPushButton()
        tools = QHBoxLayout()
        tools.setContentsMargins(0, 0, 0, 0)
        for widget in (
            self.prev_button,
            self.page_label,
            self.next_button,
            self.zoom_out_button,
            self.zoom_in_button,
            self.fit_button,
            self.rotate_left_button,
            self.rotate_right_button,
        ):
            tools.addWidget(widget)
        tools.addStretch(1)
        tools.addWidget(self.larger_button)
        tools.addWidget(self.external_button)

        self.pdf_view = QPdfView()
        self.pdf_view.setPageMode(QPdfView.PageMode.SinglePage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        self.image_label = QLabel()
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_scroll = QScrollArea()
        self.image_scroll.setWidget(self.image_label)
        self.image_scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.email_page = QWidget()
        self._email_values = {key: QLabel() for key in ("from", "to", "date", "subject", "attachments")}
        self._email_captions = {key: QLabel() for key in self._email_values}
        email_form = QFormLayout()
        for key, value in self._email_values.items():
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            email_form.addRow(self._email_captions[key], value)
        self.email_notes = QLabel()
        self.email_notes.setWordWrap(True)
        self.email_notes.setStyleSheet(theme.text_style("warning_text"))
        self.email_body = QPlainTextEdit()
        self.email_body.setReadOnly(True)
        email_layout = QVBoxLayout(self.email_page)
        email_layout.setContentsMargins(0, 0, 0, 0)
        email_layout.addLayout(email_form)
        email_layout.addWidget(self.email_notes)
        email_layout.addWidget(self.email_body, 1)

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label.setStyleSheet(theme.text_style("muted") + " padding: 24px;")

        self.stack = QStackedWidget()
        for page in (self.message_label, self.pdf_view, self.image_scroll, self.email_page):
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(tools)
        layout.addWidget(self.stack, 1)
        # The view renders pages on a thread of its own. The document and the buffer it reads from are made
        # after the view is our child, so they are destroyed after it: its rendering stops first.
        self.pdf_document = QPdfDocument(self)
        self._pdf_buffer = QBuffer(self)
        self.pdf_view.setDocument(self.pdf_document)

        self.prev_button.clicked.connect(lambda: self.go_to_page(self._page - 1))
        self.next_button.clicked.connect(lambda: self.go_to_page(self._page + 1))
        self.zoom_in_button.clicked.connect(lambda: self.zoom_by(ZOOM_STEP))
        self.zoom_out_button.clicked.connect(lambda: self.zoom_by(1 / ZOOM_STEP))
        self.fit_button.clicked.connect(self.fit_width)
        self.rotate_left_button.clicked.connect(lambda: self.rotate(-90))
        self.rotate_right_button.clicked.connect(lambda: self.rotate(90))
        self.external_button.clicked.connect(self.open_externally)
        self.larger_button.clicked.connect(self.open_larger)
        self.pdf_view.pageNavigator().currentPageChanged.connect(self._pdf_page_changed)
        for sequence, slot in (
            (QKeySequence.StandardKey.ZoomIn, lambda: self.zoom_by(ZOOM_STEP)),
            (QKeySequence.StandardKey.ZoomOut, lambda: self.zoom_by(1 / ZOOM_STEP)),
            ("Ctrl+PgDown", lambda: self.go_to_page(self._page + 1)),
            ("Ctrl+PgUp", lambda: self.go_to_page(self._page - 1)),
        ):
            QShortcut(
                QKeySequence(sequence), self, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut
            )
        self.retranslate()
        self.clear()

    # -- showing -----------------------------------------------------------------------------------
    def clear(self, text: str = "") -> None:
        self._data = b""
        self._media_type = ""
        self._images = None
        self._image = QImage()
        self.pdf_document.close()
        self.message_label.setText(text or _("Select a file to see it here."))
        self.stack.setCurrentWidget(self.message_label)
        self._update_tools()

    def show_message(self, text: str) -> None:
        """A line in place of the document (still loading, cannot be shown, …)."""
        self.message_label.setText(text)
        self.stack.setCurrentWidget(self.message_label)
        self._update_tools()

    def show_document(
        self, data: bytes, media_type: str, filename: str, mail: ImportedEmail | None = None, note: str = ""
    ) -> None:
        """Show a document from its bytes; `mail` is the parsed message for e-mails."""
        self.clear()
        self._data = data
        self._media_type = media_type
        self._filename = filename
        self._mail = mail
        self._note = note
        self._page = 0
        self._rotation = 0
        self._zoom = 1.0
        self._fit_width = True
        if media_type == "application/pdf":
            self._show_pdf(data)
        elif media_type.startswith("image/"):
            self._show_image(data, media_type)
        elif mail is not None:
            self._show_email(mail)
        else:
            self.show_message(
                note or _("{name} cannot be shown here; open it in the system viewer.").format(name=filename)
            )
        self._update_tools()

    def _show_pdf(self, data: bytes) -> None:
        self.pdf_document.close()
        self._pdf_buffer.close()
        self._pdf_buffer.setData(QByteArray(data))
        self._pdf_buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.pdf_document.load(self._pdf_buffer)
        if self.pdf_document.status() != QPdfDocument.Status.Ready or self.pdf_document.pageCount() < 1:
            self.show_message(
                _(
                    "This PDF cannot be shown (it may be damaged or password-protected). It is stored unchanged."
                )
            )
            return
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pdf_view.pageNavigator().jump(0, QPointF(), 0)
        self.stack.setCurrentWidget(self.pdf_view)

    def _show_image(self, data: bytes, media_type: str) -> None:
        self._images = ImagePages(data, media_type)
        self._load_image_page()

    def _load_image_page(self) -> None:
        assert self._images is not None
        self._image = self._images.page(self._page)
        if self._image.isNull():
            self.show_message(_("This image cannot be shown (it may be damaged). It is stored unchanged."))
            return
        self.stack.setCurrentWidget(self.image_scroll)
        self._render_image()

    def _render_image(self) -> None:
        if self._image.isNull():
            return
        image = (
            self._image.transformed(QTransform().rotate(self._rotation)) if self._rotation else self._image
        )
        if self._fit_width:
            available = max(self.image_scroll.viewport().width() - 4, 50)
            self._zoom = min(available / max(image.width(), 1), MAX_ZOOM)
        size = QSize(max(int(image.width() * self._zoom), 1), max(int(image.height() * self._zoom), 1))
        pixmap = QPixmap.fromImage(
            image.scaled(
                size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )
        self.image_label.setPixmap(pixmap)
        self.image_label.resize(pixmap.size())

    def _show_email(self, mail: ImportedEmail) -> None:
        sender = f"{mail.sender_name} <{mail.sender_address}>" if mail.sender_name else mail.sender_address
        when = ""
        if mail.date is not None:
            from desktop.services.clock import HELSINKI

            try:
                local = mail.date.astimezone(HELSINKI) if mail.date.tzinfo else mail.date
                when = f"{format_date(local.date())} {local:%H:%M}"
            except (OverflowError, ValueError):
                when = ""
        names = ", ".join(a.filename for a in mail.attachments) or "–"
        values = {
            "from": sender,
            "to": mail.recipients,
            "date": when,
            "subject": mail.subject,
            "attachments": names,
        }
        for key, value in values.items():
            self._email_values[key].setText(value or "–")
        notes = [_(note) for note in mail.notes]
        if mail.encrypted:
            notes.insert(0, _("Encrypted message (S/MIME), decrypted with the office's key."))
        if mail.signed:
            notes.insert(0, _("The message carries an electronic signature (not verified here)."))
        self.email_notes.setText("\n".join(notes))
        self.email_notes.setVisible(bool(notes))
        self.email_body.setPlainText(mail.body or _("(no text)"))
        self.stack.setCurrentWidget(self.email_page)

    # -- navigation --------------------------------------------------------------------------------
    def page_count(self) -> int:
        if self.stack.currentWidget() is self.pdf_view:
            return self.pdf_document.pageCount()
        if self.stack.currentWidget() is self.image_scroll and self._images is not None:
            return self._images.count
        return 0

    def current_page(self) -> int:
        return self._page

    def go_to_page(self, page: int) -> None:
        count = self.page_count()
        if count == 0:
            return
        page = max(0, min(page, count - 1))
        if self.stack.currentWidget() is self.pdf_view:
            self.pdf_view.pageNavigator().jump(page, QPointF(), 0)
            self._page = page
        elif page != self._page:
            self._page = page
            self._load_image_page()
        self._update_tools()

    def _pdf_page_changed(self, page: int) -> None:
        self._page = page
        self._update_tools()

    def zoom_by(self, factor: float) -> None:
        if self.stack.currentWidget() is self.pdf_view:
            current = self.pdf_view.zoomFactor()
            self.pdf_view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.pdf_view.setZoomFactor(max(MIN_ZOOM, min(current * factor, MAX_ZOOM)))
        elif self.stack.currentWidget() is self.image_scroll:
            self._fit_width = False
            self._zoom = max(MIN_ZOOM, min(self._zoom * factor, MAX_ZOOM))
            self._render_image()
        self._update_tools()

    def fit_width(self) -> None:
        if self.stack.currentWidget() is self.pdf_view:
            self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        else:
            self._fit_width = True
            self._render_image()
        self._update_tools()

    def rotate(self, degrees: int) -> None:
        if self.stack.currentWidget() is not self.image_scroll:
            return
        self._rotation = (self._rotation + degrees) % 360
        self._render_image()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fit_width and self.stack.currentWidget() is self.image_scroll:
            self._render_image()

    def _update_tools(self) -> None:
        count = self.page_count()
        paged = count > 0
        self.page_label.setText(
            _("Page {page} / {count}").format(page=self._page + 1, count=count) if paged else ""
        )
        self.prev_button.setEnabled(paged and self._page > 0)
        self.next_button.setEnabled(paged and self._page < count - 1)
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_button):
            button.setEnabled(paged)
        is_pdf = self.stack.currentWidget() is self.pdf_view
        self.fit_button.setChecked(
            (is_pdf and self.pdf_view.zoomMode() == QPdfView.ZoomMode.FitToWidth)
            or (not is_pdf and self._fit_width)
        )
        rotatable = self.stack.currentWidget() is self.image_scroll
        self.rotate_left_button.setEnabled(rotatable)
        self.rotate_right_button.setEnabled(rotatable)
        self.external_button.setEnabled(bool(self._data))
        self.larger_button.setEnabled(bool(self._data))

    # -- for tests and printing ----------------------------------------------------------------------
    def rendered_page(self, width: int = 600) -> QImage:
        """The current page as an image `width` pixels wide (what the clerk sees, without the widget)."""
        if self.stack.currentWidget() is self.pdf_view:
            size = self.pdf_document.pagePointSize(self._page)
            height = int(width * size.height() / max(size.width(), 1))
            return self.pdf_document.render(self._page, QSize(width, max(height, 1)))
        if self.stack.currentWidget() is self.image_scroll and not self._image.isNull():
            image = (
                self._image.transformed(QTransform().rotate(self._rotation))
                if self._rotation
                else self._image
            )
            return image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        return QImage()

    def open_larger(self) -> None:
        """The same document in a window of its own, as large as the screen allows."""
        if not self._data:
            return
        dialog = QDialog(self)
        dialog.setWindowTitle(self._filename)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        larger = PreviewWidget(self._runner, dialog)
        larger.larger_button.hide()
        QVBoxLayout(dialog).addWidget(larger)
        screen = self.screen().availableGeometry() if self.screen() else None
        dialog.resize(
            int(screen.width() * 0.6) if screen else 900, int(screen.height() * 0.9) if screen else 1000
        )
        larger.show_document(self._data, self._media_type, self._filename, self._mail, self._note)
        self.larger_dialog = dialog
        dialog.open()

    # -- the system viewer ---------------------------------------------------------------------------
    def open_externally(self) -> None:
        if not self._data:
            return
        data, name = self._data, self._filename or "attachment"
        if self._runner is None:
            self._open_path(write_temp_copy(data, name))
            return
        self._runner.run(lambda: write_temp_copy(data, name), self._open_path, self.show_message)

    def _open_path(self, path: Path) -> None:
        self.opened_externally.emit(str(path))
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def retranslate(self) -> None:
        texts = {
            self.prev_button: ("◀", _("Previous page")),
            self.next_button: ("▶", _("Next page")),
            self.zoom_out_button: ("−", _("Zoom out")),
            self.zoom_in_button: ("+", _("Zoom in")),
            self.fit_button: (_("Fit width"), _("Fit width")),
            self.rotate_left_button: ("⟲", _("Rotate left")),
            self.rotate_right_button: ("⟳", _("Rotate right")),
            self.external_button: (_("Open in system &viewer"), _("Open in system viewer")),
            self.larger_button: (_("&Larger view"), _("Show in a larger window")),
        }
        for button, (text, name) in texts.items():
            button.setText(text)
            button.setToolTip(name)
            button.setAccessibleName(name)
        captions = {
            "from": _("From"),
            "to": _("To"),
            "date": _("Sent"),
            "subject": _("Subject"),
            "attachments": _("Attachments"),
        }
        for key, text in captions.items():
            self._email_captions[key].setText(text + ":")
            self._email_values[key].setAccessibleName(text)
        self.email_body.setAccessibleName(_("Message text"))
        self.pdf_view.setAccessibleName(_("Document preview"))
        self.image_scroll.setAccessibleName(_("Image preview"))
        self._update_tools()
