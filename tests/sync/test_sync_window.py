"""The window's sync: status in words, background rounds, offline when the server is down, back by itself."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.i18n import set_language
from desktop.ui.main_window import MainWindow

pytestmark = pytest.mark.postgres


def _window(qtbot, desk) -> MainWindow:
    set_language("en")
    window = MainWindow(desk.cases)
    qtbot.addWidget(window)
    window.show()
    return window


def test_status_bar_follows_the_server(qtbot, server, make_desk):
    down = f"postgresql+psycopg://nobody@127.0.0.1:1/{server.database}"
    desk = make_desk("gui", server, url=down, sync_interval_seconds=5)
    window = _window(qtbot, desk)
    qtbot.waitUntil(
        lambda: window.connection_label.text().startswith("Offline – The server is unreachable"),
        timeout=15000,
    )
    case_id = desk.register()  # the desk keeps working
    assert desk.cases.get(case_id).diary_number == "KEHA/P1/2026"

    desk.service.set_server(desk.url)  # the server is back (here: the right address)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # sync now
    qtbot.waitUntil(lambda: window.connection_label.text().startswith("Synced at"), timeout=15000)
    assert desk.cases.get(case_id).diary_number == "KEHA/1/2026"
    assert server.event_ids() == desk.event_ids()
    window.close()
    window.runner.shutdown()


def test_standalone_desk_says_so(qtbot, make_desk):
    desk = make_desk("alone")
    window = _window(qtbot, desk)
    qtbot.waitUntil(lambda: window.connection_label.text() == "Offline (standalone desk)", timeout=5000)
    window.close()
    window.runner.shutdown()


def test_administrator_connects_the_desk_from_settings(qtbot, server, make_desk):
    desk = make_desk("settings", server, url="")  # enrolled, its address not yet set
    window = _window(qtbot, desk)
    window.show_page("settings")
    box = window.settings_view.server_box
    box.url_edit.setText(f"postgresql+psycopg://nobody@127.0.0.1:1/{server.database}")
    qtbot.mouseClick(box.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.message_label.text().startswith("The server is unreachable"), timeout=15000)
    qtbot.mouseClick(box.connect_button, Qt.MouseButton.LeftButton)  # a bad address is not saved
    qtbot.waitUntil(lambda: box.message_label.text().startswith("The server is unreachable"), timeout=15000)
    assert desk.workspace.settings.server_url == ""
    box.url_edit.setText(desk.url)
    qtbot.mouseClick(box.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: box.message_label.text() == "The server answers; this desk can sync.", timeout=15000
    )
    qtbot.mouseClick(box.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.connection_label.text().startswith("Synced at"), timeout=15000)
    assert desk.workspace.settings.server_url == desk.url
    window.close()
    window.runner.shutdown()
