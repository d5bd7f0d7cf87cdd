"""User accounts (administrators): create, disable, enable, reset a password, change a role.

The checks are the service's (`UserService`); this page only shows what the signed-in user may do.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
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

from desktop.domain.accounts import Role
from desktop.i18n import _
from desktop.services import words
from desktop.services.users import Account, UserService
from desktop.ui import theme
from desktop.ui.operations import USERS, CaseChanges, CaseOp
from desktop.ui.runner import DbRunner

ROLE_NAMES = {role: words.ROLES[role.value] for role in Role}


class PasswordDialog(QDialog):
    """A new password, typed twice."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.password_edit = QLineEdit()
        self.again_edit = QLineEdit()
        for edit, name in (
            (self.password_edit, _("New password")),
            (self.again_edit, _("New password again")),
        ):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setAccessibleName(name)
        self.error_label = QLabel()
        self.error_label.setStyleSheet(theme.text_style("error"))
        form = QFormLayout()
        first, second = QLabel(_("&New password:")), QLabel(_("&Again:"))
        first.setBuddy(self.password_edit)
        second.setBuddy(self.again_edit)
        form.addRow(first, self.password_edit)
        form.addRow(second, self.again_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def _check(self) -> None:
        if self.password_edit.text() != self.again_edit.text():
            self.error_label.setText(_("The passwords differ."))
            return
        self.accept()

    @property
    def password(self) -> str:
        return self.password_edit.text()


class NewUserDialog(PasswordDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("New user"), parent)
        self.username_edit = QLineEdit()
        self.username_edit.setAccessibleName(_("User name"))
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(_("Name"))
        self.role_combo = QComboBox()
        self.role_combo.setAccessibleName(_("Role"))
        for role in Role:
            self.role_combo.addItem(_(ROLE_NAMES[role]), role.value)
        form: QFormLayout = self.layout().itemAt(0).layout()
        for row, (text, widget) in enumerate(
            (
                (_("&User name:"), self.username_edit),
                (_("N&ame:"), self.name_edit),
                (_("&Role:"), self.role_combo),
            )
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.insertRow(row, label, widget)
        self.username_edit.setFocus()


class UsersView(QWidget):
    rotation_progress = Signal(int, int)  # files re-encrypted, in all (emitted on the worker, shown here)

    def __init__(self, service: UserService, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._runner = runner
        self.rotation_progress.connect(self._show_rotation)
        self.table = QTableWidget(0, 5)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.new_button = QPushButton()
        self.reset_button = QPushButton()
        self.disable_button = QPushButton()
        self.enable_button = QPushButton()
        self.role_combo = QComboBox()
        for role in Role:
            self.role_combo.addItem("", role.value)
        self.role_button = QPushButton()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        buttons = QHBoxLayout()
        for widget in (self.new_button, self.reset_button, self.disable_button, self.enable_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(self.role_combo)
        buttons.addWidget(self.role_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)
        self.new_button.clicked.connect(self.new_user)
        self.reset_button.clicked.connect(self.reset_password)
        self.disable_button.clicked.connect(self.disable)
        self.enable_button.clicked.connect(self.enable)
        self.role_button.clicked.connect(self.change_role)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self._accounts: list[Account] = []
        self.retranslate()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels(
            [_("User name"), _("Name"), _("Role"), _("Active"), _("Can open the data")]
        )
        for button, text, name in (
            (self.new_button, _("&New user…"), _("New user")),
            (self.reset_button, _("Reset &password…"), _("Reset password")),
            (self.disable_button, _("&Disable"), _("Disable")),
            (self.enable_button, _("&Enable…"), _("Enable")),
            (self.role_button, _("Change &role"), _("Change role")),
        ):
            button.setText(text)
            button.setAccessibleName(name)
        for index in range(self.role_combo.count()):
            self.role_combo.setItemText(index, _(ROLE_NAMES[Role(self.role_combo.itemData(index))]))
        self.role_combo.setAccessibleName(_("Role"))
        self.table.setAccessibleName(_("User accounts"))
        self._fill()

    def reload(self) -> None:
        self._runner.run(self._service.accounts, self._loaded, self._failed)

    def _loaded(self, accounts: list[Account]) -> None:
        self._accounts = accounts
        self._fill()

    def _fill(self) -> None:
        selected = self.selected()
        self.table.setRowCount(len(self._accounts))
        for row, account in enumerate(self._accounts):
            values = (
                account.username,
                account.display_name,
                _(ROLE_NAMES[account.role]),
                _("yes") if account.active else _("no"),
                _("yes") if account.has_key else _("no"),
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
            if selected and account.username == selected.username:
                self.table.selectRow(row)
        self._selection_changed()

    def selected(self) -> Account | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self._accounts[rows[0].row()] if rows and rows[0].row() < len(self._accounts) else None

    def _selection_changed(self) -> None:
        account = self.selected()
        for button in (self.reset_button, self.role_button):
            button.setEnabled(account is not None)
        self.disable_button.setEnabled(account is not None and account.active)
        self.enable_button.setEnabled(account is not None and not account.active)
        if account is not None:
            self.role_combo.setCurrentIndex(max(self.role_combo.findData(account.role.value), 0))

    def _done(self, text: str):
        def done(_result) -> None:
            self.message_label.setStyleSheet(theme.text_style("ok"))
            self.message_label.setText(text)
            self.reload()

        return done

    def _write(self, op, done_text: str) -> None:
        """A change of accounts through the one door; the list reloads and says what was done."""
        CaseOp(self._runner, op, CaseChanges.of([], USERS)).success(self._done(done_text)).failure(
            self._failed
        ).run()

    def _failed(self, message: str) -> None:
        self.message_label.setStyleSheet(theme.text_style("error"))
        self.message_label.setText(message)

    def new_user(self) -> None:
        dialog = NewUserDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        username, name, role = (
            dialog.username_edit.text(),
            dialog.name_edit.text(),
            dialog.role_combo.currentData(),
        )
        password = dialog.password
        self._write(
            lambda: self._service.create(username, name, role, password),
            _("User {user} created.").format(user=username.strip()),
        )

    def _with_new_password(self, action, done_message: str) -> None:
        """Ask the selected account's new password, then run `action(username, password)`."""
        account = self.selected()
        if account is None:
            return
        dialog = PasswordDialog(_("New password for {user}").format(user=account.username), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            password = dialog.password
            self._write(
                lambda: action(account.username, password), done_message.format(user=account.username)
            )

    def reset_password(self) -> None:
        self._with_new_password(self._service.reset_password, _("{user} has a new password."))

    def disable(self) -> None:
        """Disabling rotates the data key (files re-encrypted on the worker): progress shows here."""
        account = self.selected()
        if account is None:
            return
        done_text = _("{user} can no longer sign in.").format(user=account.username)

        def done(result) -> None:
            lines = [done_text]
            if result is not None and result.dropped:
                lines.append(
                    _("The data key was changed: {users} must be given a new password.").format(
                        users=", ".join(result.dropped)
                    )
                )
            if result is not None and result.new_recovery_key:
                lines.append(
                    _("New office recovery key (print it now; the old one opens nothing): {key}").format(
                        key=result.new_recovery_key
                    )
                )
            self._done("\n".join(lines))(result)

        self.message_label.setStyleSheet(theme.text_style("ok"))
        self.message_label.setText(_("Changing the data key…"))
        CaseOp(
            self._runner,
            lambda: self._service.disable(account.username, progress=self.rotation_progress.emit),
            CaseChanges.of([], USERS),
        ).success(done).failure(self._failed).run()

    def _show_rotation(self, done: int, total: int) -> None:
        self.message_label.setText(
            _("Re-encrypting the files with the new data key: {done} of {total}").format(
                done=done, total=total
            )
        )

    def enable(self) -> None:
        # A disabled account lost its key wrap: it comes back only with a new password.
        self._with_new_password(self._service.enable, _("{user} can sign in again."))

    def change_role(self) -> None:
        account = self.selected()
        if account is not None:
            role = self.role_combo.currentData()
            self._write(
                lambda: self._service.change_role(account.username, role),
                _("{user} is now {role}.").format(user=account.username, role=self.role_combo.currentText()),
            )


__all__ = ["NewUserDialog", "PasswordDialog", "UsersView", "Qt"]
