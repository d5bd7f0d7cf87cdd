"""Retention and backup (Administration page): closed cases past the retention period, purged one by one
after a reviewer's approval; a backup file written and verified, or restored (administrators)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.accounts import Permission
from desktop.i18n import _, format_date
from desktop.services import words
from desktop.services.backup import BackupReport
from desktop.services.cases import CaseService
from desktop.services.retention import PurgeCandidate, RetentionService
from desktop.services.settings import OfficeSettings
from desktop.ui import theme
from desktop.ui.operations import PURGED, CaseChanges, CaseOp
from desktop.ui.runner import DbRunner


class RetentionView(QWidget):
    def __init__(
        self,
        service: RetentionService,
        runner: DbRunner,
        settings: Callable[[], OfficeSettings],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._settings = settings
        self._candidates: list[PurgeCandidate] = []
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.server_edit = QLineEdit()
        self.server_edit.setPlaceholderText("postgresql+psycopg://kirjaamo_privileged@server/kirjaamo")
        self.server_edit.setVisible(bool(settings().server_url))
        self.purge_button = QPushButton()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.server_edit, 1)
        buttons.addWidget(self.purge_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)
        self.purge_button.clicked.connect(self.purge_selected)
        self.purge_button.setEnabled(service.user.can(Permission.PURGE))
        self.retranslate()

    def retranslate(self) -> None:
        settings = self._settings()
        self.intro.setText(
            _(
                "Closed cases kept longer than the retention period ({years} years). Purging removes the "
                "requester's data and files and keeps the diary number, dates, right and outcome."
            ).format(years=settings.retention_years)
        )
        self.table.setHorizontalHeaderLabels([_("Diary number"), _("Closed"), _("Right"), _("Outcome")])
        self.purge_button.setText(_("&Purge selected…"))
        self.purge_button.setAccessibleName(_("Purge selected"))
        self.server_edit.setAccessibleName(_("Privileged server address"))
        self.table.setAccessibleName(_("Cases due for purge"))

    def reload(self) -> None:
        if self._service.user.can(Permission.PURGE):
            self._runner.run(self._service.due_for_purge, self._show, self._failed)

    def _show(self, candidates: list[PurgeCandidate]) -> None:
        self._candidates = candidates
        self.table.setRowCount(len(candidates))
        for row, candidate in enumerate(candidates):
            values = (
                candidate.diary_number,
                format_date(candidate.closed_on),
                words.label(words.RIGHTS_SHORT, candidate.right),
                words.label(words.DECISIONS, candidate.decision),
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))

    def _failed(self, message: str) -> None:
        self.message_label.setStyleSheet(theme.text_style("error"))
        self.message_label.setText(message)

    def purge_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        chosen = [self._candidates[row] for row in rows if row < len(self._candidates)]
        if not chosen:
            self._failed(_("Select the cases to purge."))
            return
        answer = QMessageBox.question(
            self,
            _("Purge"),
            _("Purge {count} case(s)? The requester's data and files are removed for good.").format(
                count=len(chosen)
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        url = self.server_edit.text().strip()

        def purge_all() -> list[str]:
            for candidate in chosen:
                if url:
                    self._service.purge_through_server(candidate.case_id, url)
                else:
                    self._service.purge(candidate.case_id)
            return [candidate.case_id for candidate in chosen]

        def done(purged: list[str]) -> None:
            self.message_label.setStyleSheet(theme.text_style("ok"))
            self.message_label.setText(_("Purged {count} case(s).").format(count=len(purged)))
            self.reload()

        CaseOp(self._runner, purge_all, lambda purged: CaseChanges.of(purged, PURGED)).success(done).failure(
            self._failed
        ).run()


class BackupBox(QGroupBox):
    """Write a backup file (administrators); restoring is done into an empty data dir (`kirjaamo restore`)."""

    def __init__(self, service: CaseService, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self.backup_button = QPushButton()
        self.backup_button.setEnabled(service.user.can(Permission.MANAGE_SETTINGS))
        self.help_label = QLabel()
        self.help_label.setWordWrap(True)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.help_label)
        row = QHBoxLayout()
        row.addWidget(self.backup_button)
        row.addWidget(self.message_label, 1)
        layout.addLayout(row)
        self.backup_button.clicked.connect(self.write_backup)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(_("Backup (administrators)"))
        self.help_label.setText(
            _(
                "One file with the database, the files and the key file, encrypted as they are on this desk "
                "and checked after writing. To restore: “kirjaamo restore FILE” into an empty data folder."
            )
        )
        self.backup_button.setText(_("&Back up now…"))
        self.backup_button.setAccessibleName(_("Back up now"))

    def write_backup(self) -> None:
        name = f"kirjaamo-{self._service.settings.office_prefix}.tar"
        path, _filter = QFileDialog.getSaveFileName(self, _("Back up"), name, _("Kirjaamo backup (*.tar)"))
        if not path:
            return

        def done(report: BackupReport) -> None:
            self.message_label.setStyleSheet(theme.text_style("ok"))
            self.message_label.setText(
                _("Backup written and verified: {cases} cases, {files} files.").format(
                    cases=report.cases, files=report.files
                )
            )

        def failed(message: str) -> None:
            self.message_label.setStyleSheet(theme.text_style("error"))
            self.message_label.setText(message)

        self.message_label.setText(_("Working…"))
        service = self._service
        CaseOp(self._runner, lambda: service.backup(Path(path))).success(done).failure(failed).run()
