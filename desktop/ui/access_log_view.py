"""The access log (administrators): who saw, printed, exported or searched what, for a case or a user;
exported as CSV (and the export is itself logged)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import _
from desktop.services import words
from desktop.services.access_log import AccessEntry, AccessLogService
from desktop.ui import theme
from desktop.ui.operations import CaseOp
from desktop.ui.runner import DbRunner

SHOWN = 2000  # the newest entries on screen; the export has them all


class AccessLogView(QWidget):
    def __init__(self, service: AccessLogService, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self.diary_edit = QLineEdit()
        self.diary_edit.setPlaceholderText("KEHA/1155/2026")
        self.user_edit = QLineEdit()
        self.show_button = QPushButton()
        self.export_button = QPushButton()
        self.table = QTableWidget(0, 6)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self._labels = [QLabel(), QLabel()]
        form = QFormLayout()
        for label, widget in zip(self._labels, (self.diary_edit, self.user_edit), strict=True):
            label.setBuddy(widget)
            form.addRow(label, widget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message_label)
        self.show_button.clicked.connect(self.reload)
        self.diary_edit.returnPressed.connect(self.reload)
        self.user_edit.returnPressed.connect(self.reload)
        self.export_button.clicked.connect(self.export)
        self.retranslate()

    def retranslate(self) -> None:
        self._labels[0].setText(_("&Diary number:"))
        self._labels[1].setText(_("&User name:"))
        self.show_button.setText(_("&Show"))
        self.export_button.setText(_("E&xport CSV…"))
        self.table.setHorizontalHeaderLabels(
            [_("Time"), _("User"), _("Role"), _("Action"), _("Diary number"), _("Details")]
        )
        for widget, name in (
            (self.diary_edit, _("Diary number")),
            (self.user_edit, _("User name")),
            (self.show_button, _("Show")),
            (self.export_button, _("Export CSV")),
            (self.table, _("Access log")),
        ):
            widget.setAccessibleName(name)

    def _filters(self) -> tuple[str, str]:
        return self.diary_edit.text().strip(), self.user_edit.text().strip()

    def reload(self) -> None:
        diary, user = self._filters()
        self._runner.run(lambda: self._service.entries(diary, user, SHOWN), self._show, self._failed)

    def _show(self, entries: list[AccessEntry]) -> None:
        from desktop.i18n import format_date

        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            when = entry.when.astimezone()
            values = (
                f"{format_date(when.date())} {when:%H.%M.%S}",
                entry.username,
                words.label(words.ROLES, entry.role),
                words.label(words.ACCESS_ACTIONS, entry.action),
                entry.diary_number,
                entry.detail,
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.message_label.setStyleSheet("")
        self.message_label.setText(_("{count} entries (newest first).").format(count=len(entries)))

    def _failed(self, message: str) -> None:
        self.message_label.setStyleSheet(theme.text_style("error"))
        self.message_label.setText(message)

    def export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export the access log"), "access_log.csv", "CSV (*.csv)"
        )
        if not path:
            return
        diary, user = self._filters()

        def done(count: int) -> None:
            self.message_label.setStyleSheet(theme.text_style("ok"))
            self.message_label.setText(_("Wrote {count} entries to {file}.").format(count=count, file=path))

        # Writes a file of personal data and logs the export: a write through the one door.
        CaseOp(self._runner, lambda: self._service.export_csv(path, diary, user)).success(done).failure(
            self._failed
        ).run()
