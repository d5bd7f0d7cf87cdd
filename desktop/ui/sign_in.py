"""Sign-in and the idle lock: a personal account unlocks the desk."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.domain.accounts import User
from desktop.domain.errors import DomainError
from desktop.i18n import _, error_text
from desktop.services.access_log import Action
from desktop.services.workspace import Workspace
from desktop.ui import theme


class SignInDialog(QDialog):
    """Asks for user name and password; `user` (and `workspace`) are set when they are right.

    At start-up it is given the data dir: the password unlocks it (`Workspace.unlock`, which decrypts an
    encrypted one). For the idle lock it is given the open workspace and checks the password again.
    """

    def __init__(
        self,
        workspace: Workspace | None = None,
        username: str = "",
        locked_user: str = "",
        parent: QWidget | None = None,
        data_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._data_dir = Path(data_dir) if data_dir is not None else None
        self.workspace: Workspace | None = workspace
        self.user: User | None = None
        if workspace is not None:
            office = workspace.settings.office_name or workspace.settings.office_prefix
            remembered = workspace.settings.last_user or Workspace.last_user_hint(workspace.data_dir)
        else:
            office = str(self._data_dir)
            remembered = Workspace.last_user_hint(self._data_dir) if self._data_dir else ""
        self.setWindowTitle(_("Kirjaamo – sign in") if not locked_user else _("Kirjaamo – locked"))
        self.intro = QLabel(
            office
            if not locked_user
            else _("The session was locked. Enter {user}'s password to continue.").format(user=locked_user)
        )
        self.intro.setWordWrap(True)
        self.username_edit = QLineEdit(locked_user or username or remembered)
        self.username_edit.setReadOnly(bool(locked_user))
        self.username_edit.setAccessibleName(_("User name"))
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName(_("Password"))
        self.error_label = QLabel()
        self.error_label.setStyleSheet(theme.text_style("error"))
        self.error_label.setWordWrap(True)
        form = QFormLayout()
        user_label = QLabel(_("&User name:"))
        user_label.setBuddy(self.username_edit)
        password_label = QLabel(_("&Password:"))
        password_label.setBuddy(self.password_edit)
        form.addRow(user_label, self.username_edit)
        form.addRow(password_label, self.password_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            _("Sign in") if not locked_user else _("Unlock")
        )
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            _("Quit") if not locked_user else _("Sign out")
        )
        buttons.accepted.connect(self._try)
        buttons.rejected.connect(self.reject)
        folder = workspace.data_dir if workspace is not None else self._data_dir
        self.demo_note = QLabel(
            _("Demo data: every account has the documented demo password “demo”. Not for real cases.")
        )
        self.demo_note.setWordWrap(True)
        self.demo_note.setVisible(folder is not None and Workspace.is_demo(folder))
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.demo_note)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        (self.password_edit if self.username_edit.text() else self.username_edit).setFocus()

    def _try(self) -> None:
        username, password = self.username_edit.text(), self.password_edit.text()
        try:
            if self._workspace is not None:
                action = Action.UNLOCK if self.username_edit.isReadOnly() else Action.SIGN_IN
                self.user = self._workspace.sign_in(username, password, action=action)
            else:
                self.workspace, self.user = Workspace.unlock(self._data_dir, username, password)
        except DomainError as error:
            self.error_label.setText(error_text(error))
            self.password_edit.selectAll()
            self.password_edit.setFocus()
            return
        self.accept()


class IdleWatcher(QObject):
    """Calls `on_idle` after `minutes` without keyboard or mouse input anywhere in the application."""

    _ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel}

    def __init__(self, minutes: int, on_idle, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(on_idle)
        self.set_minutes(minutes)

    def set_minutes(self, minutes: int) -> None:
        self._timer.setInterval(max(1, minutes) * 60_000)
        self._timer.start()

    def restart(self) -> None:
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._ACTIVITY:
            self._timer.start()
        return False
