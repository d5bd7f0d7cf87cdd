"""Case → Export dossier…: the case's dossier for the Ombudsman as one PDF/A file.

Reviewers and administrators only (the service checks the role and writes the export to the access log);
the dialog picks the language, whether the evidence files go inside, and where the file goes. The work runs
on the database worker; it changes no case, so it is a read through the runner, not a CaseOp.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.accounts import Permission
from desktop.domain.model import CaseState
from desktop.i18n import _
from desktop.services import dossier
from desktop.services.cases import CaseService
from desktop.ui import labels, theme
from desktop.ui.runner import DbRunner


def can_export(service: CaseService) -> bool:
    """Whether to offer the action (the service decides again when it runs)."""
    return service.user.can(Permission.DOSSIER)


class DossierDialog(QDialog):
    def __init__(
        self, service: CaseService, runner: DbRunner, state: CaseState, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._state = state
        self.setWindowTitle(_("Export dossier – {diary}").format(diary=state.diary_number))
        self.language_combo = QComboBox()
        for code, word in labels.LANGUAGES.items():
            self.language_combo.addItem(_(word), code.value)
        self.language_combo.setCurrentIndex(
            max(0, self.language_combo.findData(state.requester.language.value))
        )
        self.language_combo.setAccessibleName(_("Language of the dossier"))
        self.files_check = QCheckBox(_("&Include the evidence files themselves (not only their SHA-256)"))
        self.path_edit = QLineEdit(str(Path.home() / f"dossier-{state.diary_number.replace('/', '-')}.pdf"))
        self.path_edit.setAccessibleName(_("File"))
        browse = QPushButton(_("&Browse…"))
        browse.clicked.connect(self._browse)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton(_("&Export"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)

        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(browse)
        form = QFormLayout()
        language_label = QLabel(_("&Language:"))
        language_label.setBuddy(self.language_combo)
        form.addRow(language_label, self.language_combo)
        file_label = QLabel(_("&File:"))
        file_label.setBuddy(self.path_edit)
        form.addRow(file_label, where)
        layout = QVBoxLayout(self)
        note = QLabel(
            _(
                "One PDF/A document with the timeline, every due date and how it was counted, the letters as "
                "sent, and who saw the case. The export is written to the access log."
            )
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.files_check)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _browse(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export dossier"), self.path_edit.text(), "PDF (*.pdf)"
        )
        if path:
            self.path_edit.setText(path)

    def export(self) -> None:
        path = Path(self.path_edit.text().strip())
        language = self.language_combo.currentData()
        include = self.files_check.isChecked()
        service, case_id = self._service, self._state.id
        self.export_button.setEnabled(False)
        self.message.setStyleSheet("")
        self.message.setText(_("Making the dossier…"))
        self._runner.run(
            lambda: dossier.write_dossier(service, case_id, path, language, include),
            self._done,
            self._failed,
        )

    def _done(self, path) -> None:
        self.export_button.setEnabled(True)
        self.message.setStyleSheet(theme.text_style("ok"))
        self.message.setText(_("Saved {file}.").format(file=path))
        self.accept()

    def _failed(self, message: str) -> None:
        self.export_button.setEnabled(True)
        self.message.setStyleSheet(theme.text_style("error"))
        self.message.setText(message)


__all__ = ["DossierDialog", "can_export"]
