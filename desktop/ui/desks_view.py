"""Administration → Desks: enrol a desk (a one-time code), list the office's desks, remove one.

Every action needs the server's privileged address (typed here, never stored); the work runs on the
database runner and the service says yes or why not.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
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

from desktop.i18n import _
from desktop.ui.runner import DbRunner


class DesksView(QWidget):
    def __init__(self, service, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self._roles: list[str] = []
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.server_edit = QLineEdit()
        self.server_edit.setPlaceholderText("postgresql+psycopg://kirjaamo_privileged@server/kirjaamo")
        self.server_edit.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        self.label_edit = QLineEdit()
        self.enrol_button = QPushButton()
        self.list_button = QPushButton()
        self.remove_button = QPushButton()
        self.code_edit = QLineEdit()
        self.code_edit.setReadOnly(True)
        self.table = QTableWidget(0, 4)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        enrol_row = QHBoxLayout()
        enrol_row.addWidget(self.label_edit, 1)
        enrol_row.addWidget(self.enrol_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.list_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.server_edit)
        layout.addLayout(enrol_row)
        layout.addWidget(self.code_edit)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)
        self.enrol_button.clicked.connect(self.enrol)
        self.list_button.clicked.connect(self.reload)
        self.remove_button.clicked.connect(self.remove_selected)
        self.retranslate()

    def retranslate(self) -> None:
        self.intro.setText(
            _(
                "A new desk joins the office's server only with a one-time enrolment code made here and a "
                "user's own password. The server's privileged address is needed for every change and is "
                "not stored."
            )
        )
        self.server_edit.setAccessibleName(_("Privileged server address"))
        self.label_edit.setPlaceholderText(_("Name of the new desk (e.g. Reception 2)"))
        self.label_edit.setAccessibleName(_("Name of the new desk"))
        self.enrol_button.setText(_("&Enrol a desk"))
        self.enrol_button.setAccessibleName(_("Enrol a desk"))
        self.list_button.setText(_("&Show desks"))
        self.list_button.setAccessibleName(_("Show desks"))
        self.remove_button.setText(_("&Remove desk…"))
        self.remove_button.setAccessibleName(_("Remove desk"))
        self.code_edit.setAccessibleName(_("Enrolment code"))
        self.table.setAccessibleName(_("Desks"))
        self.table.setHorizontalHeaderLabels([_("Login"), _("State"), _("Device"), _("Name")])

    def _url(self) -> str | None:
        url = self.server_edit.text().strip()
        if not url:
            self._say(_("Give the server's privileged address first."))
            return None
        return url

    def _say(self, message: str) -> None:
        self.message_label.setText(message)

    def reload(self) -> None:
        url = self.server_edit.text().strip()
        if url:
            self._runner.run(lambda: self._service.desks(url), self._show, self._say)

    def _show(self, desks) -> None:
        states = {
            "waiting": _("waiting for its code"),
            "expired": _("code expired"),
            "enrolled": _("enrolled"),
            "removed": _("removed"),
        }
        self._roles = [desk.role for desk in desks]
        self.table.setRowCount(len(desks))
        for row, desk in enumerate(desks):
            for column, value in enumerate((desk.role, states[desk.state], desk.device_id or "", desk.label)):
                self.table.setItem(row, column, QTableWidgetItem(value))

    def enrol(self) -> None:
        url = self._url()
        if url is None:
            return
        label = self.label_edit.text().strip()

        def done(enrolment) -> None:
            self.code_edit.setText(enrolment.code)
            self._say(
                _("Give this code to the new desk; it works once, until {until}.").format(
                    until=enrolment.expires_at.astimezone().strftime("%d.%m.%Y %H:%M")
                )
            )
            self.reload()

        self._runner.run(lambda: self._service.enrol(url, label), done, self._say)

    def remove_selected(self) -> None:
        url = self._url()
        if url is None:
            return
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        if not rows or rows[0] >= len(self._roles):
            self._say(_("Select the desk to remove (Show desks lists them)."))
            return
        role = self._roles[rows[0]]
        answer = QMessageBox.question(
            self,
            _("Remove desk"),
            _("Remove desk {role}? Its server login stops working at once.").format(role=role),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return

        def done(_result: object) -> None:
            self._say(_("Removed desk {role}: its login no longer works.").format(role=role))
            self.reload()

        self._runner.run(lambda: self._service.remove(url, role), done, self._say)
