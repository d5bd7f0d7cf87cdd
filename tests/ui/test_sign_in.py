"""Signing in with a personal account, and the idle lock that hides personal data on screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from ui_helpers import type_text

from desktop.ui.sign_in import SignInDialog


def test_sign_in_refuses_a_wrong_password_and_accepts_the_right_one(qtbot, workspace):
    dialog = SignInDialog(workspace, "clerk")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.username_edit.text() == "clerk"
    type_text(qtbot, dialog.password_edit, "wrong")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.error_label.text() == "Wrong user name or password."
    assert dialog.user is None and dialog.isVisible()
    dialog.password_edit.clear()
    type_text(qtbot, dialog.password_edit, "demo")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.user is not None and dialog.user.username == "clerk"
    assert workspace.settings.last_user == "clerk"  # offered first next time


def test_idle_lock_hides_the_work_until_the_password_is_given(qtbot, main_window):
    qtbot.keyClick(main_window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # lock now
    assert not main_window.centralWidget().isVisible()
    dialog = main_window._lock_dialog
    assert dialog.username_edit.isReadOnly() and dialog.username_edit.text() == "clerk"
    type_text(qtbot, dialog.password_edit, "nope")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert not main_window.centralWidget().isVisible()
    dialog.password_edit.clear()
    type_text(qtbot, dialog.password_edit, "demo")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert main_window.centralWidget().isVisible()


def test_idle_timer_locks_after_the_set_time(qtbot, main_window):
    main_window.idle._timer.setInterval(50)  # minutes in real life
    main_window.idle.restart()
    qtbot.waitUntil(lambda: not main_window.centralWidget().isVisible(), timeout=3000)
    main_window._lock_dialog.reject()  # "Sign out" closes the window
    qtbot.waitUntil(lambda: not main_window.isVisible(), timeout=3000)
