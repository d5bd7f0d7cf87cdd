"""Today → "Registered mail of the day": the dispatch list that goes to Posti with the letters, previewed
and printed from the window (before this only `kirjaamo dispatch-list` made it)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desktop.i18n import _, format_date, ngettext
from desktop.services import letters
from desktop.services.cases import CaseService
from desktop.services.printer import QPrinter, print_letters
from desktop.ui import theme
from desktop.ui.reply_dialog import PdfPreview, PrintDialogFactory, ask_printer, system_print_dialog
from desktop.ui.runner import DbRunner


class DispatchListDialog(QDialog):
    def __init__(
        self,
        service: CaseService,
        runner: DbRunner,
        parent: QWidget | None = None,
        print_dialog: PrintDialogFactory | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self.print_dialog_factory = print_dialog or system_print_dialog
        self.print_dialog: QDialog | None = None  # the print dialog while it is open
        self.pdf = b""
        self.count = 0
        day = service.clock.today()
        self.setWindowTitle(_("Registered mail of the day {date}").format(date=format_date(day)))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.preview = PdfPreview()
        self.preview.setAccessibleName(_("Dispatch list"))
        self.preview.setMinimumSize(480, 360)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.print_button = self.buttons.addButton(_("&Print…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.setAccessibleName(_("Print the dispatch list"))
        self.print_button.setEnabled(False)
        self.print_button.setDefault(True)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(_("Close"))
        close.setAccessibleName(_("Close"))
        self.print_button.clicked.connect(self.print_list)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)
        self.resize(760, 640)

        def make() -> tuple[int, bytes]:
            items = letters.dispatch_items(service, day)
            return len(items), letters.dispatch_list_pdf(service, day, items=items)

        self.summary.setText(_("Preparing…"))
        runner.run(make, self._show, self._failed)

    def _show(self, result: tuple[int, bytes]) -> None:
        self.count, self.pdf = result
        self.summary.setText(
            ngettext(
                "{count} registered letter today.", "{count} registered letters today.", self.count
            ).format(count=self.count)
            if self.count
            else _("No registered letters have been dispatched today.")
        )
        self.preview.show_pdf(self.pdf)
        self.print_button.setEnabled(True)
        self.print_button.setFocus()

    def _failed(self, message: str) -> None:
        self.summary.clear()
        self.message_label.setStyleSheet(theme.text_style("error"))
        self.message_label.setText(message)

    def print_list(self) -> None:
        """The print dialog; the list is said to be printed only when the printer took the job."""
        if not self.pdf:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setFullPage(True)
        printer.setDocName("dispatch-list")
        self.print_button.setEnabled(False)

        def accepted() -> None:
            self.print_dialog = None
            self.print_button.setEnabled(True)
            if print_letters([self.pdf], printer)[0]:
                self.message_label.setStyleSheet(theme.text_style("ok"))
                self.message_label.setText(_("The dispatch list was sent to the printer."))
            else:
                self.message_label.setStyleSheet(theme.text_style("error"))
                self.message_label.setText(_("The printer did not take the dispatch list."))

        def cancelled() -> None:
            self.print_dialog = None
            self.print_button.setEnabled(True)
            self.message_label.setStyleSheet(theme.text_style("muted"))
            self.message_label.setText(_("Printing was cancelled."))

        self.print_dialog = ask_printer(
            self.print_dialog_factory, printer, self, self.windowTitle(), accepted, cancelled
        )
