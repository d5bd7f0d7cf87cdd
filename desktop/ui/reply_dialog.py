"""Prepare a reply: the kind from the decision, a preview, an optional free paragraph, save as evidence, print."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QTimer
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.model import Delivery, Language, LetterKind
from desktop.i18n import _
from desktop.services import letters
from desktop.services.cases import CaseService
from desktop.ui import labels
from desktop.ui.operations import LETTER, CaseChanges, CaseOp, of_case
from desktop.ui.runner import DbRunner


class PdfPreview(QPdfView):
    """A QPdfView over PDF bytes kept in memory (QtPdf reads from the buffer lazily)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Documents are not children of the view: a child is deleted after the view's own destructor has
        # run, and its last statusChanged would reach the half-destroyed view (a crash in QtPdfWidgets).
        self.document = QPdfDocument()
        self.setDocument(self.document)
        self.setPageMode(QPdfView.PageMode.MultiPage)
        self.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        # Earlier documents and their buffers stay alive with the view: QPdfView renders pages on its own
        # thread, and closing a document under it crashes.
        self._kept: list[tuple[QPdfDocument, QBuffer]] = []
        self.pdf = b""

    def show_pdf(self, data: bytes) -> None:
        buffer = QBuffer()
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        document = QPdfDocument()
        document.load(buffer)
        self._kept.append((document, buffer))
        self.document = document
        self.pdf = data
        self.setDocument(document)


class ReplyDialog(QDialog):
    def __init__(
        self, service: CaseService, runner: DbRunner, case_id: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._case_id = case_id
        self.state = service.get(case_id)
        self.setWindowTitle(_("Prepare reply – {diary}").format(diary=self.state.diary_number))
        self.resize(1000, 860)
        self.kind_combo = QComboBox()
        for kind in LetterKind:
            self.kind_combo.addItem(labels.label(labels.LETTER_KINDS, kind), kind.value)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(letters.suggested_kind(self.state).value))
        self.language_combo = QComboBox()
        for language in Language:
            self.language_combo.addItem(labels.label(labels.LANGUAGES, language), language.value)
        self.language_combo.setCurrentIndex(self.language_combo.findData(self.state.requester.language.value))
        self.delivery_combo = QComboBox()
        for delivery in (Delivery.REGISTERED_MAIL, Delivery.PICKUP):
            self.delivery_combo.addItem(labels.label(labels.DELIVERIES, delivery), delivery.value)
        self.free_text = QPlainTextEdit()
        self.free_text.setTabChangesFocus(True)
        self.free_text.setMaximumHeight(90)
        self.free_text.setPlaceholderText(_("An optional paragraph of your own, added to the letter"))
        self.preview = PdfPreview()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #c62828;")
        self.save_print_button = QPushButton(_("Save and &print…"))
        self.save_button = QPushButton(_("&Save without printing"))
        self.cancel_button = QPushButton(_("Cancel"))
        form = QFormLayout()
        for text, widget, name in (
            (_("&Letter:"), self.kind_combo, _("Letter")),
            (_("Lan&guage:"), self.language_combo, _("Language")),
            (_("&Delivery:"), self.delivery_combo, _("Delivery")),
            (_("&Own paragraph:"), self.free_text, _("Own paragraph")),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            widget.setAccessibleName(name)
            form.addRow(label, widget)
        self.preview.setAccessibleName(_("Preview"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.message_label, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.save_print_button)
        for button in (self.save_print_button, self.save_button, self.cancel_button):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview, 1)
        layout.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(400)  # re-render once the clerk pauses typing
        self._timer.timeout.connect(self.render)
        for combo in (self.kind_combo, self.language_combo, self.delivery_combo):
            combo.currentIndexChanged.connect(self.render)
        self.free_text.textChanged.connect(self._timer.start)
        self.save_button.clicked.connect(lambda: self.save(print_after=False))
        self.save_print_button.clicked.connect(lambda: self.save(print_after=True))
        self.cancel_button.clicked.connect(self.reject)
        self.rendered = False
        self.render()

    def _choice(self) -> tuple[LetterKind, Language, Delivery, str]:
        return (
            LetterKind(self.kind_combo.currentData()),
            Language(self.language_combo.currentData()),
            Delivery(self.delivery_combo.currentData()),
            self.free_text.toPlainText(),
        )

    def render(self) -> None:
        kind, language, delivery, free = self._choice()
        self.message_label.clear()
        self.rendered = False
        for button in (self.save_button, self.save_print_button):
            button.setEnabled(False)
        self._runner.run(
            lambda: letters.render_letter(
                self._service, self._case_id, kind, language, free, delivery=delivery
            ),
            self._show,
            self._refused,
        )

    def _show(self, pdf: bytes) -> None:
        self.preview.show_pdf(pdf)
        self.rendered = True
        for button in (self.save_button, self.save_print_button):
            button.setEnabled(True)

    def _refused(self, message: str) -> None:
        self.message_label.setText(message)

    def save(self, print_after: bool) -> None:
        if not self.rendered:
            return
        kind, language, _delivery, _free = self._choice()
        pdf = self.preview.pdf
        for button in (self.save_button, self.save_print_button):
            button.setEnabled(False)

        def saved(_state) -> None:
            if print_after:
                from desktop.printing.qt_print import print_with_dialog

                print_with_dialog([pdf], self, self.windowTitle())
            self.accept()

        CaseOp(
            self._runner,
            lambda: letters.save_reply(self._service, self._case_id, kind, pdf, language),
            of_case(LETTER),
        ).success(saved).failure(self._refused).run()


def print_ready_letters(
    service: CaseService, runner: DbRunner, parent: QWidget, done, print_pdfs=None
) -> None:
    """Batch: every decided case's reply, rendered, kept as evidence and printed in one job.

    `print_pdfs(pdfs, parent, title)` defaults to the system print dialog.
    """

    def prepare() -> list[tuple[str, bytes]]:
        pdfs = []
        for diary, kind in letters.ready_to_print(service):
            pdf = letters.render_letter(service, diary, kind)
            state = letters.save_reply(service, diary, kind, pdf)
            pdfs.append((state.id, pdf))
        return pdfs

    def print_all(pdfs: list[tuple[str, bytes]]) -> None:
        if pdfs:
            from desktop.printing.qt_print import print_with_dialog

            (print_pdfs or print_with_dialog)([pdf for _id, pdf in pdfs], parent, _("Replies ready to print"))
        done(len(pdfs))

    CaseOp(runner, prepare, lambda pdfs: CaseChanges.of([i for i, _pdf in pdfs], LETTER)).success(
        print_all
    ).run()
