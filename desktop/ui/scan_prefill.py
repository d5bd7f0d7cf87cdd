"""Forms that fill themselves: the scan beside the intake form, recognised off the GUI thread, its fields
prefilled and marked "read from the scan" until the clerk confirms each one.

Keyboard: F8 confirms the field that has focus and moves to the next one still to confirm;
Ctrl+Shift+F8 confirms them all. Typing in a marked field confirms it too (the clerk wrote the value).
The intake form will not save while a field is still unconfirmed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import _, format_date
from desktop.services import ocr
from desktop.ui import labels, theme
from desktop.ui.runner import DbRunner

MARK_PROPERTY = "readFromScan"


class _Progress(QObject):
    """Page progress from the recognition worker, delivered on the GUI thread."""

    step = Signal(int, int)


def _emit(progress: _Progress, done: int, total: int) -> None:
    """Report a page from the worker; the window may have been closed meanwhile (nobody to tell then)."""
    import shiboken6

    if shiboken6.isValid(progress):
        progress.step.emit(done, total)


class ScanPrefill(QObject):
    """Reads a scan for an intake form and keeps track of the fields it filled."""

    finished = Signal(bool)  # True when fields were read (tests wait on this)

    def __init__(self, form, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._form = form
        self._runner = DbRunner(self)  # its own worker: recognition never waits behind database work
        self._progress = _Progress(self)
        self._progress.step.connect(self._show_step, Qt.ConnectionType.QueuedConnection)
        self._marked: list[QWidget] = []
        self._extra: list[str] = []
        self._generation = 0

        self.panel = QWidget()
        self.panel.setAccessibleName(_("The scan"))
        self.title = QLabel()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.bar.hide()
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.image)
        scroll.setMinimumWidth(320)
        self.confirm_button = QPushButton()
        self.confirm_button.clicked.connect(self.confirm_all)
        self.confirm_button.hide()
        layout = QVBoxLayout(self.panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.bar)
        layout.addWidget(self.confirm_button)
        layout.addWidget(scroll, 1)
        self.panel.hide()

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence(Qt.Key.Key_F8), form, self.confirm_current, context=context)
        QShortcut(QKeySequence("Ctrl+Shift+F8"), form, self.confirm_all, context=context)
        for widget in self._fields().values():
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(lambda _text, w=widget: self.confirm(w))
        self.retranslate()

    # -- what is marked ----------------------------------------------------------------------------
    def _fields(self) -> dict[str, QWidget]:
        f = self._form
        return {
            "name": f.name_edit,
            "hetu": f.hetu_edit,
            "street": f.street_edit,
            "postcode": f.postcode_edit,
            "city": f.city_edit,
            "phone": f.phone_edit,
            "email": f.email_edit,
            "rights": f.right_combo,
            "signed_on": f.signed_check,
        }

    def unconfirmed(self) -> list[QWidget]:
        return list(self._marked)

    def _mark(self, widget: QWidget) -> None:
        widget.setProperty(MARK_PROPERTY, True)
        kind = {QLineEdit: "QLineEdit", QComboBox: "QComboBox", QCheckBox: "QCheckBox"}.get(
            type(widget), "QWidget"
        )
        widget.setStyleSheet(
            f"{kind} {{ background: {theme.hex_of('info_background')}; color: {theme.hex_of('info_text')}; "
            f"border: 1px dashed {theme.hex_of('info_text')}; }}"
        )
        widget.setToolTip(_("Read from the scan: check it against the scan, then press F8 to confirm."))
        if widget not in self._marked:
            self._marked.append(widget)

    def confirm(self, widget: QWidget) -> None:
        if widget not in self._marked:
            return
        self._marked.remove(widget)
        widget.setProperty(MARK_PROPERTY, False)
        widget.setStyleSheet("")
        widget.setToolTip("")
        self._update_status()

    def confirm_current(self) -> None:
        """F8: confirm the focused field (or the first unconfirmed one) and go to the next to check."""
        if not self._marked:
            return
        focus = self._form.focusWidget()
        target = focus if focus in self._marked else None
        if target is None:
            self._marked[0].setFocus()
            return
        index = self._marked.index(target)
        self.confirm(target)
        if self._marked:
            self._marked[min(index, len(self._marked) - 1)].setFocus()

    def confirm_all(self) -> None:
        for widget in list(self._marked):
            self.confirm(widget)

    def reset(self) -> None:
        """The form was cleared: forget the scan and every mark."""
        self._generation += 1
        for widget in list(self._marked):
            self.confirm(widget)
        self.panel.hide()
        self.bar.hide()
        self.image.clear()

    # -- reading -------------------------------------------------------------------------------------
    def read_file(self, path: Path) -> None:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            self._show_panel(Path(path).name, None)
            self.status.setText(
                _("Cannot read {name}: {reason}").format(name=path.name, reason=error.strerror)
            )
            return
        self.read(data, Path(path).name)

    def read(self, data: bytes, filename: str) -> None:
        """Show the scan beside the form and recognise it on the worker; prefill when done."""
        self._generation += 1
        generation = self._generation
        self._show_panel(filename, data)
        self.bar.setRange(0, 0)  # busy until the first page is done
        self.bar.show()
        self.status.setText(_("Reading the form on the scan…"))
        progress = self._progress

        def work():
            state = ocr.status()
            if not state.available:
                return state
            return ocr.read_scan(data, filename, lambda done, total: _emit(progress, done, total))

        self._runner.run(
            work,
            lambda result: self._done(generation, result),
            lambda message: self._failed(generation, message),
        )

    def _show_panel(self, filename: str, data: bytes | None) -> None:
        self.title.setText(_("Scan: {name}").format(name=filename))
        pixmap = QPixmap()
        if data is not None and not data.startswith(b"%PDF") and pixmap.loadFromData(data):
            self.image.setPixmap(pixmap.scaledToWidth(420, Qt.TransformationMode.SmoothTransformation))
        elif data is not None and data.startswith(b"%PDF"):
            self._show_pdf_page(data)
        self.panel.show()

    def _show_pdf_page(self, data: bytes) -> None:
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
        from PySide6.QtPdf import QPdfDocument

        buffer = QBuffer(self.panel)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        document = QPdfDocument(self.panel)
        document.load(buffer)
        if document.pageCount() > 0:
            size = document.pagePointSize(0)
            scale = 420 / max(1.0, size.width())
            image = document.render(0, QSize(420, int(size.height() * scale)))
            self.image.setPixmap(QPixmap.fromImage(image))

    def _alive(self, generation: int | None = None) -> bool:
        """Whether the form is still there (a window closed mid-recognition) and the reading still wanted."""
        import shiboken6

        if not shiboken6.isValid(self.bar) or not shiboken6.isValid(self._form):
            return False
        return generation is None or generation == self._generation

    def _show_step(self, done: int, total: int) -> None:
        if not self._alive():
            return
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        self.status.setText(_("Read page {done} of {total}.").format(done=done, total=total))

    def _failed(self, generation: int, message: str) -> None:
        if not self._alive(generation):
            return
        self.bar.hide()
        self.status.setText(message)
        self.finished.emit(False)

    def _done(self, generation: int, result) -> None:
        if not self._alive(generation):
            return  # the clerk cleared the form, opened another scan or closed the window meanwhile
        self.bar.hide()
        if isinstance(result, ocr.OcrStatus):
            self.status.setText(_(result.reason))
            self.finished.emit(False)
            return
        reading = result.reading
        request = reading.as_request()
        if reading.signed_on is not None:
            request["signed"] = True
        self._form.prefill(
            request, self._form.prefill_label.text() if self._form.prefill_label.isVisible() else ""
        )
        fields = self._fields()
        for name in reading.found():
            self._mark(fields[name])
        notes = []
        if reading.signed_on is not None:
            notes.append(_("Signed on {date} (from the scan).").format(date=format_date(reading.signed_on)))
        if len(reading.rights) > 1:
            notes.append(
                _("The form also ticks: {rights}.").format(
                    rights=", ".join(labels.label(labels.RIGHTS_SHORT, r) for r in reading.rights[1:])
                )
            )
        if "hetu" in reading.rejected:
            notes.append(
                _(
                    "A personal identity code was read, but its check character is wrong: type it from the scan."
                )
            )
        if "postcode" in reading.rejected:
            notes.append(_("The postcode read does not have five digits: type it from the scan."))
        self._extra = notes
        self._update_status()
        if self._marked:
            self._marked[0].setFocus()
        self.finished.emit(bool(self._marked))

    def _update_status(self) -> None:
        count = len(self._marked)
        extra = self._extra
        if count:
            head = _(
                "{count} field(s) read from the scan are marked: check each against the scan and press F8 to confirm it (Ctrl+Shift+F8: all)."
            ).format(count=count)
        elif extra or self.panel.isVisible():
            head = _("Every field read from the scan is confirmed.")
        else:
            head = ""
        self.status.setText("\n".join([head, *extra]).strip())
        self.confirm_button.setVisible(bool(count))

    def shutdown(self) -> None:
        """Stop the recognition worker (the window is closing)."""
        self._generation += 1
        self._runner.shutdown()

    def retranslate(self) -> None:
        self.confirm_button.setText(_("Confirm all fields read from the scan"))
        self.confirm_button.setAccessibleName(self.confirm_button.text())
        self.bar.setAccessibleName(_("Text recognition progress"))
        self.image.setAccessibleName(_("The scanned form"))
        if self._marked:
            self._update_status()


__all__ = ["MARK_PROPERTY", "ScanPrefill"]
