"""Prepare a reply: the kind from the decision, a preview, an optional free paragraph, save as evidence, print."""

from __future__ import annotations

from collections.abc import Callable

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
from desktop.services.printer import QPrinter, new_printer, print_letters
from desktop.ui import labels, theme
from desktop.ui.operations import LETTER, CaseChanges, CaseOp, notifier, of_case
from desktop.ui.runner import DbRunner

PrintDialogFactory = Callable[[QPrinter, QWidget], QDialog]


def system_print_dialog(printer: QPrinter, parent: QWidget) -> QDialog:
    """The platform's print dialog for `printer` (tests give their own factory)."""
    from PySide6.QtPrintSupport import QPrintDialog

    return QPrintDialog(printer, parent)


def ask_printer(
    factory: PrintDialogFactory,
    printer: QPrinter,
    parent: QWidget,
    title: str,
    accepted: Callable[[], None],
    rejected: Callable[[], None],
) -> QDialog:
    """Open the print dialog without blocking; exactly one of `accepted`/`rejected` is called."""
    dialog = factory(printer, parent)
    if title:
        dialog.setWindowTitle(title)

    def finished(result: int) -> None:
        if result == QDialog.DialogCode.Accepted:
            accepted()
        else:
            rejected()

    dialog.finished.connect(finished)
    QDialog.open(dialog)  # (QPrintDialog.open wants a receiver in PySide)
    return dialog


class PdfPreview(QPdfView):
    """A QPdfView over PDF bytes kept in memory (QtPdf reads from the buffer lazily)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Documents are not children of the view: a child is deleted after the view's own destructor has
        # run, and its last statusChanged would reach the half-destroyed view (a crash in QtPdfWidgets).
        self.pdf_document = QPdfDocument()
        self.setDocument(self.pdf_document)
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
        self.pdf_document = document
        self.pdf = data
        self.setDocument(document)


class ReplyDialog(QDialog):
    def __init__(
        self,
        service: CaseService,
        runner: DbRunner,
        case_id: str,
        parent: QWidget | None = None,
        print_dialog: PrintDialogFactory = system_print_dialog,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._case_id = case_id
        self.print_dialog_factory = print_dialog
        self.print_dialog: QDialog | None = None  # the print dialog while it is open
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
        self.message_label.setStyleSheet(theme.text_style("error"))
        # The access reply says "your data is enclosed": without an extract attached, ask first.
        self.enclosure_label = QLabel()
        self.enclosure_label.setWordWrap(True)
        self.enclosure_label.hide()
        self.without_enclosure_button = QPushButton()
        self.without_enclosure_button.hide()
        self._enclosure_confirmed = False
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
        enclosure = QHBoxLayout()
        enclosure.addWidget(self.enclosure_label, 1)
        enclosure.addWidget(self.without_enclosure_button)
        layout.addLayout(enclosure)
        layout.addWidget(self.preview, 1)
        layout.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(400)  # re-render once the clerk pauses typing
        self._timer.timeout.connect(self.render_preview)
        for combo in (self.kind_combo, self.language_combo, self.delivery_combo):
            combo.currentIndexChanged.connect(self.render_preview)
        self.free_text.textChanged.connect(self._timer.start)
        self.save_button.clicked.connect(self.keep_without_printing)
        self.save_print_button.clicked.connect(self.print_and_record)
        self.cancel_button.clicked.connect(self.reject)
        self.without_enclosure_button.clicked.connect(
            lambda: self.kind_combo.setCurrentIndex(self.kind_combo.findData(LetterKind.REPLY.value))
        )
        self.save_print_button.setDefault(True)  # Enter saves and prints; Cancel is never the default
        self.cancel_button.setAutoDefault(False)
        self.rendered = False
        self.render_preview()

    def _choice(self) -> tuple[LetterKind, Language, Delivery, str]:
        return (
            LetterKind(self.kind_combo.currentData()),
            Language(self.language_combo.currentData()),
            Delivery(self.delivery_combo.currentData()),
            self.free_text.toPlainText(),
        )

    def render_preview(self) -> None:
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
        kind = LetterKind(self.kind_combo.currentData())
        missing = letters.missing_enclosure(self.state, kind)
        self._enclosure_confirmed = False
        self.enclosure_label.setVisible(missing)
        self.without_enclosure_button.setVisible(missing)
        if missing:
            self.enclosure_label.setStyleSheet(theme.notice_style("warning"))
            self.enclosure_label.setText(
                _(
                    "This letter says the requester's data is enclosed, but no extract is attached. Attach "
                    "the extract to the case, or use the wording without an enclosure. Saving again "
                    "confirms this letter as it is."
                )
            )
            self.without_enclosure_button.setText(_("Use the &wording without enclosure"))
        self.rendered = True
        for button in (self.save_button, self.save_print_button):
            button.setEnabled(True)

    def _refused(self, message: str) -> None:
        self.message_label.setText(message)

    def _buttons(self, enabled: bool) -> None:
        for button in (self.save_button, self.save_print_button):
            button.setEnabled(enabled)

    def _say(self, text: str) -> None:
        """A print that recorded nothing: said here and in the window's status bar."""
        self.message_label.setText(text)
        notifier(self._runner).say(text)

    def keep_without_printing(self) -> None:
        """Keep the letter with the case; the record says it was kept, not printed (`ReplyKept`)."""
        if not self.rendered:
            return
        if self._asking_about_enclosure():
            return
        kind, language, _delivery, _free = self._choice()
        pdf, case_id, service = self.preview.pdf, self._case_id, self._service
        diary = self.state.diary_number
        CaseOp(
            self._runner,
            lambda: letters.keep_reply(service, case_id, kind, pdf, language),
            of_case(
                LETTER, message=lambda _s: _("Reply saved with {diary}; not printed.").format(diary=diary)
            ),
        ).busy(self.save_button, self.save_print_button).success(lambda _state: self.accept()).failure(
            self._refused
        ).run()

    def _asking_about_enclosure(self) -> bool:
        """Asked, not blocked: the first save of an access reply with no extract asks; the next one goes."""
        if self.enclosure_label.isVisible() and not self._enclosure_confirmed:
            self._enclosure_confirmed = True
            self.without_enclosure_button.setFocus()
            return True
        return False

    def print_and_record(self) -> None:
        """The print dialog; only a job the printer accepted is recorded as printed (`LetterPrinted`)."""
        if not self.rendered or self._asking_about_enclosure():
            return
        kind, language, _delivery, _free = self._choice()
        pdf, case_id, service = self.preview.pdf, self._case_id, self._service
        diary = self.state.diary_number
        printer = new_printer(diary, kind)
        self._buttons(False)

        def cancelled() -> None:
            self.print_dialog = None
            self._buttons(True)
            self._say(_("Printing was cancelled; {diary} is not recorded as printed.").format(diary=diary))

        def accepted() -> None:
            self.print_dialog = None
            if not print_letters([pdf], printer)[0]:
                self._buttons(True)
                self._say(
                    _("The printer did not take the letter; {diary} is not recorded as printed.").format(
                        diary=diary
                    )
                )
                return
            CaseOp(
                self._runner,
                lambda: letters.save_reply(service, case_id, kind, pdf, language),
                of_case(LETTER, message=lambda _s: _("Reply of {diary} printed.").format(diary=diary)),
            ).busy(self.save_button, self.save_print_button).success(lambda _state: self.accept()).failure(
                self._refused
            ).run()

        self.print_dialog = ask_printer(
            self.print_dialog_factory, printer, self, self.windowTitle(), accepted, cancelled
        )


