"""The app on an encrypted data dir: the sign-in dialog unlocks it; administrators get the Administration
page (users, access log, retention and backup); clerks do not see it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from desktop.i18n import set_language
from desktop.services.cases import CaseService
from desktop.services.workspace import Workspace
from desktop.ui.main_window import PAGES, MainWindow
from desktop.ui.sign_in import SignInDialog
from desktop.ui.users_view import NewUserDialog


@pytest.fixture(autouse=True)
def english_ui():
    set_language("en")
    yield
    set_language("en")


def sign_in_with_dialog(qtbot, data_dir: Path, username: str, password: str) -> SignInDialog:
    dialog = SignInDialog(username=username, data_dir=data_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.password_edit.setText(password)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    return dialog


def open_window(qtbot, workspace: Workspace, user) -> MainWindow:
    window = MainWindow(CaseService(workspace, user))
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=10_000)
    return window


def test_the_sign_in_dialog_unlocks_an_encrypted_desk(qtbot, enc_dir: Path) -> None:
    dialog = sign_in_with_dialog(qtbot, enc_dir, "clerk", "väärä")
    assert dialog.error_label.text() == "Wrong user name or password." and dialog.workspace is None
    dialog.password_edit.setText("demo")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.user is not None and dialog.workspace is not None and dialog.workspace.encrypted
    window = open_window(qtbot, dialog.workspace, dialog.user)
    try:
        assert window.nav.item(PAGES.index("admin")).isHidden()  # a clerk has nothing to administer
        # The idle lock asks for the password again, checked against the key wrapping.
        window.lock()
        lock = window._lock_dialog
        lock.password_edit.setText("demo")
        qtbot.keyClick(lock.password_edit, Qt.Key.Key_Return)
        assert window.centralWidget().isVisible()
    finally:
        window.runner.shutdown()
        window.close()
        dialog.workspace.close()


def test_an_admin_creates_a_user_in_the_app(qtbot, enc_dir: Path, monkeypatch, tmp_path: Path) -> None:
    dialog = sign_in_with_dialog(qtbot, enc_dir, "admin", "demo")
    workspace, admin = dialog.workspace, dialog.user
    window = open_window(qtbot, workspace, admin)
    try:
        assert not window.nav.item(PAGES.index("admin")).isHidden()
        window.show_page("admin")
        users = window.admin_view.users_view
        qtbot.waitUntil(lambda: users.table.rowCount() == 3, timeout=10_000)

        def fill(self) -> int:
            self.username_edit.setText("maija")
            self.name_edit.setText("Maija Virtanen")
            self.role_combo.setCurrentIndex(self.role_combo.findData("reviewer"))
            self.password_edit.setText("kesäinen-lintu-42")
            self.again_edit.setText("kesäinen-lintu-42")
            return QDialog.DialogCode.Accepted

        monkeypatch.setattr(NewUserDialog, "exec", fill)
        qtbot.mouseClick(users.new_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: users.table.rowCount() == 4, timeout=10_000)
        assert "maija" in users.message_label.text()

        window.admin_view.tabs.setCurrentWidget(window.admin_view.access_log_view)
        log = window.admin_view.access_log_view
        qtbot.waitUntil(lambda: log.table.rowCount() > 0, timeout=10_000)
        actions = {log.table.item(row, 3).text() for row in range(log.table.rowCount())}
        assert {"Signed in", "User created"} <= actions  # the actions in words
        QApplication.processEvents()
        window.grab().save(str(tmp_path / "administration.png"))
    finally:
        window.runner.shutdown()
        window.close()
        workspace.close()
    opened, user = Workspace.unlock(enc_dir, "maija", "kesäinen-lintu-42")
    assert user.role.value == "reviewer"
    opened.close()


def test_sign_in_says_when_the_password_is_the_demo_one(qtbot, enc_dir: Path, tmp_path: Path) -> None:
    from desktop.services import keys

    dialog = SignInDialog(username="admin", data_dir=enc_dir)
    qtbot.addWidget(dialog)
    assert not dialog.demo_note.isHidden() and "“demo”" in dialog.demo_note.text()
    keys.update(enc_dir, lambda data: data.pop("demo"))  # an office's own data dir
    plain = SignInDialog(username="admin", data_dir=enc_dir)
    qtbot.addWidget(plain)
    assert plain.demo_note.isHidden()


def test_disabling_a_user_in_the_app_shows_the_key_rotation(qtbot, enc_dir: Path, monkeypatch) -> None:
    dialog = sign_in_with_dialog(qtbot, enc_dir, "admin", "demo")
    workspace, admin = dialog.workspace, dialog.user
    old_key = workspace.data_key
    for n in range(3):
        workspace.blobs.put_bytes(bytes([n]) * 5000)
    window = open_window(qtbot, workspace, admin)
    try:
        window.show_page("admin")
        users = window.admin_view.users_view
        qtbot.waitUntil(lambda: users.table.rowCount() == 3, timeout=10_000)
        seen: list[tuple[int, int]] = []
        users.rotation_progress.connect(lambda done, total: seen.append((done, total)))
        row = next(r for r in range(users.table.rowCount()) if users.table.item(r, 0).text() == "clerk")
        users.table.selectRow(row)
        qtbot.mouseClick(users.disable_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "can no longer sign in" in users.message_label.text(), timeout=20_000)
        assert seen and seen[-1] == (3, 3)
        assert workspace.data_key != old_key
    finally:
        window.runner.shutdown()
        window.close()
        workspace.close()