def print_ready_letters(
    service: CaseService,
    runner: DbRunner,
    parent: QWidget,
    print_dialog: PrintDialogFactory = system_print_dialog,
) -> None:
    """Batch: every reply ready to print, rendered, sent to the printer in one job; exactly the letters the
    printer took are recorded as printed (`letters.record_batch`). A cancelled dialog records nothing."""
    say = notifier(runner).say
    title = _("Replies ready to print")

    def rendered(ready: list[letters.ReadyLetter]) -> None:
        if not ready:
            say(_("No replies are ready to print."))
            return
        printer = new_printer(ready[0].diary_number, ready[0].kind)

        def accepted() -> None:
            printed = print_letters([letter.pdf for letter in ready], printer)
            failure = _("the printer did not take it")
            CaseOp(
                runner,
                lambda: letters.record_batch(service, ready, printed, failure),
                lambda outcome: CaseChanges.of(outcome.printed, LETTER, message=_summary(outcome)),
            ).run()

        parent.print_dialog = ask_printer(  # type: ignore[attr-defined]
            print_dialog,
            printer,
            parent,
            title,
            accepted,
            lambda: say(_("Printing was cancelled; no reply is recorded as printed.")),
        )

    runner.run(lambda: letters.ready_replies(service), rendered)


def _summary(outcome: letters.BatchOutcome) -> str:
    text = _("{count} replies printed and recorded").format(count=len(outcome.printed))
    if outcome.not_printed:
        text += "; " + _("not printed: {diaries}").format(
            diaries=", ".join(f"{diary} ({reason})" for diary, reason in outcome.not_printed)
        )
    return text
